// Branch pointers kept in the store, as every server replica keeps them: on SQLite and on PostgreSQL, a second
// store opened on the same database stands for another replica.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore, openSqliteStore, type Store } from '@gantry/store';
import { postgresUnavailable, scratchPostgres } from '@gantry/store/test-support';
import { sitePointerMigrations } from './site-pointer-tables.ts';
import { SiteStore } from './site-store.ts';
import { buildVersion, tempDir } from './test-support.ts';

const dialects = [
  { name: 'sqlite', skip: undefined, crossProcess: false },
  { name: 'postgres', skip: await postgresUnavailable(), crossProcess: true },
];

for (const dialect of dialects) {
  describe(`branch pointers in the ${dialect.name} store`, { skip: dialect.skip }, () => {
    let dir: { path: string; remove: () => Promise<void> };
    let stores: Store[];
    let drop: () => Promise<void> = async () => {};
    let open: () => Store;
    let versions: string[];

    before(async () => {
      dir = await tempDir('gantry-pointers-');
      if (dialect.name === 'postgres') {
        const database = await scratchPostgres();
        drop = database.drop;
        open = () => openPostgresStore(database.url);
      } else {
        open = () => openSqliteStore(join(dir.path, 'gantry.db'));
      }
      stores = [open()];
      await stores[0]!.migrate(sitePointerMigrations);
      const builder = new SiteStore({ root: join(dir.path, 'sites') });
      versions = [];
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) versions.push((await buildVersion(builder, join(dir.path, `scratch-${n}`), { 'index.html': `<p>v${n}</p>` })).versionId);
    });
    after(async () => {
      for (const store of stores) await store.close();
      await drop();
      await dir.remove();
    });

    /** A site store as a server replica has one: its own store connection, the shared version files. */
    const replica = (root = join(dir.path, 'sites')) => {
      const store = open();
      stores.push(store);
      // A long TTL: only the change signal can make a replica see another's activation quickly.
      return new SiteStore({ root, store, pointerTtlMs: 60_000 });
    };

    it('keeps the pointer in the database, with its history, across store instances', async () => {
      const a = replica();
      await a.activate('app/main', versions[0]!);
      await a.activate('app/main', versions[1]!);
      const fresh = replica();
      const pointer = await fresh.pointer('app/main');
      assert.equal(pointer?.versionId, versions[1]);
      assert.deepEqual(pointer?.history.map((h) => h.versionId), [versions[1], versions[0]]);
      assert.equal((await fresh.live('app/main'))?.versionId, versions[1]);
    });

    it(dialect.crossProcess ? 'shows another replica\'s activation and rollback at once' : 'shows an activation through the same store at once', async () => {
      const a = replica();
      const b = dialect.crossProcess ? replica() : a;
      await a.activate('app/live', versions[0]!);
      assert.equal((await b.live('app/live'))?.versionId, versions[0]);
      await a.activate('app/live', versions[2]!);
      const deadline = Date.now() + 2000;
      while ((await b.live('app/live'))?.versionId !== versions[2] && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
      assert.equal((await b.live('app/live'))?.versionId, versions[2], 'seen well before the 60 s cache expires');
      await a.rollback('app/live');
      const rolledBack = Date.now() + 2000;
      while ((await b.live('app/live'))?.versionId !== versions[0] && Date.now() < rolledBack) await new Promise((done) => setTimeout(done, 20));
      assert.equal((await b.live('app/live'))?.versionId, versions[0]);
    });

    it('loses no activation when replicas activate the same branch at once', async () => {
      const a = replica();
      const b = replica();
      // Eight different versions, four from each replica, all at once: each activation must see the one before.
      await Promise.all(versions.map((versionId, i) => (i % 2 === 0 ? a : b).activate('app/race', versionId)));
      const history = (await a.pointer('app/race'))!.history;
      assert.equal(new Set(history.map((h) => h.versionId)).size, versions.length, 'every activation is in the history');
      assert.equal(history[0]!.versionId, (await b.pointer('app/race'))!.versionId);
    });

    it('deletes a branch pointer for every replica, and pruning keeps what histories name', async () => {
      const a = replica();
      await a.activate('app/gone', versions[1]!);
      await a.deleteBranch('app/gone');
      assert.equal(await replica().pointer('app/gone'), undefined);
      assert.deepEqual(await a.prune({ graceMs: 0 }), [], 'every version is still in some history');
    });

    it('copies pointers an earlier version kept in files, once', async () => {
      const root = join(dir.path, `legacy-${dialect.name}`);
      const legacy = { branchKey: 'old/main', versionId: versions[2]!, activatedAt: new Date(0).toISOString(), history: [{ versionId: versions[2]!, activatedAt: new Date(0).toISOString() }] };
      await mkdir(join(root, 'branches', 'x'), { recursive: true });
      await writeFile(join(root, 'branches', 'x', 'live.json'), JSON.stringify(legacy));
      const a = replica(root);
      assert.equal((await a.pointer('old/main'))?.versionId, versions[2]);
      await a.deleteBranch('old/main');
      assert.equal(await replica(root).pointer('old/main'), undefined, 'a deleted branch does not come back from the old files');
    });
  });
}
