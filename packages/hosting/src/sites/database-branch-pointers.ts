import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Store } from '@gantry/store';
import { KeyedLocks, type BranchPointers } from './branch-pointers.ts';
import { readPointerFile } from './file-branch-pointers.ts';
import { isBranchPointer } from './site-files.ts';
import type { SitePointerTables } from './site-pointer-tables.ts';
import type { BranchPointer } from './site-store.ts';

/** The change signal of an activation, a rollback or a deleted branch, in any process. */
const POINTER_CHANGES = 'hosting_site_pointers';

/**
 * Branch pointers in the store, shared by every server replica. An update holds the branch's lock for its
 * whole read-change-write: within this process by a per-key queue, across processes on PostgreSQL by a
 * transaction-scoped advisory lock (SQLite has one server process). After it commits, every process is told,
 * so their cached live versions are dropped at once.
 *
 * Pointers kept in files by earlier versions (`<root>/branches/<hash>/live.json`) are copied in on first use, and
 * their directory is renamed `branches.imported`, so a branch deleted later does not come back from it.
 */
export class DatabaseBranchPointers implements BranchPointers {
  readonly #store: Store;
  readonly #db: Kysely<SitePointerTables>;
  readonly #locks = new KeyedLocks();
  readonly #legacyRoot: string;
  #importing: Promise<void> | undefined;

  /** The store's migrations must have run before the first call (the service is built before they run). */
  constructor(store: Store, legacyRoot: string) {
    this.#store = store;
    this.#db = store.db as Kysely<SitePointerTables>;
    this.#legacyRoot = legacyRoot;
  }

  get #imported(): Promise<void> {
    this.#importing ??= this.#importFiles(this.#legacyRoot).catch((error: unknown) => {
      this.#importing = undefined;
      throw error;
    });
    return this.#importing;
  }

  async read(branchKey: string): Promise<BranchPointer | undefined> {
    await this.#imported;
    const row = await this.#db.selectFrom('hosting_site_pointers').select('pointer').where('branch_key', '=', branchKey).executeTakeFirst();
    return parse(row?.pointer, branchKey);
  }

  update<T>(branchKey: string, change: (current: BranchPointer | undefined) => Promise<{ next: BranchPointer | null | undefined; result: T }>): Promise<T> {
    return this.#locks.run(branchKey, async () => {
      await this.#imported;
      let changed = false;
      const result = await this.#db.transaction().execute(async (tx) => {
        if (this.#store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${branchKey}, 0))`.execute(tx);
        const row = await tx.selectFrom('hosting_site_pointers').select('pointer').where('branch_key', '=', branchKey).executeTakeFirst();
        const { next, result } = await change(parse(row?.pointer, branchKey));
        if (next === null) {
          await tx.deleteFrom('hosting_site_pointers').where('branch_key', '=', branchKey).execute();
          changed = row !== undefined;
        } else if (next !== undefined) {
          const pointer = JSON.stringify(next);
          await tx.insertInto('hosting_site_pointers').values({ branch_key: branchKey, pointer, updated_at: Date.now() })
            .onConflict((c) => c.column('branch_key').doUpdateSet({ pointer, updated_at: Date.now() })).execute();
          changed = true;
        }
        return result;
      });
      if (changed) this.#store.signals.publish(POINTER_CHANGES);
      return result;
    });
  }

  async list(): Promise<BranchPointer[]> {
    await this.#imported;
    const rows = await this.#db.selectFrom('hosting_site_pointers').select(['branch_key', 'pointer']).execute();
    return rows.map((row) => parse(row.pointer, row.branch_key)).filter((p): p is BranchPointer => p !== undefined);
  }

  onChange(listener: () => void): () => void {
    return this.#store.signals.subscribe(POINTER_CHANGES, listener);
  }

  async #importFiles(root: string): Promise<void> {
    const dirs = await readdir(join(root, 'branches')).catch(() => [] as string[]);
    for (const dir of dirs) {
      const pointer = await readPointerFile(join(root, 'branches', dir, 'live.json'));
      if (!pointer) continue;
      await this.#db.insertInto('hosting_site_pointers').values({ branch_key: pointer.branchKey, pointer: JSON.stringify(pointer), updated_at: Date.now() })
        .onConflict((c) => c.column('branch_key').doNothing()).execute();
    }
    // Another replica may have moved them first.
    if (dirs.length > 0) await rename(join(root, 'branches'), join(root, 'branches.imported')).catch(() => {});
  }
}

function parse(text: string | undefined, branchKey: string): BranchPointer | undefined {
  if (text === undefined) return undefined;
  const pointer: unknown = JSON.parse(text);
  return isBranchPointer(pointer) && pointer.branchKey === branchKey ? pointer : undefined;
}
