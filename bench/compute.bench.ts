// The compute proxy's cost per request: a tiny app server (a ~1 KiB answer) run by a compute pool, requested
// directly on its port (baseline) and through a front server that hands each request to serveDeployment (what
// the site route does) or straight to proxyToCompute, alternating, in one run. Workloads: N sequential requests
// on one keep-alive connection, and a burst of 16 concurrent keep-alive clients, both with the same node:http
// client (Agent keepAlive) on every side; then the capacity of each with autocannon, 16 connections: the
// node:http client costs about as much CPU per request as the tiny app does, so in the burst the baseline is
// partly bounded by the client, and autocannon shows the servers' own limits. A bare node:http proxy (request on
// a keep-alive agent, pipe back, nothing checked) is measured beside them: the cost of any Node.js hop, so the
// difference to it is what Gantry's proxy itself adds. Then the same through the sandboxed pool (bubblewrap, as
// the server runs compute apps), when the sandbox opens on this machine.
//
// The front servers and their pool run in a child process (this file, run with `front <plain|sandbox>`), as in
// the server, so the load generator here does not share the proxy's event loop.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { fmt, report } from './support.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = 16;
const BURST = N * 4;
/** Seconds per autocannon run (whole seconds: it stops on its 1 s tick). */
const CAPACITY_SECONDS = Math.max(1, Math.round(N / 3000));
const ROUNDS = 3;
const BODY_BYTES = 1024;

const APP_SCRIPT = `
import { createServer } from 'node:http';
const body = Buffer.alloc(${BODY_BYTES}, 'x');
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

interface Endpoints {
  /** The app's own port (the baseline). */
  app: number;
  /** A front server calling serveDeployment (manifest routing, then the proxy). */
  serve: number;
  /** A front server calling proxyToCompute directly. */
  proxy: number;
  /** Reference: the least a Node.js proxy does (node:http server, request on a keep-alive agent, pipe back). */
  bare: number;
  /** The front servers' process (the pool's too) and the app's (bubblewrap's, in the sandbox). */
  frontPid: number;
  appPid: number;
}

// ── child: the front servers and their pool ─────────────────────────────────────────────────────────────────
async function runFront(variant: 'plain' | 'sandbox'): Promise<void> {
  const { ComputeHost, directSpawner, parseDeployManifest, proxyToCompute, sandboxSpawner, serveDeployment } = await import('../packages/hosting/src/compute/index.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bench-compute-'));
  // The server's layout: bundles and scratch directories inside the data dir, which the sandbox hides.
  const computeRoot = join(dataDir, 'hosting', 'compute', 'bundles', 'b1', 'compute');
  mkdirSync(join(computeRoot, 'default'), { recursive: true });
  writeFileSync(join(computeRoot, 'default', 'server.mjs'), APP_SCRIPT);
  let spawner = directSpawner();
  if (variant === 'sandbox') {
    const { BuildSandbox } = await import('@gantry/runner');
    const sandbox = BuildSandbox.open({ readOnly: [resolve(import.meta.dirname, '..')], hidden: [dataDir] });
    if (sandbox.unavailableReason) {
      rmSync(dataDir, { recursive: true, force: true });
      console.log(JSON.stringify({ skipped: sandbox.unavailableReason }));
      return;
    }
    spawner = sandboxSpawner(sandbox);
  }
  const { manifest } = parseDeployManifest({
    version: 1,
    routes: [
      { path: '/_next/static/*', target: { kind: 'Static', cacheControl: 'public, max-age=31536000, immutable' } },
      { path: '/*.*', target: { kind: 'Static' }, fallback: { kind: 'Compute', src: 'default' } },
      { path: '/*', target: { kind: 'Compute', src: 'default' } },
    ],
    computeResources: [{ name: 'default', runtime: 'nodejs20.x', entrypoint: 'server.mjs' }],
    framework: { name: 'bench', version: '1.0.0' },
  });
  const host = new ComputeHost({ scratchRoot: join(dataDir, 'hosting', 'compute-run'), spawner, onLog: (e) => e.stream === 'stderr' && console.error(e.line) });
  const deployment = { id: 'd1bench/main@v1', label: 'd1bench/main', manifest, computeRoot };
  const pool = host.pool(deployment, 'default');
  await pool.start();
  const listen = async (handle: Parameters<typeof createServer>[1]) => {
    const server = createServer({ keepAliveTimeout: 60_000 }, handle);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return server;
  };
  const serve = await listen((req, res) => serveDeployment(req, res, {
    host, deployment,
    serveStatic: () => {
      res.writeHead(404);
      res.end();
    },
  }));
  const proxy = await listen((req, res) => void proxyToCompute(req, res, pool));
  const bareAgent = new Agent({ keepAlive: true, scheduling: 'lifo', noDelay: true });
  const appPort = pool.status().processes[0]!.port;
  const bare = await listen((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: appPort, method: req.method, path: req.url, headers: req.headers, agent: bareAgent }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.rawHeaders);
      upRes.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    upstream.end();
  });
  const stop = async () => {
    for (const server of [serve, proxy, bare]) {
      server.closeAllConnections();
      server.close();
    }
    await host.stopAll();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop()).resume();
  const port = (server: typeof serve) => (server.address() as AddressInfo).port;
  const endpoints: Endpoints = { app: appPort, serve: port(serve), proxy: port(proxy), bare: port(bare), frontPid: process.pid, appPid: pool.pids()[0]! };
  console.log(JSON.stringify(endpoints));
}

// ── parent: the load generator ──────────────────────────────────────────────────────────────────────────────
async function startFront(variant: 'plain' | 'sandbox'): Promise<{ endpoints?: Endpoints; skipped?: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'front', variant], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done);
    child.once('exit', (code) => fail(new Error(`the ${variant} front server exited with ${code} before it listened`)));
  });
  const parsed = JSON.parse(line) as Endpoints & { skipped?: string };
  return {
    ...(parsed.skipped ? { skipped: parsed.skipped } : { endpoints: parsed }),
    child,
    stop: () => new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    }),
  };
}

/** One GET of `/` on `agent`; resolves with its latency in ms once the whole body has arrived. */
function get(port: number, agent: Agent): Promise<number> {
  return new Promise((done, fail) => {
    const start = performance.now();
    request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        if (res.statusCode !== 200 || bytes !== BODY_BYTES) fail(new Error(`port ${port}: ${res.statusCode}, ${bytes} bytes`));
        else done(performance.now() - start);
      });
    }).on('error', fail).end();
  });
}

// CPU time of the front process and of the app (its whole process tree: in the sandbox, bubblewrap and the app
// inside), from /proc, so each proxied request's CPU cost shows apart from the machine's other load.
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** utime + stime of `pid` in ms (0 once it is gone). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}
/** `root` and its descendants, now. */
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
let watched: { front: number; app: number[] } = { front: 0, app: [] };
const cpuNow = () => ({ front: cpuMs(watched.front), app: watched.app.reduce((sum, pid) => sum + cpuMs(pid), 0) });

interface Run {
  latencies: number[];
  /** Wall time of the whole run (ms). */
  wall: number;
  /** CPU ms used meanwhile by the front process and the app. */
  front: number;
  app: number;
}

/** `total` requests from `clients` keep-alive clients, each sending its next request once the last is answered. */
async function load(port: number, total: number, clients: number): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients, noDelay: true });
  const latencies: number[] = [];
  let left = total;
  // Open the connections before timing.
  await Promise.all(Array.from({ length: clients }, () => get(port, agent)));
  const cpu = cpuNow();
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (left-- > 0) latencies.push(await get(port, agent));
  }));
  const wall = performance.now() - start;
  const after = cpuNow();
  agent.destroy();
  return { latencies, wall, front: after.front - cpu.front, app: after.app - cpu.app };
}

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

interface Stats {
  p50: number;
  p99: number;
  rps: number;
  /** CPU µs per request in the front process and in the app. */
  frontCpu: number;
  appCpu: number;
}

/** Runs each target `ROUNDS` times, alternating, and pools the figures per target. */
async function compare(targets: Record<string, number>, total: number, clients: number): Promise<Record<string, Stats>> {
  const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (const port of Object.values(targets)) await load(port, Math.min(500, total), clients); // warm-up (JIT, pools)
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(targets);
    if (r % 2) names.reverse();
    for (const name of names) runs[name]!.push(await load(targets[name]!, Math.ceil(total / ROUNDS), clients));
  }
  return Object.fromEntries(Object.entries(runs).map(([name, rs]) => {
    const latencies = rs.flatMap((r) => r.latencies);
    const sum = (key: 'wall' | 'front' | 'app') => rs.reduce((total, r) => total + r[key], 0);
    const perRequest = (ms: number) => (ms * 1000) / latencies.length;
    return [name, { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), rps: (latencies.length / sum('wall')) * 1000, frontCpu: perRequest(sum('front')), appCpu: perRequest(sum('app')) }];
  }));
}

const figures = (s: Stats) => `p50 ${fmt(s.p50, 3)} ms, p99 ${fmt(s.p99, 3)} ms, ${fmt(s.rps, 0)} req/s; CPU/req: app ${fmt(s.appCpu, 0)} µs`;
const versus = (s: Stats, base: Stats) =>
  `${figures(s)}, front ${fmt(s.frontCpu, 0)} µs  (+${fmt((s.p50 - base.p50) * 1000, 0)} µs p50, ${fmt(s.p50 / base.p50, 2)}× p50, ${fmt(s.p99 / base.p99, 2)}× p99, ${fmt(s.rps / base.rps, 2)}× throughput)`;

/** Requests per second `autocannon` (a far lighter client than node:http) gets from `port` with `CONCURRENCY` connections. */
async function capacity(port: number): Promise<number> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONCURRENCY, duration: CAPACITY_SECONDS });
  if (result.non2xx || result.errors) throw new Error(`port ${port}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.total / result.duration;
}

/** The best of two runs per target, alternating (the servers are warm from the node:http runs). */
async function compareCapacity(targets: Record<string, number>): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (let r = 0; r < 2; r++) {
    const names = Object.keys(targets);
    if (r % 2) names.reverse();
    for (const name of names) best[name] = Math.max(best[name] ?? 0, await capacity(targets[name]!));
  }
  return best;
}

const LABELS: Record<string, string> = {
  serve: 'through serveDeployment',
  proxy: 'through proxyToCompute alone',
  bare: 'reference: bare node:http proxy',
};

async function measure(variant: string, endpoints: Endpoints, names: Array<keyof Endpoints>, rows: Array<[string, string]>): Promise<void> {
  const targets = Object.fromEntries(names.map((n) => [n, endpoints[n]]));
  watched = { front: endpoints.frontPid, app: processTree(endpoints.appPid) };
  for (const [what, total, clients] of [['sequential', N, 1], [`${CONCURRENCY} concurrent`, BURST, CONCURRENCY]] as const) {
    const s = await compare(targets, total, clients);
    rows.push([`${variant}baseline: the app's own port, ${what} (${total} req)`, figures(s.app!)]);
    for (const name of names.slice(1)) rows.push([`  ${LABELS[name]}`, versus(s[name]!, s.app!)]);
  }
  const c = await compareCapacity(targets);
  rows.push([`${variant}baseline: the app's own port, capacity (autocannon, ${CONCURRENCY} conns, best of 2×${CAPACITY_SECONDS} s)`, `${fmt(c.app!, 0)} req/s`]);
  for (const name of names.slice(1)) rows.push([`  ${LABELS[name]}`, `${fmt(c[name]!, 0)} req/s  (${fmt(c[name]! / c.app!, 2)}×; 1/throughput +${fmt(1e6 / c[name]! - 1e6 / c.app!, 0)} µs per request)`]);
}

async function main(): Promise<void> {
  const started = performance.now();
  const rows: Array<[string, string]> = [];
  const plain = await startFront('plain');
  try {
    await measure('', plain.endpoints!, ['app', 'serve', 'proxy', 'bare'], rows);
  } finally {
    await plain.stop();
  }
  const boxed = await startFront('sandbox');
  try {
    if (boxed.skipped) rows.push(['sandboxed pool (bubblewrap)', `skipped: ${boxed.skipped}`]);
    else await measure('sandboxed pool, ', boxed.endpoints!, ['app', 'serve'], rows);
  } finally {
    await boxed.stop();
  }
  report(rows);
  console.log(`(${Math.round((performance.now() - started) / 1000)} s; BENCH_REQUESTS=${N} scales the runs)`);
}

if (process.argv[2] === 'front') await runFront(process.argv[3] === 'sandbox' ? 'sandbox' : 'plain');
else await main();
