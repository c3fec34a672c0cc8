import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { runMigrations } from '../../migrate.ts';
import type { Migration, Store } from '../../store.ts';

/** The embedded store: one SQLite file under the data directory. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  // WAL lets readers proceed while a writer commits; NORMAL sync is durable across process crashes.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  return {
    dialect: 'sqlite',
    db,
    migrate: (migrations: readonly Migration[]) => runMigrations(db, migrations),
    close: () => db.destroy(),
  };
}
