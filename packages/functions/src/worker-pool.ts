/**
 * Warm workers per function version, as Lambda keeps execution environments: an invocation takes an idle
 * worker of the function's current version or starts one (a cold start), and gives it back when done unless it
 * timed out or crashed. Workers idle for a while, and every worker of a version that was replaced, are stopped.
 * At most `maxWorkersPerFunction` run for one function at once; further invocations wait for one to be free.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { FunctionWorker, type WorkerOptions } from './function-worker.ts';
import type { StoredFunction } from './function-store.ts';

export interface WorkerPoolOptions {
  /** Where workers' own directories are made (inside the data dir, which the sandbox hides from all others). */
  workersDir: string;
  sandbox: WorkerOptions['sandbox'];
  /** The code of a version, by SHA-256. */
  code(sha256: string): Buffer;
  /** Where functions find the AWS SDK (see WorkerOptions). */
  nodeModules: string;
  /** The environment of a version's workers. */
  environment(fn: StoredFunction): Record<string, string>;
  /** @default 300_000 (5 minutes) */
  idleMs?: number;
  /** @default 8 */
  maxWorkersPerFunction?: number;
}

interface Slot {
  version: string;
  idle: Array<{ worker: FunctionWorker; timer: NodeJS.Timeout }>;
  /** Workers running an invocation or starting. */
  busy: number;
  waiting: Array<() => void>;
}

export interface Lease {
  worker: FunctionWorker;
  /** Whether this invocation started the worker (its REPORT line carries the init duration). */
  cold: boolean;
  /** Gives the worker back (or stops it, when it can no longer be used). */
  release(): void;
}

export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  /** By function (`account/region/name`): the workers of its current version. */
  readonly #slots = new Map<string, Slot>();
  readonly #all = new Set<FunctionWorker>();
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  async acquire(fn: StoredFunction): Promise<Lease> {
    if (this.#closed) throw new Error('the functions service is stopping');
    const slot = this.#slot(fn);
    const max = this.#options.maxWorkersPerFunction ?? 8;
    for (;;) {
      const idle = slot.idle.pop();
      if (idle && !idle.worker.usable) {
        // It exited while idle (it crashed, or was killed): never handed out.
        clearTimeout(idle.timer);
        this.#stop(idle.worker);
        continue;
      }
      if (idle) {
        clearTimeout(idle.timer);
        slot.busy++;
        return this.#lease(fn, slot, idle.worker, false);
      }
      if (slot.busy < max) break;
      await new Promise<void>((resolve) => slot.waiting.push(resolve));
      if (this.#slots.get(key(fn)) !== slot) return this.acquire(fn);
    }
    slot.busy++;
    try {
      const worker = await FunctionWorker.start({
        root: join(this.#options.workersDir, randomUUID()),
        code: this.#options.code(fn.codeSha256),
        env: this.#options.environment(fn),
        nodeModules: this.#options.nodeModules,
        memoryMB: fn.memoryMB,
        account: fn.account,
        sandbox: this.#options.sandbox,
      });
      this.#all.add(worker);
      return this.#lease(fn, slot, worker, true);
    } catch (error) {
      this.#free(slot);
      throw error;
    }
  }

  /** Stops the function's workers (it was replaced or removed); running invocations finish first. */
  retire(fn: Pick<StoredFunction, 'account' | 'region' | 'name'>): void {
    const slot = this.#slots.get(key(fn));
    if (!slot) return;
    this.#slots.delete(key(fn));
    for (const { worker, timer } of slot.idle.splice(0)) {
      clearTimeout(timer);
      this.#stop(worker);
    }
    for (const wake of slot.waiting.splice(0)) wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const slot of this.#slots.values()) for (const { timer } of slot.idle) clearTimeout(timer);
    this.#slots.clear();
    await Promise.all([...this.#all].map((worker) => worker.stop()));
  }

  #slot(fn: StoredFunction): Slot {
    const version = `${fn.version}:${fn.revisionId}`;
    const existing = this.#slots.get(key(fn));
    if (existing?.version === version) return existing;
    if (existing) this.retire(fn);
    const slot: Slot = { version, idle: [], busy: 0, waiting: [] };
    this.#slots.set(key(fn), slot);
    return slot;
  }

  #lease(fn: StoredFunction, slot: Slot, worker: FunctionWorker, cold: boolean): Lease {
    let released = false;
    return {
      worker,
      cold,
      release: () => {
        if (released) return;
        released = true;
        const current = this.#slots.get(key(fn)) === slot;
        if (worker.usable && current && !this.#closed) {
          const timer = setTimeout(() => {
            slot.idle = slot.idle.filter((entry) => entry.worker !== worker);
            this.#stop(worker);
          }, this.#options.idleMs ?? 300_000);
          timer.unref();
          slot.idle.push({ worker, timer });
        } else {
          this.#stop(worker);
        }
        this.#free(slot);
      },
    };
  }

  #free(slot: Slot): void {
    slot.busy--;
    slot.waiting.shift()?.();
  }

  #stop(worker: FunctionWorker): void {
    this.#all.delete(worker);
    void worker.stop();
  }
}

const key = (fn: Pick<StoredFunction, 'account' | 'region' | 'name'>) => `${fn.account}/${fn.region}/${fn.name}`;
