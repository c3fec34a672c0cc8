import type { Migration } from '@gantry/store';

/**
 * The source service's tables. Spaces hold projects, projects hold repositories (the workflows service
 * builds on the same spaces and projects). Names keep their case for display and paths; `name_key` (the
 * lowercased name) carries the uniqueness. Timestamps are ISO-8601 text.
 *
 * A repository's ARN (`arn:aws:codecommit:<region>:<account>:<name>`) names only the repository, as
 * CodeCommit's does, so a name is also unique per owning account: otherwise one policy statement would
 * cover two repositories by accident.
 */
export interface SourceTables {
  spaces: { name: string; name_key: string; account_id: string; created_at: string };
  projects: { space: string; name: string; name_key: string; account_id: string; created_at: string };
  repositories: {
    space: string; project: string; name: string; name_key: string; account_id: string;
    /** The owner account's first region when the repository was created: the region of its ARN. */
    region: string;
    created_at: string;
    /** The repository's resource-based policy (JSON as written), granting other accounts `codecommit:GitPull`. */
    policy: string | null;
  };
}

export const sourceMigrations: Migration[] = [
  {
    name: 'source-0001-spaces-projects-repositories',
    async up(db) {
      await db.schema.createTable('spaces')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('projects')
        .addColumn('space', 'text', (c) => c.notNull().references('spaces.name'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('projects_pk', ['space', 'name_key'])
        .execute();
      await db.schema.createTable('repositories')
        .addColumn('space', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('repositories_pk', ['space', 'project', 'name_key'])
        .addUniqueConstraint('repositories_arn_unique', ['account_id', 'name_key'])
        .execute();
    },
  },
  {
    name: 'source-0002-repository-policy',
    async up(db) {
      await db.schema.alterTable('repositories').addColumn('policy', 'text').execute();
    },
  },
];
