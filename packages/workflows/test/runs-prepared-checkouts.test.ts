import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, waitFor, workflowOf, type Harness } from './runs-support.ts';

/** A → B, both on the source; A sleeps, or fails when `fail` is set. */
const chain = (name: string, firstStep: string) => workflowOf(`
Name: ${name}
SchemaVersion: "1.0"
Actions:
  A:
    Identifier: aws/build@v1
    Inputs:
      Sources: [WorkflowSource]
    Configuration:
      Steps:
        - Run: ${firstStep}
  B:
    Identifier: aws/build@v1
    DependsOn: [A]
    Inputs:
      Sources: [WorkflowSource]
    Configuration:
      Steps:
        - Run: cat README.md
        - Run: git rev-parse HEAD
`);

describe('checkouts prepared while earlier actions run', () => {
  let h: Harness;
  const checkouts: Array<{ dir: string; at: number }> = [];
  before(async () => {
    h = await startHarness({
      async checkout({ commitId, dir }) {
        checkouts.push({ dir, at: Date.now() });
        execFileSync('git', ['clone', '-q', h.repo, '.'], { cwd: dir });
        execFileSync('git', ['checkout', '-q', '--detach', commitId], { cwd: dir });
      },
    });
  });
  after(() => h.close());

  it('checks out the source of the next action while the one it waits for runs, and that action uses it', async () => {
    checkouts.length = 0;
    const run = await h.engine.waitForRun((await h.engine.startRun(chain('ahead', 'sleep 0.5'), { commitId: h.commitId, branch: 'main', trigger: 'PUSH' })).id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
    const [a, b] = run.actions;
    assert.equal(checkouts.length, 2, 'one checkout per action');
    assert.ok(checkouts[1]!.at < a!.endTime!, "B's checkout was made before A ended");
    assert.ok(b!.startTime! >= a!.endTime!, 'B still started only after A succeeded');
    const log = h.log(run.id, 'B');
    assert.match(log, /hello from the repo/);
    assert.match(log, new RegExp(`^${h.commitId}$`, 'm'));
  });

  it('removes a prepared checkout whose action never runs, with its run', async () => {
    checkouts.length = 0;
    const run = await h.engine.waitForRun((await h.engine.startRun(chain('skipped', 'sleep 0.3; exit 3'), { commitId: h.commitId, branch: 'main', trigger: 'PUSH' })).id);
    assert.equal(run.status, 'FAILED');
    assert.deepEqual(run.actions.map((x) => x.status), ['FAILED', 'SKIPPED']);
    assert.equal(checkouts.length, 2, 'B was prepared while A ran');
    const work = join(h.root, 'work');
    await waitFor('the work directory to be empty', () => !existsSync(work) || readdirSync(work).length === 0);
  });
});
