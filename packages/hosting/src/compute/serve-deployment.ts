/**
 * Answers one request of a version built to the deployment specification: routes it with the manifest, sends
 * it to its target (the version's static files, a compute resource, image optimization) and, when the target
 * answers 404 and the route has a fallback, to the fallback instead (GET/HEAD only, as on Amplify Hosting).
 *
 * Static files are served by the caller (`serveStatic`, i.e. serveSite over `.amplify-hosting/static`), which
 * must call `onNotFound` instead of answering 404 when it is given one and apply `target.cacheControl` to 200
 * answers. Image optimization is not provided by Gantry: without `serveImage`, such routes answer 501.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteTarget } from './deploy-manifest.ts';
import { fallbackAllowed, matchRoute } from './manifest-routes.ts';
import type { ComputeDeployment, ComputeHost } from './compute-pool.ts';
import { proxyToCompute, type ComputeProxyOptions } from './compute-proxy.ts';

export interface StaticTargetContext {
  /** The route's target (its `cacheControl`, when set, is the `Cache-Control` of 200 answers). */
  target: RouteTarget;
  /** When set, call it instead of answering 404 (the route has a fallback). */
  onNotFound: (() => void) | undefined;
}

export interface ServeDeploymentOptions {
  host: ComputeHost;
  deployment: ComputeDeployment;
  /** Path and query as the app sees them (without a `/_sites/<appId>/<branch>` prefix). @default req.url */
  path?: string;
  serveStatic: (context: StaticTargetContext) => void;
  serveImage?: (context: StaticTargetContext) => void;
  /** Passed to {@link proxyToCompute} (limits, forwarded values). */
  proxy?: Omit<ComputeProxyOptions, 'path' | 'onNotFound'>;
}

export function serveDeployment(req: IncomingMessage, res: ServerResponse, options: ServeDeploymentOptions): void {
  const path = options.path ?? req.url ?? '/';
  const match = matchRoute(options.deployment.manifest.routes, path);
  if (!match) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('No route of the deploy manifest matches this path.\n');
    return;
  }
  const run = (target: RouteTarget, onNotFound: (() => void) | undefined): void => {
    switch (target.kind) {
      case 'Static':
        return options.serveStatic({ target, onNotFound });
      case 'Compute':
        void proxyToCompute(req, res, options.host.pool(options.deployment, target.src ?? 'default'), { ...options.proxy, path, onNotFound });
        return;
      case 'ImageOptimization':
        if (options.serveImage) return options.serveImage({ target, onNotFound });
        res.writeHead(501, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('Image optimization (ImageOptimization routes of the deploy manifest) is not available on this server.\n');
    }
  };
  const fallback = match.fallback;
  run(match.target, fallback && fallbackAllowed(req.method) ? () => run(fallback, undefined) : undefined);
}
