import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BuildSandbox, DEFAULT_BUILD_UID } from './build-sandbox.ts';
import { runShell } from './run-shell.ts';

const KEY = 'master-key-bytes-that-must-not-leak';
const asRoot = process.getuid?.() === 0;

// Every property holds whichever mount namespace bubblewrap starts from: the host's, or the lean one hosts with
// many mounts get (only root can enter it).
for (const mode of ['host', 'lean'] as const) {
  const skip = mode === 'lean' && !asRoot && 'only root enters the lean mount namespace';
  describe(`the build sandbox, started from the ${mode} mount namespace`, { skip }, () => {
    // A data dir laid out as the server's: keys at the top, jobs under work/, npm's cache per account, and a
    // directory every build shares.
    let dataDir: string;
    let sandbox: BuildSandbox;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'gantry-sandbox-test-'));
      writeFileSync(join(dataDir, 'master.key'), KEY, { mode: 0o600 });
      mkdirSync(join(dataDir, 'work', 'other-job'), { recursive: true });
      writeFileSync(join(dataDir, 'work', 'other-job', 'source.ts'), 'another account\'s source');
      sandbox = BuildSandbox.open({ readOnly: [], hidden: [dataDir], shared: [join(dataDir, 'shared')], perAccount: [join(dataDir, 'npm-cache')], mountNamespace: mode });
      await sandbox.ready();
    });
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    async function session(commands: string[], root = freshJob(), account = '111111111111'): Promise<{ status: string; log: string; root: string }> {
      let log = '';
      const result = await runShell({
        workDir: root, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 20_000, phases: [{ name: 'build', commands }],
        sandbox: { sandbox: sandbox.forAccount(account), root }, onLog: (text) => (log += text),
      });
      return { status: result.status, log, root };
    }

    let jobs = 0;
    function freshJob(): string {
      const dir = join(dataDir, 'work', `job-${++jobs}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return dir;
    }

    test('bubblewrap runs on this machine (npm test installs it)', () => {
      assert.equal(sandbox.unavailableReason, undefined);
      assert.equal(sandbox.isolated, true);
      const job = freshJob();
      const started = sandbox.forAccount('111111111111').command('/bin/true', [], { root: job, cwd: job }).file;
      assert.match(started, mode === 'lean' ? /\/nsenter$/ : /\/bwrap$/, `started from the ${mode} mount namespace`);
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
      assert.match(log, /^npm-cache shared work $/m, 'the data dir shows only the ways to the job, the cache and the shared directory');
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

    test('a directory shared by every build is writable', async () => {
      const { status, log } = await session([`touch ${dataDir}/shared/entry && echo SHARED`]);
      assert.equal(status, 'SUCCEEDED', log);
      assert.match(log, /SHARED/);
    });

    test("npm's cache is each account's own: another account's build neither sees nor changes it", async () => {
      const cache = join(dataDir, 'npm-cache');
      const first = await session([`echo poisoned > ${cache}/index-entry && echo CACHED`], freshJob(), '111111111111');
      assert.equal(first.status, 'SUCCEEDED', first.log);
      assert.match(first.log, /CACHED/);
      const other = await session([`ls -A ${cache} | wc -l`, `cat ${cache}/index-entry || echo NOT-CACHED`, `touch ${cache}/own && echo WRITABLE`], freshJob(), '222222222222');
      assert.equal(other.status, 'SUCCEEDED', other.log);
      assert.match(other.log, /^0$/m, "the other account's cache starts empty");
      assert.match(other.log, /NOT-CACHED/);
      assert.ok(!other.log.includes('poisoned'), other.log);
      assert.match(other.log, /WRITABLE/);
      const again = await session([`cat ${cache}/index-entry`, `ls ${cache}/own || echo NO-OTHER-ENTRY`], freshJob(), '111111111111');
      assert.match(again.log, /^poisoned$/m, "the account's next build finds what it cached");
      assert.match(again.log, /NO-OTHER-ENTRY/);
    });

    test('a session of a sandbox with per-account directories must say whose build it is', async () => {
      const root = freshJob();
      await assert.rejects(
        runShell({ workDir: root, env: {}, timeoutMs: 5_000, phases: [{ name: 'p', commands: ['true'] }], sandbox: { sandbox, root }, onLog: () => {} }),
        (error: Error & { code?: string }) => error.code === 'ValidationError' && /forAccount/.test(error.message),
      );
      assert.throws(() => sandbox.forAccount(''), /account/);
    });

    test("what the server wrote into the job's directory is the build's before its first command runs", async () => {
      const root = freshJob();
      mkdirSync(join(root, 'src', 'deep', 'er'), { recursive: true });
      for (let i = 0; i < 2000; i++) writeFileSync(join(root, 'src', 'deep', 'er', `file-${i}.js`), 'x');
      const { status, log } = await session([`find ${root} ! -writable | wc -l`, 'echo changed > src/deep/er/file-1999.js && rm src/deep/er/file-0.js && echo WROTE'], root);
      assert.equal(status, 'SUCCEEDED', log);
      assert.match(log, /^0$/m, 'every file the server wrote is writable from the first command');
      assert.match(log, /WROTE/);
    });

    test("the session inherits none of the descriptors the sandbox is started with", async () => {
      const { status, log } = await session(['for fd in 3 4 5; do [ -e /proc/self/fd/$fd ] && echo OPEN-$fd; done; echo CHECKED']);
      assert.equal(status, 'SUCCEEDED', log);
      assert.match(log, /CHECKED/);
      assert.doesNotMatch(log, /^OPEN-/m);
    });

    test("the session's PATH, which the build's owner sets, cannot choose the programs that build the sandbox", async () => {
      const job = freshJob();
      const marker = join(dataDir, 'launched-from-the-checkout');
      // What a repository could hold, with amplify.yml setting PATH=.:/usr/bin:/bin.
      for (const program of ['bwrap', 'nsenter', 'setpriv', 'chown']) {
        writeFileSync(join(job, program), `#!/bin/sh\necho ${program} >> ${marker}\nexec /usr/bin/${program} "$@"\n`, { mode: 0o755 });
      }
      let log = '';
      const result = await runShell({
        workDir: job, env: { PATH: '.:/usr/bin:/bin' }, timeoutMs: 20_000, phases: [{ name: 'build', commands: ['id -u'] }],
        sandbox: { sandbox: sandbox.forAccount('111111111111'), root: job }, onLog: (text) => (log += text),
      });
      assert.equal(result.status, 'SUCCEEDED', log);
      assert.equal(existsSync(marker), false, 'no program of the checkout ran outside the sandbox');
      if (asRoot) assert.match(log, new RegExp(`^${DEFAULT_BUILD_UID}$`, 'm'));
    });

    test('a session whose directory lies outside what the lean namespace holds starts from the host\'s', { skip: mode !== 'lean' && 'only with the lean namespace' }, async () => {
      const elsewhere = mkdtempSync(join(tmpdir(), 'gantry-sandbox-elsewhere-'));
      try {
        const sessionSandbox = sandbox.forAccount('111111111111');
        assert.match(sessionSandbox.command('/bin/true', [], { root: elsewhere, cwd: elsewhere }).file, /\/bwrap$/);
        let log = '';
        const result = await runShell({
          workDir: elsewhere, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 20_000, phases: [{ name: 'build', commands: ['echo here > here.txt', `cat ${dataDir}/master.key || echo NO-KEY`] }],
          sandbox: { sandbox: sessionSandbox, root: elsewhere }, onLog: (text) => (log += text),
        });
        assert.equal(result.status, 'SUCCEEDED', log);
        assert.match(log, /NO-KEY/);
        assert.equal(existsSync(join(elsewhere, 'here.txt')), true);
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    });

    test('when the job directory cannot be adopted, the session is killed before any command runs', async () => {
      const failing = BuildSandbox.open({ readOnly: [], hidden: [dataDir], mountNamespace: mode });
      await failing.ready();
      failing.adopt = () => new Promise((_, fail) => setTimeout(() => fail(new Error('chown: disk on fire')), 100));
      const root = freshJob();
      const started: string[] = [];
      let log = '';
      await assert.rejects(
        runShell({
          workDir: root, env: { PATH: '/usr/bin:/bin' }, timeoutMs: 5_000, phases: [{ name: 'p', commands: ['echo ran > ran'] }],
          sandbox: { sandbox: failing, root }, onLog: (text) => (log += text), onPhase: (name, status) => status === 'RUNNING' && started.push(name),
        }),
        (error: Error & { code?: string }) => error.code === 'ServiceUnavailable' && /disk on fire/.test(error.message),
      );
      assert.equal(existsSync(join(root, 'ran')), false, log);
      assert.deepEqual(started, [], 'no phase started');
      assert.doesNotMatch(log, /Executing command/);
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
}
