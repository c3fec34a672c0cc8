import { sql } from 'kysely';
import type { Migration } from '@gantry/store';

/**
 * The deploy engine's tables. A stack is one backend in one account and region; its row holds what is
 * deployed (resource states, outputs, the last manifest that deployed cleanly). A deployment is a record
 * with a plan and a status that moves through a state machine; its events are the audit trail clients
 * poll. Timestamps are epoch milliseconds, structures JSON text, booleans 0/1.
 */
export interface BackendTables {
  backend_stacks: {
    account_id: string; region: string; stack_name: string;
    /** `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`: a new uuid each time the name is created. */
    stack_id: string;
    backend_namespace: string; backend_name: string; backend_type: string;
    /** CloudFormation's stack statuses (REVIEW_IN_PROGRESS, CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE…). */
    status: string; status_reason: string | null;
    /** `Record<logicalId, ResourceState>` as it is now (also mid-deployment). */
    resources: string;
    /** `StackOutputs` of the last successful deployment: what clients read. */
    outputs: string;
    last_good_manifest: string | null;
    last_deployment_id: string | null;
    created_at: number; updated_at: number;
  };
  backend_deployments: {
    deployment_id: string; account_id: string; region: string; stack_name: string; stack_id: string;
    /** DEPLOY or DELETE. */
    kind: string;
    /** PLANNING → APPLYING → SUCCEEDED, or → ROLLING_BACK → FAILED; FAILED straight from PLANNING when the plan is refused. */
    status: string;
    plan: string | null;
    /** The manifest as requested (DELETE: null). */
    manifest: string | null;
    allow_destructive: number;
    principal_arn: string;
    error: string | null;
    created_at: number; started_at: number | null; ended_at: number | null;
    /** Moved on by the process running the deployment; a stale one means that process died. */
    heartbeat_at: number;
  };
  backend_deployment_events: {
    deployment_id: string; seq: number; time: number;
    logical_id: string; resource_type: string; physical_id: string | null;
    status: string; reason: string | null;
  };
}

/** Deployment statuses that hold their stack: at most one such deployment per stack, by a partial unique index. */
export const ACTIVE_DEPLOYMENT_STATUSES = ['PLANNING', 'APPLYING', 'ROLLING_BACK', 'DELETING'] as const;

export const backendMigrations: Migration[] = [
  {
    name: 'backend-0001-stacks-deployments-events',
    async up(db) {
      await db.schema.createTable('backend_stacks')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('stack_name', 'text', (c) => c.notNull())
        .addColumn('stack_id', 'text', (c) => c.notNull().unique())
        .addColumn('backend_namespace', 'text', (c) => c.notNull())
        .addColumn('backend_name', 'text', (c) => c.notNull())
        .addColumn('backend_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('resources', 'text', (c) => c.notNull())
        .addColumn('outputs', 'text', (c) => c.notNull())
        .addColumn('last_good_manifest', 'text')
        .addColumn('last_deployment_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('backend_stacks_pk', ['account_id', 'region', 'stack_name'])
        .execute();

      await db.schema.createTable('backend_deployments')
        .addColumn('deployment_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('stack_name', 'text', (c) => c.notNull())
        .addColumn('stack_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('plan', 'text')
        .addColumn('manifest', 'text')
        .addColumn('allow_destructive', 'integer', (c) => c.notNull())
        .addColumn('principal_arn', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        .execute();
      // The database, not memory, keeps a second deployment of a stack from starting: also across servers.
      await db.schema.createIndex('backend_deployments_one_active_per_stack').on('backend_deployments')
        .columns(['account_id', 'region', 'stack_name']).unique()
        .where(sql.ref('status'), 'in', [...ACTIVE_DEPLOYMENT_STATUSES]).execute();
      await db.schema.createIndex('backend_deployments_by_stack').on('backend_deployments')
        .columns(['account_id', 'region', 'stack_name', 'created_at']).execute();

      await db.schema.createTable('backend_deployment_events')
        .addColumn('deployment_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('logical_id', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('physical_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addPrimaryKeyConstraint('backend_deployment_events_pk', ['deployment_id', 'seq'])
        .execute();
    },
  },
];
