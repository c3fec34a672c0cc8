// git push → both sites serving the new version, on the demo's pipeline (staging backend, production backend, both
// frontend builds), split along the critical path (staging action → production action → production build) into:
// - the app's own commands: `npm ci` in each action and in the build, `vite build`;
// - Gantry's CLI in those steps: `npx ampx pipeline-deploy` (twice) and `npx ampx generate outputs`;
// - Gantry's orchestration: everything else (trigger, scheduling, checkouts, role assumption, webhook, clone,
//   publishing the site), reported piece by piece from the run's and the build's own timestamps.
// The step and phase durations come from the run's and builds' own logs. Beside them, the app's commands run
// directly on the same files with the same npm cache (the baseline), which shows how much running two stages in
// parallel on this machine slows the app's commands down.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AmplifyClient, GetJobCommand, ListJobsCommand } from '@aws-sdk/client-amplify';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { WorkingCopy } from '../packages/gantry/test/support/git.ts';
import { freePortPair, getThroughServer } from '../packages/gantry/test/support/net.ts';
import { signedFetch } from '../packages/gantry/test/support/signed-fetch.ts';
import { fmt, report } from './support.ts';

const exec = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const GANTRY = join(root, 'packages/gantry/bin/gantry.mjs');
const SAMPLE = join(root, 'examples/todo-app');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const npmCache = process.env.GANTRY_NPM_CACHE ?? join(homedir(), '.cache/gantry-tests/npm');
// BENCH_DATA_DIR keeps the demo's state between runs (its setup then takes a second instead of minutes).
const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'bench-live-'));
const port = await freePortPair();
const env: NodeJS.ProcessEnv = { ...process.env, GANTRY_NPM_CACHE: npmCache };
for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL']) delete env[name];

// Setup (not measured): the demo, then a server of our own on the same data dir and port.
const setup = await exec(process.execPath, [GANTRY, 'demo', '--json', '--app-dir', SAMPLE, '--data-dir', dataDir, '--port', String(port)], { env, maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 });
const demo = JSON.parse(setup.stdout);
const server: ChildProcess = spawn(process.execPath, [GANTRY, 'server', '--data-dir', dataDir, '--port', String(port)], { env, stdio: 'ignore' });
process.on('exit', () => server.kill('SIGTERM'));
for (let i = 0; ; i++) {
  if (await fetch(`${demo.url}/health`).then((r) => r.ok, () => false)) break;
  if (i > 300) throw new Error('the server did not start');
  await new Promise((r) => setTimeout(r, 100));
}
const credentials = readFileSync(join(dataDir, 'credentials'), 'utf8');
const admin = { accessKeyId: /aws_access_key_id = (\S+)/.exec(credentials)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentials)![1]! };
const wc = await new WorkingCopy(demo.repository.cloneUrl, admin).init();
await wc.git('fetch', '--quiet', 'origin', 'main');
await wc.git('reset', '--quiet', '--hard', 'origin/main');

/** The site serves `marker` once its entry script (Vite's hashed bundle, at the site's root) contains it. */
async function serves(siteUrl: string, marker: string): Promise<boolean> {
  const html = (await getThroughServer(siteUrl, port)).body;
  const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
  return script !== undefined && (await getThroughServer(new URL(script, siteUrl).href, port)).body.includes(marker);
}

async function timeCommand(cwd: string, command: string, args: string[]): Promise<number> {
  const start = performance.now();
  await exec(command, args, { cwd, env: { ...process.env, npm_config_cache: npmCache }, maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - start;
}

/** `Step 2 12.3 s` / `frontend.preBuild 12.3 s` pairs of a `# Step durations:` or `# Phase durations:` line, in ms. */
function durationsIn(log: string, kind: 'Step' | 'Phase'): Record<string, number> {
  const line = new RegExp(`^# ${kind} durations: (.*)$`, 'm').exec(log)?.[1] ?? '';
  return Object.fromEntries(line.split(', ').filter(Boolean).map((part) => {
    const [, name, seconds] = /^(.*) ([\d.]+) s$/.exec(part)!;
    return [name!, Number(seconds) * 1000];
  }));
}

interface ActionTimes { start: number; end: number; steps: Record<string, number>; log: string }

/** Times (epoch ms) and step durations of each action of the run that built `commitId`, and when the run started. */
async function runTimes(commitId: string): Promise<{ start: number; actions: Record<string, ActionTimes> }> {
  const project = `/v1/spaces/${demo.space}/projects/${demo.project}`;
  const { json } = await signedFetch(demo.url, admin, 'GET', `${project}/workflowRuns?maxResults=10`, { service: 'codecatalyst' });
  const run = json.items.find((r: any) => r.commitId === commitId);
  const actions: Record<string, ActionTimes> = {};
  for (const action of run.actions) {
    const log = (await signedFetch(demo.url, admin, 'GET', `${project}/workflowRuns/${run.id}/actions/${action.name}/log`, { service: 'codecatalyst' })).json.text;
    actions[action.name] = { start: Date.parse(action.startTime), end: Date.parse(action.endTime), steps: durationsIn(log, 'Step'), log };
  }
  return { start: Date.parse(run.startTime), actions };
}

interface BuildTimes { start: number; buildStart: number; buildEnd: number; end: number; phases: Record<string, number>; log: string }

/** Times (epoch ms) and phase durations of the newest build of a stage's hosting app, read with that account's credentials. */
async function buildTimes(stage: 'staging' | 'production'): Promise<BuildTimes> {
  const { id, region, appId } = demo.accounts[stage];
  const assumed = await new STSClient({ endpoint: demo.url, region, credentials: admin }).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'bench' }));
  const credentials = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
  const amplify = new AmplifyClient({ endpoint: demo.url, region, credentials });
  const { jobSummaries } = await amplify.send(new ListJobsCommand({ appId, branchName: 'main', maxResults: 1 }));
  const { job } = await amplify.send(new GetJobCommand({ appId, branchName: 'main', jobId: jobSummaries![0]!.jobId }));
  const build = job!.steps!.find((s) => s.stepName === 'BUILD')!;
  const log = await (await fetch(build.logUrl!)).text();
  return {
    start: job!.summary!.startTime!.getTime(), buildStart: build.startTime!.getTime(), buildEnd: build.endTime!.getTime(),
    end: job!.summary!.endTime!.getTime(), phases: durationsIn(log, 'Phase'), log,
  };
}

const sum = (xs: Record<string, number>) => Object.values(xs).reduce((a, b) => a + b, 0);
/** What ampx printed about its own timing (`Synthesized …`, `Deployment completed …`). */
const ampxLines = (log: string) => log.split('\n').filter((l) => /Synthesized|Deployment completed|File written/.test(l)).map((l) => l.trim()).join(' | ');

const totals: number[] = [];
const appOwn: number[] = [];
const appInPipeline: number[] = [];
const ampxInPipeline: number[] = [];
const orchestration: Array<Array<[string, number]>> = [];
for (let round = 0; round < ROUNDS; round++) {
  const marker = `bench-${Date.now().toString(36)}`;
  // Baseline: the app's own commands on the same files, run directly.
  const copy = mkdtempSync(join(tmpdir(), 'bench-app-'));
  cpSync(SAMPLE, copy, { recursive: true, filter: (p) => !/node_modules|dist|amplify_outputs/.test(p) });
  // The build only bundles the outputs file; its content does not change the build's cost.
  writeFileSync(join(copy, 'amplify_outputs.json'), '{}');
  const npmCi = await timeCommand(copy, 'npm', ['ci', '--no-audit', '--no-fund']);
  const viteBuild = await timeCommand(copy, process.execPath, ['node_modules/vite/bin/vite.js', 'build']);
  appOwn.push(3 * npmCi + viteBuild);
  rmSync(copy, { recursive: true, force: true });
  console.log(`baseline: npm ci ${fmt(npmCi, 0)} ms, vite build ${fmt(viteBuild, 0)} ms`);

  writeFileSync(join(wc.dir, 'src/version.ts'), `export const version = '${marker}';\n`);
  const start = Date.now();
  const commitId = await wc.commitAndPush(`version ${marker}`);
  const pushed = Date.now();
  const live: Partial<Record<'staging' | 'production', number>> = {};
  while (live.staging === undefined || live.production === undefined) {
    for (const stage of ['staging', 'production'] as const) {
      if (live[stage] === undefined && (await serves(demo.accounts[stage].siteUrl, marker))) {
        live[stage] = Date.now();
        console.log(`${stage} serves ${marker} after ${fmt((live[stage]! - start) / 1000)} s`);
      }
    }
    if (Date.now() - start > 20 * 60_000) throw new Error('the new version did not go live within 20 minutes');
    await new Promise((r) => setTimeout(r, 50));
  }
  const end = Math.max(live.staging!, live.production!);
  totals.push(end - start);
  // Steps 2 and 3 of each action are `npm ci` and `npx ampx pipeline-deploy`; the build's backend phase is
  // `npx ampx generate outputs`, its frontend phases `npm ci` and `npm run build`.
  const run = await runTimes(commitId);
  const staging = run.actions.DeployStaging!;
  const production = run.actions.DeployProduction!;
  const build = await buildTimes('production');
  appInPipeline.push(staging.steps['Step 2']! + production.steps['Step 2']! + build.phases['frontend.preBuild']! + build.phases['frontend.build']!);
  ampxInPipeline.push(staging.steps['Step 3']! + production.steps['Step 3']! + build.phases['backend.build']!);
  // Gantry's orchestration along the critical path, piece by piece (ms).
  const pieces: Array<[string, number]> = [
    ['git push', pushed - start],
    ['push → run started', run.start - pushed],
    ['run started → staging action started', staging.start - run.start],
    ['staging action: checkout, credentials, other steps', staging.end - staging.start - staging.steps['Step 2']! - staging.steps['Step 3']!],
    ['staging → production action started', production.start - staging.end],
    ['production action: checkout, credentials, other steps', production.end - production.start - production.steps['Step 2']! - production.steps['Step 3']!],
    ['production action → build job started', build.start - production.end],
    ['build: job start → phases (clone, spec, credentials)', build.buildStart - build.start + (build.buildEnd - build.buildStart - sum(build.phases))],
    ['build: publish and verify', build.end - build.buildEnd],
    ['build finished → site seen serving it', live.production! - build.end],
  ];
  orchestration.push(pieces);
  console.log(pieces.map(([name, ms]) => `  ${name}: ${fmt(ms, 0)} ms`).join('\n'));
  console.log(`  ampx: staging ${ampxLines(staging.log)}\n  ampx: production ${ampxLines(production.log)}`);
  console.log(`  steps: staging ${JSON.stringify(staging.steps)}, production ${JSON.stringify(production.steps)}; production build phases: ${JSON.stringify(build.phases)}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const total = median(totals);
const own = median(appOwn);
const app = median(appInPipeline);
const ampx = median(ampxInPipeline);
const s1 = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const s2 = (ms: number) => `${fmt(ms / 1000, 2)} s`;
const rest = total - app - ampx;
report([
  ['git push → both sites live (critical path: staging action, production action, production build)', s1(total)],
  ["  the app's own commands in the pipeline (npm ci ×3, vite build)", s1(app)],
  ["  Gantry's share", `${s2(ampx + rest)}  (target < 2 s)`],
  ['    ampx pipeline-deploy ×2 and generate outputs in those steps', s2(ampx)],
  ['    orchestration (the rest)', s2(rest)],
  ...orchestration[0]!.map(([name], i): [string, string] => [`      ${name}`, s2(median(orchestration.map((round) => round[i]![1])))]),
  ["baseline: the app's commands run directly (npm ci ×3, vite build)", `${s1(own)}  (in the pipeline ×${fmt(app / own, 2)})`],
]);
server.kill('SIGTERM');
await new Promise((done) => server.once('exit', done));
if (!process.env.BENCH_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
rmSync(wc.dir, { recursive: true, force: true });
