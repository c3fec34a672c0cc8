import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv } from 'yargs';
import { codecatalyst, projectPath, queryString, runPath } from '../client/codecatalyst-api.ts';
import { printTable, printedAsJson, shortCommit, shortTime } from '../client/cli-output.ts';

interface ActionJson {
  name: string; status: string; attempt: number; startTime?: string; endTime?: string; exitCode?: number;
  failureReason?: string; outputVariables: Record<string, string>; approvals: string[]; roleArn?: string;
}
interface RunJson {
  id: string; workflowName: string; repository: string; commitId: string; branchName: string; trigger: string;
  status: string; statusReason?: string; startTime: string; endTime?: string; actions: ActionJson[];
}
interface LogJson { text: string; nextOffset: number; complete: boolean; status: string; attempt: number }

/** How often `logs --follow` and `watch` ask again. */
const POLL_MS = 300;
const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED', 'CANCELLED']);

const projectOptions = (c: Argv) => c
  .option('space', { type: 'string', demandOption: true })
  .option('project', { type: 'string', demandOption: true });
const runOptions = (c: Argv) => projectOptions(c)
  .positional('runId', { type: 'string', demandOption: true })
  .option('json', { type: 'boolean', default: false });

type RunArgs = { space: string; project: string; runId: string };
const getRun = async (args: RunArgs): Promise<RunJson> => (await codecatalyst<{ run: RunJson }>('GET', runPath(args.space, args.project, args.runId))).run;

const runLine = (r: RunJson): string =>
  `run ${r.id} of ${r.workflowName}: ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}`;

/** What is worth knowing about an action besides its status: why it failed, what it produced, who approved. */
function actionDetails(a: ActionJson): string {
  const parts: string[] = [];
  if (a.exitCode !== undefined && a.exitCode !== 0) parts.push(`exit ${a.exitCode}`);
  if (a.failureReason) parts.push(a.failureReason);
  const outputs = Object.entries(a.outputVariables ?? {});
  if (outputs.length) parts.push(`outputs ${outputs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (a.approvals?.length) parts.push(`approved by ${a.approvals.join(', ')}`);
  if (a.roleArn) parts.push(`role ${a.roleArn}`);
  return parts.join('; ') || '-';
}

function printRun(r: RunJson): void {
  console.log(runLine(r));
  console.log(`  ${r.repository} ${r.branchName} @ ${shortCommit(r.commitId)}, ${r.trigger}, started ${shortTime(r.startTime)}${r.endTime ? `, ended ${shortTime(r.endTime)}` : ''}`);
  printTable(['ACTION', 'STATUS', 'ATTEMPT', 'STARTED', 'ENDED', 'DETAILS'],
    r.actions.map((a) => [a.name, a.status, String(a.attempt), shortTime(a.startTime), shortTime(a.endTime), actionDetails(a)]), '(no actions)');
}

/** Prints a run the caller just changed (started, stopped, retried, approved). */
const printChanged = (json: boolean, run: RunJson) => printedAsJson(json, run) || console.log(runLine(run));

/** `gantry runs`: start, follow and steer workflow runs. */
export function runsCommand(yargs: Argv) {
  const runAction = (verb: 'stop' | 'retry', describe: string) => ({
    command: `${verb} <runId>`,
    describe,
    builder: runOptions,
    handler: async (args: RunArgs & { json?: boolean }) => {
      const { run } = await codecatalyst<{ run: RunJson }>('POST', `${runPath(args.space, args.project, args.runId)}/${verb}`);
      printChanged(Boolean(args.json), run);
    },
  });
  return yargs.command('runs', 'Start, follow and steer workflow runs', (y) =>
    y
      .command(
        'start <workflowName>',
        "Run a workflow on the head of a branch",
        (c) => projectOptions(c).positional('workflowName', { type: 'string', demandOption: true })
          .option('repository', { type: 'string', describe: 'Repository holding the workflow, when several do' })
          .option('branch', { type: 'string', describe: 'Branch whose head runs (default: main)' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { run } = await codecatalyst<{ run: RunJson }>('POST', `${projectPath(args.space, args.project)}/workflowRuns`, {
            workflowName: args.workflowName, ...(args.repository ? { repository: args.repository } : {}), ...(args.branch ? { branch: args.branch } : {}),
          });
          if (printedAsJson(args.json, run)) return;
          console.log(`${runLine(run)} on ${run.branchName} @ ${shortCommit(run.commitId)}`);
          console.log(`follow it with: gantry runs watch ${run.id} --space ${args.space} --project ${args.project}`);
        },
      )
      .command(
        'list',
        "List a project's runs, newest first",
        (c) => projectOptions(c).option('workflow', { type: 'string', describe: 'Only runs of this workflow' })
          .option('max', { type: 'number', describe: 'At most this many (default 50)' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const query = queryString({ workflowName: args.workflow, maxResults: args.max });
          const { items } = await codecatalyst<{ items: RunJson[] }>('GET', `${projectPath(args.space, args.project)}/workflowRuns${query}`);
          if (printedAsJson(args.json, items)) return;
          printTable(['RUN ID', 'WORKFLOW', 'STATUS', 'BRANCH', 'COMMIT', 'TRIGGER', 'STARTED'],
            items.map((r) => [r.id, r.workflowName, r.status, r.branchName, shortCommit(r.commitId), r.trigger, shortTime(r.startTime)]), '(no runs)');
        },
      )
      .command(
        'show <runId>',
        "Show a run and one line per action: status, attempt, times, failure reason, output variables",
        runOptions,
        async (args) => {
          const run = await getRun(args);
          if (!printedAsJson(args.json, run)) printRun(run);
        },
      )
      .command(runAction('stop', 'Stop a run: running actions are cancelled, waiting ones never start'))
      .command(runAction('retry', 'Retry a failed or stopped run: its failed and skipped actions run again'))
      .command(
        'approve <runId> <actionName>',
        'Approve an approval action that is waiting',
        (c) => runOptions(c).positional('actionName', { type: 'string', demandOption: true }),
        async (args) => {
          const { run } = await codecatalyst<{ run: RunJson }>('POST', `${runPath(args.space, args.project, args.runId)}/actions/${encodeURIComponent(args.actionName)}/approve`);
          printChanged(args.json, run);
        },
      )
      .command(
        'logs <runId> <actionName>',
        "Print an action's log (secrets masked); --follow keeps printing until the action finishes",
        (c) => projectOptions(c).positional('runId', { type: 'string', demandOption: true }).positional('actionName', { type: 'string', demandOption: true })
          .option('follow', { alias: 'f', type: 'boolean', default: false })
          .option('attempt', { type: 'number', describe: 'Log of an earlier attempt (default: the latest)' }),
        async (args) => {
          const path = `${runPath(args.space, args.project, args.runId)}/actions/${encodeURIComponent(args.actionName)}/log`;
          let offset = 0;
          for (;;) {
            const log = await codecatalyst<LogJson>('GET', `${path}${queryString({ offset, attempt: args.attempt })}`);
            process.stdout.write(log.text);
            offset = log.nextOffset;
            if (!args.follow || log.complete) break;
            await sleep(POLL_MS);
          }
        },
      )
      .command(
        'watch <runId>',
        "Print each action's status changes until the run finishes; exit code 0 only when it SUCCEEDED",
        (c) => projectOptions(c).positional('runId', { type: 'string', demandOption: true }),
        async (args) => {
          const seen = new Map<string, string>();
          let run = await getRun(args);
          console.log(runLine(run));
          for (;;) {
            for (const a of run.actions) {
              const state = `${a.status}#${a.attempt}`;
              if (seen.get(a.name) === state) continue;
              seen.set(a.name, state);
              const details = actionDetails(a);
              console.log(`${new Date().toISOString().slice(11, 19)}  ${a.name}  ${a.status}${a.attempt > 1 ? ` (attempt ${a.attempt})` : ''}${details === '-' ? '' : `  ${details}`}`);
            }
            if (FINISHED.has(run.status)) break;
            await sleep(POLL_MS);
            run = await getRun(args);
          }
          console.log(runLine(run));
          if (run.status !== 'SUCCEEDED') process.exitCode = 1;
        },
      )
      .demandCommand(1, 'name a subcommand: start, list, show, stop, retry, approve, logs or watch'),
  );
}
