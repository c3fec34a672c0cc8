/**
 * Turns a finished Next.js build (`.next`) into an Amplify Hosting deployment-spec bundle, as Amplify Hosting
 * does for Next.js 12–15 apps without the app doing anything:
 *
 *   <outDir>/deploy-manifest.json
 *   <outDir>/static/_next/static/**      .next/static, content-hashed, served `immutable`
 *   <outDir>/static/**                   public/
 *   <outDir>/compute/default/server.mjs  entrypoint: next({ dir, dev: false }).getRequestHandler() on PORT
 *   <outDir>/compute/default/**          the server: .next (no build cache), node_modules, package.json
 *
 * The server is Next's standalone output (`output: 'standalone'`), which the build job forces by building with
 * `NEXT_PRIVATE_STANDALONE=true` (`nextjsBuildEnvironment()`): Next takes it as the default of `output`, so an
 * app's own `output: 'export'` still wins. When `.next/standalone` is missing or from an earlier build (a Next.js
 * release that does not read the variable, a build run without it), the bundle falls back to `next start`
 * semantics: the app's folder as it is after the build, with its whole node_modules.
 *
 * Why standalone first (measured on the test app, Next.js 14.2, 2 cores):
 * - Size. Standalone holds only the files Next's output tracing found the server to need: 25 MB of compute,
 *   against 122 MB for the app folder with its node_modules, and that after leaving out the SWC compiler
 *   (@next/swc-*, 126 MB more); TypeScript and the type packages, needed to build and never to serve, are
 *   still in it. Amplify refuses SSR output over 220 MB, and every byte of compute is copied per deployment
 *   and per instance: bundling takes 1–3 s against 3–12 s.
 * - Start time. Fewer, smaller files to read: the first response comes about 0.4 s after `node server.mjs`
 *   (0.3–0.8 s over runs) against about 1 s (0.5–2.1 s). In both modes the entrypoint hands Next the
 *   configuration the build serialized (`.next/required-server-files.json`), as Next's own standalone
 *   server.js does, so next.config.* and its devDependencies are never loaded at run time.
 * - Correctness. Output tracing is what Vercel deploys every Next.js app with, and it follows `require`s and
 *   `fs` reads of static paths. What it can miss (files read through computed paths) the app adds with
 *   `outputFileTracingIncludes`; a build without standalone output still deploys, by the fallback.
 *   Middleware runs inside the server in both modes (Next's edge sandbox, `.next/server/middleware.js`) for
 *   every request that reaches compute; requests routed to Static (`/_next/static/*`, files of public/) do not
 *   run it, as when a CDN answers them.
 * - ISR and caches. Next writes regenerated pages to `<app>/.next/server/pages` (`.next/server/app` for the
 *   App Router), and the fetch cache and optimized images to `<app>/.next/cache`: inside the compute folder
 *   (`compute/default/`, below `<relativeAppDir>` for a monorepo app). Gantry's runtime mounts that folder
 *   read-only, so the entrypoint checks: a writable `.next` is used as it is; otherwise Next runs from
 *   `$TMPDIR/next-dist-*`, links to the build's `.next` entries but for a writable `cache/` (so optimized
 *   images and fetched data are cached), and keeps regenerated pages in memory (`isrFlushToDisk: false`, up
 *   to `cacheMaxMemorySize`, 50 MB by default). Either way the cache belongs to one process of one
 *   deployment: a new deployment, or a restarted process, starts again from the pages prerendered at build
 *   time, as a fresh `next start` does.
 * - Images. `/_next/image` goes to compute, where Next's own optimizer reads the source image through the
 *   server's routing: the bundle copies the images of public/ and `.next/static/media` into compute as well.
 *   The optimizer uses sharp when the app has it (Next.js 15 depends on it). Next.js 12–14 without sharp fall
 *   back to WebAssembly codecs, which tracing leaves out and Next refuses in standalone mode: the bundle copies
 *   them from the app's node_modules and the entrypoint clears `output: 'standalone'` from the run-time
 *   configuration (it only chooses what the build writes).
 *
 * The build is untrusted: nothing is read outside `rootDir`, and symbolic links leaving it, hard links and
 * special files refuse the bundle (see copy-tree.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join, posix, relative, resolve, sep } from 'node:path';
import { GantryError } from '@gantry/core';
import { copyTree, isInside, type CopyTreeResult } from './copy-tree.ts';
import type { DeployManifest, DeployRoute } from './deploy-manifest-types.ts';
import { nextjsEntrypoint } from './nextjs-entrypoint.ts';

export interface BundleNextjsOptions {
  /** The Next.js app's folder: its package.json, public/, node_modules. */
  appDir: string;
  /**
   * The build output, the build spec's `artifacts.baseDirectory`.
   * @default join(appDir, '.next')
   */
  distDir?: string;
  /** The bundle to write (the `.amplify-hosting` folder); created, and refused when it exists and is not empty. */
  outDir: string;
  /**
   * The build's checkout: nothing outside it is read (a monorepo's node_modules may be above appDir).
   * @default appDir
   */
  rootDir?: string;
  /**
   * `auto`: standalone when `.next/standalone` is from this build, else `next start` semantics.
   * @default 'auto'
   */
  mode?: 'auto' | 'standalone' | 'next-start';
  /**
   * Node.js version the app was built with; the compute runtime is its major (`nodejs20.x`).
   * @default process.versions.node
   */
  nodeVersion?: string;
}

export interface NextjsBundle {
  mode: 'standalone' | 'next-start';
  nextVersion: string;
  manifest: DeployManifest;
  outDir: string;
  static: { files: number; bytes: number };
  compute: { files: number; bytes: number };
  /** Things that work but deserve a line in the build log. */
  warnings: string[];
}

/** Cache-Control of content-hashed build assets. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cache-Control Next itself sends for files of public/. */
export const PUBLIC_FILES = 'public, max-age=0';
const COMPUTE = { kind: 'Compute', src: 'default' } as const;
const ENTRYPOINT = 'server.mjs';
/** The deployment specification's limits on routes. */
const MAX_ROUTES = 25;
const MAX_ROUTE_PATH = 255;
/** A path segment a route can spell: the specification's route-path characters, less `*` (the wildcard) and `/`. */
const ROUTE_SEGMENT = /^[A-Za-z0-9_\-.$~"'@:+]+$/;
/** Source images the optimizer may be asked for: these files of public/ are copied into compute as well. */
const IMAGE_EXTENSIONS = new Set(['.apng', '.avif', '.bmp', '.gif', '.ico', '.jfif', '.jpeg', '.jpg', '.png', '.svg', '.tif', '.tiff', '.webp']);

/**
 * Variables to build a Next.js app with, so that its `.next` holds standalone output. Next's telemetry is off:
 * builds reach no host but the package registry.
 */
export function nextjsBuildEnvironment(): Record<string, string> {
  return { NEXT_PRIVATE_STANDALONE: 'true', NEXT_TELEMETRY_DISABLED: '1' };
}

/**
 * Writes the deployment bundle of a built Next.js app.
 * @throws GantryError `ValidationError` when the build output is not a Next.js server build (no
 *   required-server-files.json: `output: 'export'` builds deploy `out` as a static site), leaves `rootDir`, or
 *   holds links or files the bundle refuses
 * @example
 * const bundle = await bundleNextjs({ appDir: src, distDir: join(src, '.next'), outDir: join(jobDir, 'deploy'), rootDir: src });
 * // bundle.manifest.routes[0]: { path: '/_next/image*', target: { kind: 'Compute', src: 'default' } }
 */
export async function bundleNextjs(options: BundleNextjsOptions): Promise<NextjsBundle> {
  const root = await realDirectory(options.rootDir ?? options.appDir, 'rootDir');
  const appDir = await realDirectory(options.appDir, 'appDir');
  const distDir = await realDirectory(options.distDir ?? join(options.appDir, '.next'), 'distDir');
  for (const [name, path] of [['appDir', appDir], ['distDir', distDir]] as const) {
    if (!isInside(root, path)) throw invalid(`${name} ${path} is outside the build directory ${root}`);
  }
  const outDir = resolve(options.outDir);
  if (isInside(distDir, outDir)) throw invalid(`outDir ${outDir} is inside the build output ${distDir}`);
  await prepareOutDir(outDir);
  try {
    return await writeBundle(options, { root, appDir, distDir, outDir });
  } catch (error) {
    // Nothing is left of a refused bundle.
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}

async function writeBundle(
  options: BundleNextjsOptions,
  { root, appDir, distDir, outDir }: { root: string; appDir: string; distDir: string; outDir: string },
): Promise<NextjsBundle> {
  const warnings: string[] = [];
  const serverFiles = await readServerFiles(distDir);
  const config = serverFiles.config;
  const buildId = (await readFile(join(distDir, 'BUILD_ID'), 'utf8')).trim();
  const distName = safeRelative(String(config.distDir ?? '.next'), 'distDir');
  if (resolve(appDir, distName) !== distDir) {
    warnings.push(`The build output ${distDir} is not the app's distDir (${distName}): bundling it anyway`);
  }
  const relativeAppDir = appDirInTrace(serverFiles, appDir);
  const standalone = await standaloneOutput(distDir, relativeAppDir, distName, buildId);

  let mode: 'standalone' | 'next-start';
  if (options.mode === 'standalone' || options.mode === 'next-start') mode = options.mode;
  else mode = standalone.usable ? 'standalone' : 'next-start';
  if (mode === 'standalone' && !standalone.usable) throw invalid(standalone.problem!);
  if (mode === 'next-start' && options.mode !== 'next-start') {
    warnings.push(`${standalone.problem}: bundling the whole app folder and its node_modules (build with NEXT_PRIVATE_STANDALONE=true for a smaller, faster bundle)`);
  }

  const computeDir = join(outDir, 'compute', 'default');
  const appInCompute = mode === 'standalone' ? relativeAppDir : '';
  const computeApp = appInCompute ? join(computeDir, ...appInCompute.split('/')) : computeDir;
  const problems: string[] = [];
  const compute = { files: 0, bytes: 0 };
  const add = (result: CopyTreeResult, where: string, into: { files: number; bytes: number }) => {
    into.files += result.files;
    into.bytes += result.bytes;
    problems.push(...result.problems.map((problem) => `${where}/${problem}`));
  };

  if (mode === 'standalone') {
    const ownServer = appInCompute ? `${appInCompute}/server.js` : 'server.js';
    add(await copyTree(standalone.dir, computeDir, { root, include: (rel) => rel !== ownServer }), '.next/standalone', compute);
  } else {
    if (!existsSync(join(appDir, 'node_modules', 'next', 'package.json'))) {
      throw invalid(
        `next is not installed in ${join(appDir, 'node_modules')} (a monorepo hoists it elsewhere): build with NEXT_PRIVATE_STANDALONE=true so that .next/standalone holds the server and what it needs`,
      );
    }
    const distRel = relative(appDir, distDir).split(sep).join('/');
    const outRel = isInside(appDir, outDir) ? relative(appDir, outDir).split(sep).join('/') : undefined;
    add(await copyTree(appDir, computeDir, { root, include: nextStartFilter(distRel, outRel) }), relative(root, appDir) || '.', compute);
  }
  const nextInCompute = findPackage(computeApp, computeDir, 'next');
  const nextVersion = nextInCompute && (await readVersion(join(nextInCompute, 'package.json')));
  if (!nextInCompute || !nextVersion) throw invalid(`The build output holds no node_modules/next/package.json: cannot tell which Next.js serves the app`);

  // URL prefixes from the build's configuration, which become route paths and folders of static/.
  const basePath = routePrefix(normalizePrefix(String(config.basePath ?? '')), 'basePath');
  const assetPrefix = routePrefix(staticPrefix(String(config.assetPrefix ?? ''), basePath, warnings), 'assetPrefix');
  const images = (config.images ?? {}) as { path?: unknown; loader?: unknown; unoptimized?: unknown };
  const imagePath = (images.loader !== undefined && images.loader !== 'default') || images.unoptimized === true
    ? undefined
    : routePrefix(typeof images.path === 'string' && images.path.startsWith('/') ? images.path : `${basePath}/_next/image`, 'images.path');

  // Files of public/ get Static routes, each top-level file and folder its own, as many as the specification's
  // 25 routes leave room for; the others (and names a route path cannot spell) are served by Next from compute.
  const publicDir = join(appDir, 'public');
  const hasPublic = existsSync(publicDir);
  const publicEntries = hasPublic ? await publicTopLevel(publicDir) : [];
  const budget = MAX_ROUTES - (imagePath ? 1 : 0) - 2;
  const spellable = (entry: { name: string }) => ROUTE_SEGMENT.test(entry.name) && `${basePath}/${entry.name}/*`.length <= MAX_ROUTE_PATH;
  const routable = publicEntries
    .filter(spellable)
    .sort((a, b) => Number(b.directory) - Number(a.directory))
    .slice(0, budget);
  const routed = new Set(routable.map((entry) => entry.name));
  const fromCompute = publicEntries.filter((entry) => !routed.has(entry.name)).map((entry) => entry.name);
  const list = (names: string[]) => names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} in all)` : '');
  const unspellable = publicEntries.filter((entry) => !spellable(entry)).map((entry) => entry.name);
  if (unspellable.length > 0) {
    warnings.push(`public/ has names a route path of the deployment specification cannot hold, served by the Next.js server: ${list(unspellable)}`);
  }
  const overflow = fromCompute.filter((name) => !unspellable.includes(name));
  if (overflow.length > 0) {
    warnings.push(`public/ has more top-level entries than the deployment specification's 25 routes leave room for; served by the Next.js server: ${list(overflow)}`);
  }

  // Images the optimizer reads through the server: public/ and statically imported ones (.next/static/media).
  if (mode === 'standalone') {
    if (hasPublic) {
      const served = new Set(fromCompute);
      const servedByNext = (rel: string, isDirectory: boolean) => isDirectory || served.has(rel.split('/')[0]!) || IMAGE_EXTENSIONS.has(extname(rel).toLowerCase());
      add(await copyTree(publicDir, join(computeApp, 'public'), { root, include: servedByNext }), 'public', compute);
    }
    if (existsSync(join(distDir, 'static', 'media'))) {
      add(await copyTree(join(distDir, 'static', 'media'), join(computeApp, distName, 'static', 'media'), { root }), `${distName}/static/media`, compute);
    }
  }
  // Next's server lists .next/static at start-up, and fails without it unless output is standalone.
  await mkdir(join(computeApp, distName, 'static'), { recursive: true });

  // The optimizer needs sharp (Next.js 15 depends on it; standalone output copies it when installed). Next.js
  // 12–14 can do without, with their WebAssembly codecs (squoosh), which output tracing leaves out.
  let imageCodecs: 'sharp' | 'squoosh' | 'none' = 'sharp';
  if (!findPackage(computeApp, computeDir, 'sharp')) {
    const squoosh = join('dist', 'server', 'lib', 'squoosh');
    const appNext = findPackageUp(appDir, root, 'next');
    if (existsSync(join(nextInCompute, squoosh, 'resize'))) {
      imageCodecs = 'squoosh';
    } else if (appNext && existsSync(join(appNext, squoosh, 'resize'))) {
      add(await copyTree(join(appNext, squoosh), join(nextInCompute, squoosh), { root }), `node_modules/next/${squoosh.split(sep).join('/')}`, compute);
      imageCodecs = 'squoosh';
    } else {
      imageCodecs = 'none';
      warnings.push("sharp is not installed: /_next/image answers the original images, unresized. Add sharp to the app's dependencies.");
    }
  }

  // Static: .next/static at <assetPrefix or basePath>/_next/static, public/ at <basePath>/.
  const staticDir = join(outDir, 'static');
  const statics = { files: 0, bytes: 0 };
  await mkdir(staticDir, { recursive: true });
  if (existsSync(join(distDir, 'static'))) {
    add(await copyTree(join(distDir, 'static'), join(staticDir, ...segments(assetPrefix), '_next', 'static'), { root }), `${distName}/static`, statics);
  }
  if (hasPublic) add(await copyTree(publicDir, join(staticDir, ...segments(basePath)), { root }), 'public', statics);

  if (problems.length > 0) {
    if (mode === 'next-start' && problems.some((problem) => problem.includes('is a hard link'))) {
      problems.push('pnpm installs packages as hard links: build with NEXT_PRIVATE_STANDALONE=true, whose output holds copies');
    }
    const shown = problems.slice(0, 20).map((problem) => `  - ${problem}`).join('\n');
    throw invalid(`The Next.js build output cannot be deployed:\n${shown}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`);
  }

  await writeFile(join(computeDir, ENTRYPOINT), nextjsEntrypoint({ appDir: appInCompute, distDir: distName, mode, squoosh: imageCodecs === 'squoosh' }));

  // First match wins: the optimizer, the hashed build assets, public/, then everything else to the server.
  const routes: DeployRoute[] = [];
  if (imagePath) routes.push({ path: `${imagePath}*`, target: COMPUTE });
  routes.push({ path: `${assetPrefix}/_next/static/*`, target: { kind: 'Static', cacheControl: IMMUTABLE } });
  for (const entry of routable.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    routes.push(
      entry.directory
        ? { path: `${basePath}/${entry.name}/*`, target: { kind: 'Static', cacheControl: PUBLIC_FILES }, fallback: COMPUTE }
        : { path: `${basePath}/${entry.name}`, target: { kind: 'Static', cacheControl: PUBLIC_FILES } },
    );
  }
  routes.push({ path: '/*', target: COMPUTE });

  const nodeMajor = (options.nodeVersion ?? process.versions.node).replace(/^v/, '').split('.')[0];
  const manifest: DeployManifest = {
    version: 1,
    routes,
    computeResources: [{ name: 'default', runtime: `nodejs${nodeMajor}.x`, entrypoint: ENTRYPOINT }],
    framework: { name: 'nextjs', version: nextVersion },
  };
  await writeFile(join(outDir, 'deploy-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { mode, nextVersion, manifest, outDir, static: statics, compute, warnings };
}

// ---------------------------------------------------------------------------------------------------------------

interface ServerFiles {
  config: Record<string, unknown> & { distDir?: string; basePath?: string; assetPrefix?: string; images?: unknown };
  relativeAppDir?: string;
  appDir?: string;
}

function invalid(message: string): GantryError {
  return new GantryError('ValidationError', message);
}

async function realDirectory(path: string, name: string): Promise<string> {
  try {
    const real = await realpath(path);
    if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
    return real;
  } catch (cause) {
    throw new GantryError('ValidationError', `${name} ${path} does not exist or is not a directory`, { cause });
  }
}

async function prepareOutDir(outDir: string): Promise<void> {
  if (existsSync(outDir)) {
    if ((await readdir(outDir)).length > 0) throw invalid(`outDir ${outDir} exists and is not empty`);
  }
  await mkdir(join(outDir, 'compute', 'default'), { recursive: true });
}

async function readServerFiles(distDir: string): Promise<ServerFiles> {
  let text: string;
  try {
    text = await readFile(join(distDir, 'required-server-files.json'), 'utf8');
  } catch {
    throw invalid(
      `Can't find required-server-files.json in the build output ${distDir}: it is not a Next.js server build. ` +
        "An app built with output: 'export' is a static site: set artifacts.baseDirectory to out.",
    );
  }
  try {
    const parsed = JSON.parse(text) as ServerFiles;
    if (!parsed || typeof parsed.config !== 'object' || parsed.config === null) throw new Error('no config');
    return parsed;
  } catch (cause) {
    throw new GantryError('ValidationError', `${join(distDir, 'required-server-files.json')} is not what next build writes`, { cause });
  }
}

/** Where standalone output puts the app: its folder relative to the tracing root ('' for a single app). */
function appDirInTrace(serverFiles: ServerFiles, appDir: string): string {
  const config = serverFiles.config as { outputFileTracingRoot?: string; experimental?: { outputFileTracingRoot?: string } };
  let rel = serverFiles.relativeAppDir;
  if (typeof rel !== 'string') {
    const tracingRoot = config.outputFileTracingRoot || config.experimental?.outputFileTracingRoot;
    rel = tracingRoot ? relative(tracingRoot, serverFiles.appDir || appDir) : '';
  }
  rel = rel.split(sep).join('/');
  const normalized = rel === '' ? '' : posix.normalize(rel);
  if (normalized === '.') return '';
  if (normalized.startsWith('../') || normalized === '..' || posix.isAbsolute(normalized)) {
    throw invalid(`required-server-files.json puts the app at ${rel}, outside the standalone output`);
  }
  return normalized;
}

async function standaloneOutput(distDir: string, relativeAppDir: string, distName: string, buildId: string): Promise<{ usable: boolean; dir: string; problem?: string }> {
  const dir = join(distDir, 'standalone');
  if (!existsSync(dir)) return { usable: false, dir, problem: `${distDir} has no standalone output` };
  const appIn = relativeAppDir ? join(dir, ...relativeAppDir.split('/')) : dir;
  const standaloneId = await readFile(join(appIn, distName, 'BUILD_ID'), 'utf8').then((t) => t.trim(), () => undefined);
  if (standaloneId !== buildId) return { usable: false, dir, problem: `${distDir}/standalone is not from this build (build ${standaloneId ?? 'unknown'}, not ${buildId})` };
  return { usable: true, dir };
}

/** Entries of the app folder a `next start` bundle leaves out: the build's caches, and what only building needs. */
function nextStartFilter(distRel: string, outRel: string | undefined): (rel: string, isDirectory: boolean) => boolean {
  const dist = distRel === '' ? undefined : distRel;
  const left = new Set(['.git', '.amplify-hosting', 'node_modules/.cache']);
  if (dist) for (const name of ['cache/webpack', 'cache/swc', 'cache/eslint', 'standalone', 'trace']) left.add(`${dist}/${name}`);
  if (outRel) left.add(outRel);
  return (rel, isDirectory) => {
    if (left.has(rel)) return false;
    // SWC compiles at build time only; its native binaries are the largest packages of a Next.js app.
    if (/^node_modules\/@next\/swc-[^/]+$/.test(rel) && isDirectory) return false;
    // .next/static is served by Static; only its media (statically imported images) is read by the optimizer.
    if (dist && rel.startsWith(`${dist}/static/`) && !rel.startsWith(`${dist}/static/media`)) return false;
    return true;
  };
}

/** The folder of package `name` as Node resolves it from `from`, looking no higher than `top`. */
function findPackageUp(from: string, top: string, name: string): string | undefined {
  for (let dir = from; isInside(top, dir); dir = resolve(dir, '..')) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === top) break;
  }
  return undefined;
}

const findPackage = (appInCompute: string, computeDir: string, name: string) => findPackageUp(appInCompute, computeDir, name);

async function readVersion(file: string): Promise<string | undefined> {
  try {
    const version = (JSON.parse(await readFile(file, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** A folder relative to the app as the build's configuration gives it (`./.next`), refused when it leaves it. */
function safeRelative(path: string, name: string): string {
  const normalized = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normalized === '' || normalized === '.' || posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../') || normalized.includes('\0')) {
    throw invalid(`required-server-files.json gives ${name} as ${JSON.stringify(path)}: it must be a folder inside the app`);
  }
  return normalized;
}

/**
 * A URL path prefix that becomes route paths and folders of static/: only the characters the specification's
 * route paths allow, no `*`, no `.` or `..` segments.
 */
function routePrefix(prefix: string, name: string): string {
  const bad = segments(prefix).some((segment) => segment === '.' || segment === '..' || !ROUTE_SEGMENT.test(segment));
  if (bad || prefix.length > MAX_ROUTE_PATH - 20) {
    throw invalid(`required-server-files.json gives ${name} as ${JSON.stringify(prefix)}, which a route path of the deployment specification cannot hold`);
  }
  return prefix;
}

/** The top-level entries of public/, folders (or links to folders) told apart. */
async function publicTopLevel(publicDir: string): Promise<Array<{ name: string; directory: boolean }>> {
  const entries = (await readdir(publicDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(
    entries.map(async (entry) => ({
      name: entry.name,
      directory: entry.isDirectory() || (entry.isSymbolicLink() && (await stat(join(publicDir, entry.name)).then((s) => s.isDirectory(), () => false))),
    })),
  );
}

/** `/docs/` → `/docs`, '' stays ''. */
function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The URL path `_next/static` is requested under: the assetPrefix's path, else the basePath. */
function staticPrefix(assetPrefix: string, basePath: string, warnings: string[]): string {
  if (assetPrefix === '') return basePath;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(assetPrefix) || assetPrefix.startsWith('//')) {
    const url = new URL(assetPrefix, 'https://placeholder.invalid');
    warnings.push(`assetPrefix is ${assetPrefix}: the browser loads /_next/static from there, so that host must serve ${url.pathname.replace(/\/+$/, '')}/_next/static/* from this deployment`);
    return normalizePrefix(url.pathname);
  }
  return normalizePrefix(assetPrefix);
}

function segments(prefix: string): string[] {
  return prefix.split('/').filter(Boolean);
}

