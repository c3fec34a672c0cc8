import type { Migration } from '@gantry/store';
import { accountRegionsMigration } from './account-regions-tables.ts';
import { auditEventsMigration } from './audit-tables.ts';
import { loginProfilesMigration } from './login-profile-tables.ts';
import { userSessionsMigration } from './user-session-tables.ts';
import { webIdentitySessionsMigration } from './web-identity-tables.ts';

/**
 * IAM's tables. Names are unique per account ignoring case, as IAM's are, so each named entity keeps a
 * lowercased `name_key` under a unique index. Timestamps are ISO-8601 text and documents JSON text, which
 * reads the same in every dialect.
 */
export interface IamTables {
  /** `default_region` is the region of the account's AWS profile (see account-regions-tables.ts for opt-in regions). */
  accounts: { id: string; name: string; name_key: string; default_region: string; is_management: number; created_at: string };
  users: {
    account_id: string; name: string; name_key: string; id: string; path: string; arn: string;
    boundary_arn: string | null; tags: string; created_at: string;
  };
  access_keys: {
    id: string; account_id: string; user_name: string; sealed_secret: string; status: string; created_at: string;
  };
  roles: {
    account_id: string; name: string; name_key: string; id: string; path: string; arn: string; trust_policy: string;
    description: string | null; max_session_duration: number; boundary_arn: string | null; tags: string; created_at: string;
  };
  policies: {
    arn: string; account_id: string; name: string; name_key: string; id: string; path: string;
    description: string | null; default_version: string; next_version: number; created_at: string; updated_at: string;
  };
  policy_versions: { policy_arn: string; version_id: string; document: string; created_at: string };
  policy_attachments: { principal_arn: string; policy_arn: string; account_id: string };
  inline_policies: { principal_arn: string; name: string; document: string };
  sessions: {
    access_key_id: string; sealed_secret: string; token_hash: string; account_id: string; role_arn: string; role_id: string;
    session_name: string; session_policy: string | null; session_policy_arns: string; tags: string;
    source_identity: string | null; chained: number; issuer_arn: string; expires_at: string; created_at: string;
    /** Sessions an identity pool issued: the web identity's context keys as JSON (see web-identity-tables.ts). */
    web_identity?: string | null;
  };
}

export const iamMigrations: Migration[] = [
  {
    name: 'iam-0001-initial',
    async up(db) {
      await db.schema.createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull().unique())
        .addColumn('regions', 'text', (c) => c.notNull())
        .addColumn('is_management', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createTable('users')
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('boundary_arn', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('users_pk', ['account_id', 'name_key'])
        .execute();
      await db.schema.createTable('access_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('sealed_secret', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('access_keys_by_user').on('access_keys').columns(['account_id', 'user_name']).execute();
      await db.schema.createTable('roles')
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('trust_policy', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('max_session_duration', 'integer', (c) => c.notNull())
        .addColumn('boundary_arn', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('roles_pk', ['account_id', 'name_key'])
        .execute();
      await db.schema.createTable('policies')
        .addColumn('arn', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('default_version', 'text', (c) => c.notNull())
        .addColumn('next_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('policies_name_unique', ['account_id', 'name_key'])
        .execute();
      await db.schema.createTable('policy_versions')
        .addColumn('policy_arn', 'text', (c) => c.notNull().references('policies.arn').onDelete('cascade'))
        .addColumn('version_id', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('policy_versions_pk', ['policy_arn', 'version_id'])
        .execute();
      await db.schema.createTable('policy_attachments')
        .addColumn('principal_arn', 'text', (c) => c.notNull())
        .addColumn('policy_arn', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('policy_attachments_pk', ['principal_arn', 'policy_arn'])
        .execute();
      await db.schema.createIndex('policy_attachments_by_policy').on('policy_attachments').column('policy_arn').execute();
      await db.schema.createTable('inline_policies')
        .addColumn('principal_arn', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('inline_policies_pk', ['principal_arn', 'name'])
        .execute();
      await db.schema.createTable('sessions')
        .addColumn('access_key_id', 'text', (c) => c.primaryKey())
        .addColumn('sealed_secret', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('role_arn', 'text', (c) => c.notNull())
        .addColumn('role_id', 'text', (c) => c.notNull())
        .addColumn('session_name', 'text', (c) => c.notNull())
        .addColumn('session_policy', 'text')
        .addColumn('session_policy_arns', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('source_identity', 'text')
        .addColumn('chained', 'integer', (c) => c.notNull())
        .addColumn('issuer_arn', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_by_expiry').on('sessions').column('expires_at').execute();
    },
  },
  auditEventsMigration,
  accountRegionsMigration,
  userSessionsMigration,
  loginProfilesMigration,
  webIdentitySessionsMigration,
];
