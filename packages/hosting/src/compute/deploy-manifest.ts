/**
 * Reads and checks an Amplify Hosting deployment specification bundle: `.amplify-hosting/deploy-manifest.json`
 * next to `static/` and `compute/<name>/`. A manifest that breaks a rule is rejected with every problem listed,
 * each naming the field (`routes[2].target.src`) and how to fix it; a valid one becomes a {@link DeployManifest}
 * with defaults filled in, which routing (manifest-routes.ts) and the compute pools use.
 *
 * Rules, from the specification (docs.aws.amazon.com/amplify/latest/userguide/ssr-deployment-specification.html):
 * - `version` is 1, the only version there is; `framework` `{ name, version }` is required, `version` semver.
 * - `routes`: 1..25 items, matched in order, first match wins. The last one must be the catch-all `/*`.
 *   `path` starts with `/`, is at most 255 characters of `[A-Za-z0-9_\-.*$/~"'@:+]`; `*` (0 or more characters)
 *   is the only wildcard. `target` / `fallback`: `{ kind: Static | Compute | ImageOptimization, src?, cacheControl? }`;
 *   `src` is required for, and only valid for, `Compute` and names a compute resource; `cacheControl` only for
 *   `Static` and `ImageOptimization`; a fallback may not have its target's kind.
 * - A `Compute` route needs `.amplify-hosting/compute`, a `Static` one `.amplify-hosting/static`; an
 *   `ImageOptimization` route needs `imageSettings` and a `Compute` route.
 * - `computeResources[]`: `{ name, runtime, entrypoint }`; `name` is the subdirectory of `compute/`, `entrypoint`
 *   a file inside it; every resource must be the target of a route.
 *
 * Where Gantry is more lenient than Amplify it says so in `warnings` instead of failing: resource names other
 * than `default` (version 1 of the specification accepts only `default`; Gantry runs any), runtimes Amplify no
 * longer offers (every resource runs on the Node.js that runs Gantry), unknown top-level fields, missing
 * `imageSettings` members (defaults are used).
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNodeAtLocation, parse as parseJsonc, parseTree, type ParseError, type Segment } from 'jsonc-parser';

export type TargetKind = 'Static' | 'Compute' | 'ImageOptimization';

export const TARGET_KINDS: readonly TargetKind[] = ['Static', 'Compute', 'ImageOptimization'];

export interface RouteTarget {
  kind: TargetKind;
  /** The compute resource, for `Compute` targets only. */
  src?: string;
  /** `Cache-Control` for successful (200) responses of `Static` and `ImageOptimization` targets. */
  cacheControl?: string;
}

export interface ManifestRoute {
  /** Glob over the request path (no query string); `*` matches 0 or more characters, `/` included. */
  path: string;
  target: RouteTarget;
  /** Where the request goes when `target` answers 404 (GET/HEAD without a body only). */
  fallback?: RouteTarget;
}

export interface ComputeResource {
  /** The subdirectory of `.amplify-hosting/compute/`. @example "default" */
  name: string;
  /** As written in the manifest. @example "nodejs20.x" */
  runtime: string;
  /** Node.js major version the runtime names. @example 20 */
  nodeMajor: number;
  /** The server script, relative to the resource's directory. @example "server.js" */
  entrypoint: string;
}

export interface ImageRemotePattern {
  protocol?: 'http' | 'https';
  hostname: string;
  port?: string;
  pathname?: string;
}

export interface ImageSettings {
  sizes: number[];
  domains: string[];
  remotePatterns: ImageRemotePattern[];
  formats: string[];
  /** Seconds. */
  minimumCacheTTL: number;
  dangerouslyAllowSVG: boolean;
}

export interface DeployManifest {
  version: 1;
  routes: ManifestRoute[];
  /** `[]` for purely static bundles. */
  computeResources: ComputeResource[];
  imageSettings?: ImageSettings;
  framework: { name: string; version: string };
}

export interface ManifestIssue {
  /** Where in the manifest. @example "routes[2].target.src" */
  path: string;
  message: string;
  /** Where in the manifest's text (1-based), when it was given as text. */
  line?: number;
  column?: number;
}

/**
 * `deploy-manifest.json:7:19: routes[0].target.src names …` (an editor's file:line:column), or, where the position
 * is not known, `deploy-manifest.json: routes …` (or just `routes …` with `file` empty, under a heading naming it).
 */
export function formatManifestIssue(issue: ManifestIssue, file = 'deploy-manifest.json'): string {
  const where = issue.line === undefined ? (file ? `${file}: ` : '') : `${file || 'deploy-manifest.json'}:${issue.line}:${issue.column}: `;
  return `${where}${issue.path} ${issue.message}`;
}

export interface ParsedDeployManifest {
  manifest: DeployManifest;
  /** Things Amplify Hosting would reject or ignore that Gantry accepts. */
  warnings: ManifestIssue[];
}

/** The manifest breaks the specification: `issues` lists every problem, `message` all of them, one a line. */
export class DeployManifestError extends Error {
  readonly issues: ManifestIssue[];

  constructor(issues: ManifestIssue[], source = 'deploy-manifest.json') {
    super(`${source} does not follow the Amplify Hosting deployment specification:\n${issues.map((i) => `- ${formatManifestIssue(i, i.line === undefined ? '' : source)}`).join('\n')}`);
    this.name = 'DeployManifestError';
    this.issues = issues;
  }
}

export const MAX_ROUTES = 25;
export const MAX_ROUTE_PATH_LENGTH = 255;
export const CATCH_ALL = '/*';
const PATH_CHARS = /^[A-Za-z0-9_\-.*$/~"'@:+]+$/;
/** A directory name that is safe on disk and in logs. */
const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const RUNTIME = /^nodejs(\d+)\.x$/;
/** Runtimes Amplify Hosting offers today (Node.js 14, 16 and 18 ended on 2025-09-15). */
const AMPLIFY_RUNTIMES = new Set(['nodejs20.x', 'nodejs22.x']);
// semver.org's grammar, without the optional leading "v".
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const TOP_LEVEL = new Set(['version', 'routes', 'computeResources', 'imageSettings', 'framework']);
const IMAGE_FORMATS = new Set(['image/avif', 'image/webp', 'image/gif', 'image/png', 'image/jpeg']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

/**
 * Checks a manifest (the parsed JSON, or its text) and normalises it. Only the manifest itself is looked at;
 * {@link loadDeployManifest} also checks the bundle's directories and entry points.
 * @throws DeployManifestError listing every problem found
 */
export function parseDeployManifest(input: unknown): ParsedDeployManifest {
  const issues: ManifestIssue[] = [];
  const warnings: ManifestIssue[] = [];
  const fail = (path: string, message: string) => void issues.push({ path, message });
  let raw = input;
  if (typeof raw === 'string') {
    // Given as text, every issue also says where it is (line and column), as the build log shows it.
    const text = raw;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new DeployManifestError([{ path: 'deploy-manifest.json', message: `is not valid JSON (${(error as Error).message}); the build must write a JSON object.`, ...syntaxErrorPosition(text) }]);
    }
    try {
      const parsed = parseDeployManifest(raw);
      return { ...parsed, warnings: locate(parsed.warnings, text) };
    } catch (error) {
      if (error instanceof DeployManifestError) throw new DeployManifestError(locate(error.issues, text));
      throw error;
    }
  }
  if (!isObject(raw)) throw new DeployManifestError([{ path: 'deploy-manifest.json', message: `must be a JSON object with version, routes and framework; found ${show(raw)}.` }]);

  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL.has(key)) warnings.push({ path: key, message: `is not part of the deployment specification and is ignored.` });
  }
  if (raw.version !== 1) fail('version', `must be 1 (the only version of the deployment specification); found ${show(raw.version)}.`);

  // computeResources first: routes refer to them.
  const computeResources: ComputeResource[] = [];
  if (raw.computeResources !== undefined) {
    if (!Array.isArray(raw.computeResources)) fail('computeResources', `must be an array of { name, runtime, entrypoint }; found ${show(raw.computeResources)}.`);
    else {
      const seen = new Set<string>();
      raw.computeResources.forEach((item, i) => {
        const at = `computeResources[${i}]`;
        if (!isObject(item)) return fail(at, `must be an object { name, runtime, entrypoint }; found ${show(item)}.`);
        const { name, runtime, entrypoint } = item;
        let ok = true;
        if (typeof name !== 'string' || !RESOURCE_NAME.test(name)) {
          ok = false;
          fail(`${at}.name`, `must name the resource's subdirectory of .amplify-hosting/compute (letters, digits, '_', '-', '.'; "default" for the default resource); found ${show(name)}.`);
        } else if (seen.has(name)) {
          ok = false;
          fail(`${at}.name`, `repeats '${name}': give each compute resource its own name and subdirectory.`);
        } else {
          seen.add(name);
          if (name !== 'default') warnings.push({ path: `${at}.name`, message: `is '${name}': version 1 of the specification accepts only 'default' on Amplify Hosting; Gantry runs it anyway.` });
        }
        const runtimeMatch = typeof runtime === 'string' ? RUNTIME.exec(runtime) : null;
        if (!runtimeMatch) {
          ok = false;
          fail(`${at}.runtime`, `must be a Node.js runtime such as "nodejs20.x" or "nodejs22.x"; found ${show(runtime)}.`);
        } else if (!AMPLIFY_RUNTIMES.has(runtime as string)) {
          warnings.push({ path: `${at}.runtime`, message: `is ${runtime}, which Amplify Hosting no longer offers (nodejs20.x and nodejs22.x it does); Gantry runs every resource on Node.js ${process.versions.node}.` });
        }
        if (typeof entrypoint !== 'string' || !isSafeRelativePath(entrypoint)) {
          ok = false;
          fail(`${at}.entrypoint`, `must be the path of the server script relative to .amplify-hosting/compute/${typeof name === 'string' ? name : '<name>'}/ (no '..', not absolute), e.g. "server.js"; found ${show(entrypoint)}.`);
        }
        if (ok) computeResources.push({ name: name as string, runtime: runtime as string, nodeMajor: Number(runtimeMatch![1]), entrypoint: (entrypoint as string).replace(/^\.\//, '') });
      });
    }
  }
  const resourceNames = new Set(computeResources.map((r) => r.name));
  const defined = Array.isArray(raw.computeResources) ? raw.computeResources.filter(isObject).map((r) => r.name).filter((n): n is string => typeof n === 'string') : [];

  const hasImageSettings = raw.imageSettings !== undefined;
  const routes: ManifestRoute[] = [];
  const targeted = new Set<string>();
  if (!Array.isArray(raw.routes)) {
    fail('routes', `must be an array of routes ending with the catch-all { "path": "/*", "target": { ... } }; found ${show(raw.routes)}.`);
  } else {
    if (raw.routes.length === 0) fail('routes', `is empty: add at least the catch-all route { "path": "/*", "target": { "kind": "Static" } } (or Compute for a server-rendered app).`);
    if (raw.routes.length > MAX_ROUTES) fail('routes', `has ${raw.routes.length} routes; the specification allows at most ${MAX_ROUTES}. Merge routes with wildcards (e.g. "/assets/*").`);
    const parseTarget = (value: unknown, at: string): RouteTarget | undefined => {
      if (!isObject(value)) return void fail(at, `must be an object { kind, src?, cacheControl? }; found ${show(value)}.`);
      const { kind, src, cacheControl } = value;
      if (typeof kind !== 'string' || !(TARGET_KINDS as readonly string[]).includes(kind)) {
        return void fail(`${at}.kind`, `must be one of ${TARGET_KINDS.join(', ')}; found ${show(kind)}.`);
      }
      const target: RouteTarget = { kind: kind as TargetKind };
      let ok = true;
      if (kind === 'Compute') {
        if (typeof src !== 'string' || src === '') {
          ok = false;
          fail(`${at}.src`, `is required for a Compute target: name the compute resource to run, e.g. "default"${defined.length ? ` (computeResources defines ${defined.map((n) => `'${n}'`).join(', ')})` : ''}.`);
        } else if (!resourceNames.has(src)) {
          ok = false;
          fail(`${at}.src`, defined.includes(src)
            ? `names compute resource '${src}', whose definition in computeResources is invalid (see above).`
            : `names compute resource '${src}' which computeResources does not define: add { "name": "${src}", "runtime": "nodejs20.x", "entrypoint": "server.js" } to computeResources, or use ${defined.length ? defined.map((n) => `'${n}'`).join(' or ') : "'default'"}.`);
        } else {
          target.src = src;
          targeted.add(src);
        }
        if (cacheControl !== undefined) fail(`${at}.cacheControl`, `is only valid for Static and ImageOptimization targets: a Compute resource sets its own Cache-Control header.`);
      } else {
        if (src !== undefined) fail(`${at}.src`, `is only valid for Compute targets; remove it from this ${kind} target.`);
        if (cacheControl !== undefined) {
          if (typeof cacheControl !== 'string' || cacheControl.trim() === '' || /[\r\n]/.test(cacheControl)) fail(`${at}.cacheControl`, `must be a Cache-Control header value such as "public, max-age=31536000, immutable"; found ${show(cacheControl)}.`);
          else target.cacheControl = cacheControl;
        }
        if (kind === 'ImageOptimization' && !hasImageSettings) fail(`${at}.kind`, `is ImageOptimization, which needs imageSettings: add "imageSettings": { "sizes": [...], "formats": [...], ... } to the manifest.`);
      }
      return ok ? target : undefined;
    };
    raw.routes.forEach((item, i) => {
      const at = `routes[${i}]`;
      if (!isObject(item)) return fail(at, `must be an object { path, target, fallback? }; found ${show(item)}.`);
      const { path } = item;
      let pathOk = false;
      if (typeof path !== 'string' || path === '') fail(`${at}.path`, `is required: a pattern such as "/_next/static/*" or the catch-all "/*".`);
      else if (!path.startsWith('/')) fail(`${at}.path`, `must start with '/'; found ${show(path)} (write "/${path}").`);
      else if (path.length > MAX_ROUTE_PATH_LENGTH) fail(`${at}.path`, `is ${path.length} characters long; the limit is ${MAX_ROUTE_PATH_LENGTH}.`);
      else if (!PATH_CHARS.test(path)) fail(`${at}.path`, `may only contain letters, digits and _ - . * $ / ~ " ' @ : + ('*' is the only wildcard: it matches 0 or more characters); ${show(path)} has ${show([...path].find((c) => !PATH_CHARS.test(c)))}.`);
      else pathOk = true;
      const target = parseTarget(item.target, `${at}.target`);
      const fallback = item.fallback === undefined ? undefined : parseTarget(item.fallback, `${at}.fallback`);
      if (target && fallback && target.kind === fallback.kind) {
        fail(`${at}.fallback.kind`, `is ${fallback.kind}, like the target: a fallback must go to another kind of target (e.g. Static with a Compute fallback).`);
      }
      if (pathOk && target && (item.fallback === undefined || fallback)) routes.push({ path: path as string, target, ...(fallback ? { fallback } : {}) });
    });
    const paths = raw.routes.map((r) => (isObject(r) ? r.path : undefined));
    const first = paths.indexOf(CATCH_ALL);
    if (raw.routes.length > 0 && paths[paths.length - 1] !== CATCH_ALL) {
      fail(`routes[${raw.routes.length - 1}].path`, `must be the catch-all "/*", as the last route always is (found ${show(paths[paths.length - 1])}): add { "path": "/*", "target": { "kind": "Compute", "src": "default" } } (or a Static target) at the end.`);
    } else if (first !== -1 && first < paths.length - 1) {
      fail(`routes[${first}].path`, `is the catch-all "/*", so routes[${first + 1}] to routes[${paths.length - 1}] can never match: move the catch-all to the end.`);
    }
    const fallbackTargets = raw.routes.filter(isObject).flatMap((r) => [r.target, r.fallback]).filter(isObject);
    if (fallbackTargets.some((t) => t.kind === 'ImageOptimization') && !fallbackTargets.some((t) => t.kind === 'Compute')) {
      fail('routes', `has an ImageOptimization route but no Compute route: image optimization is not supported for purely static apps.`);
    }
  }
  for (const resource of computeResources) {
    if (!targeted.has(resource.name)) {
      const i = computeResources.indexOf(resource);
      fail(`computeResources[${i}]`, `('${resource.name}') is not the target of any route: route requests to it ({ "kind": "Compute", "src": "${resource.name}" }) or remove it.`);
    }
  }

  let imageSettings: ImageSettings | undefined;
  if (hasImageSettings) imageSettings = parseImageSettings(raw.imageSettings, fail, warnings);

  let framework = { name: '', version: '' };
  if (!isObject(raw.framework)) fail('framework', `is required: { "name": "<framework>", "version": "<semver>" }, e.g. { "name": "nuxt", "version": "3.8.1" }; found ${show(raw.framework)}.`);
  else {
    const { name, version } = raw.framework;
    if (typeof name !== 'string' || name.trim() === '') fail('framework.name', `must name the framework that produced the bundle, e.g. "next"; found ${show(name)}.`);
    if (typeof version !== 'string' || !SEMVER.test(version)) fail('framework.version', `must be a semantic version such as "14.2.3"; found ${show(version)}.`);
    framework = { name: String(name), version: String(version) };
  }

  if (issues.length) throw new DeployManifestError(issues);
  return { manifest: { version: 1, routes, computeResources, ...(imageSettings ? { imageSettings } : {}), framework }, warnings };
}

function parseImageSettings(value: unknown, fail: (path: string, message: string) => void, warnings: ManifestIssue[]): ImageSettings | undefined {
  if (!isObject(value)) return void fail('imageSettings', `must be an object { sizes, domains, remotePatterns, formats, minimumCacheTTL, dangerouslyAllowSVG }; found ${show(value)}.`);
  const missing = (key: string, fallback: unknown) => warnings.push({ path: `imageSettings.${key}`, message: `is missing; ${JSON.stringify(fallback)} is used.` });
  const settings: ImageSettings = { sizes: [], domains: [], remotePatterns: [], formats: ['image/webp'], minimumCacheTTL: 60, dangerouslyAllowSVG: false };
  const { sizes, domains, remotePatterns, formats, dangerouslyAllowSVG } = value;
  // The specification's own example spells it "minumumCacheTTL".
  const ttl = value.minimumCacheTTL ?? value.minumumCacheTTL;
  if (sizes === undefined) missing('sizes', settings.sizes);
  else if (!Array.isArray(sizes) || !sizes.every((n) => Number.isInteger(n) && n > 0)) fail('imageSettings.sizes', `must be an array of image widths in pixels, e.g. [640, 1080]; found ${show(sizes)}.`);
  else settings.sizes = sizes;
  if (domains === undefined) missing('domains', settings.domains);
  else if (!Array.isArray(domains) || !domains.every((d) => typeof d === 'string')) fail('imageSettings.domains', `must be an array of host names ([] for the app's own domain only); found ${show(domains)}.`);
  else settings.domains = domains;
  if (remotePatterns === undefined) missing('remotePatterns', settings.remotePatterns);
  else if (!Array.isArray(remotePatterns)) fail('imageSettings.remotePatterns', `must be an array of { protocol?, hostname, port?, pathname? }; found ${show(remotePatterns)}.`);
  else {
    remotePatterns.forEach((p, i) => {
      const at = `imageSettings.remotePatterns[${i}]`;
      if (!isObject(p) || typeof p.hostname !== 'string' || p.hostname === '') return fail(at, `must be { hostname, protocol?, port?, pathname? } with a hostname; found ${show(p)}.`);
      if (p.hostname === '**') return fail(`${at}.hostname`, `is "**", which would allow every host: name the domain, e.g. "**.example.com".`);
      if (p.protocol !== undefined && p.protocol !== 'https' && p.protocol !== 'http') return fail(`${at}.protocol`, `must be "https"; found ${show(p.protocol)}.`);
      for (const key of ['port', 'pathname'] as const) if (p[key] !== undefined && typeof p[key] !== 'string') return fail(`${at}.${key}`, `must be a string; found ${show(p[key])}.`);
      settings.remotePatterns.push({ hostname: p.hostname, ...(p.protocol ? { protocol: p.protocol as 'http' | 'https' } : {}), ...(p.port !== undefined ? { port: p.port as string } : {}), ...(p.pathname !== undefined ? { pathname: p.pathname as string } : {}) });
    });
  }
  if (formats === undefined) missing('formats', settings.formats);
  else if (!Array.isArray(formats) || !formats.every((f) => typeof f === 'string' && IMAGE_FORMATS.has(f))) fail('imageSettings.formats', `must be an array of ${[...IMAGE_FORMATS].join(', ')}; found ${show(formats)}.`);
  else settings.formats = formats;
  if (ttl === undefined) missing('minimumCacheTTL', settings.minimumCacheTTL);
  else if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) fail('imageSettings.minimumCacheTTL', `must be a number of seconds; found ${show(ttl)}.`);
  else settings.minimumCacheTTL = ttl;
  if (dangerouslyAllowSVG === undefined) missing('dangerouslyAllowSVG', settings.dangerouslyAllowSVG);
  else if (typeof dangerouslyAllowSVG !== 'boolean') fail('imageSettings.dangerouslyAllowSVG', `must be true or false; found ${show(dangerouslyAllowSVG)}.`);
  else settings.dangerouslyAllowSVG = dangerouslyAllowSVG;
  return settings;
}

/** A relative path without `.`/`..` segments, backslashes or NUL. */
function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || /[\\\0]/.test(path)) return false;
  const segments = path.replace(/^\.\//, '').split('/');
  return segments.every((s) => s !== '' && s !== '.' && s !== '..');
}

export const DEPLOY_MANIFEST_DIR = '.amplify-hosting';

/** A checked bundle on disk. */
export interface DeploymentBundle extends ParsedDeployManifest {
  /** The `.amplify-hosting` directory. */
  dir: string;
  /** `<dir>/static`, when it exists. */
  staticDir: string | undefined;
  /** `<dir>/compute/<name>` of each compute resource. */
  computeDirs: Record<string, string>;
}

/**
 * Whether a build's artifacts follow the deployment specification: `<artifactDir>/.amplify-hosting/deploy-manifest.json`
 * exists (also accepted: `artifactDir` being the `.amplify-hosting` directory itself).
 */
export async function findDeploymentBundle(artifactDir: string): Promise<string | undefined> {
  for (const dir of [join(artifactDir, DEPLOY_MANIFEST_DIR), artifactDir]) {
    const info = await lstat(join(dir, 'deploy-manifest.json')).catch(() => undefined);
    if (info?.isFile()) return dir;
  }
  return undefined;
}

/**
 * Reads `<bundleDir>/deploy-manifest.json` and checks it together with the bundle's files: `static/` for Static
 * routes, `compute/` and each resource's directory and entry point (a regular file, not a symlink).
 * @param bundleDir the `.amplify-hosting` directory
 * @throws DeployManifestError
 */
export async function loadDeployManifest(bundleDir: string): Promise<DeploymentBundle> {
  const file = join(bundleDir, 'deploy-manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DeployManifestError([{ path: 'deploy-manifest.json', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the build must write .amplify-hosting/deploy-manifest.json.` }]);
  }
  const parsed = parseDeployManifest(text);
  const issues: ManifestIssue[] = [];
  const isDir = async (path: string) => (await lstat(path).catch(() => undefined))?.isDirectory() ?? false;
  const kinds = new Set(parsed.manifest.routes.flatMap((r) => [r.target.kind, r.fallback?.kind]));
  const staticDir = join(bundleDir, 'static');
  const hasStatic = await isDir(staticDir);
  if (kinds.has('Static') && !hasStatic) issues.push({ path: 'routes', message: `has a Static route, which needs the directory .amplify-hosting/static: the build did not write it (put the public files there).` });
  const computeDirs: Record<string, string> = {};
  if (kinds.has('Compute') && !(await isDir(join(bundleDir, 'compute')))) {
    issues.push({ path: 'routes', message: `has a Compute route, which needs the directory .amplify-hosting/compute/<name>: the build did not write it.` });
  } else {
    for (const [i, resource] of parsed.manifest.computeResources.entries()) {
      const dir = join(bundleDir, 'compute', resource.name);
      computeDirs[resource.name] = dir;
      if (!(await isDir(dir))) {
        issues.push({ path: `computeResources[${i}].name`, message: `names the directory .amplify-hosting/compute/${resource.name}, which does not exist: the build must put the resource's server there.` });
        continue;
      }
      const entry = await lstat(join(dir, resource.entrypoint)).catch(() => undefined);
      if (!entry?.isFile()) {
        issues.push({ path: `computeResources[${i}].entrypoint`, message: `names .amplify-hosting/compute/${resource.name}/${resource.entrypoint}, which ${entry ? 'is not a regular file' : 'does not exist'}: the entry point must be a Node.js script inside the resource's directory that starts an HTTP server.` });
      }
    }
  }
  if (issues.length) throw new DeployManifestError(issues);
  return { ...parsed, dir: bundleDir, staticDir: hasStatic ? staticDir : undefined, computeDirs };
}

/** Adds to each issue the line and column of the value its path names (or of the nearest enclosing one that exists). */
function locate(issues: ManifestIssue[], text: string): ManifestIssue[] {
  const tree = parseTree(text);
  if (!tree) return issues;
  return issues.map((issue) => {
    const segments = pathSegments(issue.path);
    for (let n = segments.length; n >= 0; n--) {
      const node = findNodeAtLocation(tree, segments.slice(0, n));
      // A key names its property: point at the property, whose value may be what is wrong.
      const at = node?.parent?.type === 'property' ? node.parent : node;
      if (at) return { ...issue, ...position(text, at.offset) };
    }
    return issue;
  });
}

/** `routes[2].target.src` → `['routes', 2, 'target', 'src']`; the file-level path `deploy-manifest.json` → `[]`. */
function pathSegments(path: string): Segment[] {
  if (path === 'deploy-manifest.json') return [];
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** Where JSON.parse gave up, from a tolerant parser's first error. */
function syntaxErrorPosition(text: string): { line: number; column: number } | Record<string, never> {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  return errors[0] ? position(text, errors[0].offset) : {};
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
