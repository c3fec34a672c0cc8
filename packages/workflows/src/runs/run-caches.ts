import { readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { restoreCache, saveCache } from '@gantry/runner';
import type { FileCache } from '../definition/workflow-types.ts';

/**
 * `Caching.FileCaching` of build and test actions, on the runner's build-cache archives. Like CodeCatalyst,
 * caches are scoped to a workflow and branch (an action of one workflow or branch cannot change what another
 * restores): `<root>/<space>/<project>/<workflow>/<branch>/<key>.cache`, one archive per key, replaced
 * atomically by each successful action.
 *
 * Before the steps, the archive of the key is restored, or else, for each `RestoreKeys` entry in order, the
 * newest archive whose key starts with it. After the steps succeed, the `Path` is saved under the key. A `Path`
 * is relative to the working directory, or `~/…` (the action's home directory); absolute paths point outside
 * the action's directory and are not cached. Caches only speed actions up: a cache problem is logged, never
 * fails the action.
 */
export interface CacheScope {
  space: string;
  project: string;
  workflowName: string;
  branchName: string;
}

export class RunCaches {
  constructor(private readonly root: string) {}

  dir(scope: CacheScope): string {
    return join(this.root, ...[scope.space, scope.project, scope.workflowName, scope.branchName].map((part) => encodeURIComponent(part)));
  }

  async restore(scope: CacheScope, caches: Record<string, FileCache>, dirs: { workDir: string; home: string }, log: (text: string) => void): Promise<void> {
    const dir = this.dir(scope);
    for (const [key, cache] of Object.entries(caches)) {
      const target = cacheTarget(cache.path, dirs);
      if ('refused' in target) {
        log(`# Not restoring cache ${key}: ${target.refused}\n`);
        continue;
      }
      const found = await this.find(dir, key, cache.restoreKeys);
      if (!found) {
        log(`# No cache ${key} yet${cache.restoreKeys.length > 0 ? ` (nor one matching ${cache.restoreKeys.join(', ')})` : ''}: a successful run saves it\n`);
        continue;
      }
      log(`# Restoring cache ${key}${found === key ? '' : ` from ${found}`} into ${cache.path}\n`);
      await restoreCache(join(dir, `${found}.cache`), target.dir, { onLog: log });
    }
  }

  async save(scope: CacheScope, caches: Record<string, FileCache>, dirs: { workDir: string; home: string }, log: (text: string) => void): Promise<void> {
    const dir = this.dir(scope);
    for (const [key, cache] of Object.entries(caches)) {
      const target = cacheTarget(cache.path, dirs);
      if ('refused' in target) {
        log(`# Not saving cache ${key}: ${target.refused}\n`);
        continue;
      }
      try {
        log(`# Saving cache ${key} (${cache.path})\n`);
        await saveCache(join(dir, `${key}.cache`), target.dir, [target.path], { onLog: log });
      } catch (error) {
        log(`# Could not save cache ${key}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }

  /** Removes every cache of a workflow (all its branches). */
  async deleteWorkflow(scope: Omit<CacheScope, 'branchName'>): Promise<void> {
    await rm(join(this.root, ...[scope.space, scope.project, scope.workflowName].map((part) => encodeURIComponent(part))), { recursive: true, force: true });
  }

  /** The key whose archive to restore: the key itself, else the newest one starting with a restore key. */
  private async find(dir: string, key: string, restoreKeys: readonly string[]): Promise<string | undefined> {
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.cache')).map((n) => n.slice(0, -'.cache'.length));
    if (names.includes(key)) return key;
    for (const prefix of restoreKeys) {
      const candidates = names.filter((n) => n.startsWith(prefix));
      let newest: { name: string; mtime: number } | undefined;
      for (const name of candidates) {
        const mtime = await stat(join(dir, `${name}.cache`)).then((s) => s.mtimeMs, () => -1);
        if (mtime >= 0 && (!newest || mtime > newest.mtime)) newest = { name, mtime };
      }
      if (newest) return newest.name;
    }
    return undefined;
  }
}

/** Where a cache `Path` lives: a directory the archive is relative to, and the path inside it. */
function cacheTarget(path: string, dirs: { workDir: string; home: string }): { dir: string; path: string } | { refused: string } {
  const trimmed = path.trim();
  if (trimmed === '~' || trimmed.startsWith('~/')) return { dir: dirs.home, path: trimmed.slice(2) || '.' };
  if (isAbsolute(trimmed)) {
    return { refused: `the path ${trimmed} is absolute, outside the action's directories. Use a path relative to the working directory (e.g. node_modules) or to the home directory (e.g. ~/.npm).` };
  }
  return { dir: dirs.workDir, path: trimmed };
}
