import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openSqliteStore } from './sqlite-store.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gantry-sqlite-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('openSqliteStore file modes', { skip: process.platform === 'win32' }, () => {
  it('creates the database 0600 (and its WAL files alike) in a new 0700 directory', async () => {
    const file = join(scratch, 'data', 'gantry.db');
    const store = openSqliteStore(file);
    await sql`create table t (x integer)`.execute(store.db);
    await sql`insert into t values (1)`.execute(store.db);
    assert.equal(mode(join(scratch, 'data')), 0o700);
    assert.equal(mode(file), 0o600);
    assert.equal(mode(`${file}-wal`), 0o600);
    await store.close();
  });

  it('tightens an existing world-readable database at open', async () => {
    const file = join(scratch, 'data', 'gantry.db');
    chmodSync(file, 0o644);
    const store = openSqliteStore(file);
    assert.equal(mode(file), 0o600);
    const rows = await sql<{ x: number }>`select x from t`.execute(store.db);
    assert.deepEqual(rows.rows, [{ x: 1 }]);
    await store.close();
  });
});
