import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BuildSandbox, DEFAULT_BUILD_UID } from './build-sandbox.ts';
import { runShell } from './run-shell.ts';

// A data dir laid out as the server's: keys at the top, jobs under work/, npm's cache shared.
let dataDir: string;
let sandbox: BuildSandbox;
const KEY = 'master-key-bytes-that-must-not-leak';

before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'gantry-sandbox-test-'));
  writeFileSync(join(dataDir, 'master.key'), KEY, { mode: 0o600 });
  mkdirSync(join(dataDir, 'work', 'other-job'), { recursive: true });
  writeFileSync(join(dataDir, 'work', 'other-job', 'source.ts'), 'another account\'s source');
  sandbox = BuildSandbox.open({ readOnly: [], hidden: [dataDir], shared: [join(dataDir, 'npm-cache')] });
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

async function session(commands: string[], root = freshJob()): Promise<{ status: string; log: string; root: string }> {
  let log = '';
  const result = await runShell({
    workDir: root, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 20_000, phases: [{ name: 'build', commands }],
    sandbox: { sandbox, root }, onLog: (text) => (log += text),
  });
  return { status: result.status, log, root };
}

let jobs = 0;
function freshJob(): string {
  const dir = join(dataDir, 'work', `job-${++jobs}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

describe('the build sandbox', () => {
  test('bubblewrap runs on this machine (npm test installs it)', () => {
    assert.equal(sandbox.unavailableReason, undefined);
    assert.equal(sandbox.isolated, true);
  });

  test('a session sees none of the data dir but its own directory, and writes only there', async () => {
    const { status, log, root } = await session([
      `cat ${dataDir}/master.key || echo NO-KEY`,
      `ls -A ${dataDir} | tr '\\n' ' '; echo`,
      `cat ${dataDir}/work/other-job/source.ts || echo NO-OTHER-JOB`,
      'echo built > out.txt',
      'touch /usr/evil 2>/dev/null || echo NO-SYSTEM-WRITE',
    ]);
    assert.equal(status, 'SUCCEEDED', log);
    assert.ok(!log.includes(KEY), log);
    assert.match(log, /NO-KEY/);
    assert.match(log, /NO-OTHER-JOB/);
    assert.match(log, /NO-SYSTEM-WRITE/);
    assert.match(log, /^npm-cache work $/m, 'the data dir shows only the ways to the job and the shared cache');
    assert.deepEqual(readdirSync(root).sort(), ['.home', 'out.txt']);
  });

  test("the server's processes are out of sight: /proc shows only the session's own", async () => {
    const { status, log } = await session([
      `cat /proc/${process.pid}/environ || echo NO-SERVER-ENV`,
      'ls /proc | grep -E "^[0-9]+$" | wc -l',
    ]);
    assert.equal(status, 'SUCCEEDED', log);
    assert.match(log, /NO-SERVER-ENV/);
    const processes = Number(/^(\d+)$/m.exec(log.split('wc -l')[1] ?? '')?.[1]);
    assert.ok(processes > 0 && processes < 10, `only the sandbox's few processes are visible, saw ${processes}: ${log}`);
  });

  test('as root, the session runs as an unprivileged uid with no capabilities', { skip: process.getuid?.() !== 0 && 'the server is not root here' }, async () => {
    const { status, log, root } = await session(['id -u', 'grep CapEff /proc/self/status', 'echo x > mine']);
    assert.equal(status, 'SUCCEEDED', log);
    assert.match(log, new RegExp(`^${DEFAULT_BUILD_UID}$`, 'm'));
    assert.match(log, /CapEff:\s+0+$/m);
    assert.equal(statSync(join(root, 'mine')).uid, DEFAULT_BUILD_UID);
  });

  test("a hard link or symlink to a server file cannot be made: the file is not there to link", async () => {
    const { status, log, root } = await session([
      `ln ${dataDir}/master.key stolen 2>&1 || echo NO-HARD-LINK`,
      `ln -s ${dataDir}/master.key pointer && (cat pointer || echo DANGLING)`,
    ]);
    assert.equal(status, 'SUCCEEDED', log);
    assert.match(log, /NO-HARD-LINK/);
    assert.match(log, /DANGLING/);
    assert.ok(!log.includes(KEY));
    assert.deepEqual(readdirSync(root).filter((f) => f === 'stolen'), []);
  });

  test('the shared npm cache is writable', async () => {
    const { status, log } = await session([`touch ${dataDir}/npm-cache/entry && echo CACHED`]);
    assert.equal(status, 'SUCCEEDED', log);
    assert.match(log, /CACHED/);
  });

  test('where bubblewrap cannot start, builds are refused with the reason and the way out', async () => {
    const missing = BuildSandbox.open({ readOnly: [], hidden: [dataDir], bwrapPath: '/nonexistent/bwrap' });
    assert.match(missing.unavailableReason ?? '', /bwrap is not installed.*apt-get install bubblewrap.*--unsafe-builds/s);
    const root = freshJob();
    await assert.rejects(
      runShell({ workDir: root, env: {}, timeoutMs: 5_000, phases: [{ name: 'p', commands: ['true'] }], sandbox: { sandbox: missing, root }, onLog: () => {} }),
      (error: Error & { code?: string }) => error.code === 'ServiceUnavailable' && /--unsafe-builds/.test(error.message),
    );
  });

  test('--unsafe-builds runs the session as the server itself, as the flag says', async () => {
    const unsafe = BuildSandbox.open({ readOnly: [], hidden: [dataDir], unsafe: true });
    assert.equal(unsafe.isolated, false);
    const root = freshJob();
    let log = '';
    const result = await runShell({
      workDir: root, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 5_000, phases: [{ name: 'p', commands: [`cat ${dataDir}/master.key`] }],
      sandbox: { sandbox: unsafe, root }, onLog: (t) => (log += t),
    });
    assert.equal(result.status, 'SUCCEEDED');
    assert.ok(log.includes(KEY));
  });
});
