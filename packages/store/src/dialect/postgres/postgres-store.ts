import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { runMigrations } from '../../migrate.ts';
import { postgresSignals } from './postgres-signals.ts';
import type { Migration, Store } from '../../store.ts';

/** PostgreSQL's type id of `bigint` (int8). */
const INT8 = 20;

export interface PostgresStoreOptions {
  /** Connections kept open by this process. @default 10 */
  maxConnections?: number;
}

/**
 * The store on PostgreSQL, for several server replicas and workers sharing one database. Services write the
 * same Kysely queries as on SQLite; what differs is handled here:
 * - `bigint` columns (epoch milliseconds, sizes) come back as numbers, as SQLite gives them, not as strings;
 *   every such value Gantry stores is far below 2^53.
 * - Text compares byte by byte only under the "C" collation: prefix ranges (`name >= p and name < p || '\uffff'`)
 *   and name order then match SQLite's. {@link openPostgresStore} refuses a database with another collation.
 */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  const types = { getTypeParser: (id: number, format?: 'text' | 'binary') => (id === INT8 ? Number : pg.types.getTypeParser(id, format as 'text')) };
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types });
  // An idle connection that breaks (the server restarted) must not crash the process; the pool replaces it.
  pool.on('error', (error) => console.error(`store: a PostgreSQL connection failed: ${error.message}`));
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  let checked: Promise<void> | undefined;
  const ready = () => (checked ??= checkCollation(pool, url));
  const signals = postgresSignals(url, pool);
  return {
    dialect: 'postgres',
    db,
    signals,
    migrate: async (migrations: readonly Migration[]) => {
      await ready();
      await runMigrations(db, migrations);
    },
    close: async () => {
      await signals.close();
      await db.destroy();
    },
  };
}

async function checkCollation(pool: pg.Pool, url: string): Promise<void> {
  const { rows } = await pool.query<{ collate: string }>('select datcollate as collate from pg_database where datname = current_database()');
  const collate = rows[0]?.collate;
  if (collate !== 'C' && collate !== 'POSIX') {
    const name = new URL(url).pathname.slice(1) || 'gantry';
    throw new Error(`The PostgreSQL database ${name} sorts text by ${collate}; Gantry needs byte order: create it with ` +
      `CREATE DATABASE ${name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C' ENCODING 'UTF8'`);
  }
}
