import { join } from 'node:path';
import { ensureStageAccounts, STAGES, type Stage, type StageAccount } from './demo-accounts.ts';
import { prepareAppCopy } from './demo-app-copy.ts';
import { followPipeline, PipelineFailure } from './demo-follow.ts';
import { ensureHosting, type StageHosting } from './demo-hosting.ts';
import { commitWorkflow, ensureConnection, fillWorkflow } from './demo-pipeline.ts';
import type { DemoProgress } from './demo-progress.ts';
import { ensureRepository, shareRepository, syncBranch } from './demo-repository.ts';
import { connectOrStartServer, type DemoServer } from './demo-server.ts';
import { DemoSession } from './demo-session.ts';
import { checkSiteServes, dataUrlOf } from './demo-sites.ts';
import type { DemoSummary } from './demo-summary.ts';

/** The space the demo's project lives in; the deploy roles trust workflow runs of its projects only. */
export const DEMO_SPACE = 'demo';
export const DEMO_STEPS = 7;

export interface DemoOptions {
  dataDir: string;
  /** 0 starts a server on free ports. */
  port: number;
  /** An Amplify Gen 2 app to use instead of the sample. */
  appDir?: string;
  /** How long to follow the pipeline before giving up. @default 30 minutes */
  timeoutMs?: number;
}

export interface DemoOutcome {
  /** Absent only when the server could not be reached or started. */
  server?: DemoServer;
  summary?: DemoSummary;
  /** Set when a step failed; the progress output explains it. */
  failure?: { step: string; message: string };
}

/**
 * The scenario end to end, each step looking before it creates so that running it again changes nothing that
 * is already right: the server; the staging and production accounts and their roles; the space, project and
 * repository holding the app; a hosting app per account; the connections and the workflow; the run that
 * follows; the live sites. Always hands back the server (when it got that far), so the caller decides
 * whether to keep serving.
 */
export async function runDemo(options: DemoOptions, progress: DemoProgress): Promise<DemoOutcome> {
  let step = 'start the server';
  let server: DemoServer | undefined;
  try {
    progress.step('Server');
    server = await connectOrStartServer({ dataDir: options.dataDir, port: options.port });
    progress.done(server.startedHere ? `started ${server.url} (HTTPS ${server.httpsUrl}), data in ${server.dataDir}` : `using the server already running at ${server.url}`);
    const session = new DemoSession(server);

    step = 'accounts';
    progress.step('Accounts: staging (us-west-2) and production (eu-west-1), bootstrapped, with deploy roles');
    const accounts = await ensureStageAccounts(session, DEMO_SPACE, progress);
    progress.done('accounts ready');

    step = 'repository';
    progress.step(`Space, project and source repository; push the ${options.appDir ? `app in ${options.appDir}` : 'sample app'}`);
    const app = await prepareAppCopy({ appDir: options.appDir, into: join(server.dataDir, 'demo', 'app'), lockfileCache: join(server.dataDir, 'demo', 'lockfiles') });
    for (const change of app.changes) progress.note(`changed in the pushed copy: ${change}`);
    const project = app.name;
    const repository = await ensureRepository(session, DEMO_SPACE, project, app.name);
    progress.note(`${repository.created ? 'created' : 'found'} repository ${repository.cloneUrl}`);
    const stageAccounts = STAGES.map(({ stage }) => accounts[stage].id);
    if (await shareRepository(session, DEMO_SPACE, project, repository.name, stageAccounts))
      progress.note(`repository policy grants codecommit:GitPull to the staging and production accounts (${stageAccounts.join(', ')})`);
    const sync = await syncBranch(repository.cloneUrl, session.admin, app.dir, `${app.name}: the app`, join(server.dataDir, 'demo', `pushed-${app.name}.json`));
    progress.done(sync.pushed
      ? `pushed ${sync.changed.length} changed file(s) to main as ${sync.head.slice(0, 8)}`
      : sync.unchangedSinceLastPush
        ? `the app is as the demo last pushed it; main is at ${sync.head.slice(0, 8)}: nothing to push`
        : `main already holds the app (${sync.head.slice(0, 8)}): nothing to push`);

    step = 'hosting apps';
    progress.step(`Hosting app per account (${app.platform === 'WEB_COMPUTE' ? 'WEB_COMPUTE: Next.js on compute' : 'WEB: a static site'}): branch main with auto build off, incoming webhook`);
    const hosting = {} as Record<Stage, StageHosting>;
    for (const { stage } of STAGES) hosting[stage] = await ensureHosting(session, accounts[stage], app.name, repository.cloneUrl, app.platform, progress);
    progress.done('hosting apps ready');

    step = 'connections and workflow';
    progress.step('Connect both accounts to the space; commit the workflow');
    for (const { stage } of STAGES) await ensureConnection(session, DEMO_SPACE, accounts[stage], progress);
    const workflow = fillWorkflow(app.workflowTemplate, hosting);
    const workflowCommit = await commitWorkflow(session, DEMO_SPACE, project, repository.name, workflow);
    progress.done(workflowCommit ? `committed .codecatalyst/workflows/${workflow.name}.yaml as ${workflowCommit.slice(0, 8)}` : `workflow ${workflow.name} on main is up to date`);

    step = 'pipeline run';
    progress.step('Follow the pipeline: staging backend, production backend, both frontend builds');
    const { run, builds } = await followPipeline({
      session, space: DEMO_SPACE, project, workflowName: workflow.name, head: workflowCommit ?? sync.head, accounts, hosting,
      changedNow: Boolean(workflowCommit) || sync.pushed, progress, timeoutMs: options.timeoutMs ?? 30 * 60_000,
    });
    progress.done(`run ${run.id} ${run.status}; builds: ${STAGES.map(({ stage }) => `${stage} ${builds[stage].status}`).join(', ')}`);

    step = 'live sites';
    progress.step('Live sites');
    const summaries = {} as DemoSummary['accounts'];
    for (const { stage } of STAGES) {
      const bytes = await checkSiteServes(stage, hosting[stage]);
      const dataUrl = await dataUrlOf(session, accounts[stage], hosting[stage]);
      progress.note(`${stage}: ${hosting[stage].hostSiteUrl} serves its page (${bytes} bytes)${dataUrl ? `; data API ${dataUrl}` : ''}`);
      summaries[stage] = stageSummary(accounts[stage], hosting[stage], dataUrl);
    }
    progress.done('both sites serve');

    return {
      server,
      summary: {
        dataDir: server.dataDir, url: server.url, httpsUrl: server.httpsUrl, space: DEMO_SPACE, project,
        repository: { name: repository.name, cloneUrl: repository.cloneUrl },
        accounts: summaries,
        run: { id: run.id, status: run.status, actions: run.actions.map((a) => ({ name: a.name, status: a.status })) },
        builds,
      },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    progress.note(`FAILED (${step}): ${message}`);
    if (error instanceof PipelineFailure && error.logTail) progress.excerpt(error.logTitle ?? 'log:', error.logTail);
    return { ...(server ? { server } : {}), failure: { step, message } };
  }
}

const stageSummary = (account: StageAccount, hosting: StageHosting, dataUrl: string | undefined) => ({
  id: account.id, region: account.region, appId: hosting.appId, siteUrl: hosting.siteUrl, hostSiteUrl: hosting.hostSiteUrl,
  ...(dataUrl ? { dataUrl } : {}), webhookUrl: hosting.webhookUrl,
});
