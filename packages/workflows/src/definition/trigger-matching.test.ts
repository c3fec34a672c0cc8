import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesPullRequest, matchesPush, pushTriggersMatching, scheduledBranches } from './trigger-matching.ts';
import type { PullRequestTrigger, PushTrigger, ScheduleTrigger } from './workflow-types.ts';

const push = (branches: string[], filesChanged: string[] = []): PushTrigger => ({ type: 'PUSH', branches, filesChanged });

describe('push triggers', () => {
  it('match every branch when Branches is empty', () => {
    assert.equal(matchesPush(push([]), { branch: 'anything/at-all' }), true);
  });

  it('match the whole branch name, not a part of it', () => {
    const trigger = push(['main']);
    assert.equal(matchesPush(trigger, { branch: 'main' }), true);
    assert.equal(matchesPush(trigger, { branch: 'refs/heads/main' }), true);
    assert.equal(matchesPush(trigger, { branch: 'main-old' }), false);
    assert.equal(matchesPush(trigger, { branch: 'not-main' }), false);
  });

  it('read Branches as regular expressions', () => {
    const trigger = push(['release-.*', 'v1\\-.*', 'feature/(a|b)']);
    assert.equal(matchesPush(trigger, { branch: 'release-2024' }), true);
    assert.equal(matchesPush(trigger, { branch: 'v1-hotfix' }), true);
    assert.equal(matchesPush(trigger, { branch: 'feature/b' }), true);
    assert.equal(matchesPush(trigger, { branch: 'feature/c' }), false);
    assert.equal(matchesPush(trigger, { branch: 'main' }), false);
  });

  it('need one changed file matching FilesChanged (whole path), when given', () => {
    const trigger = push(['main'], ['src/.*', 'package\\.json']);
    assert.equal(matchesPush(trigger, { branch: 'main', changedFiles: ['README.md', 'src/app.ts'] }), true);
    assert.equal(matchesPush(trigger, { branch: 'main', changedFiles: ['package.json'] }), true);
    assert.equal(matchesPush(trigger, { branch: 'main', changedFiles: ['docs/src/x.md', 'package.json.bak'] }), false);
    assert.equal(matchesPush(trigger, { branch: 'main', changedFiles: [] }), false);
    assert.equal(matchesPush(trigger, { branch: 'main' }), true, 'unknown changes do not filter');
    assert.equal(matchesPush(trigger, { branch: 'dev', changedFiles: ['src/app.ts'] }), false);
  });

  it('pick the push triggers of a workflow a push starts', () => {
    const schedule: ScheduleTrigger = { type: 'SCHEDULE', expression: '0 0 ? * MON *', branches: [] };
    assert.deepEqual(pushTriggersMatching([schedule, push(['dev']), push(['main'])], { branch: 'main' }), [push(['main'])]);
  });
});

describe('pull request and schedule triggers', () => {
  it('match the event and the destination branch', () => {
    const trigger: PullRequestTrigger = { type: 'PULLREQUEST', events: ['OPEN', 'REVISION'], branches: ['main'], filesChanged: [] };
    assert.equal(matchesPullRequest(trigger, { event: 'OPEN', destinationBranch: 'main' }), true);
    assert.equal(matchesPullRequest(trigger, { event: 'CLOSED', destinationBranch: 'main' }), false);
    assert.equal(matchesPullRequest(trigger, { event: 'REVISION', destinationBranch: 'dev' }), false);
  });

  it('run a schedule on each matching branch', () => {
    const trigger: ScheduleTrigger = { type: 'SCHEDULE', expression: '0 0 ? * MON *', branches: ['main', 'release-.*'] };
    assert.deepEqual(scheduledBranches(trigger, ['main', 'dev', 'release-1', 'refs/heads/release-2']), ['main', 'release-1', 'release-2']);
    assert.deepEqual(scheduledBranches({ ...trigger, branches: [] }, ['main', 'dev']), ['main', 'dev']);
  });
});
