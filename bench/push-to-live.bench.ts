// git push → both sites serving the new version, on the demo's pipeline (staging backend, production backend, both
// frontend builds), split along the critical path (staging action → production action → production build) into:
// - the app's own commands: `npm ci` in each action and in the build, `vite build`;
// - Gantry's CLI in those steps: `npx ampx pipeline-deploy` (twice) and `npx ampx generate outputs`;
// - Gantry's orchestration: everything else (trigger, scheduling, checkouts, role assumption, webhook, clone,
//   publishing the site).
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
const dataDir = mkdtempSync(join(tmpdir(), 'bench-live-'));
const port = await freePortPair();
const env: NodeJS.ProcessEnv = { ...process.env, GANTRY_NPM_CACHE: npmCache };
for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL']) delete env[name];

// Setup (not measured): the demo, then a server of our own on the same data dir and port.
const setup = await exec(process.execPath, [GANTRY, 'demo', '--json', '--data-dir', dataDir, '--port', String(port)], { env, maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 });
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

/** Step durations of each action of the run that built `commitId`. */
async function actionSteps(commitId: string): Promise<Record<string, Record<string, number>>> {
  const project = `/v1/spaces/${demo.space}/projects/${demo.project}`;
  const { json } = await signedFetch(demo.url, admin, 'GET', `${project}/workflowRuns?maxResults=10`, { service: 'codecatalyst' });
  const run = json.items.find((r: any) => r.commitId === commitId);
  const steps: Record<string, Record<string, number>> = {};
  for (const action of run.actions) {
    const log = await signedFetch(demo.url, admin, 'GET', `${project}/workflowRuns/${run.id}/actions/${action.name}/log`, { service: 'codecatalyst' });
    steps[action.name] = durationsIn(log.json.text, 'Step');
  }
  return steps;
}

/** Phase durations of the newest build of a stage's hosting app, read with that account's credentials. */
async function buildPhases(stage: 'staging' | 'production'): Promise<Record<string, number>> {
  const { id, region, appId } = demo.accounts[stage];
  const assumed = await new STSClient({ endpoint: demo.url, region, credentials: admin }).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'bench' }));
  const credentials = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
  const amplify = new AmplifyClient({ endpoint: demo.url, region, credentials });
  const { jobSummaries } = await amplify.send(new ListJobsCommand({ appId, branchName: 'main', maxResults: 1 }));
  const { job } = await amplify.send(new GetJobCommand({ appId, branchName: 'main', jobId: jobSummaries![0]!.jobId }));
  return durationsIn(await (await fetch(job!.steps!.find((s) => s.stepName === 'BUILD')!.logUrl!)).text(), 'Phase');
}

const totals: number[] = [];
const appOwn: number[] = [];
const appInPipeline: number[] = [];
const ampxInPipeline: number[] = [];
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
  const start = performance.now();
  const commitId = await wc.commitAndPush(`version ${marker}`);
  const live = new Set<string>();
  while (live.size < 2) {
    for (const stage of ['staging', 'production'] as const) {
      if (!live.has(stage) && (await serves(demo.accounts[stage].siteUrl, marker))) {
        live.add(stage);
        console.log(`${stage} serves ${marker} after ${fmt((performance.now() - start) / 1000)} s`);
      }
    }
    if (performance.now() - start > 20 * 60_000) throw new Error('the new version did not go live within 20 minutes');
    await new Promise((r) => setTimeout(r, 100));
  }
  totals.push(performance.now() - start);
  // Steps 2 and 3 of each action are `npm ci` and `npx ampx pipeline-deploy`; the build's backend phase is
  // `npx ampx generate outputs`, its frontend phases `npm ci` and `npm run build`.
  const steps = await actionSteps(commitId);
  const build = await buildPhases('production');
  appInPipeline.push(steps.DeployStaging!['Step 2']! + steps.DeployProduction!['Step 2']! + build['frontend.preBuild']! + build['frontend.build']!);
  ampxInPipeline.push(steps.DeployStaging!['Step 3']! + steps.DeployProduction!['Step 3']! + build['backend.build']!);
  console.log(`actions: ${JSON.stringify(steps)}; production build: ${JSON.stringify(build)}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const total = median(totals);
const own = median(appOwn);
const app = median(appInPipeline);
const ampx = median(ampxInPipeline);
const s1 = (ms: number) => `${fmt(ms / 1000, 1)} s`;
report([
  ['git push → both sites live (critical path: staging action, production action, production build)', s1(total)],
  ["  the app's own commands in the pipeline (npm ci ×3, vite build)", s1(app)],
  ['  Gantry: ampx pipeline-deploy ×2 and generate outputs in those steps', s1(ampx)],
  ['  Gantry: orchestration (the rest)', `${s1(total - app - ampx)}  (target for Gantry's share < 2 s)`],
  ["baseline: the app's commands run directly (npm ci ×3, vite build)", `${s1(own)}  (in the pipeline ×${fmt(app / own, 2)})`],
]);
server.kill('SIGTERM');
await new Promise((done) => server.once('exit', done));
rmSync(dataDir, { recursive: true, force: true });
rmSync(wc.dir, { recursive: true, force: true });
