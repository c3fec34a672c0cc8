import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { runMigrations } from '../../migrate.ts';
import { sqliteSignals } from './sqlite-signals.ts';
import type { Migration, Store } from '../../store.ts';

/**
 * The embedded store: one SQLite file under the data directory. The file holds sealed secrets and hashes, so
 * it is created mode 0600 (a missing directory 0700) and an existing looser file, with its `-wal`/`-shm`
 * siblings, is tightened; SQLite gives the siblings it creates the database file's mode.
 */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:' && file !== '' && !file.startsWith('file:')) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
    for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) restrictToOwner(path);
  }
  const database = new Database(file);
  // WAL lets readers proceed while a writer commits; NORMAL sync is durable across process crashes.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return {
    dialect: 'sqlite',
    db,
    signals: sqliteSignals(),
    migrate: (migrations: readonly Migration[]) => runMigrations(db, migrations),
    close: () => db.destroy(),
  };
}

function restrictToOwner(path: string): void {
  if (process.platform === 'win32' || !existsSync(path)) return;
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
}

/** Prepared statements kept, by SQL text; past this the cache starts over. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely prepares every query afresh; preparing costs more than running a small query. The same SQL text is
 * prepared once here. Sharing a statement is safe because Kysely runs them synchronously to completion
 * (`all`/`run`); Gantry never streams results.
 */
function withStatementCache(database: Database.Database): Database.Database {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return new Proxy(database, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
