import { GantryError } from '@gantry/core';
import { sendJsonError, type Route } from '@gantry/edge';
import type { JobLogs } from './job-logs.ts';
import { findJob, isFinished, JOB_STEPS, type JobDb } from './jobs.ts';

/**
 * `GET /_gantry/logs/<appId>/<branch>/<jobId>/<step>?expires=…&signature=…[&follow=1]`: the log URLs GetJob
 * returns. `follow=1` keeps the response open while the job runs, so `curl -N "<logUrl>&follow=1"` tails it.
 */
export function logRoute(db: JobDb, logs: JobLogs): Route {
  return {
    name: 'job-logs',
    matches: (_req, url) => url.pathname.startsWith('/_gantry/logs/'),
    async handle(req, res, url) {
      const parts = url.pathname.split('/').slice(3);
      const [appId, rawBranch, jobId, step] = parts;
      if (parts.length !== 4 || !JOB_STEPS.includes(step as never) || !/^\d+$/.test(jobId ?? ''))
        return sendJsonError(res, new GantryError('NotFound', `No log at ${url.pathname}.`));
      if (!logs.verify(url.pathname, url.searchParams.get('expires'), url.searchParams.get('signature')))
        return sendJsonError(res, new GantryError('AccessDenied', 'This log URL is not valid or has expired: get a fresh logUrl from GetJob.'));
      const branch = decodeURIComponent(rawBranch!);
      const job = await findJob(db, appId!, branch, Number(jobId));
      if (!job) return sendJsonError(res, new GantryError('NotFound', `Job ${jobId} no longer exists.`));
      const follow = url.searchParams.get('follow') === '1' && req.method === 'GET';
      await logs.send(res, logs.file(job, step!), follow, async () => {
        const now = await findJob(db, job.app_id, job.branch_name, job.job_id);
        return !now || isFinished(now.status);
      });
    },
  };
}
