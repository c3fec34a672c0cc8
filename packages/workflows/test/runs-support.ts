import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type Migration, type Store } from '@gantry/store';
import { parseWorkflow } from '../src/definition/parse-workflow.ts';
import type { Workflow } from '../src/definition/workflow-types.ts';
import { RunEngine, type RunEngineOptions } from '../src/runs/run-engine.ts';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();

export interface Harness {
  engine: RunEngine;
  store: Store;
  root: string;
  repo: string;
  commitId: string;
  logs: Map<string, string>;
  /** Another engine on the same store and directories (not started). */
  newEngine(options?: Partial<RunEngineOptions>): RunEngine;
  /** The log text of one action so far. */
  log(runId: string, action: string): string;
  close(): Promise<void>;
}

/** A real git repository with one commit, a real SQLite store on a temp file and a started engine. */
export async function startHarness(options: Partial<RunEngineOptions> = {}, otherMigrations: readonly Migration[] = []): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'gantry-runs-'));
  const repo = join(root, 'repo');
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'README.md'), 'hello from the repo\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  const commitId = git(repo, 'rev-parse', 'HEAD');
  const store = openSqliteStore(join(root, 'gantry.db'));
  const logs = new Map<string, string>();
  const engineOptions: RunEngineOptions = {
    store,
    workRoot: join(root, 'work'),
    logRoot: join(root, 'logs'),
    artifactRoot: join(root, 'artifacts'),
    cacheRoot: join(root, 'caches'),
    async checkout({ commitId, dir }) {
      git(dir, 'clone', '-q', repo, '.');
      git(dir, 'checkout', '-q', '--detach', commitId);
    },
    onLog(runId, action, text) {
      const k = `${runId}/${action}`;
      logs.set(k, (logs.get(k) ?? '') + text);
    },
    ...options,
  };
  const engine = new RunEngine(engineOptions);
  await store.migrate([...otherMigrations, ...RunEngine.migrations]);
  await engine.start();
  return {
    engine, store, root, repo, commitId, logs,
    newEngine: (overrides = {}) => new RunEngine({ ...engineOptions, ...overrides }),
    log: (runId, action) => logs.get(`${runId}/${action}`) ?? '',
    async close() {
      await engine.close();
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export const workflowOf = (yaml: string): Workflow => parseWorkflow(yaml, '.codecatalyst/workflows/test.yaml').workflow;

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
