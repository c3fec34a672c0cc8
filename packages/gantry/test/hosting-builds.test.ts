import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  AmplifyClient, CreateAppCommand, CreateBranchCommand, CreateWebhookCommand, GetJobCommand, ListJobsCommand, StartJobCommand,
  StopJobCommand, UpdateBranchCommand, type JobSummary,
} from '@aws-sdk/client-amplify';
import { signedFetch } from './support/signed-fetch.ts';
import { WorkingCopy } from './support/git.ts';
import { getThroughServer } from './support/net.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const sh = promisify(execFile);
let ts: TestServer;
let amplify: AmplifyClient;
let appId: string;
let repo: WorkingCopy;

const SPEC = (buildCommands: string[]) => `version: 1
frontend:
  phases:
    preBuild:
      commands:
        - export GREETING="hello from $AWS_BRANCH"
    build:
      commands:
${buildCommands.map((c) => `        - ${c}`).join('\n')}
  artifacts:
    baseDirectory: dist
    files:
      - '**/*'
`;
const STATIC_BUILD = [
  'mkdir -p dist',
  'cp index.html dist/',
  'echo "$GREETING job $AWS_JOB_ID app $AWS_APP_ID commit $AWS_COMMIT_ID ci $CI" > dist/build.txt',
];

async function waitForJob(branch: string, jobId: string, until: (s: string) => boolean = (s) => ['SUCCEED', 'FAILED', 'CANCELLED'].includes(s), timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await amplify.send(new GetJobCommand({ appId, branchName: branch, jobId }));
    if (until(job!.summary!.status!)) return job!;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job!.summary!.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function jobs(branch = 'main'): Promise<JobSummary[]> {
  return (await amplify.send(new ListJobsCommand({ appId, branchName: branch }))).jobSummaries!;
}

/** A GET to the server with a chosen Host header, as a browser resolving `*.localhost` to loopback sends it. */
const site = (path = '/') => fetch(`${ts.url}/_sites/${appId}/main${path}`);

before(async () => {
  ts = await startTestServer();
  amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });
  const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'static-site' } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const cloneUrl: string = created.json.repository.cloneUrl;
  const app = await amplify.send(new CreateAppCommand({ name: 'static-site', repository: cloneUrl, platform: 'WEB' }));
  appId = app.app!.appId!;
  await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: true }));
  repo = await new WorkingCopy(cloneUrl, ts.admin).init();
});
after(() => ts.stop());

describe('a static site built by Gantry', () => {
  test('a push to a branch with auto build starts a RELEASE job that publishes the site', async () => {
    const commit = await repo.write({ 'index.html': '<h1>v1</h1>', 'amplify.yml': SPEC(STATIC_BUILD) }).commitAndPush('first version');
    const deadline = Date.now() + 10_000;
    while ((await jobs()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [summary] = await jobs();
    assert.equal(summary!.jobType, 'RELEASE');
    assert.equal(summary!.jobId, '1');
    assert.match(summary!.jobArn!, new RegExp(`:apps/${appId}/branches/main/jobs/0000000001$`));
    const job = await waitForJob('main', '1');
    assert.equal(job.summary!.status, 'SUCCEED', JSON.stringify(job));
    assert.equal(job.summary!.commitId, commit);
    assert.equal(job.summary!.commitMessage, 'first version');
    assert.deepEqual(job.steps!.map((s) => [s.stepName, s.status]), [['BUILD', 'SUCCEED'], ['DEPLOY', 'SUCCEED'], ['VERIFY', 'SUCCEED']]);

    assert.equal(await (await site()).text(), '<h1>v1</h1>');
    const build = await (await site('/build.txt')).text();
    assert.equal(build.trim(), `hello from main job 0000000001 app ${appId} commit ${commit} ci true`, 'export carries across phases; Amplify variables are set');
    assert.equal((await getThroughServer(`http://main.${appId}.localhost:${new URL(ts.url).port}/`, new URL(ts.url).port)).body, '<h1>v1</h1>', 'the host form serves the same site');

    const log = await (await fetch(job.steps![0]!.logUrl!)).text();
    assert.match(log, /npm|cp index.html dist\//);
    // Change the signature's first character to a different one (the signature is base64url, so it may start with any).
    const tampered = await fetch(job.steps![0]!.logUrl!.replace(/signature=(.)/, (_, first: string) => `signature=${first === 'A' ? 'B' : 'A'}`));
    assert.equal(tampered.status, 403);
  });

  test('with auto build disabled a push builds nothing; the webhook curl line builds it', async () => {
    await amplify.send(new UpdateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false }));
    await repo.write({ 'index.html': '<h1>v2</h1>' }).commitAndPush('second version');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await jobs()).length, 1, 'no job for a push to a branch without auto build');

    const { webhook } = await amplify.send(new CreateWebhookCommand({ appId, branchName: 'main', description: 'pipeline' }));
    assert.match(webhook!.webhookUrl!, new RegExp(`^${ts.url}/webhooks\\?id=[^&]+&token=[A-Za-z0-9]+$`));
    const curl = `curl -s -X POST -d {} "${webhook!.webhookUrl}&operation=startbuild" -H "Content-Type:application/json"`;
    const { stdout } = await sh('sh', ['-c', curl]);
    assert.match(stdout, /SendMessageResponse/);
    const [latest] = await jobs();
    assert.equal(latest!.jobType, 'WEB_HOOK');
    const job = await waitForJob('main', latest!.jobId!);
    assert.equal(job.summary!.status, 'SUCCEED');
    assert.equal(await (await site()).text(), '<h1>v2</h1>');
  });

  test('a webhook call with a wrong or missing token is refused and queues nothing', async () => {
    const before = (await jobs()).length;
    const { webhook } = await amplify.send(new CreateWebhookCommand({ appId, branchName: 'main' }));
    const wrong = webhook!.webhookUrl!.replace(/token=[A-Za-z0-9]+/, 'token=guess');
    for (const url of [wrong, `${ts.url}/webhooks?id=${webhook!.webhookId}`, `${ts.url}/webhooks`]) {
      const response = await fetch(`${url}${url.includes('?') ? '&' : '?'}operation=startbuild`, { method: 'POST', body: '{}' });
      assert.equal(response.status, 403, url);
      assert.match((await response.json()).message, /token/);
    }
    assert.equal((await jobs()).length, before);
  });

  test('a failing command fails the job with its output in the log, and the live site stays as it was', async () => {
    await repo.write({ 'amplify.yml': SPEC(['echo "about to fail"', 'ls no-such-file', 'echo never']) }).commitAndPush('broken build');
    const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
    const job = await waitForJob('main', jobSummary!.jobId!);
    assert.equal(job.summary!.status, 'FAILED');
    assert.equal(job.steps![0]!.status, 'FAILED');
    const log = await (await fetch(job.steps![0]!.logUrl!)).text();
    assert.match(log, /about to fail/);
    assert.match(log, /no-such-file/);
    assert.doesNotMatch(log, /^never$/m);
    assert.equal(await (await site()).text(), '<h1>v2</h1>');
  });

  test('StopJob cancels a running build and its whole process tree', async () => {
    await repo.write({ 'amplify.yml': SPEC(['(sleep 59.731; echo orphan > /tmp/gantry-orphan-$AWS_JOB_ID) &', 'sleep 59.731']) }).commitAndPush('slow build');
    const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
    await waitForJob('main', jobSummary!.jobId!, (s) => s === 'RUNNING');
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const stopped = await amplify.send(new StopJobCommand({ appId, branchName: 'main', jobId: jobSummary!.jobId }));
    assert.match(stopped.jobSummary!.status!, /CANCELLING|CANCELLED/);
    const job = await waitForJob('main', jobSummary!.jobId!, undefined, 15_000);
    assert.equal(job.summary!.status, 'CANCELLED');
    assert.ok(Date.now() - started < 10_000);
    // The durations are unusual on purpose: other test files running at the same time may sleep too.
    const { stdout } = await sh('sh', ['-c', 'ps -eo args | grep -c "[s]leep 59.731" || true']);
    assert.equal(stdout.trim(), '0', 'no sleep of the build survives');
    assert.equal(await (await site()).text(), '<h1>v2</h1>');
  });

  test('RETRY rebuilds the commit of an earlier job; unknown jobs and branches are NotFound', async () => {
    await repo.write({ 'amplify.yml': SPEC(STATIC_BUILD) }).commitAndPush('fixed build');
    const first = (await jobs()).find((j) => j.jobId === '1')!;
    const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RETRY', jobId: '1' }));
    const job = await waitForJob('main', jobSummary!.jobId!);
    assert.equal(job.summary!.status, 'SUCCEED');
    assert.equal(job.summary!.commitId, first.commitId);
    assert.equal(await (await site()).text(), '<h1>v1</h1>');
    await assert.rejects(amplify.send(new GetJobCommand({ appId, branchName: 'main', jobId: '999' })), { name: 'NotFoundException' });
    await assert.rejects(amplify.send(new StartJobCommand({ appId, branchName: 'nope', jobType: 'RELEASE' })), { name: 'NotFoundException' });
    await assert.rejects(amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'BOGUS' as never })), { name: 'BadRequestException' });
  });

  test('cache paths are restored in the next build; customHeaders, app and branch variables and monorepo appRoot apply; logs can be followed live', async () => {
    await amplify.send(new UpdateBranchCommand({ appId, branchName: 'main', environmentVariables: { AMPLIFY_MONOREPO_APP_ROOT: 'apps/web', FROM_BRANCH: 'b' } }));
    const spec = `version: 1
applications:
  - appRoot: apps/web
    frontend:
      phases:
        build:
          commands:
            - if [ -f cache-dir/marker ]; then echo "cache hit"; else mkdir -p cache-dir && echo made > cache-dir/marker && echo "cache miss"; fi
            - sleep 1
            - mkdir -p out && echo "$FROM_BRANCH $PWD" > out/vars.txt && cp index.html out/
      artifacts:
        baseDirectory: out
        files:
          - '**/*'
      cache:
        paths:
          - cache-dir/**/*
    customHeaders:
      - pattern: '**/*'
        headers:
          - key: X-Frame-Options
            value: DENY
`;
    await repo.write({ 'amplify.yml': spec, 'apps/web/index.html': '<h1>monorepo</h1>' }).commitAndPush('monorepo app');
    const first = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
    // The BUILD log exists from the first line the job writes; follow it while the build sleeps.
    let logUrl: string | undefined;
    while (!logUrl) {
      const { job } = await amplify.send(new GetJobCommand({ appId, branchName: 'main', jobId: first.jobSummary!.jobId }));
      assert.notEqual(job!.summary!.status, 'SUCCEED', 'the build finished before its log could be followed');
      logUrl = job!.steps?.find((s) => s.stepName === 'BUILD')?.logUrl;
    }
    const followed = await (await fetch(`${logUrl}&follow=1`)).text();
    const done = await waitForJob('main', first.jobSummary!.jobId!);
    assert.equal(done.summary!.status, 'SUCCEED');
    assert.match(followed, /cache miss[\s\S]*mkdir -p out/, 'the followed log runs until the build ends');
    const response = await site('/index.html');
    assert.equal(await response.text(), '<h1>monorepo</h1>');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.match(await (await site('/vars.txt')).text(), /^b .*\/src\/apps\/web$/m);

    const second = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
    const job = await waitForJob('main', second.jobSummary!.jobId!);
    assert.equal(job.summary!.status, 'SUCCEED');
    assert.match(await (await fetch(job.steps![0]!.logUrl!)).text(), /cache hit/);
  });
});

