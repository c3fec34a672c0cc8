import type { Kysely } from 'kysely';
import type { Migration } from '@gantry/store';

/**
 * Runs, their actions and approvals: the source of truth of every workflow run. Statuses use CodeCatalyst's
 * names.
 *
 * Run: `QUEUED` (waiting for its turn, see `RunMode`) → `IN_PROGRESS` → `SUCCEEDED` | `FAILED` | `STOPPED`
 * (through `STOPPING` while running actions wind down). A stop may also end it `SUPERSEDED` (a newer run of a
 * `SUPERSEDED`-mode workflow replaced it) or `CANCELLED` (the workflow was deleted or became invalid): which one
 * is recorded in `stop_outcome` when the stop is requested. A QUEUED run that is stopped, superseded or cancelled
 * ends at once.
 *
 * Action: `WAITING` (not started: its dependencies are not all SUCCEEDED yet) → `IN_PROGRESS` (build steps
 * running) or `WAITING_FOR_APPROVAL` (an approval gate) → `SUCCEEDED` | `FAILED` | `STOPPED`; `SKIPPED` when an
 * action upstream of it failed or stopped. Moving `WAITING` → started is a conditional update, so an action is
 * claimed once even if two engine passes race; one approval per principal is enforced by the primary key.
 */
export interface RunTables {
  workflow_runs: {
    run_id: string;
    /** The space, project and workflow name together identify the workflow whose runs take turns. */
    space: string;
    workflow_name: string;
    project: string;
    /** The name of the source repository the workflow file lives in ('' when not given). */
    repository: string;
    /** The workflow's `RunMode` when the run started. */
    run_mode: string;
    /**
     * Position in the global queue of runs: set when the run is started or retried, larger for later ones. Runs of
     * a QUEUED- or SUPERSEDED-mode workflow start in this order.
     */
    queue_turn: number;
    /** The final status a requested stop ends in: `STOPPED`, `SUPERSEDED` or `CANCELLED`; null until one is requested. */
    stop_outcome: string | null;
    commit_id: string;
    branch_name: string;
    /** What started it, e.g. `PUSH`, `MANUAL`, `SCHEDULE`. */
    trigger: string;
    status: string;
    status_reason: string | null;
    /** The normalised workflow (JSON) the run executes, so retries run the same definition. */
    definition: string;
    stop_requested: number;
    created_at: number;
    start_time: number;
    end_time: number | null;
  };
  workflow_run_actions: {
    run_id: string;
    action_name: string;
    /** 1 for the first execution; +1 on every retry that reruns it. */
    attempt: number;
    status: string;
    start_time: number | null;
    end_time: number | null;
    exit_code: number | null;
    /** `Outputs.Variables` values after the steps, as a JSON object. */
    output_variables: string;
    /** The output artifacts stored after the steps, as a JSON array of `StoredArtifact`. */
    output_artifacts: string;
    /** The role whose credentials the action ran with (actions with an environment connection). */
    role_arn: string | null;
    failure_reason: string | null;
  };
  workflow_run_approvals: {
    run_id: string;
    action_name: string;
    principal_arn: string;
    approved_at: number;
  };
}

export type RunDb = Kysely<RunTables>;
export type RunRow = RunTables['workflow_runs'];
export type RunActionRow = RunTables['workflow_run_actions'];

export type RunStatus = 'QUEUED' | 'IN_PROGRESS' | 'STOPPING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'SUPERSEDED' | 'CANCELLED';
export type RunActionStatus = 'WAITING' | 'IN_PROGRESS' | 'WAITING_FOR_APPROVAL' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'SKIPPED';

export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED', 'CANCELLED'];
/** Runs that hold their workflow's turn: a QUEUED run of a QUEUED- or SUPERSEDED-mode workflow waits for them. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['IN_PROGRESS', 'STOPPING'];
export const FINISHED_ACTION_STATUSES: readonly RunActionStatus[] = ['SUCCEEDED', 'FAILED', 'STOPPED', 'SKIPPED'];
export const ACTIVE_ACTION_STATUSES: readonly RunActionStatus[] = ['IN_PROGRESS', 'WAITING_FOR_APPROVAL'];

export const runMigrations: Migration[] = [
  {
    name: 'workflows-0001-runs',
    async up(db) {
      await db.schema.createTable('workflow_runs')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('workflow_name', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('commit_id', 'text', (c) => c.notNull())
        .addColumn('branch_name', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('stop_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('start_time', 'bigint', (c) => c.notNull())
        .addColumn('end_time', 'bigint')
        .execute();
      await db.schema.createIndex('workflow_runs_by_workflow').on('workflow_runs').columns(['project', 'workflow_name', 'created_at']).execute();
      await db.schema.createTable('workflow_run_actions')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('action_name', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('start_time', 'bigint')
        .addColumn('end_time', 'bigint')
        .addColumn('exit_code', 'integer')
        .addColumn('output_variables', 'text', (c) => c.notNull())
        .addColumn('failure_reason', 'text')
        .addPrimaryKeyConstraint('workflow_run_actions_pk', ['run_id', 'action_name'])
        .execute();
      await db.schema.createTable('workflow_run_approvals')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('action_name', 'text', (c) => c.notNull())
        .addColumn('principal_arn', 'text', (c) => c.notNull())
        .addColumn('approved_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('workflow_run_approvals_pk', ['run_id', 'action_name', 'principal_arn'])
        .execute();
    },
  },
  {
    name: 'workflows-0002-run-identity-and-turns',
    async up(db) {
      await db.schema.alterTable('workflow_runs').addColumn('space', 'text', (c) => c.notNull().defaultTo('default')).execute();
      await db.schema.alterTable('workflow_runs').addColumn('repository', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.schema.alterTable('workflow_runs').addColumn('run_mode', 'text', (c) => c.notNull().defaultTo('QUEUED')).execute();
      await db.schema.alterTable('workflow_runs').addColumn('queue_turn', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('workflow_runs').addColumn('stop_outcome', 'text').execute();
      await db.schema.alterTable('workflow_run_actions').addColumn('output_artifacts', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      await db.schema.alterTable('workflow_run_actions').addColumn('role_arn', 'text').execute();
      await db.schema.createIndex('workflow_runs_by_identity').on('workflow_runs').columns(['space', 'project', 'workflow_name', 'status', 'queue_turn']).execute();
      await db.schema.createIndex('workflow_runs_by_turn').on('workflow_runs').column('queue_turn').execute();
    },
  },
];
