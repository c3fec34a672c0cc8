// Account B against account A's private repository, through every path that reaches it: git itself, a hosting
// app connected to it, a build started by StartJob or by A's push, and the policy API. Only A's repository policy
// lets B in, and taking it back shuts every path again.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, ListJobsCommand, StartJobCommand } from '@aws-sdk/client-amplify';
import { WorkingCopy } from './support/git.ts';
import { finishedJob } from './support/hosting-jobs.ts';
import { allow, memberAccount, userWithKey } from './support/iam-fixtures.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

const exec = promisify(execFile);
const SECRET_LINE = 'A-ONLY-SOURCE-7f3a9c';

let ts: TestServer;
let b: { id: string; admin: Credentials };
let repo: { cloneUrl: string; arn: string; space: string; project: string; name: string };
let head: string;
let policyPath: string;

const amplify = (c: Credentials) => new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: c, maxAttempts: 1 });
const grantB = () => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${b.id}:root` }, Action: 'codecommit:GitPull', Resource: repo.arn }] });

before(async () => {
  ts = await startTestServer();
  b = await memberAccount(ts);
  const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'a-private' } });
  assert.equal(created.status, 201);
  repo = created.json.repository;
  policyPath = `/_gantry/repos/${repo.space}/${repo.project}/${repo.name}/policy`;
  const spec = 'version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - mkdir -p dist && cp index.html dist/\n  artifacts:\n    baseDirectory: dist\n    files:\n      - "**/*"\n';
  head = await (await new WorkingCopy(repo.cloneUrl, ts.admin).init()).write({ 'amplify.yml': spec, 'index.html': `<p>${SECRET_LINE}</p>` }).commitAndPush('A only');
});
after(() => ts.stop());

/** `git ls-remote` with a key of B's: what B's own credentials reach directly. */
async function lsRemote(credentials: Credentials): Promise<{ ok: boolean; output: string }> {
  const auth = `Authorization: Basic ${Buffer.from(`${credentials.accessKeyId}:${credentials.secretAccessKey}`).toString('base64')}`;
  try {
    const { stdout } = await exec('git', ['-c', `http.extraHeader=${auth}`, 'ls-remote', repo.cloneUrl], { env: { PATH: process.env.PATH, GIT_TERMINAL_PROMPT: '0', HOME: '/nonexistent' } });
    return { ok: true, output: stdout };
  } catch (error) {
    return { ok: false, output: String((error as { stderr?: string }).stderr) };
  }
}

const jobOf = (c: Credentials, appId: string, jobId: string) => finishedJob(amplify(c), appId, jobId);

test("without a grant B's principals cannot read A's repository, or its policy, or set one", async () => {
  const puller = await userWithKey(ts, b.admin, { policy: allow(['codecommit:GitPull', 'amplify:*']) });
  const denied = await lsRemote(puller.credentials);
  assert.equal(denied.ok, false);
  assert.match(denied.output, /not found, or you are not authorized to perform: codecommit:GitPull/);
  assert.ok(!denied.output.includes(head));

  for (const method of ['GET', 'PUT', 'DELETE']) {
    const answer = await signedFetch(ts.url, b.admin, method, policyPath, { service: 'codecommit', ...(method === 'PUT' && { body: { policy: grantB() } }) });
    assert.equal(answer.status, 404, `${method} ${JSON.stringify(answer.json)}`);
    assert.match(JSON.stringify(answer.json), /There is no repository .* in your account/);
  }
  assert.equal((await signedFetch(ts.url, ts.admin, 'GET', policyPath, { service: 'codecommit' })).json.policy, null);
});

test('a malformed repository policy is refused with where it is wrong, and the stored one is kept', async () => {
  const bad = await signedFetch(ts.url, ts.admin, 'PUT', policyPath, { service: 'codecommit', body: { policy: '{"Version":"2012-10-17",\n"Statement":[{"Effect":"Allow","Action":"codecommit:GitPull","Resource":"*"}]}' } });
  assert.equal(bad.status, 400);
  assert.match(bad.json.message, /^Missing required field Principal\. \(Statement\[0\], line 2/);
  assert.equal((await signedFetch(ts.url, ts.admin, 'GET', policyPath, { service: 'codecommit' })).json.policy, null);
});

test("with A's grant B connects an app, builds A's code, and A's pushes build it; revoking the grant stops both", async () => {
  assert.equal((await signedFetch(ts.url, ts.admin, 'PUT', policyPath, { service: 'codecommit', body: { policy: grantB() } })).status, 200);
  const puller = await userWithKey(ts, b.admin, { policy: allow('codecommit:GitPull') });
  const direct = await lsRemote(puller.credentials);
  assert.ok(direct.ok, direct.output);
  assert.match(direct.output, new RegExp(head));

  const app = (await amplify(b.admin).send(new CreateAppCommand({ name: 'b-from-a', repository: repo.cloneUrl, platform: 'WEB' }))).app!;
  await amplify(b.admin).send(new CreateBranchCommand({ appId: app.appId, branchName: 'main', enableAutoBuild: true }));
  const started = await amplify(b.admin).send(new StartJobCommand({ appId: app.appId, branchName: 'main', jobType: 'RELEASE' }));
  const built = await jobOf(b.admin, app.appId!, started.jobSummary!.jobId!);
  assert.equal(built.status, 'SUCCEED', built.log);
  assert.match(await (await fetch(`${ts.url}/_sites/${app.appId}/main/`)).text(), new RegExp(SECRET_LINE));

  const wc = await new WorkingCopy(repo.cloneUrl, ts.admin).init();
  await wc.git('fetch', '--quiet', 'origin', 'main');
  await wc.git('checkout', '--quiet', '-b', 'main', 'FETCH_HEAD');
  await wc.write({ 'index.html': '<p>second</p>' }).commitAndPush('second');
  const jobsAfter = async (n: number) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const jobs = (await amplify(b.admin).send(new ListJobsCommand({ appId: app.appId, branchName: 'main' }))).jobSummaries ?? [];
      if (jobs.length >= n || Date.now() > deadline) return jobs;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const pushed = await jobsAfter(2);
  assert.equal(pushed.length, 2, "A's push did not build B's granted app");
  assert.equal((await jobOf(b.admin, app.appId!, pushed[0]!.jobId!)).status, 'SUCCEED');

  // A takes the grant back: B's direct pull, its next build and the next push's build all stop.
  assert.equal((await signedFetch(ts.url, ts.admin, 'DELETE', policyPath, { service: 'codecommit' })).status, 200);
  assert.equal((await lsRemote(puller.credentials)).ok, false);
  const refused = await amplify(b.admin).send(new StartJobCommand({ appId: app.appId, branchName: 'main', jobType: 'RELEASE' }));
  const failed = await jobOf(b.admin, app.appId!, refused.jobSummary!.jobId!);
  assert.equal(failed.status, 'FAILED');
  assert.match(failed.log, new RegExp(`or account ${b.id} is not authorized to perform: codecommit:GitPull on it`));
  assert.ok(!failed.log.includes('second') && !failed.log.includes(SECRET_LINE));

  await wc.write({ 'index.html': '<p>third</p>' }).commitAndPush('third');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await jobsAfter(4)).length, 3, "a push still built B's app after the grant was revoked");
});

test("B's repository in the shared default space runs no workflow there: runs would act with the space owner's connections and secrets", async () => {
  const pusher = await userWithKey(ts, b.admin, { policy: allow(['codecommit:*']) });
  const created = await signedFetch(ts.url, pusher.credentials, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'b-in-default' } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const workflow = 'Name: Borrowed\nSchemaVersion: "1.0"\nTriggers:\n  - Type: PUSH\n    Branches:\n      - main\nActions:\n  Echo:\n    Identifier: aws/build@v1\n    Inputs:\n      Sources:\n        - WorkflowSource\n    Configuration:\n      Steps:\n        - Run: echo borrowed\n';
  await (await new WorkingCopy(created.json.repository.cloneUrl, pusher.credentials).init()).write({ '.codecatalyst/workflows/borrowed.yaml': workflow }).commitAndPush('borrow the space');
  await new Promise((r) => setTimeout(r, 1000));
  const runs = await signedFetch(ts.url, ts.admin, 'GET', '/v1/spaces/default/projects/default/workflowRuns', { service: 'codecatalyst' });
  assert.equal(runs.status, 200, JSON.stringify(runs.json));
  assert.deepEqual(runs.json.items.filter((r: { workflowName?: string }) => r.workflowName === 'Borrowed'), []);
  // …and B cannot reach the default space's workflows API either: it answers as for a missing space.
  const probe = await signedFetch(ts.url, b.admin, 'GET', '/v1/spaces/default/projects/default/workflowRuns', { service: 'codecatalyst' });
  const missing = await signedFetch(ts.url, b.admin, 'GET', '/v1/spaces/no-such-space/projects/default/workflowRuns', { service: 'codecatalyst' });
  assert.equal(probe.status, 404);
  assert.equal(probe.json.message.replaceAll('default', '<space>'), missing.json.message.replaceAll('no-such-space', '<space>'));
});
