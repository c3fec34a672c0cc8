import type { Kysely } from 'kysely';
import type { SecretBox } from '@gantry/core';
import type { HostingTables } from './hosting-tables.ts';

/** What the hosting API modules share. */
export interface HostingContext {
  db: Kysely<HostingTables>;
  box: SecretBox;
  /** Base URL clients reach the server at, e.g. `https://gantry.example.com` (webhook URLs are built from it). */
  publicUrl(): string;
  /** Domain branch sites are served under; an app's `defaultDomain` is `<appId>.<siteDomain>`. */
  siteDomain(): string;
  now(): Date;
}

/** The account and region a resource lives in: the caller's account and the region of the signature. */
export interface Scope {
  account: string;
  region: string;
}
