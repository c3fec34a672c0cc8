/**
 * Selects the files a finished build publishes (`frontend.artifacts`), and checks cache paths, never letting
 * either reach outside the build's checkout: `baseDirectory: ../../etc`, absolute paths, symbolic links that
 * resolve outside the build directory and hard links (regular files with more than one name, which may be the
 * same file as one outside the build) are refused with an error saying which path and why.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import { GantryError } from '@gantry/core';
import picomatch from 'picomatch';
import type { ArtifactSelection, CachePath } from './build-spec-types.ts';
import { checkCachePath, checkFileGlob, isAbsolutePath, joinInsideRepo } from './spec-paths.ts';

/** One file to publish. */
export interface CollectedArtifact {
  /** Absolute path of the file to copy (symbolic links already resolved). */
  source: string;
  /**
   * Path in the published site, POSIX, relative to the site root.
   * @example "assets/index-4f2a.js"
   */
  target: string;
}

/**
 * The files to publish, sorted by target.
 * @param buildDir the build's checkout (repository root); nothing outside it is ever returned
 * @param artifacts the plan's artifact selection (`planBuild(...).artifacts`), paths relative to `buildDir`
 * @throws GantryError `ValidationError` when the base directory is missing or leaves `buildDir`, a glob is
 *   invalid, a symbolic link points outside `buildDir` or nowhere, a file is a hard link, `discard-paths` makes two files collide, or
 *   nothing matches
 * @example
 * const files = await collectArtifacts('/var/gantry/jobs/42/src', plan.artifacts);
 * // [{ source: '/var/gantry/jobs/42/src/dist/index.html', target: 'index.html' }, ...]
 */
export async function collectArtifacts(buildDir: string, artifacts: ArtifactSelection): Promise<CollectedArtifact[]> {
  const root = await realRoot(buildDir);
  for (const glob of artifacts.files) {
    const checked = checkFileGlob(glob);
    if (!checked.ok) throw invalid(`artifacts.files: ${checked.problem}`);
  }
  if (artifacts.files.length === 0) throw invalid("artifacts.files is empty: list the files to publish, e.g. '**/*'");

  const base = await resolveBaseDirectory(root, artifacts);
  const problems: string[] = [];
  const found: Array<{ relative: string; source: string }> = [];
  await walk(root, base.real, '', new Set([base.real]), found, problems);
  if (problems.length > 0) {
    throw invalid(`cannot publish ${base.shown}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }

  const matches = fileMatcher(artifacts.files);
  const selected = found.filter((file) => matches(file.relative));
  if (selected.length === 0) {
    throw invalid(
      `no files in ${base.shown} match ${artifacts.files.map((glob) => `'${glob}'`).join(', ')}: check that the build wrote its output there and that files lists it ('**/*' is everything)`,
    );
  }

  const byTarget = new Map<string, CollectedArtifact[]>();
  for (const file of selected) {
    const target = artifacts.discardPaths ? posix.basename(file.relative) : file.relative;
    const list = byTarget.get(target) ?? [];
    list.push({ source: file.source, target });
    byTarget.set(target, list);
  }
  const collisions = [...byTarget.entries()].filter(([, list]) => list.length > 1);
  if (collisions.length > 0) {
    const shown = collisions
      .slice(0, 10)
      .map(([target, list]) => `  - ${target}: ${list.map((file) => displayPath(root, file.source)).join(', ')}`)
      .join('\n');
    throw invalid(
      `discard-paths puts every file at the top level, and ${collisions.length} name(s) occur more than once:\n${shown}\nRemove discard-paths (or set it to no), or narrow files so each name occurs once.`,
    );
  }
  return [...byTarget.values()].map((list) => list[0]!).sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}

export interface CheckCachePathsOptions {
  /**
   * Directory the paths are relative to, relative to the repository root: the frontend's build path or the
   * application root.
   * @default "."
   */
  base?: string;
}

/**
 * Resolves cache paths, refusing any that could read or write outside the build: absolute paths, paths whose
 * `..` leave the repository, `~user/...`, exclusions. The home-directory forms `~` and `~/...` are accepted and
 * resolved under the job's home directory (`root: 'home'`), which the runner keeps inside the job's sandbox;
 * `~/..` leaving it is refused.
 * @throws GantryError `ValidationError` listing every refused path
 * @example checkCachePaths(['node_modules/**\/*', '~/.cache/**\/*'], { base: 'apps/web' })
 * // [{ pattern: 'node_modules/**\/*', root: 'repo', directory: 'apps/web/node_modules', glob: '**\/*' },
 * //  { pattern: '~/.cache/**\/*', root: 'home', directory: '.cache', glob: '**\/*' }]
 */
export function checkCachePaths(paths: readonly string[], options: CheckCachePathsOptions = {}): CachePath[] {
  const base = options.base ?? '.';
  const resolved: CachePath[] = [];
  const problems: string[] = [];
  for (const pattern of paths) {
    const checked = checkCachePath(base, pattern);
    if (checked.ok) resolved.push(checked.cachePath);
    else problems.push(checked.problem);
  }
  if (problems.length === 1) throw invalid(`cache path ${problems[0]}`);
  if (problems.length > 1) throw invalid(`${problems.length} cache paths are refused:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  return resolved;
}

// ---------------------------------------------------------------------------------------------------------------

function invalid(message: string): GantryError {
  return new GantryError('ValidationError', message);
}

async function realRoot(buildDir: string): Promise<string> {
  try {
    const root = await realpath(buildDir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
    return root;
  } catch (cause) {
    throw new GantryError('InternalFailure', `The build directory ${buildDir} does not exist or is not a directory.`, { cause });
  }
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function displayPath(root: string, path: string): string {
  return inside(root, path) ? path.slice(root.length).replace(/^[\\/]+/, '').split(sep).join('/') || '.' : path;
}

/** The base directory to collect from: the primary reading, else the alternate one. */
async function resolveBaseDirectory(root: string, artifacts: ArtifactSelection): Promise<{ real: string; shown: string }> {
  const candidates = [artifacts.baseDirectory, ...(artifacts.alternateBaseDirectory ? [artifacts.alternateBaseDirectory] : [])];
  for (const written of candidates) {
    if (isAbsolutePath(written)) {
      throw invalid(`baseDirectory "${written}" is absolute: it must be a directory inside the build, relative to the repository root`);
    }
    if (joinInsideRepo('.', written) === undefined) {
      throw invalid(`baseDirectory "${written}" leaves the build directory: the published files must come from inside the build's checkout`);
    }
  }
  for (const written of candidates) {
    const relative = joinInsideRepo('.', written)!;
    const absolute = relative === '.' ? root : join(root, ...relative.split('/'));
    let real: string;
    try {
      real = await realpath(absolute);
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    if (!inside(root, real)) {
      throw invalid(`baseDirectory "${written}" is a symbolic link to ${real}, outside the build directory: publish the build output itself, not a link to elsewhere`);
    }
    if (!(await stat(real)).isDirectory()) {
      throw invalid(`baseDirectory "${written}" is a file, not a directory: set baseDirectory to the directory holding the build output`);
    }
    return { real, shown: relative };
  }
  throw invalid(
    `Artifact directory doesn't exist: ${candidates.join(' (nor ')}${candidates.length > 1 ? ')' : ''}. ` +
      'Check that the build writes its output there (e.g. dist for Vite, .next for Next.js) and that artifacts.baseDirectory in the build spec names it.',
  );
}

async function walk(
  root: string,
  directory: string,
  relative: string,
  visited: Set<string>,
  found: Array<{ relative: string; source: string }>,
  problems: string[],
): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      await walk(root, path, rel, visited, found, problems);
    } else if (entry.isFile()) {
      const links = (await lstat(path)).nlink;
      if (links > 1) {
        problems.push(hardLinkProblem(rel, links));
        continue;
      }
      found.push({ relative: rel, source: path });
    } else if (entry.isSymbolicLink()) {
      let real: string;
      try {
        real = await realpath(path);
      } catch (error) {
        if (!isMissing(error)) throw error;
        problems.push(`${rel} is a symbolic link to a path that does not exist: remove it or make it point to a file inside the build`);
        continue;
      }
      if (!inside(root, real)) {
        problems.push(`${rel} is a symbolic link to ${real}, outside the build directory: copy the file into the build output instead of linking to it`);
        continue;
      }
      const target = await lstat(real);
      if (target.isDirectory()) {
        // A link to the base directory or one of its ancestors would publish the output inside itself.
        if (visited.has(real) || [...visited].some((seen) => inside(real, seen))) continue;
        visited.add(real);
        await walk(root, real, rel, visited, found, problems);
      } else if (target.isFile()) {
        if (target.nlink > 1) {
          problems.push(hardLinkProblem(rel, target.nlink));
          continue;
        }
        found.push({ relative: rel, source: real });
      }
    }
    // Sockets, FIFOs and devices are never published.
  }
}

/**
 * A regular file with more than one name may be the same file as one outside the build (a hard link cannot be
 * told apart from the original), so it is refused like a symbolic link leaving the build.
 */
function hardLinkProblem(rel: string, links: number): string {
  return `${rel} is a hard link (the file has ${links} names, and another may be outside the build directory): copy the file into the build output instead of linking it`;
}

/** One predicate for all globs. A glob without glob characters that names a directory selects all of it. */
function fileMatcher(globs: readonly string[]): (relative: string) => boolean {
  const tests = globs.map((glob) => {
    const pattern = glob.replace(/^\.\//, '');
    const match = picomatch(pattern, { dot: true });
    if (picomatch.scan(pattern).isGlob) return match;
    const directory = pattern.replace(/\/+$/, '');
    return (relative: string) => match(relative) || relative === directory || relative.startsWith(`${directory}/`);
  });
  return (relative) => tests.some((test) => test(relative));
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
