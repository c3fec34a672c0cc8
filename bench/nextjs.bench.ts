// A real Next.js 14 app's SSR capacity on Gantry's compute path: the next-pages-app fixture (installed and built
// once, cached in $TMPDIR/gantry-fixtures), bundled with bundleNextjs as a build does, its compute resource run
// by a ComputeHost behind a front server calling serveDeployment (what the site route does), against the same
// build run with `next start` (baseline), alternating, in one run. Both measured paths are Compute routes: `/`
// (a getServerSideProps page, through the middleware) and `/api/hello` (an API route); static targets answer
// 404 in the front, as nothing measured reaches them. Capacity is autocannon's, 16 connections, best of 2 runs
// per side; CPU per request comes from /proc (front process, app process tree), so the ratio can be read
// against the machine's cores. Then each side's cold start: from `host.warm(deployment)` to ready for three
// fresh versions (distinct ids) against `next start` from spawn to its first answer. Then the same through the
// sandboxed pool (bubblewrap, as the server runs compute apps), when the sandbox opens on this machine.
//
// The front server and its pool run in a child process (this file, run with `front <plain|sandbox> <dataDir>
// <bundleDir>`), as in the server, so the load generator here does not share the proxy's event loop.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { fmt, report } from './support.ts';

const CONCURRENCY = 16;
/** Seconds per autocannon run (whole seconds: it stops on its 1 s tick). */
const SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS ?? 3));
const COLD_STARTS = 3;
const PATHS = ['/', '/api/hello'] as const;
const ACCOUNT = '111111111111';
const WARM_UP_SECONDS: Record<string, number> = { '/': 2, '/api/hello': 1 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Front {
  /** The front server calling serveDeployment. */
  port: number;
  frontPid: number;
  appPid: number;
  /** The compute process's own port. */
  appPort: number;
  /** ms from host.warm(deployment) to ready, per fresh version. */
  cold: number[];
}

// ── child: the front server and its pool ────────────────────────────────────────────────────────────────────
async function runFront(variant: 'plain' | 'sandbox', dataDir: string, bundleDir: string): Promise<void> {
  const { ComputeHost, directSpawner, loadDeployManifest, sandboxSpawner, serveDeployment } = await import('../packages/hosting/src/compute/index.ts');
  let spawner = directSpawner();
  if (variant === 'sandbox') {
    const { BuildSandbox } = await import('@gantry/runner');
    const sandbox = BuildSandbox.open({ readOnly: [resolve(import.meta.dirname, '..')], hidden: [dataDir], perAccount: [join(dataDir, 'npm-cache')] });
    if (sandbox.unavailableReason) {
      console.log(JSON.stringify({ skipped: sandbox.unavailableReason }));
      return;
    }
    await sandbox.ready();
    spawner = sandboxSpawner(sandbox.forAccount(ACCOUNT));
  }
  const { manifest } = await loadDeployManifest(bundleDir);
  const computeRoot = join(bundleDir, 'compute');
  const host = new ComputeHost({ scratchRoot: join(dataDir, 'hosting', `compute-run-${variant}`), spawner, onLog: (e) => e.stream === 'stderr' && console.error(e.line) });
  const version = (id: string) => ({ id: `d1bench/main@${id}`, label: 'd1bench/main', manifest, computeRoot, account: ACCOUNT });
  // Cold starts: each a version the host has never run (a new pool, a new process), stopped once ready.
  const cold: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const deployment = version(`cold${i}`);
    const start = performance.now();
    await host.warm(deployment);
    cold.push(performance.now() - start);
    await host.stopVersion(deployment.id);
  }
  const deployment = version('v1');
  await host.warm(deployment);
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => serveDeployment(req, res, {
    host, deployment,
    serveStatic: () => {
      res.writeHead(404);
      res.end();
    },
  }));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const stop = async () => {
    server.closeAllConnections();
    server.close();
    await host.stopAll();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop()).resume();
  const front: Front = { port: (server.address() as AddressInfo).port, frontPid: process.pid, appPid: host.pool(deployment, 'default').pids()[0]!, appPort: host.pool(deployment, 'default').status().processes[0]!.port, cold };
  console.log(JSON.stringify(front));
}

// ── parent: the baseline and the load generator ────────────────────────────────────────────────────────────
async function startFront(variant: 'plain' | 'sandbox', dataDir: string, bundleDir: string): Promise<{ front?: Front; skipped?: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'front', variant, dataDir, bundleDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done);
    child.once('exit', (code) => fail(new Error(`the ${variant} front server exited with ${code} before it listened`)));
  });
  const parsed = JSON.parse(line) as Front & { skipped?: string };
  return {
    ...(parsed.skipped ? { skipped: parsed.skipped } : { front: parsed }),
    stop: () => new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    }),
  };
}

/** One request; resolves with its status (0 when nothing answers). */
function answer(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', () => done({ status: 0, body: '', headers: {} }));
    req.end();
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

interface NextStart {
  port: number;
  pid: number;
  /** ms from spawn to the first answer (HEAD /, polled every 10 ms). */
  firstAnswer: number;
  stop(): Promise<void>;
}

/** `next start` in the fixture's directory, as its own process group; resolves once it has answered. */
async function nextStart(appDir: string, env: Record<string, string>): Promise<NextStart> {
  const port = await freePort();
  const start = performance.now();
  const child: ChildProcess = spawn(process.execPath, [join(appDir, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: appDir, env, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    if ((await answer(port, '/', 'HEAD')).status) break;
    if (performance.now() - start > 30_000) throw new Error('next start did not answer within 30 s');
    await sleep(10);
  }
  const firstAnswer = performance.now() - start;
  return {
    port, pid: child.pid!, firstAnswer,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

// CPU time of a process tree, from /proc, as compute.bench.ts does.
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}
const treeCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);

interface Target {
  port: number;
  /** Processes whose CPU is counted: the front (Gantry only) and the app's tree. */
  front: number[];
  app: number[];
}

interface Capacity {
  rps: number;
  p50: number;
  p99: number;
  /** CPU µs per request in the front process and in the app. */
  frontCpu: number;
  appCpu: number;
}

async function capacity(target: Target, path: string, seconds = SECONDS): Promise<Capacity> {
  const cpu = { front: treeCpu(target.front), app: treeCpu(target.app) };
  const result = await autocannon({ url: `http://127.0.0.1:${target.port}${path}`, connections: CONCURRENCY, duration: seconds });
  const perRequest = (ms: number) => (ms * 1000) / result.requests.total;
  if (result.non2xx || result.errors) throw new Error(`port ${target.port}${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    frontCpu: perRequest(treeCpu(target.front) - cpu.front),
    appCpu: perRequest(treeCpu(target.app) - cpu.app),
  };
}

/**
 * A warm-up of each side, then the best of two runs per side (by req/s), alternating. The SSR page needs a few
 * seconds of load before V8 has optimized React's rendering: with 1 s, its CPU per request still halved later on.
 */
async function compare(targets: Record<string, Target>, path: string): Promise<Record<string, Capacity>> {
  for (const t of Object.values(targets)) await capacity(t, path, WARM_UP_SECONDS[path] ?? 1);
  const best: Record<string, Capacity> = {};
  for (let r = 0; r < 2; r++) {
    const names = Object.keys(targets);
    for (const name of r % 2 ? [...names].reverse() : names) {
      const c = await capacity(targets[name]!, path);
      if (!best[name] || c.rps > best[name]!.rps) best[name] = c;
    }
  }
  return best;
}

const figures = (c: Capacity, front: boolean) =>
  `${fmt(c.rps, 0)} req/s, p50 ${fmt(c.p50, 0)} ms, p99 ${fmt(c.p99, 0)} ms; CPU/req: app ${fmt(c.appCpu, 0)} µs${front ? `, front ${fmt(c.frontCpu, 0)} µs` : ''}`;

/** Checks that the front answers as the app does (SSR page through the middleware, API route) before timing it. */
async function check(port: number): Promise<void> {
  const page = await answer(port, '/');
  if (page.status !== 200 || !page.body.includes('rendered-at:') || page.headers['x-gantry-middleware'] !== 'ran') throw new Error(`port ${port} /: ${page.status} ${page.body.slice(0, 200)}`);
  const api = await answer(port, '/api/hello');
  if (api.status !== 200 || JSON.parse(api.body).hello !== 'world') throw new Error(`port ${port} /api/hello: ${api.status} ${api.body.slice(0, 200)}`);
}

async function measure(variant: string, front: Front, baseline: NextStart & { cold: number[]; coldMedian: number }, rows: Array<[string, string]>): Promise<void> {
  await check(front.port);
  const app = processTree(front.appPid);
  const targets: Record<string, Target> = {
    next: { port: baseline.port, front: [], app: processTree(baseline.pid) },
    gantry: { port: front.port, front: [front.frontPid], app },
    // Unsandboxed only (time): the bundle's server on its own port, which tells the proxy hop's share of the
    // gap from the standalone server's own difference to next start.
    ...(!variant && { direct: { port: front.appPort, front: [], app } }),
  };
  for (const path of PATHS) {
    const c = await compare(targets, path);
    rows.push(
      [`${variant}baseline: next start, ${path} (autocannon, ${CONCURRENCY} conns, best of 2×${SECONDS} s)`, figures(c.next!, false)],
      [`  through Gantry's compute path (serveDeployment)`, `${figures(c.gantry!, true)}  (${fmt(c.gantry!.rps / c.next!.rps, 2)}× throughput, goal ≥ 0.8×)`],
    );
    if (c.direct) rows.push([`  reference: the compute process's own port (no proxy)`, `${figures(c.direct, false)}  (${fmt(c.direct.rps / c.next!.rps, 2)}×)`]);
  }
  const cold = median(front.cold);
  // The baseline's cold starts were measured once, before either front started.
  if (!variant) rows.push([`baseline: next start, spawn to first answer (HEAD /, median of ${COLD_STARTS})`, `${fmt(baseline.coldMedian, 0)} ms  (${baseline.cold.map((ms) => fmt(ms, 0)).join(', ')})`]);
  rows.push([`  ${variant}compute version cold start, host.warm to ready (median of ${COLD_STARTS} fresh ids)`, `${fmt(cold, 0)} ms  (${front.cold.map((ms) => fmt(ms, 0)).join(', ')}; ${fmt(cold / baseline.coldMedian, 2)}× next start)`]);
}

async function main(): Promise<void> {
  const started = performance.now();
  const { prepareNextFixture, childEnv } = await import('../packages/hosting/src/frameworks/test-support.ts');
  const { bundleNextjs } = await import('../packages/hosting/src/frameworks/index.ts');
  const fixture = await prepareNextFixture('next-pages-app', (line) => console.log(`(${line})`));
  const prepared = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bench-nextjs-'));
  const rows: Array<[string, string]> = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    // The server's layout: bundles inside the data dir, which the sandbox hides.
    const bundle = await bundleNextjs({ appDir: fixture.appDir, outDir: join(dataDir, 'hosting', 'compute', 'bundles', 'b1', '.amplify-hosting') });
    const bundled = performance.now();
    // Cold starts of next start, one after another; the last one stays up as the baseline.
    const env = childEnv();
    const nextCold: number[] = [];
    let baseline!: NextStart;
    for (let i = 0; i < COLD_STARTS; i++) {
      baseline = await nextStart(fixture.appDir, env);
      nextCold.push(baseline.firstAnswer);
      if (i < COLD_STARTS - 1) await baseline.stop();
    }
    stops.push(() => baseline.stop());
    await check(baseline.port);
    const base = Object.assign(baseline, { cold: nextCold, coldMedian: median(nextCold) });

    const plain = await startFront('plain', dataDir, bundle.outDir);
    try {
      await measure('', plain.front!, base, rows);
    } finally {
      await plain.stop();
    }
    const boxed = await startFront('sandbox', dataDir, bundle.outDir);
    try {
      if (boxed.skipped) rows.push(['sandboxed pool (bubblewrap)', `skipped: ${boxed.skipped}`]);
      else await measure('sandboxed: ', boxed.front!, base, rows);
    } finally {
      await boxed.stop();
    }
    report(rows);
    console.log(`(next ${bundle.nextVersion}, bundle mode ${bundle.mode}, ${bundle.compute.files} compute files; sandboxed: bubblewrap, account ${ACCOUNT}; the pool's readiness probe backs off 20→200 ms, next start's is polled every 10 ms)`);
    console.log(`(${Math.round((performance.now() - started) / 1000)} s: fixture ${fixture.installed === 'cached' && fixture.built === 'cached' ? 'cached' : `install ${fixture.installed}, build ${fixture.built}`} ${fmt((prepared - started) / 1000, 1)} s, bundle ${fmt((bundled - prepared) / 1000, 1)} s; BENCH_SECONDS=${SECONDS} sets each autocannon run)`);
  } finally {
    for (const stop of stops) await stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'front') await runFront(process.argv[3] === 'sandbox' ? 'sandbox' : 'plain', process.argv[4]!, process.argv[5]!);
else await main();
