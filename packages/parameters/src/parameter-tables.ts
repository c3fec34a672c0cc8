import type { Migration } from '@gantry/store';

/**
 * Every version of every parameter, per account and region; the newest version is the parameter. A
 * SecureString's value is sealed with the server's key, so the database holds no secret in the clear.
 */
export interface ParameterTables {
  ssm_parameters: {
    account_id: string;
    region: string;
    name: string;
    version: number;
    type: string;
    /** The value; for a SecureString, sealed. */
    value: string;
    description: string;
    tier: string;
    modified_at: number;
    modified_by: string;
  };
}

export const parameterMigrations: Migration[] = [
  {
    name: 'parameters-0001-parameters',
    async up(db) {
      await db.schema.createTable('ssm_parameters')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ssm_parameters_pk', ['account_id', 'region', 'name', 'version'])
        .execute();
    },
  },
];
