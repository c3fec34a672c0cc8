import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv } from 'yargs';
import { signedJson } from '../client/gantry-client.ts';
import { printedAsJson } from '../client/cli-output.ts';

interface JobSummaryJson { jobId: string; jobType: string; status: string; commitId: string }

const FINISHED = new Set(['SUCCEED', 'FAILED', 'CANCELLED']);
const branchPath = (appId: string, branch: string) => `/apps/${encodeURIComponent(appId)}/branches/${encodeURIComponent(branch)}`;

/**
 * What the AWS CLI's `aws amplify` cannot do, because Amplify has no such operation: roll a branch back to the
 * version an earlier job published, in seconds, without building.
 */
export function hostingCommand(yargs: Argv) {
  return yargs.command('hosting', 'Hosting operations beyond the Amplify API (everything else: aws amplify …)', (y) =>
    y.command(
      'rollback <appId> <branch>',
      "Make an earlier version of the branch's site live again, without building (a RETRY job that redeploys it)",
      (c) => c.positional('appId', { type: 'string', demandOption: true }).positional('branch', { type: 'string', demandOption: true })
        .option('job-id', { type: 'string', describe: 'The job whose version to make live (default: the last successful build before the live one)' })
        .option('wait', { type: 'boolean', default: false, describe: 'Wait for the job to end; exit 1 unless it succeeds' })
        .option('json', { type: 'boolean', default: false }),
      async (args) => {
        const path = branchPath(args.appId as string, args.branch as string);
        let { jobSummary } = await signedJson<{ jobSummary: JobSummaryJson }>('POST', `${path}/rollback`, {
          service: 'amplify', body: args.jobId ? { jobId: args.jobId } : {},
        });
        while (args.wait && !FINISHED.has(jobSummary.status)) {
          await sleep(300);
          jobSummary = (await signedJson<{ job: { summary: JobSummaryJson } }>('GET', `${path}/jobs/${jobSummary.jobId}`, { service: 'amplify' })).job.summary;
        }
        if (!printedAsJson(args.json, jobSummary)) console.log(`job ${jobSummary.jobId} (RETRY of commit ${jobSummary.commitId.slice(0, 12)}): ${jobSummary.status}`);
        if (args.wait && jobSummary.status !== 'SUCCEED') process.exitCode = 1;
      },
    ).demandCommand(1, 'name a subcommand: rollback'),
  );
}
