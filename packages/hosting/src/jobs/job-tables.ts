import { sql } from 'kysely';
import type { Migration } from '@gantry/store';

/**
 * Jobs and their steps: the source of truth of every build (state, cancel request, timestamps). The queue
 * only wakes workers; a worker claims a PENDING job by moving it to PROVISIONING, and the partial unique
 * index lets at most one job per branch be active, enforced by the database rather than by memory.
 */
export interface JobTables {
  hosting_jobs: {
    app_id: string; branch_name: string; job_id: number; account_id: string; region: string;
    job_type: string; status: string; status_reason: string | null;
    commit_id: string; commit_message: string; commit_time: number;
    /** RETRY jobs rerun the commit of this job. */
    retry_of: number | null;
    /**
     * The site version the job made live. A build sets it when it publishes; a redeploy (a rollback) is queued
     * with it set, and makes that version live again without building.
     */
    version_id: string | null;
    cancel_requested: number;
    created_at: number; start_time: number | null; end_time: number | null;
  };
  hosting_job_steps: {
    app_id: string; branch_name: string; job_id: number; step_name: string; position: number;
    status: string; status_reason: string | null; start_time: number | null; end_time: number | null;
  };
}

/** Statuses of a job that holds its branch (at most one per branch). */
export const ACTIVE_STATUSES = ['PROVISIONING', 'RUNNING', 'CANCELLING'] as const;

export const jobMigrations: Migration[] = [
  {
    name: 'hosting-0002-jobs',
    async up(db) {
      await db.schema.createTable('hosting_jobs')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('branch_name', 'text', (c) => c.notNull())
        .addColumn('job_id', 'integer', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('job_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('commit_id', 'text', (c) => c.notNull())
        .addColumn('commit_message', 'text', (c) => c.notNull())
        .addColumn('commit_time', 'bigint', (c) => c.notNull())
        .addColumn('retry_of', 'integer')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('start_time', 'bigint')
        .addColumn('end_time', 'bigint')
        .addPrimaryKeyConstraint('hosting_jobs_pk', ['app_id', 'branch_name', 'job_id'])
        .execute();
      await db.schema.createIndex('hosting_jobs_one_active_per_branch').on('hosting_jobs').columns(['app_id', 'branch_name']).unique()
        .where(sql.ref('status'), 'in', [...ACTIVE_STATUSES]).execute();
      await db.schema.createIndex('hosting_jobs_pending').on('hosting_jobs').columns(['status', 'created_at']).execute();
      await db.schema.createTable('hosting_job_steps')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('branch_name', 'text', (c) => c.notNull())
        .addColumn('job_id', 'integer', (c) => c.notNull())
        .addColumn('step_name', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('start_time', 'bigint')
        .addColumn('end_time', 'bigint')
        .addPrimaryKeyConstraint('hosting_job_steps_pk', ['app_id', 'branch_name', 'job_id', 'step_name'])
        .execute();
    },
  },
  {
    name: 'hosting-0003-job-versions',
    async up(db) {
      await db.schema.alterTable('hosting_jobs').addColumn('version_id', 'text').execute();
    },
  },
];
