/**
 * Routing of a deployment-specification bundle: which target (static files, a compute resource, image
 * optimization) answers a request path, as Amplify Hosting decides it.
 *
 * - Routes are tried in manifest order; the first whose pattern matches wins. The last route is always the
 *   catch-all `/*` (the manifest check guarantees it), so every path has a target.
 * - Patterns are matched against the request path without the query string, as received (percent-encoding
 *   kept), case-sensitively. `*` is the only wildcard and matches 0 or more characters, `/` included: `/*`
 *   matches `/` and everything, `/_next/static/*` matches `/_next/static/` and below (not `/_next/static`),
 *   `/*.*` matches any path with a dot, at any depth.
 * - Routing does not rewrite: the request goes to the target with its path unchanged.
 * - `fallback`: when the target answers 404, the request goes to the fallback target instead; only for GET and
 *   HEAD requests (Amplify: "Fallbacks are only supported for GET requests that don't have a body").
 *
 * Patterns compile once per route list to the cheapest test that fits (always-true, equality, prefix, suffix,
 * or a regular expression), so matching a path costs a few string comparisons.
 */
import type { ManifestRoute, RouteTarget } from './deploy-manifest.ts';

export interface MatchedRoute {
  /** Position in the manifest's `routes`. */
  index: number;
  route: ManifestRoute;
  target: RouteTarget;
  fallback: RouteTarget | undefined;
}

type Matcher = (path: string) => boolean;

/** Compiles a route pattern (`*` = 0 or more of any character) to a test. */
export function compileRoutePattern(pattern: string): Matcher {
  const stars = pattern.split('*').length - 1;
  if (stars === 0) return (path) => path === pattern;
  if (pattern === '/*') return () => true;
  if (stars === 1 && pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return (path) => path.startsWith(prefix);
  }
  if (stars === 1 && pattern.startsWith('/*')) {
    const suffix = pattern.slice(2);
    return (path) => path.length > suffix.length && path.charCodeAt(0) === 47 && path.endsWith(suffix);
  }
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[\\s\\S]*');
  const regex = new RegExp(`^${source}$`);
  return (path) => regex.test(path);
}

export class RouteTable {
  readonly routes: readonly ManifestRoute[];
  readonly #matchers: Matcher[];
  readonly #matches: MatchedRoute[];

  constructor(routes: readonly ManifestRoute[]) {
    this.routes = routes;
    this.#matchers = routes.map((r) => compileRoutePattern(r.path));
    this.#matches = routes.map((route, index) => ({ index, route, target: route.target, fallback: route.fallback }));
  }

  /**
   * The first route matching `path` (a URL path; anything from `?` on is ignored), or undefined when none does
   * (only possible for route lists that were not checked by parseDeployManifest).
   */
  match(path: string): MatchedRoute | undefined {
    const q = path.indexOf('?');
    const pathname = q === -1 ? path : path.slice(0, q);
    for (let i = 0; i < this.#matchers.length; i++) if (this.#matchers[i](pathname)) return this.#matches[i];
    return undefined;
  }
}

/** Whether a 404 from a route's target may go on to its fallback: GET and HEAD only, as on Amplify. */
export function fallbackAllowed(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** Route tables are cached per route list (the manifest's array), so callers may call this per request. */
const tables = new WeakMap<readonly ManifestRoute[], RouteTable>();

export function routeTableFor(routes: readonly ManifestRoute[]): RouteTable {
  let table = tables.get(routes);
  if (!table) {
    table = new RouteTable(routes);
    tables.set(routes, table);
  }
  return table;
}

/** Matches `path` against `routes` (compiled once per array). */
export function matchRoute(routes: readonly ManifestRoute[], path: string): MatchedRoute | undefined {
  return routeTableFor(routes).match(path);
}
