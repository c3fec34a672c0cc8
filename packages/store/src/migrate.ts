import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import type { Migration } from './store.ts';

/** Runs services' migrations with Kysely's migrator, which records what ran in `kysely_migration`. */
export async function runMigrations(db: Kysely<any>, migrations: readonly Migration[]): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () => Object.fromEntries(migrations.map((m) => [m.name, { up: m.up }])),
  };
  // Services add migrations independently, so a new one may sort before one already applied.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message}`, { cause: error });
  }
}
