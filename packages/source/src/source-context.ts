import type { Kysely } from 'kysely';
import type { Iam } from '@gantry/iam';
import type { SourceTables } from './source-tables.ts';

/** What the source service's functions share. */
export interface SourceContext {
  db: Kysely<SourceTables>;
  iam: Iam;
  /** `<dataDir>/git`: the root of every bare repository (git http-backend's GIT_PROJECT_ROOT). */
  gitRoot: string;
  /** The public base URL clone URLs are built from, without a trailing slash. */
  publicUrl(): string;
  gitBinary: string;
  now(): Date;
}
