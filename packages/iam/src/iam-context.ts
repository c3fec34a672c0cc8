import type { Kysely } from 'kysely';
import type { SecretBox } from '@gantry/core';
import type { IamTables } from './iam-tables.ts';

/** What every IAM module shares: the database, the secret box and a hook that invalidates caches. */
export interface IamContext {
  db: Kysely<IamTables>;
  box: SecretBox;
  now(): Date;
  /** Called after every write that can change an authorisation decision. */
  changed(): void;
  /** Incremented by `changed()` here or in any other process on the store: caches keyed by it never serve stale policies. */
  generation: number;
}

export const nowIso = (ctx: IamContext): string => ctx.now().toISOString();
