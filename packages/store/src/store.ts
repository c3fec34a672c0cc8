import type { Kysely } from 'kysely';
import type { ChangeSignals } from './signals/change-signals.ts';

/**
 * The store is the one place that knows SQL dialects. Services describe their tables as Kysely migrations
 * and query through the dialect-neutral builder; an adapter per dialect (SQLite embedded, PostgreSQL at
 * scale) supplies the connection and the dialect's quirks.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** The query builder. Typed per service with `store.db as Kysely<MyTables>`. */
  readonly db: Kysely<any>;
  /** Tells every process sharing this store that something changed, so their caches are dropped. */
  readonly signals: ChangeSignals;
  /** Applies the given migrations that have not run yet, in order of their names. */
  migrate(migrations: readonly Migration[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A schema change owned by one service. Names sort in the order they must run: prefix them with the
 * service and a sequence number, e.g. `iam-0001-accounts`.
 */
export interface Migration {
  name: string;
  up(db: Kysely<any>): Promise<void>;
}

/** Is this error a unique-constraint violation (in any dialect)? Services turn it into EntityAlreadyExists. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}
