import { GetJobCommand, type AmplifyClient } from '@aws-sdk/client-amplify';

export interface FinishedJob {
  status: string;
  /** Every step's log, in order, read from its `logUrl` as a user would. */
  log: string;
}

/** Waits for a hosting job to end (SUCCEED, FAILED or CANCELLED) and returns its status and logs. */
export async function finishedJob(amplify: AmplifyClient, appId: string, jobId: string, options: { branchName?: string; timeoutMs?: number } = {}): Promise<FinishedJob> {
  const branchName = options.branchName ?? 'main';
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const { job } = await amplify.send(new GetJobCommand({ appId, branchName, jobId }));
    const status = job!.summary!.status!;
    if (['SUCCEED', 'FAILED', 'CANCELLED'].includes(status)) {
      let log = '';
      for (const step of job!.steps ?? []) if (step.logUrl) log += await (await fetch(step.logUrl)).text();
      return { status, log };
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} of ${appId}/${branchName} still ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
