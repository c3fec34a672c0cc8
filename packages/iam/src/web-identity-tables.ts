import type { Migration } from '@gantry/store';

/**
 * Role sessions an identity pool handed out keep the web identity they were issued for: its context keys
 * (`cognito-identity.amazonaws.com:aud`, `:sub`, `:amr`) as JSON, which policies read as variables.
 */
export const webIdentitySessionsMigration: Migration = {
  name: 'iam-0006-web-identity-sessions',
  async up(db) {
    await db.schema.alterTable('sessions').addColumn('web_identity', 'text').execute();
  },
};
