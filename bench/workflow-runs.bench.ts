// Workflow run scheduler overhead: a workflow of N trivial actions (`Run: "true"`) in a DependsOn chain, against
// the same N commands each run in a fresh runShell session directly (baseline, measured in the same run). The
// difference divided by N is what the engine adds per action: rows, working directory, environment, stored log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runShell } from '@gantry/runner';
import { openSqliteStore } from '@gantry/store';
import { parseWorkflow } from '../packages/workflows/src/definition/parse-workflow.ts';
import { RunEngine } from '../packages/workflows/src/runs/run-engine.ts';
import { fmt, report } from './support.ts';

const N = Number(process.env.BENCH_ACTIONS ?? 20);
const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const root = mkdtempSync(join(tmpdir(), 'gantry-bench-runs-'));
const store = openSqliteStore(join(root, 'gantry.db'));
await store.migrate(RunEngine.migrations);
const engine = new RunEngine({
  store,
  workRoot: join(root, 'work'),
  logRoot: join(root, 'logs'),
  artifactRoot: join(root, 'artifacts'),
  cacheRoot: join(root, 'caches'),
  checkout: async () => {},
});
await engine.start();

const actions = Array.from({ length: N }, (_, i) => `  A${i}:\n    Identifier: aws/build@v1\n${i > 0 ? `    DependsOn: [A${i - 1}]\n` : ''}    Configuration:\n      Steps:\n        - Run: "true"\n`).join('');
const { workflow } = parseWorkflow(`Name: chain\nSchemaVersion: "1.0"\nActions:\n${actions}`, 'chain.yaml');

async function directly(): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const workDir = mkdtempSync(join(root, 'direct-'));
    const result = await runShell({ workDir, env: { CI: 'true' }, phases: [{ name: 'Step 1', commands: ['true'] }], timeoutMs: 60_000, onLog: () => {} });
    if (result.status !== 'SUCCEEDED') throw new Error(`direct run failed: ${result.status}`);
    rmSync(workDir, { recursive: true, force: true });
  }
  return performance.now() - start;
}

async function throughEngine(): Promise<number> {
  const start = performance.now();
  const run = await engine.waitForRun((await engine.startRun(workflow, { commitId: 'bench', branch: 'main' })).id, 600_000);
  if (run.status !== 'SUCCEEDED') throw new Error(`bench run ${run.status}: ${JSON.stringify(run.actions.find((a) => a.status !== 'SUCCEEDED'))}`);
  return performance.now() - start;
}

try {
  await directly();
  await throughEngine(); // warm-up
  const direct: number[] = [];
  const viaEngine: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    direct.push(await directly());
    viaEngine.push(await throughEngine());
  }
  const perActionDirect = median(direct) / N;
  const perActionEngine = median(viaEngine) / N;
  report([
    [`baseline: ${N} × runShell("true") directly, per command (p50 of ${ROUNDS})`, `${fmt(perActionDirect, 2)} ms`],
    [`workflow run of ${N} chained actions, per action (p50 of ${ROUNDS})`, `${fmt(perActionEngine, 2)} ms`],
    ['scheduler overhead per action beyond the command', `${fmt(perActionEngine - perActionDirect, 2)} ms`],
  ]);
} finally {
  await engine.close();
  await store.close();
  rmSync(root, { recursive: true, force: true });
}
