import { join } from 'node:path';
import { openSqliteStore } from './dialect/sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export type { Store, Migration } from './store.ts';
export { isUniqueViolation } from './store.ts';
export { openSqliteStore };

export interface StoreOptions {
  /** Directory of the embedded SQLite database (`<dataDir>/gantry.db`). */
  dataDir: string;
  /** `postgres://…` puts all state in PostgreSQL instead (scale-out). @default process.env.GANTRY_DATABASE_URL */
  databaseUrl?: string;
}

export function openStore(options: StoreOptions): Store {
  const url = options.databaseUrl ?? process.env.GANTRY_DATABASE_URL;
  if (url) throw new Error(`GANTRY_DATABASE_URL=${url}: the PostgreSQL adapter is not available in this build; unset it to use the embedded store`);
  return openSqliteStore(join(options.dataDir, 'gantry.db'));
}
