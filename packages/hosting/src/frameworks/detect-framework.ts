/**
 * Tells which framework an app is built with, under the names Amplify Hosting gives a branch's `framework`,
 * and so how Gantry deploys its build:
 *
 * - Next.js: `next` in package.json's dependencies or devDependencies. Amplify deploys it as SSR ('Next.js -
 *   SSR', platform WEB_COMPUTE) when the build's artifacts are `.next`, and as a static site ('Next.js - SSG')
 *   when they are `out`: the build script is `next build && next export` (Next.js ≤ 13), or next.config sets
 *   `output: 'export'`. Before a build (no baseDirectory given) the build script and next.config decide.
 *   Amplify Hosting compute supports Next.js 12 to 15; the version installed in node_modules is reported, else
 *   the one package.json asks for.
 * - Nuxt 3+, SvelteKit with `amplify-adapter`, Astro with `astro-aws-amplify`: their builds write the deployment
 *   specification themselves (`.amplify-hosting/`; Nuxt's Nitro picks its `aws-amplify` preset when AWS_APP_ID
 *   is set, as it is in every build), so Gantry publishes that bundle as it is.
 * - Anything else, or a build whose artifacts are not a server build: 'Web', a static site.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { isInside } from './copy-tree.ts';

/** The framework names Amplify Hosting reports (`Branch.framework`). */
export type FrameworkName = 'Next.js - SSR' | 'Next.js - SSG' | 'Nuxt' | 'SvelteKit' | 'Astro' | 'Web';

export interface DetectedFramework {
  name: FrameworkName;
  /** WEB_COMPUTE for server-rendered apps, WEB for static ones, as Amplify's App.platform. */
  platform: 'WEB' | 'WEB_COMPUTE';
  /**
   * How Gantry deploys the build: `nextjs` bundles `.next` (`bundleNextjs`), `deploy-spec` publishes the
   * `.amplify-hosting` folder the build wrote, `static` publishes the artifacts as a site.
   */
  deployment: 'nextjs' | 'deploy-spec' | 'static';
  /** The framework's package (`next`, `nuxt`, `@sveltejs/kit`, `astro`). */
  package?: string;
  /** Version installed in node_modules, else the range package.json declares. */
  version?: string;
  versionSource?: 'installed' | 'package.json';
  majorVersion?: number;
  /** False when Amplify Hosting would not deploy this version (Next.js outside 12–15). */
  supported: boolean;
  /** Why this name, for the build log. */
  reason: string;
  /** What stands in the way of deploying it, for the build log. */
  problems: string[];
}

export interface DetectFrameworkOptions {
  /** The app's folder (its package.json): the repository root, or the app root of a monorepo app. */
  appDir: string;
  /** The build's artifacts directory (`frontend.artifacts.baseDirectory`), absolute or relative to appDir. */
  baseDirectory?: string;
  /**
   * Highest folder searched for an installed package (monorepos hoist node_modules to the repository root).
   * @default appDir
   */
  rootDir?: string;
}

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/** Next.js versions Amplify Hosting compute deploys. */
export const NEXTJS_SUPPORTED_MAJORS = { min: 12, max: 15 } as const;

/**
 * @example
 * await detectFramework({ appDir: src, baseDirectory: '.next' });
 * // { name: 'Next.js - SSR', platform: 'WEB_COMPUTE', deployment: 'nextjs', package: 'next', version: '14.2.35', majorVersion: 14, supported: true, ... }
 */
export async function detectFramework(options: DetectFrameworkOptions): Promise<DetectedFramework> {
  const appDir = resolve(options.appDir);
  const rootDir = resolve(options.rootDir ?? appDir);
  const pkg = await readPackageJson(appDir);
  const deps = { ...pkg?.devDependencies, ...pkg?.dependencies };
  const base = options.baseDirectory === undefined ? undefined : resolve(appDir, options.baseDirectory);
  const version = (name: string) => packageVersion(appDir, rootDir, name, deps[name]);

  const spec = await deploySpecOf(appDir, base);
  if ('next' in deps && !spec.emitted) return detectNext(appDir, pkg ?? {}, base, await version('next'));
  if ('nuxt' in deps) {
    const v = await version('nuxt');
    if (spec.emitted || (v.majorVersion ?? 3) >= 3) {
      return compute('Nuxt', 'nuxt', v, spec.emitted ? `the build wrote ${spec.shown}` : "package.json depends on nuxt 3 or later, whose Nitro server emits Amplify's deployment specification");
    }
    return staticSite('Nuxt', 'nuxt', v, 'package.json depends on nuxt 2, built as a static site (nuxt generate)');
  }
  if ('@sveltejs/kit' in deps) {
    const v = await version('@sveltejs/kit');
    if (spec.emitted || 'amplify-adapter' in deps) {
      return compute('SvelteKit', '@sveltejs/kit', v, spec.emitted ? `the build wrote ${spec.shown}` : 'package.json depends on @sveltejs/kit and amplify-adapter');
    }
    return staticSite('SvelteKit', '@sveltejs/kit', v, 'package.json depends on @sveltejs/kit without amplify-adapter: a static site (adapter-static)');
  }
  if ('astro' in deps) {
    const v = await version('astro');
    if (spec.emitted || 'astro-aws-amplify' in deps) {
      return compute('Astro', 'astro', v, spec.emitted ? `the build wrote ${spec.shown}` : 'package.json depends on astro and astro-aws-amplify');
    }
    return staticSite('Astro', 'astro', v, 'package.json depends on astro without astro-aws-amplify: a static site');
  }
  if ('next' in deps) return compute('Next.js - SSR', 'next', await version('next'), `the build wrote ${spec.shown}`);
  if (spec.emitted) return { name: 'Web', platform: 'WEB_COMPUTE', deployment: 'deploy-spec', supported: true, reason: `the build wrote ${spec.shown}`, problems: [] };
  return { name: 'Web', platform: 'WEB', deployment: 'static', supported: true, reason: pkg ? 'no server-rendering framework in package.json' : 'no package.json', problems: [] };
}

// ---------------------------------------------------------------------------------------------------------------

interface VersionInfo {
  version?: string;
  versionSource?: 'installed' | 'package.json';
  majorVersion?: number;
}

function compute(name: FrameworkName, pkg: string, v: VersionInfo, reason: string): DetectedFramework {
  return { name, platform: 'WEB_COMPUTE', deployment: 'deploy-spec', package: pkg, ...v, supported: true, reason, problems: [] };
}

function staticSite(name: FrameworkName, pkg: string, v: VersionInfo, reason: string): DetectedFramework {
  return { name, platform: 'WEB', deployment: 'static', package: pkg, ...v, supported: true, reason, problems: [] };
}

async function detectNext(appDir: string, pkg: PackageJson, base: string | undefined, v: VersionInfo): Promise<DetectedFramework> {
  const problems: string[] = [];
  const build = pkg.scripts?.build ?? '';
  const exportScript = /\bnext\s+export\b/.test(build);
  const exportConfig = await configSetsExport(appDir);
  let ssg: boolean;
  let reason: string;
  if (base !== undefined) {
    const shown = base === appDir ? '.' : basename(base);
    if (existsSync(join(base, 'required-server-files.json'))) {
      ssg = false;
      reason = `package.json depends on next and the artifacts (${shown}) are a Next.js server build`;
    } else if (shown === '.next') {
      ssg = false;
      reason = 'package.json depends on next and the artifacts are .next';
      if (existsSync(base)) {
        problems.push(
          exportScript || exportConfig
            ? "Can't find required-server-files.json in the build output: the app is exported as a static site (output: 'export' or next export), so set artifacts.baseDirectory to out"
            : "Can't find required-server-files.json in the build output directory: check that the build runs next build",
        );
      }
    } else {
      ssg = true;
      reason = `package.json depends on next and the artifacts (${shown}) are not .next: an exported static site`;
    }
  } else if (exportScript) {
    ssg = true;
    reason = `the build script runs next export (${build})`;
  } else if (exportConfig) {
    ssg = true;
    reason = "next.config sets output: 'export'";
  } else {
    ssg = false;
    reason = `package.json depends on next${build ? ` and the build script is ${build}` : ''}`;
  }

  let supported = true;
  if (!ssg && v.majorVersion !== undefined) {
    if (v.majorVersion < NEXTJS_SUPPORTED_MAJORS.min || v.majorVersion > NEXTJS_SUPPORTED_MAJORS.max) {
      supported = false;
      problems.push(
        v.majorVersion < NEXTJS_SUPPORTED_MAJORS.min
          ? `Next.js ${v.version} is older than 12: Amplify Hosting compute serves Next.js 12 to 15 (Next.js 11 only ran on the retired Classic SSR provider); upgrade next`
          : `Next.js ${v.version} is newer than Amplify Hosting compute supports (12 to 15)`,
      );
    }
  }
  return {
    name: ssg ? 'Next.js - SSG' : 'Next.js - SSR',
    platform: ssg ? 'WEB' : 'WEB_COMPUTE',
    deployment: ssg ? 'static' : 'nextjs',
    package: 'next',
    ...v,
    supported,
    reason,
    problems,
  };
}

async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

/** The installed version (node_modules from appDir up to rootDir), else the declared range. */
async function packageVersion(appDir: string, rootDir: string, name: string, declared: string | undefined): Promise<VersionInfo> {
  for (let dir = appDir; isInside(rootDir, dir); dir = resolve(dir, '..')) {
    try {
      const installed = (JSON.parse(await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown }).version;
      if (typeof installed === 'string') return { version: installed, versionSource: 'installed', majorVersion: major(installed) };
    } catch {
      // not installed here
    }
    if (dir === rootDir) break;
  }
  if (declared === undefined) return {};
  return { version: declared, versionSource: 'package.json', majorVersion: major(declared) };
}

/** The major version a semver or a range asks for at least: `^14.2.3` → 14, `>=13 <15` → 13, `latest` → undefined. */
function major(version: string): number | undefined {
  const match = /(?:^|[\s^~>=<v])(\d+)(?:\.|\s|$|x|\*)/.exec(version.trim()) ?? /^(\d+)$/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

async function configSetsExport(appDir: string): Promise<boolean> {
  const files = (await readdir(appDir).catch(() => [] as string[])).filter((f) => /^next\.config\.(js|cjs|mjs|ts|mts)$/.test(f));
  for (const file of files) {
    const text = await readFile(join(appDir, file), 'utf8').catch(() => '');
    if (/\boutput\s*:\s*['"`]export['"`]/.test(text)) return true;
  }
  return false;
}

/** Whether the build wrote the deployment specification itself (`.amplify-hosting/deploy-manifest.json`). */
async function deploySpecOf(appDir: string, base: string | undefined): Promise<{ emitted: boolean; shown: string }> {
  const candidates = base !== undefined ? [base, join(base, '.amplify-hosting')] : [join(appDir, '.amplify-hosting')];
  for (const dir of candidates) {
    if (existsSync(join(dir, 'deploy-manifest.json'))) {
      return { emitted: true, shown: `${basename(dir) === '.amplify-hosting' ? '.amplify-hosting' : basename(dir)}/deploy-manifest.json` };
    }
  }
  return { emitted: false, shown: '' };
}
