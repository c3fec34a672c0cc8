import { GantryError } from '@gantry/core';
import { callerAccount, type CallContext, type Operation } from '@gantry/iam';
import type { RestEndpoint } from '@gantry/edge';
import { branchArn } from '../api/amplify-shapes.ts';
import { optionalEnum, optionalString, requiredString } from '../api/amplify-validation.ts';
import { requireBranch } from '../api/branches.ts';
import type { HostingContext, Scope } from '../api/hosting-context.ts';
import { pageSize } from '../api/pagination.ts';
import type { JobLogs } from './job-logs.ts';
import { jobSummaryShape, stepShape } from './job-shapes.ts';
import { enqueueJob, findJob, JOB_TYPES, listJobs, listSteps, originOf, previousBuild, requestStop, requireJob, type JobDb, type JobRow } from './jobs.ts';

type Params = Record<string, any>;

export interface JobsApiDeps {
  ctx: HostingContext;
  logs: JobLogs;
  /** Prompts the scheduler to look for the job just queued. */
  wake(): void;
}

const scopeOf = (call: CallContext): Scope => ({ account: callerAccount(call), region: call.region });

/** StartJob, GetJob, ListJobs and StopJob, on `…/branches/{branchName}/jobs`. */
export function jobEndpoints(deps: JobsApiDeps): RestEndpoint[] {
  const { ctx, logs } = deps;
  const db = ctx.db as unknown as JobDb;
  const jobResource = (p: Params, call: CallContext) => ({ arn: `${branchArn(scopeOf(call), String(p.appId), String(p.branchName))}/jobs/${String(p.jobId ?? '*')}` });
  const op = (o: Operation<Params>) => o;

  const StartJob = op({
    action: 'amplify:StartJob',
    resource: jobResource,
    async run(p, call) {
      const branch = await requireBranch(ctx, scopeOf(call), p.appId, p.branchName);
      const jobType = optionalEnum('jobType', requiredString('jobType', p.jobType, 10), JOB_TYPES)!;
      let commitId = optionalString('commitId', p.commitId, 255);
      let retryOf: number | undefined;
      if (jobType === 'RETRY') {
        const previous = await requireJob(db, branch.app_id, branch.branch_name, requiredString('jobId', p.jobId, 255));
        commitId = previous.commit_id;
        retryOf = previous.job_id;
      }
      const commitTime = p.commitTime === undefined ? undefined : Number(p.commitTime) * 1000;
      const job = await enqueueJob(db, branch, {
        jobType, commitId, retryOf, commitMessage: optionalString('commitMessage', p.commitMessage, 10000),
        commitTime: Number.isFinite(commitTime) ? commitTime : undefined, reason: optionalString('jobReason', p.jobReason, 255),
      }, ctx.now().getTime());
      deps.wake();
      return { jobSummary: jobSummaryShape(job) };
    },
  });
  const GetJob = op({
    action: 'amplify:GetJob',
    resource: jobResource,
    async run(p, call) {
      const branch = await requireBranch(ctx, scopeOf(call), p.appId, p.branchName);
      const job = await requireJob(db, branch.app_id, branch.branch_name, p.jobId);
      const steps = await listSteps(db, job);
      return {
        job: {
          summary: jobSummaryShape(job),
          steps: steps.map((s) => stepShape(s, logs.exists(job, s.step_name) ? logs.url(job, s.step_name) : undefined)),
        },
      };
    },
  });
  const ListJobs = op({
    action: 'amplify:ListJobs',
    resource: jobResource,
    async run(p, call) {
      const branch = await requireBranch(ctx, scopeOf(call), p.appId, p.branchName);
      const result = await listJobs(db, branch.app_id, branch.branch_name, pageSize(p.maxResults, 50), p.nextToken);
      return { jobSummaries: result.items.map(jobSummaryShape), nextToken: result.nextToken };
    },
  });
  const StopJob = op({
    action: 'amplify:StopJob',
    resource: jobResource,
    async run(p, call) {
      const branch = await requireBranch(ctx, scopeOf(call), p.appId, p.branchName);
      const job = await requireJob(db, branch.app_id, branch.branch_name, p.jobId);
      return { jobSummary: jobSummaryShape(await requestStop(db, job, ctx.now().getTime())) };
    },
  });

  /**
   * Gantry's rollback (Amplify can only rebuild an old commit): a RETRY job that makes the version an earlier
   * job published live again, without building, through the same switch as a build (compute servers warm
   * first). Authorised as StartJob, since it starts one.
   */
  const RollbackBranch = op({
    action: 'amplify:StartJob',
    resource: jobResource,
    async run(p, call) {
      const branch = await requireBranch(ctx, scopeOf(call), p.appId, p.branchName);
      const target = p.jobId !== undefined
        ? await originOf(db, await requireJob(db, branch.app_id, branch.branch_name, requiredString('jobId', p.jobId, 255)))
        : await previousLiveBuild(branch.app_id, branch.branch_name, branch.active_job_id);
      if (target.status !== 'SUCCEED' || !target.version_id) {
        throw new GantryError('BadRequestException', `Job ${target.job_id} did not publish a version (its status is ${target.status}): roll back to a job that succeeded.`);
      }
      const job = await enqueueJob(db, branch, {
        jobType: 'RETRY', commitId: target.commit_id, commitMessage: target.commit_message, commitTime: target.commit_time,
        retryOf: target.job_id, versionId: target.version_id, reason: optionalString('jobReason', p.jobReason, 255) ?? `Rollback to job ${target.job_id}`,
      }, ctx.now().getTime());
      deps.wake();
      return { jobSummary: jobSummaryShape(job) };
    },
  });
  const previousLiveBuild = async (appId: string, branchName: string, activeJobId: string | null): Promise<JobRow> => {
    const live = activeJobId ? await findJob(db, appId, branchName, Number(activeJobId)) : undefined;
    const previous = live && (await previousBuild(db, live));
    if (!previous) throw new GantryError('BadRequestException', `Branch ${branchName} has no earlier successful build to roll back to: name one with jobId.`);
    return previous;
  };

  return [
    { method: 'POST', path: '/apps/{appId}/branches/{branchName}/rollback', operation: RollbackBranch },
    { method: 'POST', path: '/apps/{appId}/branches/{branchName}/jobs', operation: StartJob },
    { method: 'GET', path: '/apps/{appId}/branches/{branchName}/jobs', operation: ListJobs },
    { method: 'GET', path: '/apps/{appId}/branches/{branchName}/jobs/{jobId}', operation: GetJob },
    { method: 'DELETE', path: '/apps/{appId}/branches/{branchName}/jobs/{jobId}/stop', operation: StopJob },
  ];
}
