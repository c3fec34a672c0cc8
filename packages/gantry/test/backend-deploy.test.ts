import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, GetJobCommand, StartJobCommand } from '@aws-sdk/client-amplify';
import { WorkingCopy } from './support/git.ts';
import { AMPX, DEPLOY_POLICY, GENERATE_OUTPUTS_SPEC, prepareTodoApp, runCli } from './support/backend-app.ts';
import { assume, trust, unique } from './support/iam-fixtures.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

let ts: TestServer;
let deployer: Credentials;
let appDir: string;
const run = (command: string, args: string[], credentials: Credentials, extra: Record<string, string> = {}, cwd = appDir) => runCli(ts, command, args, credentials, cwd, extra);

function graphql(outputs: any, query: string, variables: object = {}): Promise<any> {
  const url = new URL(outputs.data.url);
  const body = JSON.stringify({ query, variables });
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', ca: readFileSync(ts.server.caCertFile),
      headers: { 'content-type': 'application/json', 'x-api-key': outputs.data.api_key } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => done(JSON.parse(text)));
    });
    req.on('error', fail);
    req.end(body);
  });
}

before(async () => {
  ts = await startTestServer();
  ({ appDir, deployer } = await prepareTodoApp(ts));
});
after(() => ts.stop());

describe('ampx against Gantry', () => {
  test('pipeline-deploy refuses to run outside CI with the real message', async () => {
    const out = await run(AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'dapp1'], deployer);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /RunningPipelineDeployNotInCiError/);
    assert.match(out.stderr, /It looks like this command is being run outside of a CI\/CD workflow\./);
    const disabled = await run(AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'dapp1'], deployer, { CI: 'false' });
    assert.match(disabled.stderr, /outside of a CI\/CD workflow/);
  });

  test('pipeline-deploy deploys the backend as a role holding AmplifyBackendDeployFullAccess and writes amplify_outputs.json', async () => {
    const out = await run(AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'dapp1'], deployer, { CI: '1' });
    assert.equal(out.code, 0, out.stderr + out.stdout);
    assert.match(out.stdout, /amplify-dapp1-main-branch-[0-9a-f]{10}/);
    const outputs = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
    assert.equal(outputs.version, '1.3');
    assert.match(outputs.data.url, new RegExp(`^${ts.server.httpsUrl}/data/[A-Za-z0-9]+/graphql$`));
    assert.equal(outputs.data.default_authorization_type, 'API_KEY');
    assert.match(outputs.data.api_key, /^da2-[a-z0-9]{26}$/);
    assert.ok(outputs.data.model_introspection.models.Todo);
    assert.match(outputs.auth.user_pool_id, /^us-west-2_/);

    const created = await graphql(outputs, 'mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id content createdAt } }', { input: { content: 'from ampx' } });
    assert.equal(created.data.createTodo.content, 'from ampx', JSON.stringify(created));
    const listed = await graphql(outputs, '{ listTodos { items { content } } }');
    assert.deepEqual(listed.data.listTodos.items, [{ content: 'from ampx' }]);

    const again = await run(AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'dapp1'], deployer, { CI: '1' });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await graphql(outputs, '{ listTodos { items { content } } }')).data.listTodos.items.length, 1, 'a redeploy keeps the data');
  });

  test('generate outputs writes the deployed outputs; unknown backends are a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-out-'));
    const out = await run(AMPX, ['generate', 'outputs', '--branch', 'main', '--app-id', 'dapp1', '--out-dir', dir, '--format', 'ts'], deployer);
    assert.equal(out.code, 0, out.stderr);
    assert.match(readFileSync(join(dir, 'amplify_outputs.ts'), 'utf8'), /^const amplifyOutputs = \{[\s\S]*\} as const;\nexport default amplifyOutputs;\n$/);
    const missing = await run(AMPX, ['generate', 'outputs', '--branch', 'nope', '--app-id', 'dapp1', '--out-dir', dir], deployer);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /StackDoesNotExistError|does not exist|no outputs/i);
  });

  test('a role without AmplifyBackendDeployFullAccess cannot deploy', async () => {
    const iam = ts.iam(ts.admin);
    const role = await iam.send(new CreateRoleCommand({ RoleName: unique('weak'), AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: role.Role!.RoleName, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const weak = await assume(ts, ts.admin, role.Role!.Arn!);
    const out = await run(AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'dapp2'], weak, { CI: '1' });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /BackendDeployAccessDeniedError/);
    assert.match(out.stderr, /AmplifyBackendDeployFullAccess/);
  });

  test('a hosting build runs `npx ampx generate outputs` with the app service role and publishes the outputs', async () => {
    const iam = ts.iam(ts.admin);
    const serviceRole = await iam.send(new CreateRoleCommand({ RoleName: unique('amplify-service'), AssumeRolePolicyDocument: trust({ Service: 'amplify.amazonaws.com' }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: serviceRole.Role!.RoleName, PolicyArn: DEPLOY_POLICY }));
    const repo = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'fullstack' } });
    const amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });
    const app = await amplify.send(new CreateAppCommand({ name: 'fullstack', repository: repo.json.repository.cloneUrl, iamServiceRoleArn: serviceRole.Role!.Arn }));
    const appId = app.app!.appId!;
    await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false }));
    const deployed = await run(AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', appId], deployer, { CI: '1' });
    assert.equal(deployed.code, 0, deployed.stderr);

    const wc = await new WorkingCopy(repo.json.repository.cloneUrl, ts.admin).init();
    await wc.write({
      'index.html': '<h1>fullstack</h1>',
      'amplify.yml': GENERATE_OUTPUTS_SPEC,
    }).commitAndPush('fullstack app');
    const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
    let job;
    do {
      await new Promise((r) => setTimeout(r, 200));
      job = (await amplify.send(new GetJobCommand({ appId, branchName: 'main', jobId: jobSummary!.jobId }))).job!;
    } while (!['SUCCEED', 'FAILED', 'CANCELLED'].includes(job.summary!.status!));
    const log = await (await fetch(job.steps![0]!.logUrl!)).text();
    assert.equal(job.summary!.status, 'SUCCEED', log);
    assert.match(log, /service role/);
    assert.doesNotMatch(log, /AWS_SECRET_ACCESS_KEY=\w/);
    const outputs = await (await fetch(`${ts.url}/_sites/${appId}/main/amplify_outputs.json`)).json();
    assert.match(outputs.data.url, /\/data\/[A-Za-z0-9]+\/graphql$/);
  });

  test('two branches of one app get isolated backends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-dev-'));
    const dev = await run(AMPX, ['pipeline-deploy', '--branch', 'dev', '--app-id', 'dapp1', '--outputs-out-dir', dir], deployer, { CI: '1' });
    assert.equal(dev.code, 0, dev.stderr);
    const main = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
    const devOutputs = JSON.parse(readFileSync(join(dir, 'amplify_outputs.json'), 'utf8'));
    assert.notEqual(devOutputs.data.url, main.data.url);
    await graphql(devOutputs, 'mutation { createTodo(input: { content: "dev only" }) { id } }');
    const mainItems = (await graphql(main, '{ listTodos { items { content } } }')).data.listTodos.items.map((t: any) => t.content);
    assert.ok(!mainItems.includes('dev only'), 'main does not see the dev backend\'s data');
    const wrongKey = await graphql({ data: { ...main.data, api_key: devOutputs.data.api_key } }, '{ listTodos { items { id } } }');
    assert.equal(wrongKey.errors?.[0]?.errorType, 'UnauthorizedException', 'one backend\'s key does not open another');
  });

  test('ampx sandbox --once deploys a per-developer backend, and sandbox delete removes it', async () => {
    const once = await run(AMPX, ['sandbox', '--once', '--identifier', 'alice'], deployer);
    assert.equal(once.code, 0, once.stderr);
    assert.match(once.stdout, /amplify-todoapp-alice-sandbox-[0-9a-f]{10}/);
    const outputs = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
    assert.ok((await graphql(outputs, '{ listTodos { items { id } } }')).data.listTodos);
    const refused = await run(AMPX, ['sandbox', 'delete', '--identifier', 'alice'], deployer);
    assert.equal(refused.code, 1, 'delete asks for --yes');
    const deleted = await run(AMPX, ['sandbox', 'delete', '--identifier', 'alice', '--yes'], deployer);
    assert.equal(deleted.code, 0, deleted.stderr);
  });

  test('ampx sandbox watches amplify/ and redeploys on a change', async () => {
    const { spawn } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const env = {
      PATH: process.env.PATH!, HOME: appDir, AWS_ENDPOINT_URL: ts.url, AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: deployer.accessKeyId, AWS_SECRET_ACCESS_KEY: deployer.secretAccessKey, AWS_SESSION_TOKEN: deployer.sessionToken!,
    };
    const child = spawn(process.execPath, [AMPX, 'sandbox', '--identifier', 'bob'], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const writes = () => output.split('File written').length - 1;
    const waitFor = async (count: number) => {
      const deadline = Date.now() + 90_000;
      while (writes() < count) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sandbox output so far:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor(1);
      assert.match(output, /Watching for file changes/);
      const resource = join(appDir, 'amplify/data/resource.ts');
      writeFileSync(resource, readFileSync(resource, 'utf8').replace("  Todo: a", "  Note: a.model({ text: a.string() }).authorization((allow) => [allow.publicApiKey()]),\n  Todo: a"));
      await waitFor(2);
      const outputs = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
      assert.ok(outputs.data.model_introspection.models.Note, 'the redeployed backend has the new model');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

