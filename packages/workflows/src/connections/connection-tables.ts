import type { Kysely } from 'kysely';
import type { Migration } from '@gantry/store';

/**
 * Account connections of spaces. A connection is requested by the space (PENDING) and becomes ACTIVE only when
 * a principal of the connected account accepts it; the account's own principals then add the roles workflows
 * may use through it. One connection per space and account; names are unique per space (ignoring case).
 */
export interface ConnectionTables {
  account_connections: {
    connection_id: string;
    space: string;
    name: string;
    name_key: string;
    account_id: string;
    /** `PENDING` until accepted, then `ACTIVE`; `REJECTED` when the account declined it. */
    status: string;
    requested_by: string;
    requested_at: number;
    decided_by: string | null;
    decided_at: number | null;
  };
  connection_roles: {
    connection_id: string;
    role_arn: string;
    /** The role's name: what `Environment.Connections[].Role` refers to. */
    role_name_key: string;
    added_by: string;
    added_at: number;
  };
}

export type ConnectionDb = Kysely<ConnectionTables>;

export const connectionMigrations: Migration[] = [
  {
    name: 'workflows-connections-0001',
    async up(db) {
      await db.schema.createTable('account_connections')
        .addColumn('connection_id', 'text', (c) => c.primaryKey())
        .addColumn('space', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addUniqueConstraint('account_connections_name', ['space', 'name_key'])
        .addUniqueConstraint('account_connections_account', ['space', 'account_id'])
        .execute();
      await db.schema.createIndex('account_connections_by_account').on('account_connections').column('account_id').execute();
      await db.schema.createTable('connection_roles')
        .addColumn('connection_id', 'text', (c) => c.notNull().references('account_connections.connection_id'))
        .addColumn('role_arn', 'text', (c) => c.notNull())
        .addColumn('role_name_key', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('connection_roles_pk', ['connection_id', 'role_name_key'])
        .execute();
    },
  },
];
