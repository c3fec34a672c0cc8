import type { Migration } from '@gantry/store';

/**
 * Temporary credentials of IAM users (STS GetSessionToken, and console sign-in with a password). They act as
 * the user itself, so a row names the user rather than a role; the secret is sealed and the token kept only
 * as a hash, like role sessions.
 */
export type UserSessionTables = {
  user_sessions: {
    access_key_id: string;
    sealed_secret: string;
    token_hash: string;
    account_id: string;
    /** The user's unique id (`AIDA…`): a user deleted and created again under the same name gets none of the old sessions. */
    user_id: string;
    expires_at: string;
    created_at: string;
  };
};

export const userSessionsMigration: Migration = {
  name: 'iam-0004-user-sessions',
  async up(db) {
    await db.schema.createTable('user_sessions')
      .addColumn('access_key_id', 'text', (c) => c.primaryKey())
      .addColumn('sealed_secret', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('user_sessions_by_expiry').on('user_sessions').column('expires_at').execute();
  },
};
