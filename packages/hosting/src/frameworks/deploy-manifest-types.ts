/**
 * The shape of `.amplify-hosting/deploy-manifest.json` in Amplify Hosting's deployment specification, as the
 * framework adapters write it. Routes are matched in order, first match wins; the last one is the catch-all
 * `/*`. A route's `fallback` answers when its target answers 404.
 */

export type DeployTarget =
  | { kind: 'Static'; cacheControl?: string }
  | { kind: 'Compute'; src: string; cacheControl?: string }
  | { kind: 'ImageOptimization'; cacheControl?: string };

export interface DeployRoute {
  /** URL path pattern, `*` matching any characters (`/_next/static/*`, `/*`); literal characters percent-encoded. */
  path: string;
  target: DeployTarget;
  fallback?: DeployTarget;
}

export interface ComputeResource {
  /** The folder under `compute/` holding it, and the name routes give as `src`. */
  name: string;
  /** `nodejs20.x`: the Node.js major the app was built with. */
  runtime: string;
  /** File run with `node`, relative to `compute/<name>/`; it listens on `PORT`. */
  entrypoint: string;
}

export interface DeployManifest {
  version: 1;
  routes: DeployRoute[];
  computeResources?: ComputeResource[];
  framework?: { name: string; version: string };
}
