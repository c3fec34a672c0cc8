import type { Migration } from '@gantry/store';

/**
 * User pools per account and region, their app clients, users, groups, one-time codes, the local mailbox,
 * refresh tokens and SRP sign-ins in progress. Nothing secret is kept in the clear: passwords as scrypt hashes,
 * SRP verifiers (never the password), refresh tokens and codes as SHA-256 hashes, signing keys and client
 * secrets sealed with the server's key.
 */
export interface UserPoolTables {
  cognito_user_pools: {
    id: string;
    account_id: string;
    region: string;
    name: string;
    /** JSON: the pool's settings (PoolSettings). */
    settings: string;
    /** `kid` of the pool's RS256 signing key. */
    key_id: string;
    /** PKCS#8 PEM, sealed. */
    private_key: string;
    /** SPKI PEM. */
    public_key: string;
    created_at: number;
    modified_at: number;
  };
  cognito_user_pool_clients: {
    id: string;
    pool_id: string;
    name: string;
    /** Sealed, or null for a public client (aws-amplify's). */
    secret: string | null;
    /** JSON: ClientSettings. */
    settings: string;
    created_at: number;
    modified_at: number;
  };
  cognito_users: {
    pool_id: string;
    username: string;
    sub: string;
    /** UNCONFIRMED | CONFIRMED | FORCE_CHANGE_PASSWORD | RESET_REQUIRED */
    status: string;
    enabled: number;
    /** JSON object of attribute name → value (sub included). */
    attributes: string;
    /** Lower-cased, for sign-in by email when it is a username attribute or alias. */
    email: string | null;
    phone_number: string | null;
    password_hash: string;
    srp_salt: string;
    srp_verifier: string;
    failed_attempts: number;
    locked_until: number;
    last_failure_at: number;
    /** Tokens issued before this instant (ms) are no longer accepted (GlobalSignOut, password change). */
    tokens_valid_after: number;
    created_at: number;
    modified_at: number;
  };
  cognito_groups: {
    pool_id: string;
    name: string;
    description: string | null;
    precedence: number | null;
    role_arn: string | null;
    created_at: number;
    modified_at: number;
  };
  cognito_user_groups: { pool_id: string; username: string; group_name: string };
  /** A user's authenticator app (TOTP): the secret being set up, the verified one, whether sign-in asks for it. */
  cognito_totp: {
    pool_id: string;
    username: string;
    /** Sealed base32 secrets. */
    pending_secret: string | null;
    secret: string | null;
    enabled: number;
    preferred: number;
    /** The last time step a code was accepted for: a code is good once. */
    last_step: number;
  };
  cognito_codes: {
    pool_id: string;
    username: string;
    /** signup | forgot-password */
    purpose: string;
    code_hash: string;
    expires_at: number;
    attempts: number;
  };
  /** Messages the pool "sent": what a mail or SMS gateway would have delivered. */
  cognito_mailbox: {
    /** Sortable: creation time then a random part. */
    id: string;
    pool_id: string;
    username: string;
    /** EMAIL | SMS */
    medium: string;
    destination: string;
    subject: string;
    body: string;
    code: string | null;
    created_at: number;
  };
  cognito_refresh_tokens: {
    token_hash: string;
    pool_id: string;
    client_id: string;
    username: string;
    origin_jti: string;
    auth_time: number;
    created_at: number;
    expires_at: number;
    revoked: number;
  };
  cognito_srp_sessions: {
    secret_block_hash: string;
    pool_id: string;
    client_id: string;
    username: string;
    /** The server's secret b, sealed. */
    b: string;
    server_b: string;
    client_a: string;
    expires_at: number;
  };
}

export const userPoolMigrations: Migration[] = [
  {
    name: 'auth-0001-user-pools',
    async up(db) {
      await db.schema.createTable('cognito_user_pools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull().unique())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cognito_user_pools_scope').on('cognito_user_pools').columns(['account_id', 'region']).execute();
      await db.schema.createTable('cognito_user_pool_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cognito_user_pool_clients_pool').on('cognito_user_pool_clients').column('pool_id').execute();
      await db.schema.createTable('cognito_users')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('sub', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('phone_number', 'text')
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('srp_salt', 'text', (c) => c.notNull())
        .addColumn('srp_verifier', 'text', (c) => c.notNull())
        .addColumn('failed_attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_until', 'bigint', (c) => c.notNull())
        .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
        .addColumn('tokens_valid_after', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('cognito_users_pk', ['pool_id', 'username'])
        .execute();
      await db.schema.createIndex('cognito_users_email').on('cognito_users').columns(['pool_id', 'email']).execute();
      await db.schema.createIndex('cognito_users_phone').on('cognito_users').columns(['pool_id', 'phone_number']).execute();
      await db.schema.createTable('cognito_groups')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('precedence', 'integer')
        .addColumn('role_arn', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('cognito_groups_pk', ['pool_id', 'name'])
        .execute();
      await db.schema.createTable('cognito_user_groups')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cognito_user_groups_pk', ['pool_id', 'username', 'group_name'])
        .execute();
      await db.schema.createTable('cognito_codes')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('cognito_codes_pk', ['pool_id', 'username', 'purpose'])
        .execute();
      await db.schema.createTable('cognito_mailbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('medium', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cognito_mailbox_user').on('cognito_mailbox').columns(['pool_id', 'username']).execute();
      await db.schema.createTable('cognito_refresh_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('origin_jti', 'text', (c) => c.notNull())
        .addColumn('auth_time', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('cognito_refresh_tokens_user').on('cognito_refresh_tokens').columns(['pool_id', 'username']).execute();
      await db.schema.createTable('cognito_srp_sessions')
        .addColumn('secret_block_hash', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('b', 'text', (c) => c.notNull())
        .addColumn('server_b', 'text', (c) => c.notNull())
        .addColumn('client_a', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: 'auth-0002-totp',
    async up(db) {
      await db.schema.createTable('cognito_totp')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('pending_secret', 'text')
        .addColumn('secret', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('preferred', 'integer', (c) => c.notNull())
        .addColumn('last_step', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('cognito_totp_pk', ['pool_id', 'username'])
        .execute();
    },
  },
];
