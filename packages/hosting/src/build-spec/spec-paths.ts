/**
 * Pure checks and resolution of the paths written in a build spec (`appRoot`, `buildPath`,
 * `artifacts.baseDirectory`, `artifacts.files`, `cache.paths`). Paths are POSIX and relative to the repository
 * root; nothing here touches the file system. The parser uses these to report problems with their position, the
 * planner to resolve, and `collect-artifacts.ts` to re-check before copying anything.
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { CachePath } from './build-spec-types.ts';

/** `/x`, `\x`, `C:\x` and `C:/x` are absolute. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(path);
}

/** `./a//b/` → `a/b`; `` and `./` → `.`. Does not check for `..`. */
export function normaliseRelative(path: string): string {
  const normalised = posix.normalize(path === '' ? '.' : path);
  const trimmed = normalised.length > 1 ? normalised.replace(/\/+$/, '') : normalised;
  return trimmed === '' ? '.' : trimmed;
}

/**
 * `rel` joined under `base` (both relative to the repository root), normalised; `undefined` when the result
 * leaves the repository.
 */
export function joinInsideRepo(base: string, rel: string): string | undefined {
  const joined = normaliseRelative(posix.join(base, rel));
  if (joined === '..' || joined.startsWith('../')) return undefined;
  return joined;
}

export type PathCheck = { ok: true; path: string } | { ok: false; problem: string };

/**
 * `appRoot`: relative to the repository root and inside it.
 * @example checkAppRoot('apps/web/') // { ok: true, path: 'apps/web' }
 */
export function checkAppRoot(appRoot: string): PathCheck {
  if (appRoot.trim() === '') return { ok: false, problem: 'appRoot is empty: give the application directory, e.g. apps/web' };
  if (isAbsolutePath(appRoot)) {
    return { ok: false, problem: `appRoot "${appRoot}" is absolute: write it relative to the repository root, e.g. apps/web` };
  }
  const path = joinInsideRepo('.', appRoot);
  if (path === undefined) return { ok: false, problem: `appRoot "${appRoot}" leaves the repository: write a directory inside it, e.g. apps/web` };
  return { ok: true, path };
}

/**
 * `buildPath`: relative to the repository root, where a leading `/` names the repository root (as in Amplify's
 * documented `buildPath: /`).
 */
export function checkBuildPath(buildPath: string): PathCheck {
  if (/^[A-Za-z]:[\\/]/.test(buildPath) || buildPath.startsWith('\\')) {
    return { ok: false, problem: `buildPath "${buildPath}" is a Windows path: write it relative to the repository root ("/" is the root itself)` };
  }
  const path = joinInsideRepo('.', buildPath.replace(/^\/+/, ''));
  if (path === undefined) return { ok: false, problem: `buildPath "${buildPath}" leaves the repository: write a directory inside it ("/" is the repository root)` };
  return { ok: true, path };
}

/**
 * `artifacts.baseDirectory` (or `test.artifacts.baseDirectory`), resolved against `base` (the build path or the
 * application root, repository-relative). `/` alone means `base` itself; any other absolute path is refused.
 */
export function checkBaseDirectory(base: string, baseDirectory: string): PathCheck {
  if (baseDirectory === '/' || baseDirectory === '') return { ok: true, path: base };
  if (isAbsolutePath(baseDirectory)) {
    return {
      ok: false,
      problem: `baseDirectory "${baseDirectory}" is absolute: write the output directory relative to ${describeBase(base)}, e.g. dist ("/" means ${describeBase(base)} itself)`,
    };
  }
  const path = joinInsideRepo(base, baseDirectory);
  if (path === undefined) {
    return { ok: false, problem: `baseDirectory "${baseDirectory}" leaves the repository: the published files must come from inside the build's checkout, e.g. dist` };
  }
  return { ok: true, path };
}

/** One `artifacts.files` glob: relative, no `..`, no `!` exclusions. */
export function checkFileGlob(pattern: string): { ok: true } | { ok: false; problem: string } {
  if (pattern.trim() === '') return { ok: false, problem: `the glob is empty: use '**/*' for every file` };
  if (pattern.startsWith('!')) {
    return { ok: false, problem: `"${pattern}" is an exclusion: amplify.yml has no exclusions; list the files to publish instead (globs are added together)` };
  }
  if (isAbsolutePath(pattern)) return { ok: false, problem: `"${pattern}" is absolute: globs are relative to baseDirectory, e.g. '**/*'` };
  if (pattern.split('/').includes('..')) {
    return { ok: false, problem: `"${pattern}" contains "..": globs select files inside baseDirectory; change baseDirectory instead` };
  }
  return { ok: true };
}

export type CachePathCheck =
  | { ok: true; cachePath: CachePath }
  | { ok: false; kind: 'absolute' | 'outside' | 'invalid'; problem: string };

/**
 * One `cache.paths` entry, resolved against `base` (the build path or application root, repository-relative).
 *
 * Accepted: paths relative to `base` that stay inside the repository (`node_modules/**\/*`,
 * `../web/node_modules/**\/*` from `apps/crm`), and the home-directory forms `~` and `~/...` that stay inside the
 * job's home (`~/.cache/**\/*`, used for Cypress's binary cache). Refused: absolute paths (Amplify does not cache
 * them), `~user/...`, paths leaving the repository or the home directory, exclusions (`!...`), empty paths.
 */
export function checkCachePath(base: string, pattern: string): CachePathCheck {
  if (pattern.trim() === '') return { ok: false, kind: 'invalid', problem: 'the cache path is empty' };
  if (pattern.startsWith('!')) return { ok: false, kind: 'invalid', problem: `"${pattern}" is an exclusion: cache paths cannot exclude; list what to cache` };
  if (pattern === '~' || pattern.startsWith('~/')) {
    const scan = picomatch.scan(pattern.slice(1).replace(/^\/+/, ''));
    const directory = joinInsideRepo('.', scan.base || '.');
    if (directory === undefined) return { ok: false, kind: 'outside', problem: `"${pattern}" leaves the home directory: cache paths under ~ must stay inside it, e.g. ~/.cache/**/*` };
    return { ok: true, cachePath: { pattern, root: 'home', directory, glob: scan.glob } };
  }
  if (pattern.startsWith('~')) {
    return { ok: false, kind: 'invalid', problem: `"${pattern}" names another user's home: only ~ and ~/... (the job's home directory) are supported` };
  }
  if (isAbsolutePath(pattern)) {
    return {
      ok: false,
      kind: 'absolute',
      problem: `"${pattern}" is absolute: cache paths are relative to ${describeBase(base)} (e.g. node_modules/**/*) or to the home directory (~/.cache/**/*)`,
    };
  }
  const scan = picomatch.scan(pattern);
  const directory = joinInsideRepo(base, scan.base || '.');
  if (directory === undefined) {
    return { ok: false, kind: 'outside', problem: `"${pattern}" leaves the repository: cache paths must stay inside the build's checkout or under ~/` };
  }
  return { ok: true, cachePath: { pattern, root: 'repo', directory, glob: scan.glob } };
}

function describeBase(base: string): string {
  return base === '.' ? 'the repository root' : base;
}
