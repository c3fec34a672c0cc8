import { randomBytes } from 'node:crypto';
import { copyFile, lstat, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutputArtifact } from '../definition/workflow-types.ts';

/**
 * Output artifacts of a run: after an action's steps succeed, the files its `Outputs.Artifacts` globs select
 * (relative to its working directory) are copied to `<root>/<runId>/<artifactName>/`, keeping their relative
 * paths; an action listing the artifact under `Inputs.Artifacts` gets a copy of them in a directory of its own.
 * They live as long as the run: `deleteRun` removes them with its rows.
 */

/** What was stored for one output artifact (kept in the action's row). */
export interface StoredArtifact {
  name: string;
  /** Number of files. */
  files: number;
  bytes: number;
}

/** A problem the workflow's author must fix (the action fails with this message). */
export class ArtifactError extends Error {}

export class RunArtifacts {
  constructor(private readonly root: string) {}

  dir(runId: string, name: string): string {
    return join(this.root, runId, name);
  }

  /**
   * Copies the files `artifact.files` select under `workDir` into the store, replacing what an earlier attempt
   * stored under the same name. Every pattern must select at least one file.
   * @throws ArtifactError naming the pattern that selected nothing or is not allowed
   */
  async save(runId: string, workDir: string, artifact: OutputArtifact): Promise<StoredArtifact> {
    const matchers = artifact.files.map((pattern) => ({ pattern, regex: globToRegExp(pattern, artifact.name) }));
    const files = await listFiles(workDir);
    const selected = new Set<string>();
    for (const { pattern, regex } of matchers) {
      const matched = files.filter((file) => regex.test(file.path));
      if (matched.length === 0) {
        throw new ArtifactError(`Output artifact ${artifact.name}: the pattern "${pattern}" matches no file in the working directory after the steps. Check that a step writes it, or fix the pattern (globs are relative to the working directory, e.g. "dist/**/*").`);
      }
      for (const file of matched) selected.add(file.path);
    }

    const target = this.dir(runId, artifact.name);
    await mkdir(dirname(target), { recursive: true });
    // Written beside the final place, then renamed, so a reader never sees a half-copied artifact.
    const staging = join(dirname(target), `.${artifact.name}.${randomBytes(6).toString('hex')}`);
    let bytes = 0;
    try {
      for (const file of files.filter((f) => selected.has(f.path))) {
        await copyEntry(join(workDir, file.path), join(staging, file.path), file.symlink);
        bytes += file.size;
      }
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return { name: artifact.name, files: selected.size, bytes };
  }

  /**
   * Copies a stored artifact into `dir` (created when missing).
   * @throws ArtifactError when the run holds no artifact of that name
   */
  async restore(runId: string, name: string, dir: string): Promise<number> {
    const source = this.dir(runId, name);
    if (!(await lstat(source).then((s) => s.isDirectory(), () => false))) {
      throw new ArtifactError(`Input artifact ${name} is not stored for this run: the action that outputs it must succeed first (retry the run to produce it again).`);
    }
    await mkdir(dir, { recursive: true });
    const files = await listFiles(source);
    for (const file of files) await copyEntry(join(source, file.path), join(dir, file.path), file.symlink);
    return files.length;
  }

  async deleteRun(runId: string): Promise<void> {
    await rm(join(this.root, runId), { recursive: true, force: true });
  }
}

interface ListedFile {
  /** Relative, `/`-separated. */
  path: string;
  size: number;
  symlink: boolean;
}

/**
 * Every file under `dir` (recursively). Symbolic links are listed as files and copied as links, never followed,
 * so an artifact cannot carry files from outside the working directory.
 */
async function listFiles(dir: string, prefix = ''): Promise<ListedFile[]> {
  const result: ListedFile[] = [];
  const entries = await readdir(join(dir, prefix), { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) result.push(...await listFiles(dir, path));
    else if (entry.isSymbolicLink()) result.push({ path, size: 0, symlink: true });
    else if (entry.isFile()) result.push({ path, size: (await lstat(join(dir, path))).size, symlink: false });
  }
  return result;
}

async function copyEntry(from: string, to: string, isSymlink: boolean): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  if (isSymlink) {
    await rm(to, { force: true });
    await symlink(await readlink(from), to);
  } else await copyFile(from, to);
}

/**
 * A glob over `/`-separated relative paths: `*` and `?` stay within one path segment, `**` spans any number of
 * segments (`dist/**\/*` is every file under `dist`, `**\/*.txt` every `.txt` file at any depth), `{a,b}` is
 * either. A pattern that names a directory selects every file in it.
 */
export function globToRegExp(pattern: string, artifact = ''): RegExp {
  const refuse = (why: string) => new ArtifactError(`Output artifact ${artifact}: the pattern "${pattern}" is not allowed: ${why}. Patterns are relative to the working directory, e.g. "dist/**/*".`);
  const trimmed = pattern.trim().replace(/^\.\//, '');
  if (trimmed === '') throw refuse('it is empty');
  if (trimmed.startsWith('/')) throw refuse('it is absolute');
  if (trimmed.split('/').includes('..')) throw refuse('it contains ".."');
  let source = '';
  let braces = 0;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (c === '*' && trimmed[i + 1] === '*') {
      const atStart = i === 0 || trimmed[i - 1] === '/';
      const slashAfter = trimmed[i + 2] === '/';
      if (atStart && slashAfter) { source += '(?:[^/]+/)*'; i += 2; } // `**/`: zero or more directories
      else { source += '.*'; i += 1; }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') { source += '(?:'; braces++; }
    else if (c === '}' && braces > 0) { source += ')'; braces--; }
    else if (c === ',' && braces > 0) source += '|';
    else source += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  if (braces > 0) throw refuse('a "{" is not closed');
  return new RegExp(`^${source.replace(/\/+$/, '')}(?:/.*)?$`);
}
