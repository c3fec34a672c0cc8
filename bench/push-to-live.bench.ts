// git push → both sites serving the new version, on the demo's pipeline (staging backend, production backend, both
// frontend builds), split into the app's own commands and Gantry itself. The app's commands are measured side by
// side: `npm ci` and `vite build` of the same commit run directly, with the same npm cache. On the pipeline's
// critical path they run four times in sequence (npm ci in the staging action, in the production action and in the
// production build, then vite build); everything else on that path is Gantry's: scheduling, checkouts, role
// assumption, `ampx pipeline-deploy` twice, the webhook, `ampx generate outputs`, publishing the site.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { WorkingCopy } from '../packages/gantry/test/support/git.ts';
import { fmt, report } from './support.ts';

const exec = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const GANTRY = join(root, 'packages/gantry/bin/gantry.mjs');
const SAMPLE = join(root, 'examples/todo-app');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const npmCache = process.env.GANTRY_NPM_CACHE ?? join(homedir(), '.cache/gantry-tests/npm');
const dataDir = mkdtempSync(join(tmpdir(), 'bench-live-'));
const port = 4900 + Math.floor(Math.random() * 500) * 2;
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

/** GET through the server's port with the site's host name (`main.<appId>.localhost` need not resolve here). */
function get(url: URL): Promise<string> {
  return new Promise((done) => {
    request({ host: '127.0.0.1', port, path: url.pathname, headers: { host: url.host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => done(body));
    }).on('error', () => done('')).end();
  });
}

/** The site serves `marker` once its entry script (Vite's hashed bundle, at the site's root) contains it. */
async function serves(siteUrl: string, marker: string): Promise<boolean> {
  const html = await get(new URL(siteUrl));
  const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
  return script !== undefined && (await get(new URL(script, siteUrl))).includes(marker);
}

async function timeCommand(cwd: string, command: string, args: string[]): Promise<number> {
  const start = performance.now();
  await exec(command, args, { cwd, env: { ...process.env, npm_config_cache: npmCache }, maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - start;
}

const totals: number[] = [];
const appOwn: number[] = [];
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
  console.log(`baseline: npm ci ${fmt(npmCi, 0)} ms, vite build ${fmt(viteBuild, 0)} ms`);

  writeFileSync(join(wc.dir, 'src/version.ts'), `export const version = '${marker}';\n`);
  const start = performance.now();
  await wc.commitAndPush(`version ${marker}`);
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
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const total = median(totals);
const own = median(appOwn);
report([
  ['git push → both sites live, median', `${fmt(total / 1000, 2)} s`],
  ["  the app's own commands (3 × npm ci + vite build, run directly)", `${fmt(own / 1000, 2)} s`],
  ['  Gantry itself (the rest)', `${fmt((total - own) / 1000, 2)} s  (target < 2 s)`],
  ['ratio of the whole to the app\'s own commands', `${fmt(total / own, 2)}×`],
]);
server.kill('SIGTERM');
