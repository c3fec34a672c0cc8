// How long a branch takes to switch versions once the new one is built: a rollback (a job that makes an earlier
// build's version live again, with no build) measured from the API call to the first answer of the target
// version, as a client polling the site every few milliseconds sees it. Baseline: the same on a static (WEB) app,
// where the switch is the job's scheduling and a pointer write. On a compute (WEB_COMPUTE) app the switch also
// starts the target version's server in the sandbox and waits for its first health answer, while the previous
// version keeps serving; the client must never see anything but the old or the new version. Cold: the target's
// servers stopped long ago (each app builds ROUNDS+1 versions, then waits out the 30 s drain, then rolls back one
// version at a time); warm: the target was replaced seconds ago, so its servers are still draining and are
// reused. Both apps alternate in one run on one `gantry server` process, with a tiny app server, so what is
// measured is Gantry's own switch, not an app's start-up.
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, GetJobCommand, StartJobCommand } from '@aws-sdk/client-amplify';
import { WorkingCopy } from '../packages/gantry/test/support/git.ts';
import { signedFetch } from '../packages/gantry/test/support/signed-fetch.ts';
import { fmt, report, startServerProcess } from './support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const server = await startServerProcess();
process.on('exit', () => void server.stop());
const amplify = new AmplifyClient({ endpoint: server.url, region: 'us-west-2', credentials: server.admin, maxAttempts: 1 });

const STATIC_SPEC = `version: 1
frontend:
  phases:
    build:
      commands:
        - mkdir -p dist && cp index.html dist/
  artifacts:
    baseDirectory: dist
    files:
      - '**/*'
`;
const COMPUTE_SPEC = `version: 1
frontend:
  phases:
    build:
      commands:
        - mkdir -p .amplify-hosting && cp -r bundle/. .amplify-hosting/
  artifacts:
    baseDirectory: .amplify-hosting
    files:
      - '**/*'
`;
const MANIFEST = JSON.stringify({
  version: 1, routes: [{ path: '/*', target: { kind: 'Compute', src: 'default' } }],
  computeResources: [{ name: 'default', runtime: 'nodejs20.x', entrypoint: 'server.mjs' }], framework: { name: 'bench', version: '1.0.0' },
});
const computeServer = (version: string) => `import { createServer } from 'node:http';
createServer((req, res) => res.end('${version}')).listen(Number(process.env.PORT), process.env.HOSTNAME ?? '127.0.0.1');
`;

interface BenchApp { name: string; appId: string }

async function waitForJob(appId: string, jobId: string): Promise<void> {
  for (;;) {
    const { job } = await amplify.send(new GetJobCommand({ appId, branchName: 'main', jobId }));
    const status = job!.summary!.status!;
    if (status === 'SUCCEED') return;
    if (status === 'FAILED' || status === 'CANCELLED') {
      const logs = await Promise.all(job!.steps!.filter((s) => s.logUrl).map(async (s) => (await fetch(s.logUrl!)).text()));
      throw new Error(`job ${jobId} of ${appId}: ${status}\n${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An app with `count` built versions: v1 (job 1) to v<count> (job <count>, live). */
async function appWithVersions(name: string, platform: 'WEB' | 'WEB_COMPUTE', count: number): Promise<BenchApp> {
  const created = await signedFetch(server.url, server.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name } });
  const cloneUrl: string = created.json.repository.cloneUrl;
  const appId = (await amplify.send(new CreateAppCommand({ name, repository: cloneUrl, platform }))).app!.appId!;
  await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false }));
  const wc = await new WorkingCopy(cloneUrl, server.admin).init();
  for (let n = 1; n <= count; n++) {
    const version = `v${n}`;
    const files: Record<string, string> = platform === 'WEB'
      ? { 'amplify.yml': STATIC_SPEC, 'index.html': version }
      : { 'amplify.yml': COMPUTE_SPEC, 'bundle/deploy-manifest.json': MANIFEST, 'bundle/compute/default/server.mjs': computeServer(version) };
    await wc.write(files).commitAndPush(version);
    const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
    await waitForJob(appId, jobSummary!.jobId!);
  }
  return { name, appId };
}

/** Rolls the app to the version job `n` built (v<n>); ms from the call to the first answer of that version. */
async function switchTo(app: BenchApp, n: number): Promise<{ ms: number; others: string[] }> {
  const jobId = String(n);
  const target = `v${n}`;
  const url = `${server.url}/_sites/${app.appId}/main/`;
  const others = new Set<string>();
  const start = performance.now();
  const started = await signedFetch(server.url, server.admin, 'POST', `/apps/${app.appId}/branches/main/rollback`, { service: 'amplify', body: { jobId } });
  if (started.status !== 200) throw new Error(`rollback of ${app.name}: ${JSON.stringify(started.json)}`);
  for (;;) {
    const response = await fetch(url);
    const text = response.status === 200 ? (await response.text()).trim() : `status ${response.status}`;
    if (text === target) break;
    others.add(text);
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - start;
  await waitForJob(app.appId, started.json.jobSummary.jobId);
  return { ms, others: [...others] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const apps = [await appWithVersions('static-site', 'WEB', ROUNDS + 1), await appWithVersions('compute-site', 'WEB_COMPUTE', ROUNDS + 1)];
  const times: Record<string, { cold: number[]; warm: number[] }> = { 'static-site': { cold: [], warm: [] }, 'compute-site': { cold: [], warm: [] } };
  const unexpected = new Set<string>();
  const measure = async (app: BenchApp, from: number, to: number, kind: 'cold' | 'warm') => {
    const { ms, others } = await switchTo(app, to);
    times[app.name]![kind].push(ms);
    // Before the switch the client sees the version it switches from; anything else is a failed request.
    for (const other of others) if (other !== `v${from}`) unexpected.add(`${app.name}: ${other}`);
  };
  // Every replaced version's servers have stopped once the drain is over.
  await new Promise((r) => setTimeout(r, 32_000));
  for (let n = ROUNDS; n >= 1; n--) for (const app of apps) await measure(app, n + 1, n, 'cold');
  // Now v1 is live and v2 still draining: back and forth between them reuses the draining servers.
  for (let round = 0; round < ROUNDS; round++) for (const app of apps) await measure(app, round % 2 ? 2 : 1, round % 2 ? 1 : 2, 'warm');

  const row = (label: string, xs: number[], base?: number) => {
    const m = median(xs);
    return [label, `${fmt(m, 0)} ms  (${xs.map((ms) => fmt(ms, 0)).join(', ')}${base ? `; ${fmt(m / base, 2)}× static` : ''})`] as [string, string];
  };
  const staticCold = median(times['static-site']!.cold);
  const staticWarm = median(times['static-site']!.warm);
  report([
    row(`baseline: static (WEB) rollback, API call to first answer of the target version (median of ${ROUNDS})`, times['static-site']!.cold),
    row('compute (WEB_COMPUTE) rollback, target servers stopped: incl. starting one in the sandbox', times['compute-site']!.cold, staticCold),
    row('baseline: static rollback again (the warm rounds\' static side)', times['static-site']!.warm),
    row('compute rollback to a version replaced seconds ago (its servers still draining, reused)', times['compute-site']!.warm, staticWarm),
    ['answers other than the old or the new version during the switches', unexpected.size ? [...unexpected].join('; ') : 'none'],
  ]);
} finally {
  await server.stop();
}
