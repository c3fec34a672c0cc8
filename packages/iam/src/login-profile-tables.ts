import type { Migration } from '@gantry/store';

/**
 * Console passwords of IAM users (IAM's login profiles). Keyed by the user's unique id, so a profile can
 * never outlive its user and apply to a new user of the same name. `password_hash` is a self-describing scrypt
 * hash (see password-hash.ts); the password itself is never stored.
 */
export type LoginProfileTables = {
  login_profiles: {
    user_id: string;
    account_id: string;
    password_hash: string;
    password_reset_required: number;
    created_at: string;
  };
};

export const loginProfilesMigration: Migration = {
  name: 'iam-0005-login-profiles',
  async up(db) {
    await db.schema.createTable('login_profiles')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('password_reset_required', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
