// Workflow definitions read from pushed repositories, and what starts their runs: push triggers filtered by branch
// and changed files, schedules, a start by hand, saving a workflow through the API (a commit). Real server, real git.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { WorkingCopy } from './support/git.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let ts: TestServer;
let wc: WorkingCopy;
const project = '/v1/spaces/triggers/projects/web';

async function api(method: string, path: string, body?: unknown, expected = [200, 201]): Promise<any> {
  const response = await signedFetch(ts.url, ts.admin, method, path, { service: 'codecatalyst', body });
  assert.ok(expected.includes(response.status), `${method} ${path} → ${response.status} ${JSON.stringify(response.json)}`);
  return response.json;
}

const runsOf = async (workflowName: string): Promise<any[]> => (await api('GET', `${project}/workflowRuns?workflowName=${workflowName}`)).items;

async function finished(runId: string): Promise<any> {
  const until = Date.now() + 60_000;
  for (;;) {
    const { run } = await api('GET', `${project}/workflowRuns/${runId}`);
    if (!['IN_PROGRESS', 'QUEUED', 'STOPPING'].includes(run.status)) return run;
    assert.ok(Date.now() < until, `run ${runId} finishes`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls until `check` returns something truthy (push events are handled after git has its answer). */
async function eventually<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  const until = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() < until, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const workflowNamed = (name: string) => eventually(`workflow ${name}`, async () => {
  const found = await signedFetch(ts.url, ts.admin, 'GET', `${project}/workflows/${name}`, { service: 'codecatalyst' });
  return found.status === 200 && found.json.workflow;
});

const echo = (name: string, triggers: string, extra = '') => `Name: ${name}
SchemaVersion: "1.0"
${triggers}
Actions:
  Echo:
    Identifier: aws/build@v1
    Inputs:
      Sources:
        - WorkflowSource
${extra}    Configuration:
      Steps:
        - Run: echo "branch=\${WorkflowSource.BranchName} commit=\${WorkflowSource.CommitId}"
`;

before(async () => {
  ts = await startTestServer();
  await api('POST', '/v1/spaces', { name: 'triggers' });
  await api('POST', '/v1/spaces/triggers/projects', { name: 'web' });
  const { repository } = await api('POST', `${project}/sourceRepositories`, { name: 'site' });
  wc = await new WorkingCopy(repository.cloneUrl, ts.admin).init();
});
after(async () => {
  await ts.stop();
  rmSync(wc.dir, { recursive: true, force: true });
});

describe('workflow triggers', () => {
  test('a push runs the workflows whose branch and FilesChanged patterns match, on the pushed commit', async () => {
    const first = await wc.write({
      'README.md': 'site\n',
      '.codecatalyst/workflows/src.yaml': echo('OnSource', 'Triggers:\n  - Type: PUSH\n    Branches:\n      - main\n    FilesChanged:\n      - src\\/.*'),
      '.codecatalyst/workflows/release.yml': echo('OnRelease', 'Triggers:\n  - Type: push\n    Branches:\n      - release-.*'),
      '.codecatalyst/workflows/manual.yaml': echo('ByHand', ''),
    }).commitAndPush('workflows');
    // A new branch has no "changed files": FilesChanged does not hold it back.
    const [onNew] = await eventually('the first run', async () => (await runsOf('OnSource')).length > 0 && runsOf('OnSource'));
    assert.equal(onNew?.commitId, first);
    const { items } = await api('GET', `${project}/workflows?branch=main`);
    assert.deepEqual(items.map((w: any) => [w.name, w.status, w.path]), [
      ['ByHand', 'ACTIVE', '.codecatalyst/workflows/manual.yaml'],
      ['OnRelease', 'ACTIVE', '.codecatalyst/workflows/release.yml'],
      ['OnSource', 'ACTIVE', '.codecatalyst/workflows/src.yaml'],
    ]);
    assert.ok(items.find((w: any) => w.name === 'OnRelease').warnings.some((w: any) => /push/.test(w.message)), 'the lower-case trigger type is accepted with a warning');

    await wc.write({ 'docs/guide.md': 'docs\n' }).commitAndPush('docs only');
    const commit = await wc.write({ 'src/app.js': 'console.log(1)\n' }).commitAndPush('source change');
    const runs = await eventually('the run of the source change', async () => {
      const all = await runsOf('OnSource');
      return all.some((r) => r.commitId === commit) && all;
    });
    assert.equal(runs.length, 2, 'the change outside src/ started nothing');
    const run = await finished(runs[0].id);
    assert.equal(run.status, 'SUCCEEDED');
    assert.equal(run.trigger, 'PUSH');
    assert.equal(run.commitId, commit);
    const log = (await api('GET', `${project}/workflowRuns/${run.id}/actions/Echo/log`)).text;
    assert.match(log, new RegExp(`branch=main commit=${commit}`));

    assert.equal((await runsOf('OnRelease')).length, 0);
    await wc.git('push', '--quiet', 'origin', 'HEAD:refs/heads/release-1');
    const [release] = await eventually('the release run', async () => (await runsOf('OnRelease')).length > 0 && runsOf('OnRelease'));
    assert.equal(release.branchName, 'release-1');
    assert.equal((await runsOf('ByHand')).length, 0, 'a workflow without triggers never starts by itself');
  });

  test('a workflow is started by hand on the head of its branch', async () => {
    const { run } = await api('POST', `${project}/workflowRuns`, { workflowName: 'ByHand' });
    assert.equal(run.trigger, 'MANUAL');
    assert.equal(run.commitId, (await wc.git('rev-parse', 'HEAD')).trim());
    assert.equal((await finished(run.id)).status, 'SUCCEEDED');
    const missing = await signedFetch(ts.url, ts.admin, 'POST', `${project}/workflowRuns`, { service: 'codecatalyst', body: { workflowName: 'Nope' } });
    assert.equal(missing.status, 404);
    assert.match(missing.json.message, /no workflow named Nope on branch main/);
  });

  test('an invalid file makes its workflow INVALID with the errors where they are, and it cannot run', async () => {
    await wc.write({ '.codecatalyst/workflows/broken.yaml': 'Name: Broken\nSchemaVersion: "1.0"\nActions:\n  Build:\n    Identifier: aws/build@v1\n    DependsOn:\n      - Missing\n    Configuration:\n      Steps:\n        - Run: "true"\n' }).commitAndPush('broken workflow');
    const workflow = await workflowNamed('Broken');
    assert.equal(workflow.status, 'INVALID');
    assert.deepEqual(workflow.errors.map((e: any) => [e.line, e.path]), [[7, 'Actions.Build.DependsOn[0]']]);
    assert.match(workflow.errors[0].message, /Missing/);
    const refused = await signedFetch(ts.url, ts.admin, 'POST', `${project}/workflowRuns`, { service: 'codecatalyst', body: { workflowName: 'Broken' } });
    assert.equal(refused.status, 400);
    assert.match(refused.json.message, /INVALID.*broken\.yaml:7:/);
  });

  test('saving a workflow through the API is a commit that triggers it; an invalid one is refused with its errors', async () => {
    const content = echo('Saved', 'Triggers:\n  - Type: PUSH\n    Branches:\n      - main');
    const bad = await signedFetch(ts.url, ts.admin, 'PUT', `${project}/workflows/Saved`, { service: 'codecatalyst', body: { repository: 'site', content: content.replace('aws/build@v1', 'aws/build@v9') } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /was not saved.*Saved\.yaml:9:17: Actions\.Echo\.Identifier/);
    const saved = await api('PUT', `${project}/workflows/Saved`, { repository: 'site', content, message: 'Add the Saved workflow' });
    const [run] = await eventually('the run of the saved workflow', async () => (await runsOf('Saved')).length > 0 && runsOf('Saved'));
    assert.equal(run.commitId, saved.commitId);
    await wc.git('pull', '--quiet', 'origin', 'main');
    assert.equal((await wc.git('log', '-1', '--format=%H %s')).trim(), `${saved.commitId} Add the Saved workflow`);
  });

  test('a schedule starts the workflow on each matching branch when its cron expression is due', async () => {
    await wc.write({ '.codecatalyst/workflows/nightly.yaml': echo('Nightly', 'Triggers:\n  - Type: SCHEDULE\n    Expression: "0 3 * * ? *"\n    Branches:\n      - main') }).commitAndPush('nightly');
    await workflowNamed('Nightly');
    assert.deepEqual(await ts.server.workflows.runSchedules(new Date('2026-11-27T02:59:00Z')), []);
    const started = await ts.server.workflows.runSchedules(new Date('2026-11-27T03:00:00Z'));
    assert.deepEqual(started.map((r) => [r.workflowName, r.trigger, r.branchName]), [['Nightly', 'SCHEDULE', 'main']]);
  });

  test('secrets are given to steps and masked in every log', async () => {
    await api('PUT', '/v1/spaces/triggers/secrets/deployToken', { value: 'space-level-value' });
    await api('PUT', `${project}/secrets/apiToken`, { value: 'pr0ject-s3cret' });
    const listed = await api('GET', `${project}/secrets`);
    assert.deepEqual(listed.items.map((s: any) => s.name), ['apiToken']);
    assert.ok(!JSON.stringify(listed).includes('pr0ject-s3cret'), 'values never come back');
    const content = `Name: Secretive
SchemaVersion: "1.0"
Actions:
  Use:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo "token=\${Secrets.apiToken} space=\${Secrets.deployToken}"
        - Run: echo "again $(echo pr0ject-s3cret)"
`;
    await api('PUT', `${project}/workflows/Secretive`, { repository: 'site', content });
    await workflowNamed('Secretive');
    const { run } = await api('POST', `${project}/workflowRuns`, { workflowName: 'Secretive' });
    assert.equal((await finished(run.id)).status, 'SUCCEEDED');
    const log = (await api('GET', `${project}/workflowRuns/${run.id}/actions/Use/log`)).text;
    assert.doesNotMatch(log, /pr0ject-s3cret|space-level-value/);
    assert.match(log, /token=\S+ space=\S+/);
  });
});
