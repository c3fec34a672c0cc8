import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { processGroupExists } from './process-group.ts';
import { runShell } from './run-shell.ts';
import type { PhaseStatus, RunShellOptions, RunShellResult, ShellPhase } from './run-shell-types.ts';

let root: string;
let counter = 0;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'gantry-runner-test-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const freshDir = () => {
  const dir = join(root, `w${++counter}`);
  spawnSync('mkdir', ['-p', dir]);
  return dir;
};

interface Run {
  result: RunShellResult;
  log: string;
  chunks: Array<{ at: number; text: string }>;
  phases: Array<[string, PhaseStatus]>;
  workDir: string;
}

async function run(phases: ShellPhase[], options: Partial<RunShellOptions> = {}): Promise<Run> {
  const workDir = options.workDir ?? freshDir();
  const chunks: Run['chunks'] = [];
  const phaseEvents: Run['phases'] = [];
  const result = await runShell({
    workDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeoutMs: 20_000,
    ...options,
    phases,
    onLog: (text) => {
      chunks.push({ at: performance.now(), text });
      options.onLog?.(text);
    },
    onPhase: (name, status) => phaseEvents.push([name, status]),
  });
  return { result, log: chunks.map((c) => c.text).join(''), chunks, phases: phaseEvents, workDir };
}

/** Live (non-zombie) processes whose process group is `pgid`. */
function liveMembers(pgid: number): string[] {
  const ps = spawnSync('ps', ['-e', '-o', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, state]) => Number(group) === pgid && !state?.startsWith('Z'))
    .map((fields) => fields.join(' '));
}

async function waitFor(predicate: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('runShell: one session', () => {
  test('cd, export, variables and functions carry over between commands and phases', async () => {
    const { result, log } = await run([
      { name: 'preBuild', commands: ['mkdir -p sub/deeper && cd sub', 'export GREETING=hello; PLAIN=kept', 'shout() { echo "$1!"; }'] },
      { name: 'build', commands: ['cd deeper', 'echo "pwd=$(pwd)"', 'echo "$GREETING $PLAIN"', 'shout hey', 'bash -c \'echo "child sees $GREETING, not ${PLAIN:-nothing}"\''] },
    ]);
    assert.equal(result.status, 'SUCCEEDED', log);
    assert.match(log, /pwd=.*\/sub\/deeper\n/);
    assert.match(log, /^hello kept$/m);
    assert.match(log, /^hey!$/m);
    assert.match(log, /^child sees hello, not nothing$/m);
    assert.deepEqual(result.phases.map((p) => p.status), ['SUCCEEDED', 'SUCCEEDED']);
  });

  test('a phase cwd is entered relative to workDir', async () => {
    const workDir = freshDir();
    spawnSync('mkdir', ['-p', join(workDir, 'apps/web')]);
    const { result, log } = await run(
      [
        { name: 'one', commands: ['cd /'] },
        { name: 'two', cwd: 'apps/web', commands: ['echo "at=$PWD"'] },
      ],
      { workDir },
    );
    assert.equal(result.status, 'SUCCEEDED', log);
    assert.ok(log.includes(`at=${workDir}/apps/web\n`), log);
    assert.match(log, /# Changing to directory: apps\/web/);
  });

  test('a missing phase cwd fails that phase', async () => {
    const { result } = await run([{ name: 'one', cwd: 'nope', commands: ['echo never'] }]);
    assert.equal(result.status, 'FAILED');
    assert.equal(result.failedCommand, 'cd nope');
    assert.equal(result.exitCode, 1);
  });

  test('the first failing command stops the run: exit code, output, SKIPPED phases', async () => {
    const { result, log, phases, workDir } = await run([
      { name: 'preBuild', commands: ['echo before'] },
      { name: 'build', commands: ['echo "about to fail" >&2; exit_with() { return $1; }; exit_with 3', 'touch should-not-exist'] },
      { name: 'postBuild', commands: ['touch nor-this'] },
      { name: 'test', commands: ['true'] },
    ]);
    assert.equal(result.status, 'FAILED');
    assert.equal(result.failedPhase, 'build');
    assert.equal(result.failedCommand, 'echo "about to fail" >&2; exit_with() { return $1; }; exit_with 3');
    assert.equal(result.exitCode, 3);
    assert.match(log, /^about to fail$/m);
    assert.match(log, /!!! Command failed with exit code 3/);
    assert.ok(!existsSync(join(workDir, 'should-not-exist')));
    assert.ok(!existsSync(join(workDir, 'nor-this')));
    assert.deepEqual(phases, [
      ['preBuild', 'RUNNING'],
      ['preBuild', 'SUCCEEDED'],
      ['build', 'RUNNING'],
      ['build', 'FAILED'],
      ['postBuild', 'SKIPPED'],
      ['test', 'SKIPPED'],
    ]);
    assert.deepEqual(result.phases.map((p) => [p.name, p.status]), [
      ['preBuild', 'SUCCEEDED'],
      ['build', 'FAILED'],
      ['postBuild', 'SKIPPED'],
      ['test', 'SKIPPED'],
    ]);
    assert.equal(result.phases[3]!.durationMs, undefined);
  });

  test('a non-zero exit inside a pipeline is the pipeline status, as bash reports it', async () => {
    const { result } = await run([{ name: 'b', commands: ['false | true', 'true | (exit 7)'] }]);
    assert.equal(result.status, 'FAILED');
    assert.equal(result.failedCommand, 'true | (exit 7)');
    assert.equal(result.exitCode, 7);
  });

  test('`exit` and `set -e` end the shared session and fail the run with the code', async () => {
    const exited = await run([{ name: 'b', commands: ['echo one', 'exit 4', 'echo never'] }, { name: 'c', commands: ['true'] }]);
    assert.equal(exited.result.status, 'FAILED');
    assert.equal(exited.result.exitCode, 4);
    assert.equal(exited.result.failedCommand, 'exit 4');
    assert.equal(exited.result.failedPhase, 'b');
    assert.doesNotMatch(exited.log, /^never$/m);
    assert.match(exited.log, /session ended with exit code 4 during: exit 4/);

    const errexit = await run([{ name: 'b', commands: ['set -e', 'false\necho not reached', 'echo never'] }]);
    assert.equal(errexit.result.status, 'FAILED');
    assert.equal(errexit.result.exitCode, 1);
    assert.equal(errexit.result.failedCommand, 'false\necho not reached');
    assert.doesNotMatch(errexit.log, /^not reached$/m);
  });

  test('multi-line commands, quotes, heredocs and syntax errors', async () => {
    const multi = [
      'if [ -d / ]; then',
      '  echo "root is a dir"',
      'fi',
      "cat <<'EOF'",
      "it's $NOT expanded",
      'EOF',
      `echo 'single '"double" \\`,
      '  continued',
    ].join('\n');
    const ok = await run([{ name: 'build', commands: [multi, `echo "a|b" | tr '|' '-' && echo '&&'`] }]);
    assert.equal(ok.result.status, 'SUCCEEDED', ok.log);
    assert.match(ok.log, /^root is a dir$/m);
    assert.match(ok.log, /^it's \$NOT expanded$/m);
    assert.match(ok.log, /^single double continued$/m);
    assert.match(ok.log, /^a-b\n&&$/m);
    // The whole block is shown as written.
    assert.ok(ok.log.includes(`# Executing command: ${multi}\n`));

    // A syntax error fails its own command (bash's status 2) and does not derail the session script.
    const broken = await run([{ name: 'build', commands: ['echo "unterminated', 'echo never'] }]);
    assert.equal(broken.result.status, 'FAILED');
    assert.equal(broken.result.exitCode, 2);
    assert.equal(broken.result.failedCommand, 'echo "unterminated');
    assert.doesNotMatch(broken.log, /^never$/m);
  });

  test('output streams while running, in order, stdout and stderr merged, with headers and banners', async () => {
    const started = performance.now();
    const { result, log, chunks } = await run([
      { name: 'build', commands: ['echo first; sleep 0.4; echo second', 'echo out; echo err >&2; echo out2'] },
      { name: 'postBuild', commands: [] },
    ]);
    assert.equal(result.status, 'SUCCEEDED');
    const first = chunks.find((c) => /^first$/m.test(c.text))!;
    const second = chunks.find((c) => /^second$/m.test(c.text))!;
    assert.ok(second.at - first.at >= 300, `"first" arrived ${Math.round(first.at - started)}ms in, "second" ${Math.round(second.at - started)}ms in`);
    for (const chunk of chunks) assert.ok(chunk.text.endsWith('\n'), `not whole lines: ${JSON.stringify(chunk.text)}`);
    assert.equal(
      log,
      [
        '# Starting phase: build',
        '# Executing command: echo first; sleep 0.4; echo second',
        'first',
        'second',
        '# Executing command: echo out; echo err >&2; echo out2',
        'out',
        'err',
        'out2',
        '# Completed phase: build',
        '# Starting phase: postBuild',
        '# Completed phase: postBuild',
        '',
      ].join('\n'),
    );
  });

  test('an unfinished last line is continued by what follows, as on a terminal, and the log ends whole', async () => {
    const { log, chunks } = await run([{ name: 'b', commands: ['printf "no newline"'] }]);
    assert.ok(log.endsWith('no newline# Completed phase: b\n'), JSON.stringify(log));
    for (const chunk of chunks) assert.ok(chunk.text.endsWith('\n'));
  });

  test('a build that uses `set -x` traces its own commands, not the runner’s', async () => {
    const { result, log } = await run([{ name: 'b', commands: ['set -x', 'echo traced'] }, { name: 'c', commands: ['echo again'] }]);
    assert.equal(result.status, 'SUCCEEDED');
    assert.match(log, /^\+\+ echo traced$/m);
    assert.doesNotMatch(log, /__gantry|printf/);
  });
});

describe('runShell: secrets', () => {
  test('masked in output, across writes, through printf and in command headers', async () => {
    const secret = 'hunter2-very-secret';
    const { result, log } = await run(
      [
        {
          name: 'build',
          commands: [
            'echo "plain: $TOKEN"',
            // Split across two writes with a pause, so it reaches the runner in two chunks.
            'printf "split: %s" "${TOKEN:0:8}"; sleep 0.2; printf "%s!\\n" "${TOKEN:8}"',
            'printf "%s%s\\n" "${TOKEN:0:7}" "${TOKEN:7}"',
            `echo "${secret}" | tr a-z A-Z; echo literal ${secret}`,
            'printf "multi: %s\\n" "$MULTI"',
          ],
        },
      ],
      { env: { PATH: process.env.PATH!, TOKEN: secret, MULTI: 'line-one\nline-two' }, secrets: [secret, 'line-one\nline-two', ''] },
    );
    assert.equal(result.status, 'SUCCEEDED', log);
    assert.ok(!log.includes('hunter2'), log);
    assert.ok(!log.includes('very-secret'), log);
    assert.ok(!log.includes('line-one'), log);
    assert.match(log, /^plain: \*\*\*$/m);
    assert.match(log, /^split: \*\*\*!$/m);
    assert.match(log, /^\*\*\*$/m);
    assert.match(log, /^literal \*\*\*$/m);
    assert.match(log, /^multi: \*\*\*$/m);
    assert.match(log, /# Executing command: echo "\*\*\*" \| tr/);
    // Upper-cased, it is another string: masking is of exact occurrences.
    assert.match(log, /^HUNTER2-VERY-SECRET$/m);
  });

  test('masked in the runner’s own failure message', async () => {
    const { result, log } = await run([{ name: 'b', commands: ['test "$TOKEN" = s3cr3t-value && false'] }], {
      env: { PATH: process.env.PATH!, TOKEN: 's3cr3t-value' },
      secrets: ['s3cr3t-value'],
    });
    assert.equal(result.status, 'FAILED');
    assert.ok(!log.includes('s3cr3t-value'), log);
    assert.match(log, /!!! Command failed with exit code 1: test "\$TOKEN" = \*\*\* && false/);
    // Masked in the result too: callers log it.
    assert.equal(result.failedCommand, 'test "$TOKEN" = *** && false');
  });
});

describe('runShell: environment and exports', () => {
  test('the session sees only the given environment, plus default PATH and HOME', async () => {
    process.env.GANTRY_RUNNER_TEST_LEAK = 'must-not-leak';
    try {
      const { result, log, workDir } = await run([{ name: 'b', commands: ['env | sort | sed "s/^/ENV:/"', 'echo "stdin=$(readlink /proc/self/fd/0)"', 'cat; echo "cat done"'] }], {
        env: { ONLY_THIS: 'yes' },
      });
      assert.equal(result.status, 'SUCCEEDED', log);
      assert.doesNotMatch(log, /GANTRY_RUNNER_TEST_LEAK|must-not-leak/);
      assert.match(log, /^ENV:ONLY_THIS=yes$/m);
      assert.ok(log.includes(`ENV:HOME=${workDir}/.home\n`));
      assert.ok(existsSync(join(workDir, '.home')));
      assert.match(log, /^ENV:PATH=.*\/usr\/bin.*$/m);
      const names = log.split('\n').filter((line) => line.startsWith('ENV:')).map((line) => line.slice(4).split('=')[0]);
      // What bash itself sets (PWD, SHLVL, OLDPWD, _) and nothing else beyond what was given.
      assert.deepEqual(names.filter((n) => !['ONLY_THIS', 'HOME', 'PATH', 'PWD', 'OLDPWD', 'SHLVL', '_'].includes(n!)), []);
      assert.match(log, /^stdin=\/dev\/null$/m);
      assert.match(log, /^cat done$/m);
    } finally {
      delete process.env.GANTRY_RUNNER_TEST_LEAK;
    }
  });

  test('the given PATH and HOME are kept as they are', async () => {
    const { log } = await run([{ name: 'b', commands: ['echo "$PATH|$HOME"'] }], { env: { PATH: '/usr/bin:/bin', HOME: '/nowhere' } });
    assert.match(log, /^\/usr\/bin:\/bin\|\/nowhere$/m);
  });

  test('commands cannot see or write the event channel', async () => {
    const { result, log } = await run([{ name: 'b', commands: ['if [ -e /dev/fd/3 ]; then echo open; else echo closed; fi', "printf 'D\\0' >&3 2>/dev/null || echo refused"] }]);
    assert.equal(result.status, 'SUCCEEDED');
    assert.match(log, /^closed$/m);
    assert.match(log, /^refused$/m);
  });

  test('exportNames are reported from the final session, also after a failure', async () => {
    const ok = await run(
      [
        { name: 'Step 1', commands: ['export BUILD_ID=42', 'PLAIN_VAR="two\nlines"'] },
        { name: 'Step 2', commands: ['cd /tmp', 'BUILD_ID=$((BUILD_ID + 1))', 'EMPTY='] },
      ],
      { exportNames: ['BUILD_ID', 'PLAIN_VAR', 'EMPTY', 'NEVER_SET'] },
    );
    assert.equal(ok.result.status, 'SUCCEEDED');
    assert.deepEqual(ok.result.exports, { BUILD_ID: '43', PLAIN_VAR: 'two\nlines', EMPTY: '' });

    const failed = await run([{ name: 'Step 1', commands: ['export OUT=partial', 'false', 'OUT=never'] }], { exportNames: ['OUT'] });
    assert.equal(failed.result.status, 'FAILED');
    assert.deepEqual(failed.result.exports, { OUT: 'partial' });
  });

  test('invalid input is rejected before anything runs', async () => {
    await assert.rejects(run([{ name: 'b', commands: ['true'] }], { workDir: 'relative/dir' }), { code: 'ValidationError' });
    await assert.rejects(run([{ name: 'b', commands: ['true'] }], { workDir: join(root, 'does-not-exist') }), { code: 'ValidationError' });
    await assert.rejects(run([{ name: 'b', cwd: '../outside', commands: ['true'] }]), { code: 'ValidationError' });
    await assert.rejects(run([{ name: 'b', cwd: '/etc', commands: ['true'] }]), { code: 'ValidationError' });
    await assert.rejects(run([{ name: 'b', commands: ['true'] }], { exportNames: ['NOT-A-NAME'] }), { code: 'ValidationError' });
    await assert.rejects(run([{ name: 'b', commands: ['true'] }], { timeoutMs: 0 }), { code: 'ValidationError' });
  });

  test('no phases, or phases without commands, succeed', async () => {
    const none = await run([]);
    assert.equal(none.result.status, 'SUCCEEDED');
    const empty = await run([{ name: 'a', commands: [] }]);
    assert.equal(empty.result.status, 'SUCCEEDED');
    assert.deepEqual(empty.phases, [
      ['a', 'RUNNING'],
      ['a', 'SUCCEEDED'],
    ]);
  });
});

describe('runShell: timeout and cancellation kill the whole process group', () => {
  // Each session writes its pgid ($$: bash leads its own group) and starts a background grandchild.
  const spawnFamily = 'echo $$ > pgid; (sleep 300; echo grandchild-survived) & sleep 0.05; echo started';

  test('timeout → TIMED_OUT, no process of the group survives', async () => {
    const workDir = freshDir();
    const { result, log, phases } = await run(
      [
        { name: 'build', commands: [spawnFamily, 'sleep 300'] },
        { name: 'postBuild', commands: ['echo never'] },
      ],
      { workDir, timeoutMs: 600, killGraceMs: 2000 },
    );
    const pgid = Number(readFileSync(join(workDir, 'pgid'), 'utf8'));
    assert.equal(result.status, 'TIMED_OUT');
    assert.equal(result.failedPhase, 'build');
    assert.equal(result.failedCommand, 'sleep 300');
    assert.ok(result.durationMs < 10_000, `the session was stopped at its timeout, not after sleep 300 (took ${result.durationMs}ms)`);
    assert.match(log, /!!! Timed out after 600ms: stopped the session while running: sleep 300/);
    assert.deepEqual(phases.slice(-2), [
      ['build', 'FAILED'],
      ['postBuild', 'SKIPPED'],
    ]);
    assert.deepEqual(liveMembers(pgid), []);
    await waitFor(() => !processGroupExists(pgid));
  });

  test('AbortSignal → CANCELLED, SIGKILL after the grace period for a process that ignores SIGTERM', async () => {
    const workDir = freshDir();
    const controller = new AbortController();
    const stubborn = `bash -c 'trap "" TERM; sleep 300' & sleep 0.05`;
    const running = run([{ name: 'build', commands: [spawnFamily, stubborn, 'echo ready; sleep 300'] }], {
      workDir,
      signal: controller.signal,
      killGraceMs: 400,
      onLog: (text) => {
        if (text.includes('ready\n')) controller.abort();
      },
    });
    const { result, log } = await running;
    const pgid = Number(readFileSync(join(workDir, 'pgid'), 'utf8'));
    assert.equal(result.status, 'CANCELLED');
    assert.equal(result.failedCommand, 'echo ready; sleep 300');
    assert.match(log, /!!! Cancelled/);
    assert.doesNotMatch(log, /^grandchild-survived$/m);
    assert.deepEqual(liveMembers(pgid), []);
    await waitFor(() => !processGroupExists(pgid));
  });

  test('processes left in the background are killed when the session ends', async () => {
    const workDir = freshDir();
    const { result } = await run([{ name: 'build', commands: [spawnFamily] }], { workDir });
    assert.equal(result.status, 'SUCCEEDED');
    const pgid = Number(readFileSync(join(workDir, 'pgid'), 'utf8'));
    assert.deepEqual(liveMembers(pgid), []);
  });

  test('a throwing onLog stops the session and rejects with its error', async () => {
    const workDir = freshDir();
    const failure = new Error('log sink broke');
    await assert.rejects(
      runShell({
        workDir,
        env: {},
        timeoutMs: 20_000,
        killGraceMs: 200,
        phases: [{ name: 'build', commands: [spawnFamily, 'echo boom; sleep 300'] }],
        onLog: (text) => {
          if (/^boom$/m.test(text)) throw failure;
        },
      }),
      failure,
    );
    const pgid = Number(readFileSync(join(workDir, 'pgid'), 'utf8'));
    assert.deepEqual(liveMembers(pgid), []);
  });

  test('an already aborted signal runs nothing', async () => {
    const workDir = freshDir();
    const { result, phases } = await run([{ name: 'build', commands: ['touch ran'] }], { workDir, signal: AbortSignal.abort() });
    assert.equal(result.status, 'CANCELLED');
    assert.ok(!existsSync(join(workDir, 'ran')));
    assert.deepEqual(phases, [['build', 'SKIPPED']]);
  });
});

