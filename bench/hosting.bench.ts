// Hosting hot paths, each beside a baseline measured in the same run:
// - webhook POST → job RUNNING latency (baseline: an HTTP round trip to /health on the same server);
// - platform overhead of a build beyond its own commands (baseline: the same commands run by bash directly);
// - static-site throughput (baseline: nginx serving the same files, same load generator).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, CreateWebhookCommand, GetJobCommand } from '@aws-sdk/client-amplify';
import { startServerProcess } from './support.ts';
import { signedFetch } from '../packages/gantry/test/support/signed-fetch.ts';
import { WorkingCopy } from '../packages/gantry/test/support/git.ts';
import { fmt, report } from './support.ts';

const root = resolve(import.meta.dirname, '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The server runs in its own process, like nginx, so the load generator here does not share its CPU time.
const ts = await startServerProcess();
const amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin });
const repo = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'bench-site' } });
const cloneUrl: string = repo.json.repository.cloneUrl;
const appId = (await amplify.send(new CreateAppCommand({ name: 'bench', repository: cloneUrl }))).app!.appId!;
await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false }));
const bigAsset = 'x'.repeat(100 * 1024);
const wc = await new WorkingCopy(cloneUrl, ts.admin).init();
const BUILD = ['mkdir -p dist', 'cp index.html app.js dist/'];
await wc.write({
  'index.html': `<!doctype html><title>bench</title>${'<p>hello</p>'.repeat(60)}`,
  'app.js': bigAsset,
  'amplify.yml': `version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n${BUILD.map((c) => `        - ${c}`).join('\n')}\n  artifacts:\n    baseDirectory: dist\n    files:\n      - '**/*'\n`,
}).commitAndPush('bench');
const { webhook } = await amplify.send(new CreateWebhookCommand({ appId, branchName: 'main' }));

async function waitFor(jobId: string, done: (status: string) => boolean) {
  for (;;) {
    const { job } = await amplify.send(new GetJobCommand({ appId, branchName: 'main', jobId }));
    if (done(job!.summary!.status!)) return job!;
    await new Promise((r) => setTimeout(r, 2));
  }
}

// 1. webhook → RUNNING, observed in the server's own database (read-only, WAL allows a second reader) so the
// figure is the server's latency, not the polling client's.
const Database = (await import('better-sqlite3')).default;
const jobsDb = new Database(join(ts.dataDir, 'gantry.db'), { readonly: true });
const jobState = jobsDb.prepare('select job_id as id, status from hosting_jobs where app_id = ? order by job_id desc limit 1');
const webhookLatency: number[] = [];
const healthLatency: number[] = [];
const overheads: number[] = [];
for (let i = 0; i < 15; i++) {
  const h = performance.now();
  await (await fetch(`${ts.url}/health`)).text();
  healthLatency.push(performance.now() - h);
  const before = (jobState.get(appId) as { id: number } | undefined)?.id ?? 0;
  const start = performance.now();
  await (await fetch(`${webhook!.webhookUrl}&operation=startbuild`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).text();
  for (;;) {
    const row = jobState.get(appId) as { id: number; status: string };
    if (row.id > before && row.status !== 'PENDING') break;
    await new Promise((r) => setImmediate(r));
  }
  webhookLatency.push(performance.now() - start);
  const jobId = String((jobState.get(appId) as { id: number }).id);
  const job = await waitFor(jobId, (s) => ['SUCCEED', 'FAILED', 'CANCELLED'].includes(s));
  if (job.summary!.status !== 'SUCCEED') throw new Error(`bench build failed: ${JSON.stringify(job)}`);
  overheads.push((job.summary!.endTime!.getTime() - job.summary!.startTime!.getTime()));
}
// Baseline for the build: the same commands by bash directly, in a fresh copy of the files.
const direct: number[] = [];
for (let i = 0; i < 15; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-direct-'));
  writeFileSync(join(dir, 'index.html'), 'x');
  writeFileSync(join(dir, 'app.js'), bigAsset);
  const t = performance.now();
  execFileSync('bash', ['-c', BUILD.join(' && ')], { cwd: dir });
  direct.push(performance.now() - t);
}

// 3. static throughput vs nginx
async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}
execFileSync(join(root, 'scripts/ensure-debian-packages.sh'), ['nginx-light:nginx'], { stdio: 'inherit' });
const siteDir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
mkdirSync(join(siteDir, 'logs'));
writeFileSync(join(siteDir, 'index.html'), `<!doctype html><title>bench</title>${'<p>hello</p>'.repeat(60)}`);
writeFileSync(join(siteDir, 'app.js'), bigAsset);
const nginxPort = await freePort();
writeFileSync(join(siteDir, 'nginx.conf'), `daemon off; user root; worker_processes 1; pid ${siteDir}/nginx.pid; error_log ${siteDir}/logs/error.log;
events { worker_connections 1024; }
http { access_log off; include /etc/nginx/mime.types; sendfile on; tcp_nopush on; etag on; gzip off;
  server { listen 127.0.0.1:${nginxPort}; root ${siteDir}; location / { try_files $uri $uri/ /index.html; } } }`);
const nginx = spawn('/usr/sbin/nginx', ['-c', join(siteDir, 'nginx.conf'), '-p', siteDir], { stdio: 'inherit' });
await new Promise((r) => setTimeout(r, 500));

async function throughput(url: string) {
  const result = await autocannon({ url, connections: 16, duration: DURATION });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}
try {
  const rows: Array<[string, string]> = [
    ['baseline: GET /health round trip (p50)', `${fmt(median(healthLatency), 2)} ms`],
    ['webhook POST → job RUNNING (p50)', `${fmt(median(webhookLatency), 2)} ms  (target < 50 ms)`],
    ['baseline: the build commands run by bash directly (p50)', `${fmt(median(direct), 1)} ms`],
    ['whole job start → end, same commands (p50)', `${fmt(median(overheads), 1)} ms  → platform overhead ${fmt(median(overheads) - median(direct), 1)} ms (target < 1000 ms)`],
  ];
  for (const [name, path] of [['index.html (0.7 KiB)', '/'], ['app.js (100 KiB)', '/app.js']] as const) {
    const ours = await throughput(`${ts.url}/_sites/${appId}/main${path}`);
    const theirs = await throughput(`http://127.0.0.1:${nginxPort}${path}`);
    rows.push([`static ${name}: nginx`, `${fmt(theirs, 0)} req/s`]);
    rows.push([`static ${name}: Gantry`, `${fmt(ours, 0)} req/s  (${fmt(ours / theirs, 2)}× nginx; target ≥ 0.7×)`]);
  }
  report(rows);
} finally {
  nginx.kill('SIGQUIT');
  await ts.stop();
}
