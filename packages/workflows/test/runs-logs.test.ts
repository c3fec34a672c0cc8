import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckoutArgs, SecretLookup } from '../src/runs/run-engine.ts';
import { startHarness, waitFor, workflowOf, type Harness } from './runs-support.ts';

describe('stored and followed action logs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ logPollMs: 50 });
  });
  after(() => h.close());

  const wf = (marker: string) => workflowOf(`
Name: logs
SchemaVersion: "1.0"
Actions:
  Talk:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo one && sleep 0.2 && echo two
        - Run: while [ ! -e ${marker} ]; do sleep 0.05; done; echo three
  After:
    Identifier: aws/build@v1
    DependsOn: [Talk]
    Configuration:
      Steps:
        - Run: echo after
`);

  it('stores each attempt as it arrives; a follower gets the same text and returns when the action ends', async () => {
    const marker = join(h.root, 'talk-go');
    const started = await h.engine.startRun(wf(marker), { commitId: h.commitId, branch: 'main' });
    let followed = '';
    let followedAfter = '';
    const following = h.engine.followLog(started.id, 'Talk', (text) => { followed += text; });
    // Followed before it starts: the follower waits for the action, then streams it.
    const followingAfter = h.engine.followLog(started.id, 'After', (text) => { followedAfter += text; });
    await waitFor('the first lines', () => /^two$/m.test(followed));
    assert.doesNotMatch(followed, /^three$/m);
    assert.equal((await h.engine.getRun(started.id))!.actions[0]!.status, 'IN_PROGRESS');
    assert.equal(await h.engine.readLog(started.id, 'Talk'), followed, 'the stored log is what was streamed so far');

    writeFileSync(marker, '');
    await following;
    const talk = (await h.engine.getRun(started.id))!.actions[0]!;
    assert.equal(talk.status, 'SUCCEEDED', 'the follower returned once the action had ended');
    assert.match(followed, /^three$/m);
    await followingAfter;
    assert.match(followedAfter, /^after$/m);

    const run = await h.engine.waitForRun(started.id);
    for (const name of ['Talk', 'After']) {
      const stored = await h.engine.readLog(run.id, name);
      assert.equal(stored, h.log(run.id, name), `${name}: the stored log equals the streamed text`);
      assert.equal(readFileSync(join(h.root, 'logs', run.id, `${name}.1.log`), 'utf8'), stored);
    }
    assert.equal(followed, h.log(run.id, 'Talk'));
    assert.equal(followedAfter, h.log(run.id, 'After'));

    let replayed = '';
    await h.engine.followLog(run.id, 'Talk', (text) => { replayed += text; });
    assert.equal(replayed, followed, 'following a finished action replays it and returns');
  });

  it('keeps the log of every attempt and stops following when the signal aborts', async () => {
    const marker = join(h.root, 'retry-go');
    const started = await h.engine.startRun(wf(marker), { commitId: h.commitId, branch: 'main' });
    await waitFor('Talk to start', () => /^two$/m.test(h.log(started.id, 'Talk')));
    await h.engine.stopRun(started.id);
    await h.engine.waitForRun(started.id);
    const firstAttempt = await h.engine.readLog(started.id, 'Talk');
    assert.match(firstAttempt, /^one$/m);

    await h.engine.retryRun(started.id);
    const controller = new AbortController();
    let text = '';
    const following = h.engine.followLog(started.id, 'Talk', (t) => { text += t; }, controller.signal);
    await waitFor('the second attempt to talk', () => /^two$/m.test(text));
    controller.abort();
    await following;
    assert.equal((await h.engine.getRun(started.id))!.actions[0]!.status, 'IN_PROGRESS', 'it returned on abort, before the action ended');
    assert.equal(await h.engine.readLog(started.id, 'Talk', 1), firstAttempt);
    assert.ok(existsSync(join(h.root, 'logs', started.id, 'Talk.2.log')));

    writeFileSync(marker, '');
    const run = await h.engine.waitForRun(started.id);
    assert.equal(run.status, 'SUCCEEDED');
    assert.match(await h.engine.readLog(run.id, 'Talk'), /^three$/m);
    await assert.rejects(h.engine.readLog(run.id, 'Nope'), /has no action named Nope/);
    await assert.rejects(h.engine.followLog('no-such-run', 'Talk', () => {}), /No workflow run no-such-run/);
  });
});

describe('run identity: space, project and repository', () => {
  let h: Harness;
  const checkouts: Array<Omit<CheckoutArgs, 'dir'>> = [];
  const lookups: SecretLookup[] = [];
  before(async () => {
    h = await startHarness({
      async checkout({ dir, ...args }) {
        checkouts.push(args);
            writeFileSync(join(dir, 'checked-out.txt'), `${args.repository}@${args.commitId}\n`);
      },
      // Secrets may be looked up asynchronously (e.g. decrypted from the database).
      async getSecret(lookup) {
        lookups.push(lookup);
        await new Promise((r) => setTimeout(r, 5));
        return lookup.space === 'team' && lookup.name === 'token' ? 'team-token-value' : undefined;
      },
      baseEnvironment: { GANTRY_TEST_BASE: 'base', CI: 'overridden?' },
    });
  });
  after(() => h.close());

  it('hands the space, project and repository to the checkout, the secrets, the environment and the listing', async () => {
    const wf = workflowOf(`
Name: identity
SchemaVersion: "1.0"
Actions:
  Show:
    Identifier: aws/build@v1
    Inputs:
      Sources: [WorkflowSource]
    Configuration:
      Steps:
        - Run: cat checked-out.txt
        - Run: echo "space=$CATALYST_WORKFLOW_SPACE_NAME project=$CATALYST_WORKFLOW_PROJECT_NAME base=$GANTRY_TEST_BASE ci=$CI"
        - Run: '[ "\${Secrets.token}" = team-token-value ] && echo secret-ok'
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main', space: 'team', project: 'web', repository: 'app' })).id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
    assert.deepEqual([run.space, run.project, run.repository], ['team', 'web', 'app']);
    assert.deepEqual(checkouts, [{ space: 'team', project: 'web', repository: 'app', commitId: h.commitId }]);
    assert.deepEqual(lookups, [{ space: 'team', project: 'web', name: 'token' }]);
    const log = h.log(run.id, 'Show');
    assert.match(log, new RegExp(`^app@${h.commitId}$`, 'm'));
    assert.match(log, /^space=team project=web base=base ci=true$/m);
    assert.match(log, /^secret-ok$/m);
    assert.deepEqual((await h.engine.listRuns({ space: 'team', project: 'web', workflowName: 'identity' })).map((r) => r.id), [run.id]);
    assert.deepEqual(await h.engine.listRuns({ space: 'default', workflowName: 'identity' }), []);

    const defaults = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(defaults.status, 'FAILED', 'the secret belongs to the space "team" only');
    assert.deepEqual([defaults.space, defaults.project, defaults.repository], ['default', 'default', '']);
    assert.match(defaults.actions[0]!.failureReason!, /create a secret called "token"/);
  });

  it('masks a secret copied into an output variable: neither the run record nor a later action sees it', async () => {
    const wf = workflowOf(`
Name: leak
SchemaVersion: "1.0"
Actions:
  Leak:
    Identifier: aws/build@v1
    Outputs:
      Variables: [STOLEN, PLAIN]
    Configuration:
      Steps:
        - Run: 'export STOLEN="x-\${Secrets.token}-y" PLAIN=kept'
  Next:
    Identifier: aws/build@v1
    DependsOn: [Leak]
    Configuration:
      Steps:
        - Run: echo "next saw \${Leak.STOLEN} \${Leak.PLAIN}"
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main', space: 'team', project: 'web', repository: 'app' })).id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
    const leak = run.actions.find((a) => a.name === 'Leak')!;
    assert.deepEqual(leak.outputVariables, { STOLEN: 'x-***-y', PLAIN: 'kept' });
    assert.ok(!JSON.stringify(run).includes('team-token-value'));
    assert.match(h.log(run.id, 'Next'), /^next saw x-\*\*\*-y kept$/m);
  });
});
