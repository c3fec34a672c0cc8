// The build sandbox's cost per build step: the same one-command session (`true`, then a step that starts Node)
// run by runShell unsandboxed (baseline) and inside the sandbox the server gives builds, alternating, in one run.
// The difference is what bubblewrap, the uid switch and adopting the job directory add to each session.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BuildSandbox, runShell } from '@gantry/runner';
import { fmt, report } from './support.ts';

const N = Number(process.env.BENCH_SESSIONS ?? 40);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bench-sandbox-'));
writeFileSync(join(dataDir, 'master.key'), 'x', { mode: 0o600 });
const sandbox = BuildSandbox.open({ readOnly: [resolve(import.meta.dirname, '..')], hidden: [dataDir], shared: [join(dataDir, 'npm-cache')] });
if (sandbox.unavailableReason) throw new Error(sandbox.unavailableReason);

let jobs = 0;
async function session(command: string, sandboxed: boolean): Promise<number> {
  const root = join(dataDir, 'work', `job-${++jobs}`);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const start = performance.now();
  const result = await runShell({
    workDir: root, env: { PATH: '/usr/bin:/bin' }, phases: [{ name: 'Step 1', commands: [command] }], timeoutMs: 60_000, onLog: () => {},
    ...(sandboxed && { sandbox: { sandbox, root } }),
  });
  const ms = performance.now() - start;
  if (result.status !== 'SUCCEEDED') throw new Error(`${command} ${sandboxed ? 'in' : 'outside'} the sandbox: ${result.status}`);
  return ms;
}

try {
  const rows: Array<[string, string]> = [];
  for (const command of ['true', 'node -e 0']) {
    await session(command, false);
    await session(command, true); // warm-up
    const plain: number[] = [];
    const boxed: number[] = [];
    for (let i = 0; i < N; i++) {
      plain.push(await session(command, false));
      boxed.push(await session(command, true));
    }
    rows.push(
      [`baseline: session running \`${command}\`, unsandboxed (p50 of ${N})`, `${fmt(median(plain), 2)} ms`],
      [`the same session in the build sandbox (p50 of ${N})`, `${fmt(median(boxed), 2)} ms`],
      [`sandbox cost per step (target < 20 ms)`, `${fmt(median(boxed) - median(plain), 2)} ms (${fmt(median(boxed) / median(plain), 2)}×)`],
    );
  }
  report(rows);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
