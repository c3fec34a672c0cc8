import type { Migration } from '@gantry/store';

/**
 * Signed-in console sessions. The cookie carries a random id; only its hash is stored, so the table alone
 * cannot be replayed as cookies. The session's STS credentials are sealed with the server's SecretBox and
 * never leave the server: the browser only ever holds the cookie.
 */
export type ConsoleTables = {
  console_sessions: {
    /** SHA-256 of the cookie's id, base64. */
    id_hash: string;
    /** JSON `{ accessKeyId, secretAccessKey, sessionToken }`, sealed. */
    sealed_credentials: string;
    account_id: string;
    /** Who signed in: the IAM user's ARN. */
    principal_arn: string;
    /** The region picked at sign-in; the app may sign calls for others. */
    region: string;
    /** `access-key` or `password`. */
    sign_in_method: string;
    /** When the credentials expire: the session ends then too. */
    expires_at: string;
    /** A role switched to (AssumeRole with the session's credentials): its credentials, sealed like the others. */
    sealed_role_credentials: string | null;
    role_session_arn: string | null;
    role_account_id: string | null;
    role_expires_at: string | null;
    created_at: string;
  };
};

export const consoleMigrations: Migration[] = [
  {
    name: 'console-0001-sessions',
    async up(db) {
      await db.schema.createTable('console_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('sealed_credentials', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('principal_arn', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('sign_in_method', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('sealed_role_credentials', 'text')
        .addColumn('role_session_arn', 'text')
        .addColumn('role_account_id', 'text')
        .addColumn('role_expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('console_sessions_by_expiry').on('console_sessions').column('expires_at').execute();
    },
  },
];
