import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore, type Store } from '@gantry/store';
import { RunEngine } from '../src/runs/run-engine.ts';
import { startHarness, waitFor, workflowOf, type Harness } from './runs-support.ts';

/** The tables are the source of truth: another engine on the same database sees and drives the same runs. */
describe('workflow runs across engines', () => {
  let h: Harness;
  let store2: Store;
  let other: RunEngine;
  before(async () => {
    h = await startHarness({ stopPollMs: 50 });
    store2 = openSqliteStore(join(h.root, 'gantry.db'));
    other = new RunEngine({
      store: store2, workRoot: join(h.root, 'work2'), logRoot: join(h.root, 'logs'), artifactRoot: join(h.root, 'artifacts'),
      cacheRoot: join(h.root, 'caches'), checkout: async () => {}, stopPollMs: 50,
    });
  });
  after(async () => {
    await other.close();
    await store2.close();
    await h.close();
  });

  it('stops a run through another engine: the engine running the action cancels it', async () => {
    const wf = workflowOf(`
Name: remote-stop
SchemaVersion: "1.0"
Actions:
  Long:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo started && sleep 30
`);
    const started = await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' });
    await waitFor('Long to start', () => /^started$/m.test(h.log(started.id, 'Long')));
    const stopping = await other.stopRun(started.id);
    assert.equal(stopping.status, 'STOPPING');
    const run = await h.engine.waitForRun(started.id, 10_000);
    assert.equal(run.status, 'STOPPED');
    assert.equal(run.actions[0]!.status, 'STOPPED');
  });

  it('keeps an approval gate waiting in the database; another engine approves it and the run goes on', async () => {
    const wf = workflowOf(`
Name: gate-elsewhere
SchemaVersion: "1.0"
Actions:
  Gate:
    Identifier: aws/approval@v1
    Configuration:
      ApprovalsRequired: 1
  After:
    Identifier: aws/build@v1
    DependsOn: [Gate]
    Configuration:
      Steps:
        - Run: echo after
`);
    const started = await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main', project: 'p1' });
    await waitFor('the gate', async () => (await other.getRun(started.id))!.actions[0]!.status === 'WAITING_FOR_APPROVAL');
    const listed = await other.listRuns({ project: 'p1', workflowName: 'gate-elsewhere' });
    assert.deepEqual(listed.map((r) => [r.id, r.status]), [[started.id, 'IN_PROGRESS']]);
    await other.approve(started.id, 'Gate', 'arn:aws:iam::111111111111:user/alice');
    const run = await other.waitForRun(started.id, 10_000);
    assert.equal(run.status, 'SUCCEEDED');
    assert.deepEqual(run.actions.map((a) => [a.name, a.status]), [['Gate', 'SUCCEEDED'], ['After', 'SUCCEEDED']]);
  });

  it('refuses a workflow holding an action Gantry cannot run', async () => {
    const { parseWorkflow } = await import('../src/definition/parse-workflow.ts');
    const wf = parseWorkflow(`
Name: unsupported
SchemaVersion: "1.0"
Actions:
  Cdk:
    Identifier: aws/cdk-deploy@v1
    Configuration: {}
`, 'x.yaml', { allowUnsupportedActions: true }).workflow;
    await assert.rejects(h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' }), /does not run the action\(s\) Cdk \(aws\/cdk-deploy@v1\)/);
    assert.equal((await h.engine.listRuns({ workflowName: 'unsupported' })).length, 0);
  });
});
