import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunStatus } from '../src/runs/run-tables.ts';
import { startHarness, waitFor, workflowOf, type Harness } from './runs-support.ts';

/**
 * Every run of these workflows waits, in its one action, for a `go-<runId>` file holding 0 (succeed) or
 * 1 (fail), and records when it started and ended in `order`; so a test decides when each run may finish.
 */
function gatedWorkflow(name: string, dir: string, runMode?: string) {
  return workflowOf(`
Name: ${name}
SchemaVersion: "1.0"
${runMode ? `RunMode: ${runMode}\n` : ''}Actions:
  Work:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo "start $CATALYST_WORKFLOW_RUN_ID" >> ${dir}/order
        - Run: while [ ! -e ${dir}/go-$CATALYST_WORKFLOW_RUN_ID ]; do sleep 0.05; done
        - Run: echo "end $CATALYST_WORKFLOW_RUN_ID" >> ${dir}/order && [ "$(cat ${dir}/go-$CATALYST_WORKFLOW_RUN_ID)" = 0 ]
`);
}

describe('workflow run modes', () => {
  let h: Harness;
  let count = 0;
  before(async () => {
    h = await startHarness({ stopPollMs: 50 });
  });
  after(() => h.close());

  /** A fresh directory for one test's gate files. */
  const gates = () => {
    const dir = join(h.root, `gates-${++count}`);
    mkdirSync(dir);
    return {
      dir,
      release: (runId: string, exitCode = 0) => writeFileSync(join(dir, `go-${runId}`), String(exitCode)),
      order: () => (existsSync(join(dir, 'order')) ? readFileSync(join(dir, 'order'), 'utf8').trim().split('\n') : []),
    };
  };
  const statusOf = async (runId: string) => (await h.engine.getRun(runId))!.status;
  const start = (workflow: ReturnType<typeof gatedWorkflow>) => h.engine.startRun(workflow, { commitId: h.commitId, branch: 'main' });

  it('QUEUED (the default): a second run waits its turn, then runs', async () => {
    const g = gates();
    const wf = gatedWorkflow('queued', g.dir);
    assert.equal(wf.runMode, 'QUEUED');
    const first = await start(wf);
    const second = await start(wf);
    assert.equal(first.status, 'IN_PROGRESS');
    assert.equal(second.status, 'QUEUED');
    assert.equal(second.actions[0]!.status, 'WAITING');
    await waitFor('the first run to start', () => g.order().length === 1);
    g.release(second.id);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await statusOf(second.id), 'QUEUED', 'the second run does not start while the first runs');
    g.release(first.id);
    const done = await h.engine.waitForRun(first.id);
    assert.equal(done.status, 'SUCCEEDED');
    const next = await h.engine.waitForRun(second.id);
    assert.equal(next.status, 'SUCCEEDED');
    assert.deepEqual(g.order(), [`start ${first.id}`, `end ${first.id}`, `start ${second.id}`, `end ${second.id}`]);
    assert.ok(next.startTime >= done.endTime!, 'the second run began when the first ended');
    assert.ok(next.createdAt <= done.endTime!);
  });

  it('QUEUED: runs take their turns in start order, and a stopped queued run ends at once', async () => {
    const g = gates();
    const wf = gatedWorkflow('queued-order', g.dir);
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await start(wf));
    assert.deepEqual(runs.map((r) => r.status), ['IN_PROGRESS', 'QUEUED', 'QUEUED', 'QUEUED']);
    const stopped = await h.engine.stopRun(runs[2]!.id);
    assert.equal(stopped.status, 'STOPPED');
    assert.deepEqual(stopped.actions.map((a) => a.status), ['STOPPED']);
    for (const run of [runs[3]!, runs[1]!, runs[0]!]) g.release(run.id);
    await h.engine.waitForRun(runs[3]!.id);
    assert.deepEqual(g.order().filter((l) => l.startsWith('start')), [runs[0]!, runs[1]!, runs[3]!].map((r) => `start ${r.id}`));
    assert.equal(h.log(runs[2]!.id, 'Work'), '', 'the stopped run never ran');
  });

  it('QUEUED: a retried run waits for the run in progress', async () => {
    const g = gates();
    const wf = gatedWorkflow('queued-retry', g.dir);
    const failing = await start(wf);
    g.release(failing.id, 1);
    assert.equal((await h.engine.waitForRun(failing.id)).status, 'FAILED');
    const other = await start(wf);
    assert.equal(other.status, 'IN_PROGRESS');
    await waitFor('the other run to start', () => g.order().includes(`start ${other.id}`));
    g.release(failing.id, 0);
    const retried = await h.engine.retryRun(failing.id);
    assert.equal(retried.status, 'QUEUED');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await statusOf(failing.id), 'QUEUED');
    g.release(other.id);
    const run = await h.engine.waitForRun(failing.id);
    assert.equal(run.status, 'SUCCEEDED');
    assert.equal(run.actions[0]!.attempt, 2);
    assert.deepEqual(g.order().slice(2), [`start ${other.id}`, `end ${other.id}`, `start ${failing.id}`, `end ${failing.id}`]);
  });

  it('SUPERSEDED: a newer run stops the one in progress and supersedes the queued one', async () => {
    const g = gates();
    const wf = gatedWorkflow('superseded', g.dir, 'SUPERSEDED');
    const first = await start(wf);
    assert.equal(first.status, 'IN_PROGRESS');
    await waitFor('the first run to start', () => g.order().length === 1);
    const second = await start(wf);
    assert.equal(second.status, 'QUEUED', 'it waits for the superseded run to wind down');
    assert.ok(['STOPPING', 'SUPERSEDED'].includes(await statusOf(first.id)));
    const third = await start(wf);
    const secondDone = await h.engine.getRun(second.id);
    assert.equal(secondDone!.status, 'SUPERSEDED', 'a queued run is superseded at once');
    assert.equal(secondDone!.statusReason, `Superseded by run ${third.id}`);
    assert.deepEqual(secondDone!.actions.map((a) => a.status), ['STOPPED']);

    const firstDone = await h.engine.waitForRun(first.id);
    assert.equal(firstDone.status, 'SUPERSEDED');
    assert.equal(firstDone.statusReason, `Superseded by run ${second.id}`);
    assert.equal(firstDone.actions[0]!.status, 'STOPPED');
    assert.equal(firstDone.actions[0]!.failureReason, 'The run was superseded');
    await waitFor('the newest run to start', () => g.order().includes(`start ${third.id}`));
    g.release(third.id);
    const thirdDone = await h.engine.waitForRun(third.id);
    assert.equal(thirdDone.status, 'SUCCEEDED');
    assert.ok(thirdDone.startTime >= firstDone.endTime!, 'the newest run started once the superseded one had ended');
    assert.deepEqual(g.order(), [`start ${first.id}`, `start ${third.id}`, `end ${third.id}`]);
  });

  it('PARALLEL: every run starts at once', async () => {
    const dir = join(h.root, 'parallel-mode');
    mkdirSync(dir);
    // Each run's action waits until both have started, so the runs can only succeed side by side.
    const wf = workflowOf(`
Name: parallel-mode
SchemaVersion: "1.0"
RunMode: PARALLEL
Actions:
  Work:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: touch ${dir}/$CATALYST_WORKFLOW_RUN_ID && for i in $(seq 1 200); do [ $(ls ${dir} | wc -l) -ge 2 ] && break; sleep 0.05; done; [ $(ls ${dir} | wc -l) -ge 2 ]
`);
    const runs = [await start(wf), await start(wf)];
    assert.deepEqual(runs.map((r) => r.status), ['IN_PROGRESS', 'IN_PROGRESS']);
    const done = await Promise.all(runs.map((r) => h.engine.waitForRun(r.id)));
    assert.deepEqual(done.map((r) => r.status), ['SUCCEEDED', 'SUCCEEDED']);
  });

  it('run modes apply per workflow: another workflow, project or space does not wait', async () => {
    const g = gates();
    const wf = gatedWorkflow('per-identity', g.dir);
    const runs = [
      await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' }),
      await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main', project: 'other' }),
      await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main', space: 'elsewhere' }),
      await h.engine.startRun(gatedWorkflow('per-identity-2', g.dir), { commitId: h.commitId, branch: 'main' }),
      await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main', project: 'other' }),
    ];
    assert.deepEqual(runs.map((r) => r.status), ['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'QUEUED']);
    for (const run of runs) g.release(run.id);
    const done = await Promise.all(runs.map((r) => h.engine.waitForRun(r.id)));
    assert.deepEqual(done.map((r) => r.status), Array<RunStatus>(5).fill('SUCCEEDED'));
  });

  it('cancels the unfinished runs of a workflow: the queued one at once, the running one once stopped', async () => {
    const g = gates();
    const wf = gatedWorkflow('cancelled', g.dir);
    const first = await start(wf);
    const second = await start(wf);
    await waitFor('the first run to start', () => g.order().length === 1);
    const finished = await start(gatedWorkflow('cancelled-unrelated', g.dir));
    g.release(finished.id);
    await h.engine.waitForRun(finished.id);
    const ids = await h.engine.cancelRuns({ workflowName: 'cancelled' }, 'The workflow file was deleted');
    assert.deepEqual(new Set(ids), new Set([first.id, second.id]));
    const runs = await Promise.all([first, second].map((r) => h.engine.waitForRun(r.id)));
    assert.deepEqual(runs.map((r) => [r.status, r.statusReason]), [['CANCELLED', 'The workflow file was deleted'], ['CANCELLED', 'The workflow file was deleted']]);
    assert.deepEqual(runs.map((r) => r.actions[0]!.status), ['STOPPED', 'STOPPED']);
    assert.equal(runs[0]!.actions[0]!.failureReason, 'The run was cancelled');
    assert.deepEqual(g.order(), [`start ${first.id}`, `start ${finished.id}`, `end ${finished.id}`], 'the queued run never started');
    assert.deepEqual(await h.engine.cancelRuns({ workflowName: 'cancelled' }, 'again'), []);
    const listed = await h.engine.listRuns({ workflowName: 'cancelled', status: ['CANCELLED'] });
    assert.deepEqual(listed.map((r) => r.id), [second.id, first.id], 'newest first');
  });
});

describe('workflow run modes across a restart', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ stopPollMs: 50 });
  });
  after(() => h.close());

  it('a new engine fails the action the old one was running and starts the queued run whose turn it is', async () => {
    const dir = join(h.root, 'restart');
    mkdirSync(dir);
    const wf = gatedWorkflow('restart', dir);
    const first = await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' });
    const second = await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' });
    await waitFor('the first run to start', () => existsSync(join(dir, 'order')));
    await h.engine.close();
    assert.equal((await h.engine.getRun(first.id))!.status, 'IN_PROGRESS', 'a closing engine leaves its runs for the next one');
    assert.equal((await h.engine.getRun(second.id))!.status, 'QUEUED');

    const restarted = h.newEngine();
    try {
      writeFileSync(join(dir, `go-${second.id}`), '0');
      await restarted.start();
      const failed = await restarted.waitForRun(first.id);
      assert.equal(failed.status, 'FAILED');
      assert.match(failed.actions[0]!.failureReason!, /server stopped while this action ran/);
      const run = await restarted.waitForRun(second.id);
      assert.equal(run.status, 'SUCCEEDED');
    } finally {
      await restarted.close();
    }
  });
});
