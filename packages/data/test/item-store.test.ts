/** The item database: writes reach the database file while it is open, and survive closing and reopening. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ItemStore } from '../src/storage/item-store.ts';

const dirs: string[] = [];
const newFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-items-'));
  dirs.push(dir);
  return join(dir, 'data.db');
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function insertTodos(store: ItemStore, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    ids.push(id);
    await store.insert('Todo', JSON.stringify([id]), JSON.stringify(id), { id, content: `todo ${i}` });
    // A server turns its event loop between requests; so does this loop, now and then.
    if (i % 10 === 0) await new Promise((done) => setImmediate(done));
  }
  return ids;
}

describe('item store', () => {
  it('copies the log into the database file while the store stays open', async () => {
    const file = newFile();
    const store = await ItemStore.open(file);
    try {
      const before = statSync(file).size;
      await insertTodos(store, 400);
      const deadline = Date.now() + 20_000;
      while (statSync(file).size <= before && Date.now() < deadline) await sleep(20);
      assert.ok(statSync(file).size > before, `the database file is still ${before} bytes: nothing was checkpointed`);
      assert.equal(await store.count('Todo'), 400);
    } finally {
      await store.close();
    }
  });

  it('keeps every item across closing and reopening, and removes the log on close', async () => {
    const file = newFile();
    const first = await ItemStore.open(file);
    const ids = await insertTodos(first, 1500);
    await first.close();
    assert.equal(existsSync(`${file}-wal`), false, 'the log is left behind after the last connection closed');

    const second = await ItemStore.open(file);
    try {
      assert.equal(await second.count('Todo'), ids.length);
      for (const id of [ids[0]!, ids[700]!, ids.at(-1)!]) assert.equal((await second.get('Todo', JSON.stringify([id])))?.doc.id, id);
      const page = await second.scanBatch('Todo', 0, 3);
      assert.deepEqual(page.map((item) => item.doc.id), ids.slice(0, 3));
    } finally {
      await second.close();
    }
  });

  it('serves several databases at once and lets each close on its own', async () => {
    const files = [newFile(), newFile(), newFile()];
    const stores = await Promise.all(files.map((file) => ItemStore.open(file)));
    await Promise.all(stores.map((store) => insertTodos(store, 120)));
    await stores[1]!.close();
    await insertTodos(stores[0]!, 60);
    await Promise.all([stores[0]!.close(), stores[2]!.close()]);
    for (const file of files) assert.equal(existsSync(`${file}-wal`), false);
    const reopened = await ItemStore.open(files[0]!);
    try {
      assert.equal(await reopened.count('Todo'), 180);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a second item with the same key', async () => {
    const store = await ItemStore.open(newFile());
    try {
      await store.insert('Todo', '["a"]', '"a"', { id: 'a' });
      await assert.rejects(store.insert('Todo', '["a"]', '"a"', { id: 'a' }), /UNIQUE/);
      assert.equal(await store.count('Todo'), 1);
    } finally {
      await store.close();
    }
  });
});
