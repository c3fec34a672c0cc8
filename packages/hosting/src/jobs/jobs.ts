import { GantryError } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import type { Kysely } from 'kysely';
import type { BranchRow } from '../api/branches.ts';
import type { HostingTables } from '../api/hosting-tables.ts';
import { decodeToken, page } from '../api/pagination.ts';
import type { JobTables } from './job-tables.ts';

export type JobRow = JobTables['hosting_jobs'];
export type StepRow = JobTables['hosting_job_steps'];
export type JobDb = Kysely<HostingTables & JobTables>;

export type JobType = 'RELEASE' | 'RETRY' | 'MANUAL' | 'WEB_HOOK';
export const JOB_TYPES: readonly JobType[] = ['RELEASE', 'RETRY', 'MANUAL', 'WEB_HOOK'];
export type JobStatus = 'CREATED' | 'PENDING' | 'PROVISIONING' | 'RUNNING' | 'FAILED' | 'SUCCEED' | 'CANCELLING' | 'CANCELLED';
/** Steps every job records, in order. */
export const JOB_STEPS = ['BUILD', 'DEPLOY', 'VERIFY'] as const;
export type StepName = (typeof JOB_STEPS)[number];

export const isFinished = (status: string): boolean => status === 'SUCCEED' || status === 'FAILED' || status === 'CANCELLED';

export const jobNotFound = (appId: string, branch: string, jobId: unknown): GantryError =>
  new GantryError('NotFoundException', `Job ${String(jobId)} not found for branch ${branch} of app ${appId}.`);

export interface EnqueueArgs {
  jobType: JobType;
  /** Resolved to the branch head when the job starts if omitted. */
  commitId?: string;
  commitMessage?: string;
  commitTime?: number;
  retryOf?: number;
  /** Set for a redeploy: the job makes this site version live again instead of building. */
  versionId?: string;
  reason?: string;
}

/** Queues a job for a branch: the next sequential id of the branch, status PENDING. */
export async function enqueueJob(db: JobDb, branch: BranchRow, args: EnqueueArgs, now: number): Promise<JobRow> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(async (tx) => {
        const last = await tx.selectFrom('hosting_jobs').select((eb) => eb.fn.max('job_id').as('id'))
          .where('app_id', '=', branch.app_id).where('branch_name', '=', branch.branch_name).executeTakeFirst();
        const row: JobRow = {
          app_id: branch.app_id, branch_name: branch.branch_name, job_id: Number(last?.id ?? 0) + 1,
          account_id: branch.account_id, region: branch.region, job_type: args.jobType, status: 'PENDING',
          status_reason: args.reason ?? null, commit_id: args.commitId ?? 'HEAD', commit_message: args.commitMessage ?? '',
          commit_time: args.commitTime ?? now, retry_of: args.retryOf ?? null, version_id: args.versionId ?? null, cancel_requested: 0,
          created_at: now, start_time: null, end_time: null,
        };
        await tx.insertInto('hosting_jobs').values(row).execute();
        await tx.updateTable('hosting_branches').set({ total_number_of_jobs: row.job_id })
          .where('app_id', '=', branch.app_id).where('branch_name', '=', branch.branch_name).execute();
        return row;
      });
    } catch (error) {
      // Two enqueues raced for the same id: take the next one.
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

export async function findJob(db: JobDb, appId: string, branch: string, jobId: number): Promise<JobRow | undefined> {
  return db.selectFrom('hosting_jobs').selectAll().where('app_id', '=', appId).where('branch_name', '=', branch).where('job_id', '=', jobId).executeTakeFirst();
}

export async function requireJob(db: JobDb, appId: string, branch: string, jobId: unknown): Promise<JobRow> {
  const id = Number(jobId);
  const job = Number.isInteger(id) && id > 0 ? await findJob(db, appId, branch, id) : undefined;
  if (!job) throw jobNotFound(appId, branch, jobId);
  return job;
}

/**
 * The build a job's version came from: a redeploy names the job it redeploys, and that job is always a build
 * (redeploying a redeploy names the original build).
 */
export async function originOf(db: JobDb, job: JobRow): Promise<JobRow> {
  if (job.retry_of === null || job.version_id === null) return job;
  const retried = await findJob(db, job.app_id, job.branch_name, job.retry_of);
  return retried?.version_id === job.version_id ? retried : job;
}

/**
 * What a rollback makes live when it names no job: the last successful build before the one whose version is
 * live, with another version. Rolling back again goes one further back, as the live job's origin moves back.
 */
export async function previousBuild(db: JobDb, live: JobRow): Promise<JobRow | undefined> {
  const origin = await originOf(db, live);
  let query = db.selectFrom('hosting_jobs').selectAll().where('app_id', '=', live.app_id).where('branch_name', '=', live.branch_name)
    .where('status', '=', 'SUCCEED').where('job_id', '<', origin.job_id).where('version_id', 'is not', null);
  if (live.version_id) query = query.where('version_id', '!=', live.version_id);
  return query.orderBy('job_id', 'desc').limit(1).executeTakeFirst();
}

/** Newest first, as Amplify lists them. */
export async function listJobs(db: JobDb, appId: string, branch: string, size: number, nextToken: unknown): Promise<{ items: JobRow[]; nextToken?: string }> {
  const before = decodeToken(nextToken);
  let query = db.selectFrom('hosting_jobs').selectAll().where('app_id', '=', appId).where('branch_name', '=', branch);
  if (before !== undefined) query = query.where('job_id', '<', Number(before));
  const rows = await query.orderBy('job_id', 'desc').limit(size + 1).execute();
  return page(rows, size, (r) => String(r.job_id));
}

export async function listSteps(db: JobDb, job: JobRow): Promise<StepRow[]> {
  return db.selectFrom('hosting_job_steps').selectAll()
    .where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).where('job_id', '=', job.job_id)
    .orderBy('position').execute();
}

/**
 * Claims the oldest PENDING job whose branch has no active job, moving it to PROVISIONING. The partial unique
 * index makes the claim fail for a busy branch, so two workers can never run the same branch at once.
 */
export async function claimNextJob(db: JobDb, now: number): Promise<JobRow | undefined> {
  const pending = await db.selectFrom('hosting_jobs').selectAll().where('status', '=', 'PENDING').orderBy('created_at').orderBy('job_id').limit(50).execute();
  for (const job of pending) {
    try {
      const result = await db.updateTable('hosting_jobs').set({ status: 'PROVISIONING', start_time: now })
        .where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).where('job_id', '=', job.job_id)
        .where('status', '=', 'PENDING').executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        await db.insertInto('hosting_job_steps').values(JOB_STEPS.map((step_name, position) => ({
          app_id: job.app_id, branch_name: job.branch_name, job_id: job.job_id, step_name, position,
          status: 'PENDING', status_reason: null, start_time: null, end_time: null,
        }))).execute();
        return { ...job, status: 'PROVISIONING', start_time: now };
      }
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return undefined;
}

export async function updateJob(db: JobDb, job: JobRow, changes: Partial<JobRow>): Promise<void> {
  await db.updateTable('hosting_jobs').set(changes)
    .where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).where('job_id', '=', job.job_id).execute();
  Object.assign(job, changes);
}

export async function updateStep(db: JobDb, job: JobRow, step: StepName, changes: Partial<StepRow>): Promise<void> {
  await db.updateTable('hosting_job_steps').set(changes)
    .where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).where('job_id', '=', job.job_id)
    .where('step_name', '=', step).execute();
}

/**
 * StopJob: a PENDING job is cancelled at once; an active one is marked CANCELLING and its worker stops the
 * build's process tree; a finished job cannot be stopped.
 */
export async function requestStop(db: JobDb, job: JobRow, now: number): Promise<JobRow> {
  if (isFinished(job.status)) throw new GantryError('BadRequestException', `Job ${job.job_id} has already finished with status ${job.status}; only pending or running jobs can be stopped.`);
  if (job.status === 'PENDING') {
    const result = await db.updateTable('hosting_jobs').set({ status: 'CANCELLED', end_time: now, status_reason: 'Stopped before it started' })
      .where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).where('job_id', '=', job.job_id)
      .where('status', '=', 'PENDING').executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return (await findJob(db, job.app_id, job.branch_name, job.job_id))!;
  }
  await db.updateTable('hosting_jobs').set({ status: 'CANCELLING', cancel_requested: 1 })
    .where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).where('job_id', '=', job.job_id)
    .where('status', 'in', ['PROVISIONING', 'RUNNING']).execute();
  return (await findJob(db, job.app_id, job.branch_name, job.job_id))!;
}

/**
 * Jobs a previous server process left active can never finish: mark them FAILED so their branches build again.
 * (The embedded server runs every job itself; workers on other hosts will hold leases instead.)
 */
export async function failInterruptedJobs(db: JobDb, now: number): Promise<number> {
  const result = await db.updateTable('hosting_jobs').set({ status: 'FAILED', end_time: now, status_reason: 'The server stopped while this job ran; start it again.' })
    .where('status', 'in', ['PROVISIONING', 'RUNNING', 'CANCELLING']).executeTakeFirst();
  await db.updateTable('hosting_job_steps').set({ status: 'FAILED', end_time: now })
    .where('status', 'in', ['PENDING', 'RUNNING']).where((eb) => eb.exists(eb.selectFrom('hosting_jobs').select('job_id')
      .whereRef('hosting_jobs.app_id', '=', 'hosting_job_steps.app_id').whereRef('hosting_jobs.branch_name', '=', 'hosting_job_steps.branch_name')
      .whereRef('hosting_jobs.job_id', '=', 'hosting_job_steps.job_id').where('hosting_jobs.status', '=', 'FAILED'))).execute();
  return Number(result.numUpdatedRows);
}
