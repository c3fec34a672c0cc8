// A hostile build, run by the real server (and password-protected sites, which hold a build's output back): it tries to read the data dir, the server's environment and another
// job's directory, and to publish server files through copies, hard links and symlinks. None of it may work.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, GetAppCommand, GetBranchCommand, StartJobCommand, UpdateAppCommand, UpdateBranchCommand } from '@aws-sdk/client-amplify';
import { WorkingCopy } from './support/git.ts';
import { finishedJob } from './support/hosting-jobs.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let ts: TestServer;
let amplify: AmplifyClient;

before(async () => {
  ts = await startTestServer();
  amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });
});
after(() => ts.stop());

async function build(name: string, commands: string[]): Promise<{ status: string; log: string; appId: string; site: (path: string, init?: RequestInit) => Promise<Response> }> {
  const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const cloneUrl: string = created.json.repository.cloneUrl;
  const appId = (await amplify.send(new CreateAppCommand({ name, repository: cloneUrl, platform: 'WEB' }))).app!.appId!;
  await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false }));
  const spec = `version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n${commands.map((c) => `        - ${JSON.stringify(c)}`).join('\n')}\n  artifacts:\n    baseDirectory: dist\n    files:\n      - '**/*'\n`;
  await (await new WorkingCopy(cloneUrl, ts.admin).init()).write({ 'amplify.yml': spec, 'index.html': '<h1>hostile</h1>' }).commitAndPush('hostile build');
  const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
  const { status, log } = await finishedJob(amplify, appId, jobSummary!.jobId!);
  return { status, log, appId, site: (path, init) => fetch(`${ts.url}/_sites/${appId}/main${path}`, init) };
}

test('a build reads nothing of the server and publishes none of its files', async () => {
  const { dataDir } = ts;
  const serverSecrets = [ts.admin.secretAccessKey, readFileSync(join(dataDir, 'master.key')).toString('base64').slice(0, 16)];
  const { status, log, site } = await build('hostile', [
    'mkdir -p dist && cp index.html dist/',
    `cp ${dataDir}/credentials dist/credentials 2>&1 || echo NO-CREDENTIALS`,
    `cat ${dataDir}/master.key 2>&1 | base64 || true`,
    `ls -A ${dataDir} > dist/listing.txt; ls -A ../../.. >> dist/listing.txt; cat dist/listing.txt`,
    `cat /proc/${process.pid}/environ > dist/environ 2>&1 || echo NO-SERVER-ENVIRONMENT`,
    `ls -A ${dataDir}/hosting/work > dist/jobs.txt 2>&1; cat dist/jobs.txt`,
    `ln ${dataDir}/master.key dist/key 2>&1 || echo NO-HARD-LINK`,
    `ln -s ${dataDir}/credentials dist/pointer`,
    'rm -f dist/pointer',
  ]);
  assert.equal(status, 'SUCCEED', log);
  assert.match(log, /NO-CREDENTIALS/);
  assert.match(log, /NO-SERVER-ENVIRONMENT/);
  assert.match(log, /NO-HARD-LINK/);
  for (const secret of serverSecrets) assert.ok(!log.includes(secret), 'no server secret in the build log');

  const listing = await (await site('/listing.txt')).text();
  for (const name of ['master.key', 'credentials', 'gantry.db', 'tls', 'git']) assert.ok(!listing.split(/\s+/).includes(name), `${name} is not visible to the build: ${listing}`);
  const jobs = (await (await site('/jobs.txt')).text()).trim().split(/\s+/);
  assert.equal(jobs.length, 1, `the build sees only its own job directory: ${jobs}`);
  assert.equal((await site('/credentials')).status, 404);
  assert.equal((await site('/key')).status, 404);
  assert.ok(!(await (await site('/environ')).text()).includes('PATH='), "the server's environment is not published");
});

test('a build that links a file twice (a hard link) publishes nothing and says why', async () => {
  const { status, log } = await build('hard-link', ['mkdir -p dist && cp index.html dist/ && ln dist/index.html dist/copy.html']);
  assert.equal(status, 'FAILED', log);
  assert.match(log, /copy\.html|index\.html/);
  assert.match(log, /hard link/);
});

test('a password-protected site answers only with its credentials, which the API never returns', async () => {
  const { status, log, appId, site } = await build('protected', ['mkdir -p dist && cp index.html dist/']);
  assert.equal(status, 'SUCCEED', log);
  const basic = (pair: string) => ({ headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` } });
  const settle = () => new Promise((r) => setTimeout(r, 1100)); // site settings are cached for a second

  await amplify.send(new UpdateAppCommand({ appId, enableBasicAuth: true, basicAuthCredentials: Buffer.from('team:app-secret').toString('base64') }));
  await settle();
  const refused = await site('/');
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic /);
  assert.equal((await site('/', basic('team:wrong'))).status, 401);
  assert.equal((await site('/', basic('team:app-secret'))).status, 200);
  const { app } = await amplify.send(new GetAppCommand({ appId }));
  assert.equal(app!.enableBasicAuth, true);
  assert.equal(app!.basicAuthCredentials, undefined, 'credentials are not returned');
  const stored = await ts.server.store.db.selectFrom('hosting_apps').select('basic_auth_credentials').where('app_id', '=', appId).executeTakeFirstOrThrow();
  assert.ok(stored.basic_auth_credentials && !stored.basic_auth_credentials.includes('app-secret') && !stored.basic_auth_credentials.includes(Buffer.from('team:app-secret').toString('base64')), 'the password is not stored in clear');

  // The branch's own credentials win over the app's.
  await amplify.send(new UpdateBranchCommand({ appId, branchName: 'main', enableBasicAuth: true, basicAuthCredentials: Buffer.from('qa:branch-secret').toString('base64') }));
  await settle();
  assert.equal((await site('/', basic('team:app-secret'))).status, 401);
  assert.equal((await site('/', basic('qa:branch-secret'))).status, 200);
  assert.equal((await amplify.send(new GetBranchCommand({ appId, branchName: 'main' }))).branch!.basicAuthCredentials, undefined);

  await assert.rejects(amplify.send(new UpdateAppCommand({ appId, basicAuthCredentials: 'not base64 of a pair!' })), /base64 encoding of "username:password"/);
});
