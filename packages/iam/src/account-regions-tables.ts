import type { Migration } from '@gantry/store';
import { DEFAULT_REGION, isKnownRegion, isOptInRegion } from './regions.ts';

/**
 * Which opt-in regions each account has enabled. Default regions never appear: they are enabled in every
 * account by definition. A row keeps its last status (a disabled region stays as `DISABLED`), and `status`
 * leaves room for the transitional ENABLING/DISABLING states should enabling ever become asynchronous.
 */
export type AccountRegionTables = {
  account_regions: {
    account_id: string;
    region_name: string;
    /** `ENABLED` or `DISABLED` (Account Management's RegionOptStatus). */
    status: string;
    updated_at: string;
  };
};

/**
 * Earlier stores kept `accounts.regions`, a JSON list the account was confined to. Its first entry was the
 * profile's region, so it becomes `default_region`; opt-in regions in the list were in use, so they become
 * enabled. Default regions need no row, and names that are no region at all are dropped (they could never
 * sign a request that is accepted now).
 */
export const accountRegionsMigration: Migration = {
  name: 'iam-0003-account-regions',
  async up(db) {
    await db.schema.alterTable('accounts').addColumn('default_region', 'text', (c) => c.notNull().defaultTo(DEFAULT_REGION)).execute();
    await db.schema.createTable('account_regions')
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('region_name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('account_regions_pk', ['account_id', 'region_name'])
      .execute();
    const accounts: Array<{ id: string; regions: string; created_at: string }> = await db.selectFrom('accounts').select(['id', 'regions', 'created_at']).execute();
    for (const account of accounts) {
      const listed = parseRegionList(account.regions).filter(isKnownRegion);
      await db.updateTable('accounts').set({ default_region: listed[0] ?? DEFAULT_REGION }).where('id', '=', account.id).execute();
      for (const name of new Set(listed.filter(isOptInRegion)))
        await db.insertInto('account_regions').values({ account_id: account.id, region_name: name, status: 'ENABLED', updated_at: account.created_at }).execute();
    }
    await db.schema.alterTable('accounts').dropColumn('regions').execute();
  },
};

function parseRegionList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
