import { join } from 'node:path';
import { openPostgresStore } from './dialect/postgres/postgres-store.ts';
import { openSqliteStore } from './dialect/sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export type { Store, Migration } from './store.ts';
export { isUniqueViolation } from './store.ts';
export type { ChangeSignals } from './signals/change-signals.ts';
export { openPostgresStore, openSqliteStore };

export interface StoreOptions {
  /** Directory of the embedded SQLite database (`<dataDir>/gantry.db`). */
  dataDir: string;
  /** `postgres://…` puts all state in PostgreSQL instead (scale-out). @default process.env.GANTRY_DATABASE_URL */
  databaseUrl?: string;
}

export function openStore(options: StoreOptions): Store {
  const url = options.databaseUrl ?? process.env.GANTRY_DATABASE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`GANTRY_DATABASE_URL must be a postgres:// URL (got ${url}); unset it to use the embedded SQLite store`);
    return openPostgresStore(url);
  }
  return openSqliteStore(join(options.dataDir, 'gantry.db'));
}
