// The build sandbox's cost per build step: the same one-command session run by runShell unsandboxed (baseline)
// and inside the sandbox the server gives builds (per-account npm cache included), alternating, in one run.
// The job directory holds what the server puts in a real one before a build (a checkout; in the last workload a
// restored node_modules cache too), because making those files the build's is part of what the sandbox costs.
// The difference is what bubblewrap, the uid switch and adopting the job directory add to each session.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BuildSandbox, runShell } from '@gantry/runner';
import { fmt, report } from './support.ts';

const N = Number(process.env.BENCH_SESSIONS ?? 40);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bench-sandbox-'));
writeFileSync(join(dataDir, 'master.key'), 'x', { mode: 0o600 });
// BENCH_MOUNT_NAMESPACE=lean measures what hosts with many mounts get (the default picks by the host's count).
const mountNamespace = process.env.BENCH_MOUNT_NAMESPACE as 'auto' | 'host' | 'lean' | undefined;
const server = BuildSandbox.open({ readOnly: [resolve(import.meta.dirname, '..')], hidden: [dataDir], perAccount: [join(dataDir, 'npm-cache')], mountNamespace });
if (server.unavailableReason) throw new Error(server.unavailableReason);
await server.ready();
const sandbox = server.forAccount('123456789012');

/** A job directory with a tree of `files` small files in directories of 20 at each of `trees`, written once. */
function jobDir(name: string, trees: Array<[string, number]>): string {
  const root = join(dataDir, 'work', name);
  mkdirSync(join(root, 'home'), { recursive: true, mode: 0o700 });
  for (const [tree, files] of trees) {
    for (let i = 0; i < files; i++) {
      const sub = join(root, tree, `dir-${Math.floor(i / 20)}`);
      if (i % 20 === 0) mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `file-${i}.js`), 'module.exports = 1;\n');
    }
  }
  return root;
}

// Writing thousands of files costs this disk far more than giving them away, so each workload's directory is
// written once and given back to the server's own user before each session: every session (either side)
// starts from the same tree the server would have just written, all of it to be adopted.
const serverOwner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;

async function session(command: string, sandboxed: boolean, root: string): Promise<number> {
  spawnSync('chown', ['-R', '--no-dereference', serverOwner, root]);
  const start = performance.now();
  const result = await runShell({
    workDir: join(root, 'src'), env: { PATH: '/usr/bin:/bin' }, phases: [{ name: 'Step 1', commands: [command] }], timeoutMs: 60_000, onLog: () => {},
    ...(sandboxed && { sandbox: { sandbox, root } }),
  });
  const ms = performance.now() - start;
  if (result.status !== 'SUCCEEDED') throw new Error(`${command} ${sandboxed ? 'in' : 'outside'} the sandbox: ${result.status}`);
  return ms;
}

try {
  const checkout = jobDir('checkout', [['src', 200]]);
  const withDependencies = jobDir('dependencies', [['src', 200], ['src/node_modules', 5000]]);
  const workloads = [
    { command: 'true', what: 'a 200-file checkout', root: checkout },
    { command: 'node -e 0', what: 'a 200-file checkout', root: checkout },
    { command: 'true', what: 'the checkout and a 5,000-file node_modules', root: withDependencies },
  ];
  const rows: Array<[string, string]> = [];
  for (const { command, what, root } of workloads) {
    await session(command, false, root);
    await session(command, true, root); // warm-up
    const plain: number[] = [];
    const boxed: number[] = [];
    for (let i = 0; i < N; i++) {
      plain.push(await session(command, false, root));
      boxed.push(await session(command, true, root));
    }
    rows.push(
      [`baseline: session running \`${command}\` in ${what}, unsandboxed (p50 of ${N})`, `${fmt(median(plain), 2)} ms`],
      [`the same session in the build sandbox (p50 of ${N})`, `${fmt(median(boxed), 2)} ms`],
      [`sandbox cost per step (target < 20 ms)`, `${fmt(median(boxed) - median(plain), 2)} ms (${fmt(median(boxed) / median(plain), 2)}×)`],
    );
  }
  report(rows);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
