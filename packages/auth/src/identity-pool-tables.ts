import type { Migration } from '@gantry/store';

/**
 * Cognito identity pools per account and region, and the identities they gave out: one per login (user pool
 * and `sub`) and one per guest that asked. Nothing secret lives here; credentials are role sessions in IAM.
 */
export interface IdentityPoolTables {
  cognito_identity_pools: {
    id: string;
    account_id: string;
    region: string;
    name: string;
    allow_unauthenticated: number;
    /** JSON: `CognitoIdentityProviders` as given (`[{ ProviderName, ClientId, ServerSideTokenCheck }]`). */
    providers: string;
    /** JSON: `{ authenticated?: roleArn, unauthenticated?: roleArn }`. */
    roles: string;
    created_at: number;
  };
  cognito_identities: {
    id: string;
    pool_id: string;
    /** `<user pool id>:<sub>` of the login linked to the identity; null for a guest. */
    login: string | null;
    created_at: number;
    modified_at: number;
  };
}

export const identityPoolMigrations: Migration[] = [{
  name: 'cognito-identity-0001-initial',
  async up(db) {
    await db.schema.createTable('cognito_identity_pools')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('allow_unauthenticated', 'integer', (c) => c.notNull())
      .addColumn('providers', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cognito_identity_pools_by_account').on('cognito_identity_pools').columns(['account_id', 'region', 'id']).execute();
    await db.schema.createTable('cognito_identities')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('pool_id', 'text', (c) => c.notNull())
      .addColumn('login', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('modified_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cognito_identities_by_login').unique().on('cognito_identities').columns(['pool_id', 'login']).execute();
  },
}];
