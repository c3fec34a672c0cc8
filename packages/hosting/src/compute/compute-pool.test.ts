// Compute pools and the proxy, end to end: real Node.js server processes behind a real front server (no sandbox:
// see compute-sandbox.test.ts for that). Environment, streaming, cookies, forwarded headers, crashes and restarts,
// several processes, stopping a version, body limit, timeout, unavailable resources, fallbacks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { ComputeHost, ComputePool, type ComputeDeployment } from './compute-pool.ts';
import { proxyToCompute, type ComputeProxyOptions } from './compute-proxy.ts';
import type { ComputeLogEntry } from './compute-process.ts';
import { parseDeployManifest } from './deploy-manifest.ts';
import { serveDeployment } from './serve-deployment.ts';
import { SERVER_SCRIPT, SILENT_SCRIPT, alive, send, startFront, tempDir, writeComputeBundle, type FrontServer } from './test-support.ts';

process.env.GANTRY_TEST_SERVER_SECRET = 'server-only';

describe('compute pool and proxy', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let computeRoot: string;
  let pool: ComputePool;
  let front: FrontServer;
  const logs: ComputeLogEntry[] = [];
  let proxyOptions: ComputeProxyOptions = {};

  before(async () => {
    dir = await tempDir();
    computeRoot = await writeComputeBundle(dir.path, { default: { 'server.mjs': SERVER_SCRIPT }, silent: { 'index.js': SILENT_SCRIPT } });
    pool = new ComputePool({
      label: 'd1test/main@v1/default',
      dir: join(computeRoot, 'default'),
      entrypoint: 'server.mjs',
      scratchDir: join(dir.path, 'run', 'main'),
      env: { FOO: 'bar', NODE_ENV: 'staging' },
      onLog: (entry) => logs.push(entry),
    });
    front = await startFront((req, res) => void proxyToCompute(req, res, pool, proxyOptions));
  });

  after(async () => {
    await pool?.stop();
    await front?.close();
    await dir?.remove();
  });

  it('starts lazily and gives the app its environment, PORT and nothing of the server', async () => {
    assert.equal(pool.state, 'idle');
    const reply = await send(front.port, '/env?x=1');
    assert.equal(reply.status, 200);
    const { env, cwd, url } = JSON.parse(reply.body);
    assert.equal(env.FOO, 'bar');
    assert.equal(env.NODE_ENV, 'staging');
    assert.match(env.PORT, /^\d+$/);
    assert.notEqual(env.PORT, String(front.port));
    assert.equal(env.HOST, '127.0.0.1');
    assert.equal(env.HOME, join(dir.path, 'run', 'main'));
    assert.equal(env.GANTRY_TEST_SERVER_SECRET, undefined);
    assert.equal(cwd, join(computeRoot, 'default'));
    assert.equal(url, '/env?x=1');
    assert.equal(pool.state, 'running');
  });

  it('streams a response chunk by chunk', async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) => request({ host: '127.0.0.1', port: front.port, path: '/stream', agent: false }, resolve).on('error', reject).end());
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    const first = await Promise.race([
      once(res, 'data').then(([chunk]) => String(chunk)),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the first chunk did not arrive before the response ended: the proxy buffers')), 3000)),
    ]);
    assert.equal(first, 'first\n');
    assert.equal(res.complete, false);
    assert.equal((await send(front.port, '/release')).status, 200);
    let rest = '';
    for await (const chunk of res) rest += chunk;
    assert.equal(rest, 'second\n');
  });

  it('streams a request body to the app and its echo back', async () => {
    const chunks = Array.from({ length: 20 }, (_, i) => Buffer.alloc(1000, 97 + (i % 26)));
    const reply = await send(front.port, '/echo', { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: chunks });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, Buffer.concat(chunks).toString());
  });

  it('passes several Set-Cookie headers', async () => {
    const reply = await send(front.port, '/cookies');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly']);
    assert.equal(reply.body, 'cookies');
  });

  it('sets X-Forwarded-* itself and strips hop-by-hop headers', async () => {
    const reply = await send(front.port, '/headers', {
      headers: [
        'Host', 'shop.example.test:8443',
        'X-Forwarded-For', '6.6.6.6',
        'X-Forwarded-Host', 'evil.test',
        'X-Forwarded-Proto', 'https',
        'X-Forwarded-Prefix', '/x',
        'Forwarded', 'for=6.6.6.6',
        'X-Real-IP', '6.6.6.6',
        'Connection', 'keep-alive, X-Hop',
        'X-Hop', 'secret',
        'Keep-Alive', 'timeout=5',
        'Proxy-Authorization', 'Basic eDp5',
        'Cookie', 'a=1',
        'Cookie', 'b=2',
        'X-App', 'kept',
      ],
    });
    const { headers, raw } = JSON.parse(reply.body) as { headers: Record<string, string>; raw: string[] };
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-host'], 'shop.example.test:8443');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-port'], '8443');
    assert.equal(headers.host, 'shop.example.test:8443');
    assert.equal(headers['x-app'], 'kept');
    for (const name of ['forwarded', 'x-real-ip', 'x-hop', 'keep-alive', 'proxy-authorization', 'x-forwarded-prefix']) assert.equal(headers[name], undefined, name);
    // One X-Forwarded-For only, and both Cookie headers as sent.
    assert.equal(raw.filter((h) => h.toLowerCase() === 'x-forwarded-for').length, 1);
    assert.equal(raw.filter((h) => h.toLowerCase() === 'cookie').length, 2);
  });

  it('uses forwarded values it is given (behind a trusted proxy)', async () => {
    proxyOptions = { forwarded: { for: '203.0.113.9', proto: 'https', host: 'app.example.com', port: 443 } };
    try {
      const { headers } = JSON.parse((await send(front.port, '/headers')).body);
      assert.deepEqual([headers['x-forwarded-for'], headers['x-forwarded-proto'], headers['x-forwarded-host'], headers['x-forwarded-port']], ['203.0.113.9', 'https', 'app.example.com', '443']);
    } finally {
      proxyOptions = {};
    }
  });

  it('answers 502 when the process dies before answering, restarts it, and answers the next request', async () => {
    const before = JSON.parse((await send(front.port, '/env')).body).pid;
    // POST: not repeated on another process when the connection breaks (a GET would be, once).
    const crashed = await send(front.port, '/crash', { method: 'POST' });
    assert.equal(crashed.status, 502);
    assert.match(crashed.body, /compute resource 'default'\) stopped before it finished answering/);
    const next = await send(front.port, '/env');
    assert.equal(next.status, 200);
    const after = JSON.parse(next.body).pid;
    assert.notEqual(after, before);
    assert.equal(alive(before), false);
    assert.ok(logs.some((l) => l.stream === 'system' && /exited with code 3/.test(l.line)), JSON.stringify(logs.filter((l) => l.stream === 'system')));
    assert.ok(logs.some((l) => /restarting in \d+ ms/.test(l.line)));
  });

  it('cuts off a response when the process dies while sending it', async () => {
    const outcome = await new Promise<string>((resolve) => {
      request({ host: '127.0.0.1', port: front.port, path: '/crash-mid', agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(`ended:${body}`));
        res.on('error', () => resolve(`aborted:${body}`));
      }).on('error', (e) => resolve(`error:${e.message}`)).end();
    });
    assert.equal(outcome, 'aborted:partial');
    assert.equal((await send(front.port, '/env')).status, 200);
  });

  it('answers 413 for a declared or streamed body over the limit', async () => {
    proxyOptions = { maxRequestBodyBytes: 1000 };
    try {
      const declared = await send(front.port, '/echo', { method: 'POST', body: Buffer.alloc(2000) });
      assert.equal(declared.status, 413);
      assert.match(declared.body, /request body \(2000 bytes\) is larger than 1000 bytes/);
      const streamed = await send(front.port, '/echo', { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: [Buffer.alloc(600), Buffer.alloc(600)] });
      assert.equal(streamed.status, 413);
      assert.match(streamed.body, /larger than 1000 bytes/);
      assert.equal((await send(front.port, '/echo', { method: 'POST', body: 'small' })).body, 'small');
    } finally {
      proxyOptions = {};
    }
  });

  it('answers 504 when the app does not answer in time', async () => {
    proxyOptions = { requestTimeoutMs: 300 };
    try {
      const started = Date.now();
      const reply = await send(front.port, '/slow');
      assert.equal(reply.status, 504);
      assert.match(reply.body, /did not answer within 0\.3 s, the time limit for a request/);
      assert.ok(Date.now() - started < 2000);
    } finally {
      proxyOptions = {};
    }
    // The process is still fine.
    assert.equal((await send(front.port, '/env')).status, 200);
  });

  it('keeps connections to the process alive between requests', async () => {
    await send(front.port, '/env');
    const sockets = () => Object.values(pool.agent.freeSockets).flat().length;
    assert.ok(sockets() >= 1);
    const pid = JSON.parse((await send(front.port, '/env')).body).pid;
    assert.equal(pool.pids()[0], pid);
  });

  it('answers 503 when no process becomes ready within the start timeout', async () => {
    const silent = new ComputePool({ label: 'silent', resource: 'silent', dir: join(computeRoot, 'silent'), entrypoint: 'index.js', scratchDir: join(dir.path, 'run', 'silent'), startTimeoutMs: 400 });
    const front503 = await startFront((req, res) => void proxyToCompute(req, res, silent));
    try {
      const reply = await send(front503.port, '/');
      assert.equal(reply.status, 503);
      assert.equal(reply.headers['retry-after'], '5');
      assert.match(reply.body, /Compute resource 'silent' \(silent\) has no process ready to answer: none became ready within 0\.4 s/);
    } finally {
      await silent.stop();
      await front503.close();
    }
  });
});

describe('compute host', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let host: ComputeHost;
  let deployment: ComputeDeployment;

  before(async () => {
    dir = await tempDir();
    const computeRoot = await writeComputeBundle(dir.path, { default: { 'server.mjs': SERVER_SCRIPT }, api: { 'api.mjs': SERVER_SCRIPT } });
    const { manifest } = parseDeployManifest({
      version: 1,
      routes: [
        { path: '/api/*', target: { kind: 'Compute', src: 'api' } },
        { path: '/*.*', target: { kind: 'Static' }, fallback: { kind: 'Compute', src: 'default' } },
        { path: '/*', target: { kind: 'Compute', src: 'default' }, fallback: { kind: 'Static' } },
      ],
      computeResources: [
        { name: 'default', runtime: 'nodejs20.x', entrypoint: 'server.mjs' },
        { name: 'api', runtime: 'nodejs20.x', entrypoint: 'api.mjs' },
      ],
      framework: { name: 'test', version: '1.0.0' },
    });
    deployment = { id: 'd1test/main@v2', label: 'd1test/main', manifest, computeRoot, env: { WHICH: 'v2' } };
    host = new ComputeHost({ scratchRoot: join(dir.path, 'run'), processes: 2, idleStopMs: undefined });
  });

  after(async () => {
    await host?.stopAll();
    await dir?.remove();
  });

  it('runs N processes per resource and uses them all', async () => {
    await host.warm(deployment);
    const pool = host.pool(deployment, 'default');
    const front = await startFront((req, res) => void proxyToCompute(req, res, pool));
    try {
      const pids = new Set<number>();
      for (let i = 0; i < 6; i++) pids.add(JSON.parse((await send(front.port, '/env')).body).pid);
      assert.equal(pids.size, 2);
      assert.deepEqual([...pids].sort(), pool.pids().sort());
      // Concurrent requests spread too: two slow streams occupy both processes.
      assert.equal(host.status().length, 2);
    } finally {
      await front.close();
    }
  });

  it('routes with the manifest and falls back on 404', async () => {
    const served: string[] = [];
    const front = await startFront((req, res) => serveDeployment(req, res, {
      host,
      deployment,
      serveStatic: ({ target, onNotFound }) => {
        served.push(`${req.method} ${req.url} static${onNotFound ? '+fallback' : ''}`);
        if (req.url === '/logo.png') {
          res.writeHead(200, { 'content-type': 'image/png' });
          return void res.end('png');
        }
        if (onNotFound) return onNotFound();
        res.writeHead(404);
        res.end(`static 404 (${target.kind})`);
      },
    }));
    try {
      assert.equal((await send(front.port, '/logo.png')).body, 'png');
      // Static 404 → compute fallback (GET).
      const page = await send(front.port, '/blog/hello.world');
      assert.equal(JSON.parse(page.body).path, '/blog/hello.world');
      // POST: no fallback, the static 404 stands.
      const post = await send(front.port, '/form.php', { method: 'POST', body: 'x' });
      assert.equal(post.status, 404);
      assert.equal(post.body, 'static 404 (Static)');
      // Compute 404 → static fallback.
      const missing = await send(front.port, '/missing');
      assert.equal(missing.body, 'static 404 (Static)');
      // /api/* goes to the other resource, with the version's environment.
      const api = JSON.parse((await send(front.port, '/api/env')).body);
      assert.equal(api.path, '/api/env');
      assert.equal((await send(front.port, '/env')).status, 200);
      assert.equal(JSON.parse((await send(front.port, '/env')).body).env.WHICH, 'v2');
      assert.deepEqual(served, ['GET /logo.png static+fallback', 'GET /blog/hello.world static+fallback', 'POST /form.php static', 'GET /missing static']);
    } finally {
      await front.close();
    }
  });

  it('stops every process of a version with stopVersion', async () => {
    const pools = ['default', 'api'].map((name) => host.pool(deployment, name));
    await Promise.all(pools.map((p) => p.start()));
    const pids = pools.flatMap((p) => p.pids());
    assert.equal(pids.length, 4);
    assert.ok(pids.every(alive));
    await host.stopVersion(deployment.id);
    assert.deepEqual(host.versions(), []);
    assert.ok(pids.every((pid) => !alive(pid)), 'all processes are gone');
    await assert.rejects(pools[0].acquire(), /is stopped: its version is no longer live/);
    // A new pool for the same version starts again (a re-activation).
    const again = host.pool(deployment, 'default');
    assert.notEqual(again, pools[0]);
    await again.start();
    assert.equal(again.pids().length, 2);
  });

  it('stops idle processes and starts them again on the next request', async () => {
    const idleHost = new ComputeHost({ scratchRoot: join(dir.path, 'run-idle'), idleStopMs: 150 });
    try {
      const pool = idleHost.pool({ ...deployment, id: 'idle' }, 'default');
      await pool.start();
      const [pid] = pool.pids();
      const deadline = Date.now() + 3000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(alive(pid), false);
      assert.deepEqual(pool.pids(), []);
      const lease = await pool.acquire();
      lease.release();
      assert.notEqual(pool.pids()[0], pid);
    } finally {
      await idleHost.stopAll();
    }
  });
});

describe('servers that listen on the specification port 3000', () => {
  // As Nitro's aws-amplify preset does: `server.listen(3000, cb)`, whatever PORT says.
  const script = (form: string) => `
import { createServer } from 'node:http';
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ address: server.address() })); });
${form}
`;
  let dir: { path: string; remove: () => Promise<void> };
  let host: ComputeHost;

  before(async () => {
    dir = await tempDir();
    host = new ComputeHost({ scratchRoot: join(dir.path, 'run'), processes: 2 });
  });
  after(async () => {
    await host?.stopAll();
    await dir?.remove();
  });

  for (const [name, form] of [['listen(3000, callback)', 'server.listen(3000, () => {});'], ['listen({ port: 3000, host })', "server.listen({ port: 3000, host: '0.0.0.0' });"]] as const) {
    it(`${name}: each process answers on its own port at 127.0.0.1, so several run side by side`, async () => {
      const computeRoot = await writeComputeBundle(join(dir.path, name.length.toString()), { default: { 'server.mjs': script(form) } });
      const { manifest } = parseDeployManifest({
        version: 1, routes: [{ path: '/*', target: { kind: 'Compute', src: 'default' } }],
        computeResources: [{ name: 'default', runtime: 'nodejs20.x', entrypoint: 'server.mjs' }], framework: { name: 'nitro-like', version: '1.0.0' },
      });
      const deployment: ComputeDeployment = { id: `port-3000-${name.length}`, manifest, computeRoot };
      await host.warm(deployment);
      const pool = host.pool(deployment, 'default');
      const front = await startFront((req, res) => void proxyToCompute(req, res, pool));
      try {
        const addresses = new Set<string>();
        for (let i = 0; i < 4; i++) {
          const { address } = JSON.parse((await send(front.port, '/')).body);
          assert.equal(address.address, '127.0.0.1');
          assert.notEqual(address.port, 3000);
          addresses.add(String(address.port));
        }
        assert.equal(addresses.size, 2, 'both processes answer, each on its own port');
      } finally {
        await front.close();
        await host.stopVersion(deployment.id);
      }
    });
  }
});
