/**
 * The items of one data API, in their own SQLite database file (`<rootDir>/<apiId>/data.db`): one row per
 * item holding the item as a JSON document, with its model, its primary key and its partition key in indexed
 * columns. `seq` is the insertion order, which is also the order of a plain `list` (a scan).
 *
 * The file is opened through @gantry/store, so the dialect details stay in the store package.
 */
import { join } from 'node:path';
import { openSqliteStore, type Store } from '@gantry/store';
import type { Generated, Kysely, Transaction } from 'kysely';

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

/** Item operations, usable inside or outside a transaction. */
export class ItemOps {
  constructor(protected readonly db: Executor) {}

  async get(model: string, key: string): Promise<StoredItem | undefined> {
    const row = await this.db.selectFrom('items').select(['seq', 'doc']).where('model', '=', model).where('key', '=', key).executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  async insert(model: string, key: string, partition: string, doc: Record<string, unknown>): Promise<number> {
    const row = await this.db.insertInto('items').values({ model, key, partition, doc: JSON.stringify(doc) }).returning('seq').executeTakeFirstOrThrow();
    return row.seq;
  }

  async replace(model: string, key: string, doc: Record<string, unknown>): Promise<void> {
    await this.db.updateTable('items').set({ doc: JSON.stringify(doc) }).where('model', '=', model).where('key', '=', key).execute();
  }

  async delete(model: string, key: string): Promise<void> {
    await this.db.deleteFrom('items').where('model', '=', model).where('key', '=', key).execute();
  }

  /** Items of a model in insertion order, after `afterSeq`, `batch` at a time. */
  async scanBatch(model: string, afterSeq: number, batch: number): Promise<StoredItem[]> {
    const rows = await this.db.selectFrom('items').select(['seq', 'doc']).where('model', '=', model).where('seq', '>', afterSeq).orderBy('seq').limit(batch).execute();
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
    return Number(result.numDeletedRows);
  }

  async getMeta(name: string): Promise<string | undefined> {
    return (await this.db.selectFrom('meta').select('value').where('name', '=', name).executeTakeFirst())?.value;
  }

  async setMeta(name: string, value: string): Promise<void> {
    await this.db.insertInto('meta').values({ name, value }).onConflict((oc) => oc.column('name').doUpdateSet({ value })).execute();
  }
}

export class ItemStore extends ItemOps {
  private constructor(
    private readonly store: Store,
    readonly file: string,
  ) {
    super(store.db as Kysely<Tables>);
  }

  static async open(file: string): Promise<ItemStore> {
    const store = openSqliteStore(file);
    await store.migrate(MIGRATIONS);
    return new ItemStore(store, file);
  }

  /** Runs `fn` atomically: the single SQLite connection is held for the whole transaction. */
  transaction<T>(fn: (ops: ItemOps) => Promise<T>): Promise<T> {
    return (this.db as Kysely<Tables>).transaction().execute((trx) => fn(new ItemOps(trx)));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** The database file of an API directory. */
export const apiDatabaseFile = (apiDir: string): string => join(apiDir, 'data.db');

export const openApiStore = (apiDir: string): Promise<ItemStore> => ItemStore.open(apiDatabaseFile(apiDir));
