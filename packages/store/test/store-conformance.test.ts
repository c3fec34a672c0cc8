// One suite, every dialect: what services rely on from the store behaves the same on the embedded SQLite file and
// on PostgreSQL (the machine's server; a fresh database per run). Services write one set of Kysely queries, so any
// difference found here would be a bug in a service on one of them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { isUniqueViolation, openPostgresStore, openSqliteStore, type Migration, type Store } from '../src/index.ts';
import { postgresUnavailable, scratchPostgres, type ScratchDatabase } from './scratch-postgres.ts';

const migrations: Migration[] = [
  {
    name: 'conformance-0001-items',
    async up(db) {
      await db.schema.createTable('items')
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('note', 'text')
        .addPrimaryKeyConstraint('items_pk', ['owner', 'name'])
        .execute();
      await db.schema.createIndex('items_one_big_per_owner').on('items').columns(['owner']).unique().where(sql.ref('size'), '>', 1000).execute();
    },
  },
];

interface Item { owner: string; name: string; size: number; created_at: number; note: string | null }
type Db = Kysely<{ items: Item }>;

interface Opened {
  store: Store;
  /** Another process's view of the same database: a second store opened on it. */
  peer(): Store;
  cleanup(): Promise<void>;
}

const dialects: Array<{ name: string; open(): Promise<Opened>; skip?: Promise<string | undefined>; signalsReachPeers: boolean }> = [
  {
    name: 'sqlite',
    // One server process per embedded database: nobody else is there to tell.
    signalsReachPeers: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'gantry-conformance-'));
      const file = join(dir, 'gantry.db');
      return { store: openSqliteStore(file), peer: () => openSqliteStore(file), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    skip: postgresUnavailable(),
    signalsReachPeers: true,
    async open() {
      const database: ScratchDatabase = await scratchPostgres();
      return { store: openPostgresStore(database.url), peer: () => openPostgresStore(database.url), cleanup: () => database.drop() };
    },
  },
];

for (const dialect of dialects) {
  const skip = await dialect.skip;
  describe(`the ${dialect.name} store`, { skip }, () => {
    let store: Store;
    let peer: () => Store;
    let cleanup: () => Promise<void>;
    let db: Db;
    before(async () => {
      ({ store, peer, cleanup } = await dialect.open());
      await store.migrate(migrations);
      db = store.db as Db;
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('applies each migration once; a later one that sorts earlier still runs', async () => {
      await store.migrate(migrations);
      const extra: Migration = { name: 'conformance-0000-late', up: (d) => d.schema.createTable('late').addColumn('x', 'integer').execute() };
      await store.migrate([...migrations, extra]);
      await store.migrate([...migrations, extra]);
      await sql`insert into late (x) values (1)`.execute(store.db);
      assert.equal(store.dialect, dialect.name);
    });

    it('gives integers and epoch milliseconds back as numbers, and null as null', async () => {
      const created = 1_796_648_423_736;
      await db.insertInto('items').values({ owner: 'a', name: 'one', size: 3, created_at: created, note: null }).execute();
      const row = await db.selectFrom('items').selectAll().where('owner', '=', 'a').where('name', '=', 'one').executeTakeFirstOrThrow();
      assert.deepEqual(row, { owner: 'a', name: 'one', size: 3, created_at: created, note: null });
      const { max } = await db.selectFrom('items').select((eb) => eb.fn.max('created_at').as('max')).executeTakeFirstOrThrow();
      assert.equal(Number(max), created);
    });

    it('reports unique violations of keys and of partial unique indexes the same way', async () => {
      await assert.rejects(db.insertInto('items').values({ owner: 'a', name: 'one', size: 1, created_at: 0, note: null }).execute(), (e) => isUniqueViolation(e));
      await db.insertInto('items').values({ owner: 'a', name: 'big', size: 2000, created_at: 0, note: null }).execute();
      await assert.rejects(db.insertInto('items').values({ owner: 'a', name: 'bigger', size: 3000, created_at: 0, note: null }).execute(), (e) => isUniqueViolation(e));
      await assert.rejects(db.insertInto('items').values({ owner: 'a', name: 'two', size: 1, created_at: 0, note: null, nope: 1 } as Item).execute(), (e) => !isUniqueViolation(e), 'other errors are not taken for one');
    });

    it('rolls a transaction back when it throws, and commits it otherwise', async () => {
      await assert.rejects(db.transaction().execute(async (tx) => {
        await tx.insertInto('items').values({ owner: 'tx', name: 'lost', size: 1, created_at: 0, note: null }).execute();
        throw new Error('stop');
      }), /stop/);
      await db.transaction().execute((tx) => tx.insertInto('items').values({ owner: 'tx', name: 'kept', size: 1, created_at: 0, note: null }).execute());
      assert.deepEqual((await db.selectFrom('items').select('name').where('owner', '=', 'tx').execute()).map((r) => r.name), ['kept']);
    });

    it('upserts with onConflict', async () => {
      const upsert = (note: string) => db.insertInto('items').values({ owner: 'u', name: 'n', size: 1, created_at: 0, note })
        .onConflict((c) => c.columns(['owner', 'name']).doUpdateSet({ note })).execute();
      await upsert('first');
      await upsert('second');
      assert.deepEqual(await db.selectFrom('items').select('note').where('owner', '=', 'u').execute(), [{ note: 'second' }]);
    });

    it('orders and ranges text byte by byte, as prefix listings need', async () => {
      for (const name of ['/p/b', '/p/a', '/p/B', '/p/a/deep', '/q', '/p', '/p/é']) {
        await db.insertInto('items').values({ owner: 'sort', name, size: 1, created_at: 0, note: null }).execute();
      }
      const ordered = (await db.selectFrom('items').select('name').where('owner', '=', 'sort').orderBy('name').execute()).map((r) => r.name);
      assert.deepEqual(ordered, ['/p', '/p/B', '/p/a', '/p/a/deep', '/p/b', '/p/é', '/q']);
      const under = await db.selectFrom('items').select('name').where('owner', '=', 'sort').where('name', '>=', '/p/').where('name', '<', '/p/\uffff').orderBy('name').execute();
      assert.deepEqual(under.map((r) => r.name), ['/p/B', '/p/a', '/p/a/deep', '/p/b', '/p/é']);
    });

    it('counts updated and deleted rows', async () => {
      const updated = await db.updateTable('items').set({ note: 'seen' }).where('owner', '=', 'sort').executeTakeFirst();
      assert.equal(Number(updated.numUpdatedRows), 7);
      const deleted = await db.deleteFrom('items').where('owner', '=', 'sort').where('name', 'like', '/p/%').executeTakeFirst();
      assert.equal(Number(deleted.numDeletedRows), 5);
    });

    it('signals a change to its own listeners at once', () => {
      const heard: string[] = [];
      const stop = store.signals.subscribe('conformance_a', () => heard.push('a'));
      store.signals.subscribe('conformance_b', () => heard.push('b'));
      store.signals.publish('conformance_a');
      assert.deepEqual(heard, ['a']);
      stop();
      store.signals.publish('conformance_a');
      assert.deepEqual(heard, ['a']);
      assert.throws(() => store.signals.publish('Not A Channel;'), /lowercase letters/);
    });

    it(dialect.signalsReachPeers ? 'signals a change to every other process on the database' : 'keeps signals in its own process', async () => {
      const other = peer();
      try {
        let heard = 0;
        other.signals.subscribe('conformance_peer', () => heard++);
        // The peer's LISTEN is sent in the background; a publish before it lands could be missed, so retry.
        const deadline = Date.now() + 5000;
        while (heard === 0 && Date.now() < deadline) {
          store.signals.publish('conformance_peer');
          await new Promise((done) => setTimeout(done, 100));
          if (!dialect.signalsReachPeers) break;
        }
        assert.equal(heard > 0, dialect.signalsReachPeers);
      } finally {
        await other.close();
      }
    });
  });
}

describe('openPostgresStore', { skip: await postgresUnavailable() }, () => {
  it('refuses a database whose collation would order names differently, saying how to create one', async () => {
    const { TEST_POSTGRES_URL } = await import('./scratch-postgres.ts');
    const pg = (await import('pg')).default;
    const name = `gantry_collate_${process.pid}`;
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(`create database ${name} template template0 lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8' encoding 'UTF8'`).catch(async () => {
        await admin.query(`create database ${name} template template0 lc_collate 'en_US.UTF-8' lc_ctype 'en_US.UTF-8' encoding 'UTF8'`);
      });
      const url = new URL(TEST_POSTGRES_URL);
      url.pathname = `/${name}`;
      const store = openPostgresStore(url.href);
      await assert.rejects(store.migrate(migrations), /sorts text by .*CREATE DATABASE .* LC_COLLATE 'C'/);
      await store.close();
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
