// Compute processes in the build sandbox (bubblewrap): the app answers through the proxy as usual, sees its own
// directory read-only and a writable HOME and /tmp, and cannot read the server's data directory, even where its
// compute directory lies inside it. Skipped, saying why, where bubblewrap cannot run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildSandbox } from '@gantry/runner';
import { ComputePool } from './compute-pool.ts';
import { proxyToCompute } from './compute-proxy.ts';
import { sandboxSpawner } from './compute-process.ts';
import { SERVER_SCRIPT, send, startFront, tempDir, writeComputeBundle, type FrontServer } from './test-support.ts';

let dir: { path: string; remove: () => Promise<void> };
let sandbox: BuildSandbox;
let skip: string | false = false;
// The layout of an install: Gantry's files readable by builds, its data dir (keys, database, sites) hidden.
let install: string;
let dataDir: string;

before(async () => {
  dir = await tempDir('gantry-compute-sandbox-');
  install = join(dir.path, 'install');
  dataDir = join(install, 'data');
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(install, 'README.md'), 'readable by builds');
  await writeFile(join(dataDir, 'secret.key'), 'TOP-SECRET');
  sandbox = BuildSandbox.open({ readOnly: [install], hidden: [dataDir] });
  if (sandbox.unavailableReason) skip = `bubblewrap cannot run here: ${sandbox.unavailableReason}`;
});

after(async () => {
  await dir?.remove();
});

describe('compute processes in the sandbox', () => {
  let pool: ComputePool;
  let front: FrontServer;
  let computeDir: string;

  before(async () => {
    if (skip) return;
    // The compute bundle is stored in the data dir, as the bundle store does it.
    const computeRoot = await writeComputeBundle(join(dataDir, 'compute', 'bundles', 'b1'), { default: { 'server.mjs': SERVER_SCRIPT } });
    computeDir = join(computeRoot, 'default');
    pool = new ComputePool({
      label: 'd1sandbox/main@v1/default',
      dir: computeDir,
      entrypoint: 'server.mjs',
      scratchDir: join(dataDir, 'compute-run', 'v1-default'),
      env: { GREETING: 'hello' },
      spawner: sandboxSpawner(sandbox),
    });
    front = await startFront((req, res) => void proxyToCompute(req, res, pool));
  });

  after(async () => {
    await pool?.stop();
    await front?.close();
  });

  const read = async (path: string) => JSON.parse((await send(front.port, `/read?path=${encodeURIComponent(path)}`)).body);
  const write = async (path: string) => JSON.parse((await send(front.port, `/write?path=${encodeURIComponent(path)}`)).body);

  it('answers through the proxy with its environment, as the unprivileged sandbox user', async (t) => {
    if (skip) return t.skip(skip);
    const reply = await send(front.port, '/env');
    assert.equal(reply.status, 200);
    const { env, cwd } = JSON.parse(reply.body);
    assert.equal(env.GREETING, 'hello');
    assert.equal(cwd, computeDir);
    assert.equal(env.HOME, join(dataDir, 'compute-run', 'v1-default'));
    if (process.getuid?.() === 0) {
      const status = await read('/proc/self/status');
      assert.match(status.text, /\nUid:\s+65534\s/);
    }
  });

  it('cannot read the data dir it is stored in, nor other files of the server', async (t) => {
    if (skip) return t.skip(skip);
    assert.deepEqual(await read(join(dataDir, 'secret.key')), { ok: false, code: 'ENOENT' });
    assert.deepEqual(await read(join(dir.path, 'install', 'data', 'secret.key')), { ok: false, code: 'ENOENT' });
    // What the sandbox does show: the install (read-only) and its own files.
    assert.equal((await read(join(install, 'README.md'))).text, 'readable by builds');
    assert.equal((await read(join(computeDir, 'server.mjs'))).ok, true);
  });

  it('can write its HOME and /tmp, not its own directory', async (t) => {
    if (skip) return t.skip(skip);
    assert.deepEqual(await write(join(dataDir, 'compute-run', 'v1-default', 'cache.txt')), { ok: true });
    assert.deepEqual(await write('/tmp/scratch.txt'), { ok: true });
    const own = await write(join(computeDir, 'changed.mjs'));
    assert.equal(own.ok, false);
    assert.ok(['EROFS', 'EACCES'].includes(own.code), own.code);
    assert.equal((await write(join(install, 'README.md'))).ok, false);
  });

  it('stops with the pool', async (t) => {
    if (skip) return t.skip(skip);
    await send(front.port, '/env');
    const [pid] = pool.pids();
    const { port } = pool.status().processes[0];
    await pool.stop();
    assert.deepEqual(pool.pids(), []);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    // The app inside (in the sandbox's own PID namespace) is gone too: nothing answers on its port.
    await assert.rejects(send(port, '/env'), /ECONNREFUSED/);
  });
});
