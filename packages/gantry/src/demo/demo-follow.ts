import { GetJobCommand, ListJobsCommand, type JobSummary } from '@aws-sdk/client-amplify';
import { GantryError } from '@gantry/core';
import { STAGES, type Stage, type StageAccount } from './demo-accounts.ts';
import { BRANCH, type StageHosting } from './demo-hosting.ts';
import type { DemoProgress } from './demo-progress.ts';
import type { DemoSession } from './demo-session.ts';

export interface RunJson {
  id: string; status: string; commitId: string; startTime: string; endTime?: string; statusReason?: string;
  actions: Array<{ name: string; status: string; failureReason?: string }>;
}
export interface BuildResult { jobId: string; status: string }

const FINISHED_RUN = new Set(['SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED', 'CANCELLED']);
const FINISHED_JOB = new Set(['SUCCEED', 'FAILED', 'CANCELLED']);
const POLL_MS = 1000;
/** With no status change for this long, say what is still running, so a slow `npm ci` does not look like a hang. */
const HEARTBEAT_MS = 30_000;
const LOG_LINES = 40;

/** A failure the demo explains with the end of a log. */
export class PipelineFailure extends GantryError {
  constructor(message: string, readonly logTitle?: string, readonly logTail?: string) {
    super('InternalFailure', message);
  }
}

export interface FollowArgs {
  session: DemoSession;
  space: string;
  project: string;
  workflowName: string;
  /** The commit of `main` whose run is followed. */
  head: string;
  accounts: Record<Stage, StageAccount>;
  hosting: Record<Stage, StageHosting>;
  /** Whether this demo pushed or committed something: a finished run of an older attempt is then not retried. */
  changedNow: boolean;
  progress: DemoProgress;
  timeoutMs: number;
}

/**
 * Step 6: follows the run the head commit triggered, action by action, and each account's frontend build,
 * printing statuses as they change. A run or build that had already failed before this demo (nothing new was
 * pushed) is retried, so running the demo again repairs a failed attempt.
 */
export async function followPipeline(args: FollowArgs): Promise<{ run: RunJson; builds: Record<Stage, BuildResult> }> {
  const { session, progress } = args;
  const projectPath = `/v1/spaces/${encodeURIComponent(args.space)}/projects/${encodeURIComponent(args.project)}`;
  const deadline = Date.now() + args.timeoutMs;
  const followedSince = Date.now();

  let run = await findRun();
  if (!args.changedNow && (run.status === 'FAILED' || run.status === 'STOPPED')) {
    progress.note(`run ${run.id} had ${run.status}: retrying it`);
    run = (await session.call<{ run: RunJson }>('codecatalyst', 'POST', `${projectPath}/workflowRuns/${run.id}/retry`)).run;
  }
  const alreadyDone = run.status === 'SUCCEEDED';
  progress.note(`run ${run.id} of commit ${args.head.slice(0, 8)}${alreadyDone ? ' already SUCCEEDED' : ''}`);

  const jobs: Partial<Record<Stage, JobSummary>> = {};
  const retriedBuild = new Set<Stage>();
  let lastNews = Date.now();
  for (;;) {
    run = (await session.call<{ run: RunJson }>('codecatalyst', 'GET', `${projectPath}/workflowRuns/${run.id}`)).run;
    const printed = progress.printedLines;
    progress.status(`run ${run.id}`, run.status, followedSince);
    for (const action of run.actions) progress.status(`  action ${action.name}`, action.status, followedSince);
    for (const { stage } of STAGES) {
      const job = await latestJob(stage, run);
      if (job) {
        jobs[stage] = job;
        progress.status(`  ${stage} build (job ${job.jobId})`, job.status!, followedSince);
      }
    }
    if (progress.printedLines !== printed) lastNews = Date.now();
    else if (Date.now() - lastNews >= HEARTBEAT_MS) {
      lastNews = Date.now();
      await reportStillRunning(run, jobs);
    }
    if (FINISHED_RUN.has(run.status) && run.status !== 'SUCCEEDED') {
      const failed = run.actions.find((a) => a.status === 'FAILED') ?? run.actions.find((a) => a.status !== 'SUCCEEDED');
      const log = failed ? await actionLogTail(failed.name) : undefined;
      throw new PipelineFailure(
        `Workflow run ${run.id} ${run.status}${failed ? `: action ${failed.name} ${failed.status}${failed.failureReason ? ` (${failed.failureReason})` : ''}` : ''}${run.statusReason ? `; ${run.statusReason}` : ''}.`,
        failed ? `last lines of the log of ${failed.name}:` : undefined, log,
      );
    }
    if (run.status === 'SUCCEEDED') {
      for (const { stage } of STAGES) {
        const job = jobs[stage];
        if (job?.status === 'FAILED' || job?.status === 'CANCELLED') {
          // A build that failed in an earlier attempt of the demo is started again; one that failed now is reported.
          if (alreadyDone && !retriedBuild.has(stage)) {
            retriedBuild.add(stage);
            progress.note(`${stage} build (job ${job.jobId}) had ${job.status}: starting it again through the webhook`);
            await startBuild(stage);
            delete jobs[stage];
            continue;
          }
          throw new PipelineFailure(`The ${stage} frontend build (job ${job.jobId} of app ${args.hosting[stage].appId}) ${job.status}.`, `last lines of the failing step of job ${job.jobId}:`, await jobLogTail(stage, job.jobId!));
        }
      }
      if (STAGES.every(({ stage }) => jobs[stage]?.status === 'SUCCEED')) {
        return { run, builds: Object.fromEntries(STAGES.map(({ stage }) => [stage, { jobId: jobs[stage]!.jobId!, status: jobs[stage]!.status! }])) as Record<Stage, BuildResult> };
      }
      if (alreadyDone) {
        // The run succeeded before this demo started, yet a build never started (or was lost): start it.
        for (const { stage } of STAGES) {
          if (!jobs[stage] && !retriedBuild.has(stage)) {
            retriedBuild.add(stage);
            progress.note(`${stage}: no build of commit ${args.head.slice(0, 8)}; starting one through the webhook`);
            await startBuild(stage);
          }
        }
      }
    }
    if (Date.now() > deadline) {
      const waiting = STAGES.filter(({ stage }) => jobs[stage]?.status !== 'SUCCEED').map(({ stage }) => `${stage} build ${jobs[stage]?.status ?? 'not started'}`);
      throw new PipelineFailure(`Gave up after ${Math.round(args.timeoutMs / 60_000)} min: run ${run.id} is ${run.status}${waiting.length ? `; ${waiting.join(', ')}` : ''}. The server keeps working on it; run the demo again to pick it up.`);
    }
    await sleep(POLL_MS);
  }

  /** What is still running, with the last line each has logged. */
  async function reportStillRunning(current: RunJson, builds: Partial<Record<Stage, JobSummary>>): Promise<void> {
    for (const action of current.actions.filter((a) => a.status === 'IN_PROGRESS')) {
      const command = currentCommand(await actionLogTail(action.name, true));
      progress.note(`  still running: action ${action.name}${command ? `: ${command}` : ''}`);
    }
    for (const { stage } of STAGES) {
      const job = builds[stage];
      if (!job || FINISHED_JOB.has(job.status!)) continue;
      const command = job.status === 'RUNNING' ? currentCommand(await jobLogTail(stage, job.jobId!, true)) : undefined;
      progress.note(`  still running: ${stage} build (job ${job.jobId}) ${job.status}${command ? `: ${command}` : ''}`);
    }
  }

  /** The run of the head commit; a push starts it asynchronously, so it may take a moment to appear. */
  async function findRun(): Promise<RunJson> {
    const until = Date.now() + 60_000;
    for (;;) {
      const { items } = await session.call<{ items: RunJson[] }>('codecatalyst', 'GET', `${projectPath}/workflowRuns?workflowName=${encodeURIComponent(args.workflowName)}&maxResults=50`);
      const found = items.find((r) => r.commitId === args.head);
      if (found) return found;
      if (Date.now() > until) {
        const definition = await session.find<{ workflow: { status: string; errors: Array<{ message: string; line: number }> } }>('codecatalyst', `${projectPath}/workflows/${encodeURIComponent(args.workflowName)}?branch=${BRANCH}`);
        const why = definition?.workflow.status === 'INVALID'
          ? `the workflow is INVALID: ${definition.workflow.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`
          : definition ? 'check its Triggers: a push to main must start it' : `main has no workflow ${args.workflowName}`;
        throw new PipelineFailure(`Commit ${args.head.slice(0, 8)} of main started no run of workflow ${args.workflowName}: ${why}.`);
      }
      await sleep(POLL_MS);
    }
  }

  /** The stage's newest build of the head commit, or one started during the run (a webhook builds the branch head). */
  async function latestJob(stage: Stage, current: RunJson): Promise<JobSummary | undefined> {
    const { jobSummaries = [] } = await amplifyOf(stage).send(new ListJobsCommand({ appId: args.hosting[stage].appId, branchName: BRANCH, maxResults: 20 }));
    const runStart = Date.parse(current.startTime);
    return jobSummaries.find((j) => j.commitId === args.head) ?? jobSummaries.find((j) => j.startTime && j.startTime.getTime() >= runStart);
  }

  function amplifyOf(stage: Stage) {
    return session.amplify(args.accounts[stage].admin, args.accounts[stage].region);
  }

  async function startBuild(stage: Stage): Promise<void> {
    const response = await fetch(`${args.hosting[stage].webhookUrl}&operation=startbuild`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (!response.ok) throw new PipelineFailure(`The ${stage} webhook refused to start a build: ${response.status} ${await response.text()}`);
    await response.arrayBuffer().catch(() => undefined);
  }

  async function actionLogTail(action: string, whole = false): Promise<string | undefined> {
    try {
      const { text } = await session.call<{ text: string }>('codecatalyst', 'GET', `${projectPath}/workflowRuns/${run.id}/actions/${encodeURIComponent(action)}/log`);
      return whole ? text : tail(text);
    } catch {
      return undefined;
    }
  }

  async function jobLogTail(stage: Stage, jobId: string, whole = false): Promise<string | undefined> {
    try {
      const { job } = await amplifyOf(stage).send(new GetJobCommand({ appId: args.hosting[stage].appId, branchName: BRANCH, jobId }));
      const step = job?.steps?.find((s) => s.status === 'FAILED') ?? job?.steps?.at(-1);
      if (!step?.logUrl) return undefined;
      const text = await (await fetch(step.logUrl)).text();
      return whole ? text : tail(text);
    } catch {
      return undefined;
    }
  }
}

/** The command a log says is running: its last `# Executing command: …` line (runner and build logs both write it). */
function currentCommand(log: string | undefined): string | undefined {
  const lines = log?.split('\n') ?? [];
  const marker = lines.map((l) => /^#+\s*Executing command:\s*(.+)$/.exec(l.trim())?.[1]).filter(Boolean).at(-1);
  return marker && marker.length > 100 ? `${marker.slice(0, 97)}...` : marker;
}
const tail = (text: string): string => text.replace(/\n$/, '').split('\n').slice(-LOG_LINES).join('\n');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
