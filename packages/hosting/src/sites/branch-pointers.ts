import type { BranchPointer } from './site-store.ts';

/**
 * Where each branch's live pointer is kept, behind the site store: files beside the versions for a store used
 * on its own, the database when the server runs (so every replica serves the same live version and activations
 * from several processes never lose one another's history).
 */
export interface BranchPointers {
  read(branchKey: string): Promise<BranchPointer | undefined>;
  /**
   * Runs `change` with the branch's current pointer while no other activation of that branch (in any process)
   * can run, and stores what it returns: a new pointer, `null` to delete it, or `undefined` to keep it.
   */
  update<T>(branchKey: string, change: (current: BranchPointer | undefined) => Promise<{ next: BranchPointer | null | undefined; result: T }>): Promise<T>;
  /** Every branch's pointer (what pruning must keep). */
  list(): Promise<BranchPointer[]>;
  /** Calls `listener` when another process changed some branch's pointer. Returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** Serialises async work per key within this process. */
export class KeyedLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return run;
  }
}
