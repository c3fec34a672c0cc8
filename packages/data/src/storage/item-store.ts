/**
 * The items of one data API, in their own SQLite database file (`<rootDir>/<apiId>/data.db`): one row per
 * item holding the item as a JSON document, with its model, its primary key and its partition key in indexed
 * columns. `seq` is the insertion order, which is also the order of a plain `list` (a scan).
 *
 * The file is opened through @gantry/store, so the dialect details stay in the store package.
 */
import { join } from 'node:path';
import { openSqliteStore, type Store } from '@gantry/store';
import { CompiledQuery, sql, type Generated, type Kysely, type Transaction } from 'kysely';
import { BackgroundCheckpoints } from './background-checkpoints.ts';

interface ItemsTable {
  seq: Generated<number>;
  model: string;
  /** JSON array of the primary key values: `[partitionKey, ...sortKeys]`. */
  key: string;
  /** JSON of the partition key value. */
  partition: string;
  doc: string;
}

interface MetaTable {
  name: string;
  value: string;
}

interface Tables {
  items: ItemsTable;
  meta: MetaTable;
}

export interface StoredItem {
  seq: number;
  doc: Record<string, unknown>;
}

const MIGRATIONS = [
  {
    name: 'data-0001-items',
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('items')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('partition', 'text', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addUniqueConstraint('items_model_key', ['model', 'key'])
        .execute();
      await db.schema.createIndex('items_model_partition').on('items').columns(['model', 'partition', 'seq']).execute();
      await db.schema.createIndex('items_model_seq').on('items').columns(['model', 'seq']).execute();
      await db.schema
        .createTable('meta')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
];

type Executor = Kysely<Tables> | Transaction<Tables>;

const toStored = (row: { seq: number; doc: string }): StoredItem => ({ seq: row.seq, doc: JSON.parse(row.doc) as Record<string, unknown> });

// The statements every request runs, written out once: building and compiling them through the query
// builder cost more than SQLite takes to run them. The text is what the builder would produce.
const GET_ITEM = 'select "seq", "doc" from "items" where "model" = ? and "key" = ?';
const INSERT_ITEM = 'insert into "items" ("model", "key", "partition", "doc") values (?, ?, ?, ?) returning "seq"';
const SCAN_ITEMS = 'select "seq", "doc" from "items" where "model" = ? and "seq" > ? order by "seq" limit ?';

/** Item operations, usable inside or outside a transaction. */
export class ItemOps {
  constructor(
    protected readonly db: Executor,
    /** Told after every write statement (the WAL checkpoints count them). */
    protected readonly onWrite: () => void = () => undefined,
  ) {}

  async get(model: string, key: string): Promise<StoredItem | undefined> {
    const { rows } = await this.db.executeQuery(CompiledQuery.raw(GET_ITEM, [model, key]) as CompiledQuery<{ seq: number; doc: string }>);
    return rows[0] ? toStored(rows[0]) : undefined;
  }

  async insert(model: string, key: string, partition: string, doc: Record<string, unknown>): Promise<number> {
    const { rows } = await this.db.executeQuery(CompiledQuery.raw(INSERT_ITEM, [model, key, partition, JSON.stringify(doc)]) as CompiledQuery<{ seq: number }>);
    this.onWrite();
    return rows[0]!.seq;
  }

  async replace(model: string, key: string, doc: Record<string, unknown>): Promise<void> {
    await this.db.updateTable('items').set({ doc: JSON.stringify(doc) }).where('model', '=', model).where('key', '=', key).execute();
    this.onWrite();
  }

  async delete(model: string, key: string): Promise<void> {
    await this.db.deleteFrom('items').where('model', '=', model).where('key', '=', key).execute();
    this.onWrite();
  }

  /** Items of a model in insertion order, after `afterSeq`, `batch` at a time. */
  async scanBatch(model: string, afterSeq: number, batch: number): Promise<StoredItem[]> {
    const { rows } = await this.db.executeQuery(CompiledQuery.raw(SCAN_ITEMS, [model, afterSeq, batch]) as CompiledQuery<{ seq: number; doc: string }>);
    return rows.map(toStored);
  }

  /** Every item of a model's partition (same partition key value), in insertion order. */
  async partition(model: string, partition: string): Promise<StoredItem[]> {
    const rows = await this.db.selectFrom('items').select(['seq', 'doc']).where('model', '=', model).where('partition', '=', partition).orderBy('seq').execute();
    return rows.map(toStored);
  }

  async count(model: string): Promise<number> {
    const row = await this.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).where('model', '=', model).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async deleteModel(model: string): Promise<number> {
    const result = await this.db.deleteFrom('items').where('model', '=', model).executeTakeFirst();
    this.onWrite();
    return Number(result.numDeletedRows);
  }

  async getMeta(name: string): Promise<string | undefined> {
    return (await this.db.selectFrom('meta').select('value').where('name', '=', name).executeTakeFirst())?.value;
  }

  async setMeta(name: string, value: string): Promise<void> {
    await this.db.insertInto('meta').values({ name, value }).onConflict((oc) => oc.column('name').doUpdateSet({ value })).execute();
    this.onWrite();
  }
}

export class ItemStore extends ItemOps {
  private constructor(
    private readonly store: Store,
    readonly file: string,
    private readonly checkpoints: BackgroundCheckpoints,
  ) {
    super(store.db as Kysely<Tables>, () => checkpoints.noteWrite());
  }

  static async open(file: string): Promise<ItemStore> {
    const store = openSqliteStore(file);
    try {
      await store.migrate(MIGRATIONS);
      const db = store.db as Kysely<Tables>;
      const checkpoints = await BackgroundCheckpoints.attach(file, async (pragma) => (await sql.raw<Record<string, unknown>>(`pragma ${pragma}`).execute(db)).rows);
      return new ItemStore(store, file, checkpoints);
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** Runs `fn` atomically: the single SQLite connection is held for the whole transaction. */
  transaction<T>(fn: (ops: ItemOps) => Promise<T>): Promise<T> {
    return (this.db as Kysely<Tables>).transaction().execute((trx) => fn(new ItemOps(trx, this.onWrite)));
  }

  async close(): Promise<void> {
    await this.checkpoints.detach();
    await this.store.close();
  }
}

/** The database file of an API directory. */
export const apiDatabaseFile = (apiDir: string): string => join(apiDir, 'data.db');

export const openApiStore = (apiDir: string): Promise<ItemStore> => ItemStore.open(apiDatabaseFile(apiDir));
