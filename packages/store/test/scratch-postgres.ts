import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server tests use: the machine's own, trust auth (override with GANTRY_TEST_POSTGRES_URL). */
export const TEST_POSTGRES_URL = process.env.GANTRY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Why PostgreSQL tests cannot run here (no server answering), or undefined when they can. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return `no PostgreSQL at ${TEST_POSTGRES_URL} (${(error as Error).message}); set GANTRY_TEST_POSTGRES_URL to run these tests`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A new, empty database with the collation Gantry needs, dropped (with its connections) by `drop()`. */
export async function scratchPostgres(prefix = 'gantry_test'): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name} template template0 lc_collate 'C' lc_ctype 'C' encoding 'UTF8'`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => admin(`drop database if exists ${name} with (force)`) };
}
