import type { Migration } from '@gantry/store';

export interface SitePointerTables {
  /** One row per branch with a live site: its pointer (live version and activation history) as JSON. */
  hosting_site_pointers: { branch_key: string; pointer: string; updated_at: number };
}

export const sitePointerMigrations: Migration[] = [
  {
    name: 'hosting-0004-site-pointers',
    async up(db) {
      await db.schema.createTable('hosting_site_pointers')
        .addColumn('branch_key', 'text', (c) => c.primaryKey())
        .addColumn('pointer', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];
