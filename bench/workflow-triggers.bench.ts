// Push → first action running: the time from the start of a `git push` to the moment the triggered run's first
// action is started on the server (its recorded start time), beside the `git push` alone (baseline: the same push
// to a repository without workflows, on the same server).
import { startServerProcess, fmt, report } from './support.ts';
import { signedFetch } from '../packages/gantry/test/support/signed-fetch.ts';
import { WorkingCopy } from '../packages/gantry/test/support/git.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;

const ts = await startServerProcess();
const api = async (method: string, path: string, body?: unknown) => {
  const response = await signedFetch(ts.url, ts.admin, method, path, { service: 'codecatalyst', body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.json)}`);
  return response.json;
};
const project = '/v1/spaces/bench/projects/bench';
await api('POST', '/v1/spaces', { name: 'bench' });
await api('POST', '/v1/spaces/bench/projects', { name: 'bench' });
const withWorkflow = await new WorkingCopy((await api('POST', `${project}/sourceRepositories`, { name: 'with-workflow' })).repository.cloneUrl, ts.admin).init();
const plain = await new WorkingCopy((await api('POST', `${project}/sourceRepositories`, { name: 'plain' })).repository.cloneUrl, ts.admin).init();

await withWorkflow.write({
  '.codecatalyst/workflows/ci.yaml': `Name: ci
SchemaVersion: "1.0"
RunMode: PARALLEL
Triggers:
  - Type: PUSH
    Branches:
      - main
Actions:
  Build:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: "true"
`,
}).commitAndPush('workflow');
await plain.write({ 'README.md': 'plain\n' }).commitAndPush('first');

async function runOf(commitId: string): Promise<any> {
  for (;;) {
    const { items } = await api('GET', `${project}/workflowRuns?workflowName=ci&maxResults=5`);
    const run = items.find((r: any) => r.commitId === commitId);
    if (run?.actions[0]?.startTime) return run;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const toRunning: number[] = [];
const pushOnly: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  plain.write({ 'README.md': `round ${i}\n` });
  await plain.git('add', '-A');
  await plain.git('commit', '--quiet', '-m', `round ${i}`);
  let start = Date.now();
  await plain.git('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  pushOnly.push(Date.now() - start);

  withWorkflow.write({ 'src.txt': `round ${i}\n` });
  await withWorkflow.git('add', '-A');
  await withWorkflow.git('commit', '--quiet', '-m', `round ${i}`);
  const commitId = (await withWorkflow.git('rev-parse', 'HEAD')).trim();
  start = Date.now();
  await withWorkflow.git('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  const run = await runOf(commitId);
  toRunning.push(Date.parse(run.actions[0].startTime) - start);
}

report([
  ['git push alone (baseline), median', `${fmt(median(pushOnly))} ms`],
  ['git push → first action running, median', `${fmt(median(toRunning))} ms  (p90 ${fmt(p90(toRunning))} ms; target < 200 ms)`],
  ['  of which after the push itself', `${fmt(median(toRunning) - median(pushOnly))} ms`],
  ['ratio to the push alone', `${fmt(median(toRunning) / median(pushOnly), 2)}×`],
]);
await ts.stop();
