import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, waitFor, workflowOf, type Harness } from './runs-support.ts';

describe('workflow runs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ getSecret: ({ name }) => (name === 'apiToken' ? 's3cr3t-token-value' : undefined) });
  });
  after(() => h.close());

  it('starts a dependant after its dependency succeeded, with the checkout and predefined variables', async () => {
    const wf = workflowOf(`
Name: deps
SchemaVersion: "1.0"
Actions:
  First:
    Identifier: aws/build@v1
    Inputs:
      Sources: [WorkflowSource]
    Configuration:
      Steps:
        - Run: cat README.md
        - Run: echo "ci=$CI run=$CATALYST_WORKFLOW_RUN_ID branch=$CATALYST_SOURCE_BRANCH_NAME commit=$CATALYST_SOURCE_COMMIT_ID src=$CATALYST_SOURCE_DIR_WorkflowSource"
        - Run: echo "leak=$GANTRY_RUNS_LEAK_CHECK home=$HOME"
        - Run: sleep 0.3
  Second:
    Identifier: aws/build@v1
    DependsOn: [First]
    Configuration:
      Steps:
        - Run: ls -A
`);
    process.env.GANTRY_RUNS_LEAK_CHECK = 'leaked';
    const started = await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main', trigger: 'PUSH' });
    assert.equal(started.status, 'IN_PROGRESS');
    const run = await h.engine.waitForRun(started.id);
    assert.equal(run.status, 'SUCCEEDED');
    const [first, second] = run.actions;
    assert.deepEqual(run.actions.map((a) => [a.name, a.status]), [['First', 'SUCCEEDED'], ['Second', 'SUCCEEDED']]);
    assert.ok(second!.startTime! >= first!.endTime!, 'Second started after First ended');
    const log = h.log(run.id, 'First');
    assert.match(log, /hello from the repo/);
    assert.match(log, new RegExp(`ci=true run=${run.id} branch=main commit=${h.commitId} src=/.+/WorkflowSource`));
    assert.match(log, /^leak= home=\/.+\/home$/m, 'the environment is built from scratch');
    delete process.env.GANTRY_RUNS_LEAK_CHECK;
    assert.doesNotMatch(h.log(run.id, 'Second'), /README/, 'without WorkflowSource the action starts empty');
    assert.equal(run.trigger, 'PUSH');
    assert.equal(run.commitId, h.commitId);
  });

  it('runs independent actions in parallel', async () => {
    const dir = join(h.root, 'parallel');
    const wf = workflowOf(`
Name: parallel
SchemaVersion: "1.0"
Actions:
  A:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: mkdir -p ${dir} && touch ${dir}/a && for i in $(seq 1 200); do [ -e ${dir}/b ] && break; sleep 0.05; done; [ -e ${dir}/b ]
  B:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: mkdir -p ${dir} && touch ${dir}/b && for i in $(seq 1 200); do [ -e ${dir}/a ] && break; sleep 0.05; done; [ -e ${dir}/a ]
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
  });

  it('skips everything downstream of a failed action and finishes the others', async () => {
    const wf = workflowOf(`
Name: failing
SchemaVersion: "1.0"
Actions:
  Broken:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo before
        - Run: exit 3
        - Run: echo never
  Next:
    Identifier: aws/build@v1
    DependsOn: [Broken]
    Configuration:
      Steps:
        - Run: echo next
  Last:
    Identifier: aws/build@v1
    DependsOn: [Next]
    Configuration:
      Steps:
        - Run: echo last
  Independent:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo independent
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'FAILED');
    const byName = Object.fromEntries(run.actions.map((a) => [a.name, a]));
    assert.equal(byName.Broken!.status, 'FAILED');
    assert.equal(byName.Broken!.exitCode, 3);
    assert.match(byName.Broken!.failureReason!, /Step 2 failed with exit code 3/);
    assert.equal(byName.Next!.status, 'SKIPPED');
    assert.equal(byName.Last!.status, 'SKIPPED');
    assert.equal(byName.Independent!.status, 'SUCCEEDED');
    assert.equal(h.log(run.id, 'Next'), '');
    assert.doesNotMatch(h.log(run.id, 'Broken'), /^never$/m);
  });

  it('passes output variables to later actions and carries cd/export between steps', async () => {
    const wf = workflowOf(`
Name: variables
SchemaVersion: "1.0"
Actions:
  Produce:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: mkdir sub && cd sub
        - Run: export VERSION="1.2.$(pwd | grep -c /sub$)"
        - Run: export UNLISTED=x
    Outputs:
      Variables: [VERSION]
  Consume:
    Identifier: aws/build@v1
    Inputs:
      Variables:
        - Name: TAG
          Value: v\${Produce.VERSION}-\${WorkflowSource.BranchName}
    Configuration:
      Steps:
        - Run: echo "tag=$TAG direct=\${Produce.VERSION} commit=\${WorkflowSource.CommitId}"
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
    assert.deepEqual(run.actions.find((a) => a.name === 'Produce')!.outputVariables, { VERSION: '1.2.1' });
    assert.deepEqual(run.actions.map((a) => a.name), ['Produce', 'Consume'], 'the reference implies DependsOn');
    assert.match(h.log(run.id, 'Consume'), new RegExp(`tag=v1\\.2\\.1-main direct=1\\.2\\.1 commit=${h.commitId}`));
  });

  it('masks secrets in logs and gives them to the steps', async () => {
    const wf = workflowOf(`
Name: secrets
SchemaVersion: "1.0"
Actions:
  UseSecret:
    Identifier: aws/build@v1
    Inputs:
      Variables:
        - Name: TOKEN
          Value: \${Secrets.apiToken}
    Configuration:
      Steps:
        - Run: echo "env=$TOKEN"
        - Run: echo "inline=\${Secrets.apiToken}"
        - Run: '[ "$TOKEN" = "s3cr3t-token-value" ] && echo same'
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
    const log = h.log(run.id, 'UseSecret');
    assert.doesNotMatch(log, /s3cr3t/);
    assert.match(log, /env=\*\*\*/);
    assert.match(log, /inline=\*\*\*/);
    assert.match(log, /^same$/m);
  });

  it('fails an action that references an unknown secret, with a message saying what to create', async () => {
    const wf = workflowOf(`
Name: missing-secret
SchemaVersion: "1.0"
Actions:
  Nope:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo \${Secrets.doesNotExist}
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'FAILED');
    assert.match(run.actions[0]!.failureReason!, /create a secret called "doesNotExist"/);
  });

  it('stops a run: the running action is cancelled, the waiting ones are stopped', async () => {
    const wf = workflowOf(`
Name: stop
SchemaVersion: "1.0"
Actions:
  Long:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo started && sleep 30
  After:
    Identifier: aws/build@v1
    DependsOn: [Long]
    Configuration:
      Steps:
        - Run: echo after
`);
    const started = await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' });
    await waitFor('Long to start', () => /^started$/m.test(h.log(started.id, 'Long')));
    const stopping = await h.engine.stopRun(started.id);
    assert.ok(['STOPPING', 'STOPPED'].includes(stopping.status));
    const run = await h.engine.waitForRun(started.id);
    assert.equal(run.status, 'STOPPED');
    assert.deepEqual(run.actions.map((a) => [a.name, a.status]), [['Long', 'STOPPED'], ['After', 'STOPPED']]);
    await assert.rejects(h.engine.stopRun(started.id), /already finished/);
  });

  it('stops a run held at an approval gate', async () => {
    const wf = workflowOf(`
Name: stop-gate
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
    const started = await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' });
    await waitFor('the gate', async () => (await h.engine.getRun(started.id))!.actions[0]!.status === 'WAITING_FOR_APPROVAL');
    await h.engine.stopRun(started.id);
    const run = await h.engine.waitForRun(started.id);
    assert.equal(run.status, 'STOPPED');
    assert.deepEqual(run.actions.map((a) => a.status), ['STOPPED', 'STOPPED']);
    await assert.rejects(h.engine.approve(run.id, 'Gate', 'arn:aws:iam::111111111111:user/late'), /is STOPPED/);
  });

  it('retries a failed run from its failed actions, keeping the succeeded ones and their outputs', async () => {
    const flag = join(h.root, 'retry-flag');
    const counter = join(h.root, 'retry-counter');
    const wf = workflowOf(`
Name: retry
SchemaVersion: "1.0"
Actions:
  Once:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo x >> ${counter} && export OUT=kept
    Outputs:
      Variables: [OUT]
  Flaky:
    Identifier: aws/build@v1
    DependsOn: [Once]
    Configuration:
      Steps:
        - Run: test -e ${flag} && echo "out=\${Once.OUT}"
  Final:
    Identifier: aws/build@v1
    DependsOn: [Flaky]
    Configuration:
      Steps:
        - Run: echo final
`);
    const first = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(first.status, 'FAILED');
    assert.deepEqual(first.actions.map((a) => a.status), ['SUCCEEDED', 'FAILED', 'SKIPPED']);
    await assert.rejects(h.engine.retryRun(`${first.id}-nope`), /No workflow run/);
    writeFileSync(flag, '');
    const retried = await h.engine.retryRun(first.id);
    assert.equal(retried.status, 'IN_PROGRESS');
    const run = await h.engine.waitForRun(first.id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
    assert.deepEqual(run.actions.map((a) => [a.name, a.status, a.attempt]), [['Once', 'SUCCEEDED', 1], ['Flaky', 'SUCCEEDED', 2], ['Final', 'SUCCEEDED', 2]]);
    assert.equal(readFileSync(counter, 'utf8'), 'x\n', 'the succeeded action did not run again');
    assert.match(h.log(run.id, 'Flaky'), /out=kept/);
    await assert.rejects(h.engine.retryRun(run.id), /only a FAILED or STOPPED run/);
  });

  it('holds the next stage at an approval gate until enough distinct principals approve', async () => {
    const marker = join(h.root, 'deployed');
    const wf = workflowOf(`
Name: approval
SchemaVersion: "1.0"
Actions:
  Staging:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo staging
  Gate:
    Identifier: aws/approval@v1
    DependsOn: [Staging]
    Configuration:
      ApprovalsRequired: 2
  Production:
    Identifier: aws/build@v1
    DependsOn: [Gate]
    Configuration:
      Steps:
        - Run: touch ${marker}
`);
    const started = await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' });
    const status = async (name: string) => (await h.engine.getRun(started.id))!.actions.find((a) => a.name === name)!.status;
    await assert.rejects(h.engine.approve(started.id, 'Gate', 'arn:aws:iam::111111111111:user/early'), /WAITING_FOR_APPROVAL/);
    await waitFor('the gate', async () => (await status('Gate')) === 'WAITING_FOR_APPROVAL');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await status('Production'), 'WAITING');
    assert.equal(existsSync(marker), false);
    await h.engine.approve(started.id, 'Gate', 'arn:aws:iam::111111111111:user/alice');
    await assert.rejects(h.engine.approve(started.id, 'Gate', 'arn:aws:iam::111111111111:user/alice'), /already approved/);
    await assert.rejects(h.engine.approve(started.id, 'Staging', 'arn:aws:iam::111111111111:user/alice'), /not an approval gate/);
    assert.equal(await status('Gate'), 'WAITING_FOR_APPROVAL');
    assert.equal(await status('Production'), 'WAITING');
    await h.engine.approve(started.id, 'Gate', 'arn:aws:iam::111111111111:user/bob');
    const run = await h.engine.waitForRun(started.id);
    assert.equal(run.status, 'SUCCEEDED');
    assert.deepEqual(run.actions.find((a) => a.name === 'Gate')!.approvals, ['arn:aws:iam::111111111111:user/alice', 'arn:aws:iam::111111111111:user/bob']);
    assert.equal(existsSync(marker), true);
  });
});
