import { branchArn } from '../api/amplify-shapes.ts';
import type { JobRow, StepRow } from './jobs.ts';

/** Job ids are `"1"`, `"2"`… per branch; the ARN and `AWS_JOB_ID` pad them to 10 digits, as Amplify does. */
export const paddedJobId = (jobId: number): string => String(jobId).padStart(10, '0');

export const jobArn = (job: JobRow): string =>
  `${branchArn({ account: job.account_id, region: job.region }, job.app_id, job.branch_name)}/jobs/${paddedJobId(job.job_id)}`;

const seconds = (ms: number | null): number | undefined => (ms === null ? undefined : ms / 1000);

export function jobSummaryShape(job: JobRow): Record<string, unknown> {
  return {
    jobArn: jobArn(job),
    jobId: String(job.job_id),
    commitId: job.commit_id,
    commitMessage: job.commit_message,
    commitTime: seconds(job.commit_time),
    startTime: seconds(job.start_time ?? job.created_at),
    status: job.status,
    endTime: seconds(job.end_time),
    jobType: job.job_type,
  };
}

export function stepShape(step: StepRow, logUrl: string | undefined): Record<string, unknown> {
  return {
    stepName: step.step_name,
    startTime: seconds(step.start_time),
    status: step.status,
    endTime: seconds(step.end_time),
    logUrl,
    statusReason: step.status_reason ?? undefined,
  };
}
