import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedLocks, type BranchPointers } from './branch-pointers.ts';
import type { BranchPointer } from './site-store.ts';
import { isBranchPointer, writeFileDurable } from './site-files.ts';

/**
 * Branch pointers as `branches/<sha256(branchKey)>/live.json` under the site store's root, for a store used by
 * one process. A new pointer is written to a temp file and renamed over `live.json` (atomic on POSIX), so a
 * reader sees the old pointer or the new one, never a torn one.
 */
export class FileBranchPointers implements BranchPointers {
  readonly #root: string;
  readonly #locks = new KeyedLocks();

  constructor(root: string) {
    this.#root = root;
  }

  async read(branchKey: string): Promise<BranchPointer | undefined> {
    const pointer = await readPointerFile(join(this.#dir(branchKey), 'live.json'));
    return pointer?.branchKey === branchKey ? pointer : undefined;
  }

  update<T>(branchKey: string, change: (current: BranchPointer | undefined) => Promise<{ next: BranchPointer | null | undefined; result: T }>): Promise<T> {
    return this.#locks.run(branchKey, async () => {
      const { next, result } = await change(await this.read(branchKey));
      if (next === null) await rm(this.#dir(branchKey), { recursive: true, force: true });
      else if (next !== undefined) await this.#write(branchKey, next);
      return result;
    });
  }

  async list(): Promise<BranchPointer[]> {
    const dirs = await readdir(join(this.#root, 'branches')).catch(() => [] as string[]);
    const pointers = await Promise.all(dirs.map((dir) => readPointerFile(join(this.#root, 'branches', dir, 'live.json'))));
    return pointers.filter((p): p is BranchPointer => p !== undefined);
  }

  /** One process owns these files: nobody else changes them. */
  onChange(): () => void {
    return () => {};
  }

  #dir(branchKey: string): string {
    return join(this.#root, 'branches', createHash('sha256').update(branchKey).digest('hex'));
  }

  async #write(branchKey: string, pointer: BranchPointer): Promise<void> {
    const dir = this.#dir(branchKey);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.live.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFileDurable(temp, JSON.stringify(pointer));
      await rename(temp, join(dir, 'live.json'));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

/** Reads a `live.json`; a missing or unreadable one is no pointer. */
export async function readPointerFile(file: string): Promise<BranchPointer | undefined> {
  try {
    const pointer: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isBranchPointer(pointer) ? pointer : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
