// The scenario's pipeline, end to end through the real server: a workflow pushed to `main` deploys the backend to
// a staging account, then to a production account, each action with credentials of a role in its own account
// assumed by the workflow service, and starts each account's frontend build through its incoming webhook.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, CreateWebhookCommand, GetJobCommand, ListJobsCommand } from '@aws-sdk/client-amplify';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { toStackName } from '@gantry/backend';
import { pullPolicyFor } from '@gantry/source';
import { DEPLOY_POLICY, GANTRY, GENERATE_OUTPUTS_SPEC, runCli } from './support/backend-app.ts';
import { WorkingCopy } from './support/git.ts';
import { assume, trust } from './support/iam-fixtures.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

const SPACE = 'acme';
const PROJECT = 'todo';
const RUNNER = 'codecatalyst-runner.amazonaws.com';

let ts: TestServer;
let wc: WorkingCopy;
let cloneUrl: string;
let work: string;
const stage: Record<'staging' | 'production', { id: string; admin: Credentials; appId: string; webhookUrl: string; region: string; connectionId: string }> = {} as never;

async function api(credentials: Credentials, method: string, path: string, body?: unknown, expected = [200, 201]): Promise<any> {
  const response = await signedFetch(ts.url, credentials, method, path, { service: 'codecatalyst', body });
  assert.ok(expected.includes(response.status), `${method} ${path} → ${response.status} ${JSON.stringify(response.json)}`);
  return response.json;
}
const project = `/v1/spaces/${SPACE}/projects/${PROJECT}`;

async function waitForRun(predicate: (run: any) => boolean, what: string, timeoutMs = 120_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await api(ts.admin, 'GET', `${project}/workflowRuns`);
    const found = items.find(predicate);
    if (found && !['IN_PROGRESS', 'QUEUED', 'STOPPING'].includes(found.status)) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(items.slice(0, 3))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function log(runId: string, action: string): Promise<string> {
  return (await api(ts.admin, 'GET', `${project}/workflowRuns/${runId}/actions/${action}/log`)).text;
}

/** The scenario's workflow, with the real app ids and webhook URLs; `gate` puts an approval between the stages. */
function pipeline(options: { gate?: boolean; productionRole?: string } = {}): string {
  const action = (name: string, env: 'staging' | 'production', dependsOn?: string) => `  ${name}:
    Identifier: aws/build@v1
${dependsOn ? `    DependsOn:\n      - ${dependsOn}\n` : ''}    Inputs:
      Sources:
        - WorkflowSource
      Variables:
        - Name: AWS_APP_ID
          Value: ${stage[env].appId}
        - Name: AWS_BRANCH
          Value: main
    Environment:
      Name: ${env}
      Connections:
        - Name: ${env}
          Role: ${env === 'production' ? options.productionRole ?? 'gantry-deploy' : 'gantry-deploy'}
    Configuration:
      Steps:
        - Run: export CI=1
        - Run: npm ci
        - Run: npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
        - Run: curl -fsS -X POST -d {} "${stage[env].webhookUrl}&operation=startbuild" -H "Content-Type:application/json"
`;
  return `Name: deploy
SchemaVersion: "1.0"
Triggers:
  - Type: PUSH
    Branches:
      - main
Actions:
${action('DeployStaging', 'staging')}${options.gate ? `  Promote:
    Identifier: aws/approval@v1
    DependsOn:
      - DeployStaging
    Configuration:
      ApprovalsRequired: 1
` : ''}${action('DeployProduction', 'production', options.gate ? 'Promote' : 'DeployStaging')}`;
}

async function stackExists(name: 'staging' | 'production', appId: string): Promise<boolean> {
  const stackName = toStackName({ namespace: appId, name: 'main', type: 'branch' });
  const response = await signedFetch(ts.url, stage[name].admin, 'GET', `/_gantry/backends/stacks/${stackName}`, { service: 'cloudformation', region: stage[name].region });
  return response.status === 200;
}

before(async () => {
  ts = await startTestServer();
  work = mkdtempSync(join(tmpdir(), 'gantry-pipeline-'));
  for (const [name, region] of [['staging', 'us-west-2'], ['production', 'eu-west-1']] as const) {
    const created = await ts.server.iam.createAccount({ name, regions: [region] });
    const account = { id: created.id, admin: await assume(ts, ts.admin, `arn:aws:iam::${created.id}:role/OrganizationAccountAccessRole`, {}, region) };
    const boot = await runCli(ts, GANTRY, ['bootstrap', '--region', region], account.admin, work, { AWS_REGION: region });
    assert.equal(boot.code, 0, boot.stderr);
    const iam = ts.iam(account.admin);
    // The deploy role trusts the workflow service, for this space's projects only.
    const deploy = await iam.send(new CreateRoleCommand({
      RoleName: 'gantry-deploy',
      AssumeRolePolicyDocument: trust({ Service: RUNNER }, { Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:codecatalyst:::space/${SPACE}/project/*` } } }),
    }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'gantry-deploy', PolicyArn: DEPLOY_POLICY }));
    // A role that does not trust the workflow service.
    await iam.send(new CreateRoleCommand({ RoleName: 'untrusted-deploy', AssumeRolePolicyDocument: trust({ Service: 'amplify.amazonaws.com' }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'untrusted-deploy', PolicyArn: DEPLOY_POLICY }));
    const service = await iam.send(new CreateRoleCommand({ RoleName: 'amplify-service', AssumeRolePolicyDocument: trust({ Service: 'amplify.amazonaws.com' }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'amplify-service', PolicyArn: DEPLOY_POLICY }));
    stage[name] = { id: account.id, admin: account.admin, region, appId: '', webhookUrl: '', connectionId: deploy.Role!.Arn! };
  }

  await api(ts.admin, 'POST', '/v1/spaces', { name: SPACE });
  await api(ts.admin, 'POST', `/v1/spaces/${SPACE}/projects`, { name: PROJECT });
  const repository = (await api(ts.admin, 'POST', `${project}/sourceRepositories`, { name: 'todo-app' })).repository;
  cloneUrl = repository.cloneUrl;
  // The repository is the management account's: the stage accounts' hosting apps connect to it by its policy's grant.
  const granted = await signedFetch(ts.url, ts.admin, 'PUT', `/_gantry/repos/${SPACE}/${PROJECT}/todo-app/policy`, {
    service: 'codecommit', body: { policy: pullPolicyFor(repository, [stage.staging!.id, stage.production!.id]) },
  });
  assert.equal(granted.status, 200, JSON.stringify(granted.json));

  for (const name of ['staging', 'production'] as const) {
    const s = stage[name];
    const amplify = new AmplifyClient({ endpoint: ts.url, region: s.region, credentials: s.admin, maxAttempts: 1 });
    const app = await amplify.send(new CreateAppCommand({ name: 'todo-app', repository: cloneUrl, iamServiceRoleArn: `arn:aws:iam::${s.id}:role/amplify-service` }));
    s.appId = app.app!.appId!;
    await amplify.send(new CreateBranchCommand({ appId: s.appId, branchName: 'main', enableAutoBuild: false }));
    s.webhookUrl = (await amplify.send(new CreateWebhookCommand({ appId: s.appId, branchName: 'main' }))).webhook!.webhookUrl!;

    const { connection } = await api(ts.admin, 'POST', `/v1/spaces/${SPACE}/connections`, { name, accountId: s.id });
    assert.equal(connection.status, 'PENDING');
    await api(s.admin, 'POST', `/v1/connections/${connection.connectionId}/accept`);
    await api(s.admin, 'PUT', `/v1/connections/${connection.connectionId}/roles`, { roleArn: `arn:aws:iam::${s.id}:role/gantry-deploy` });
    await api(s.admin, 'PUT', `/v1/connections/${connection.connectionId}/roles`, { roleArn: `arn:aws:iam::${s.id}:role/untrusted-deploy` });
    s.connectionId = connection.connectionId;
  }

  wc = await new WorkingCopy(cloneUrl, ts.admin).init();
  cpSync(join(import.meta.dirname, 'fixtures/todo-app'), wc.dir, { recursive: true });
  writeFileSync(join(wc.dir, 'package-lock.json'), JSON.stringify({ name: 'todo-app', version: '0.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'todo-app', version: '0.0.0' } } }));
  wc.write({
    'index.html': '<h1>todo v1</h1>',
    'amplify.yml': GENERATE_OUTPUTS_SPEC,
  });
  await wc.commitAndPush('the app, without a workflow yet');
});
after(async () => {
  await ts.stop();
  for (const dir of [work, wc.dir]) rmSync(dir, { recursive: true, force: true });
});

describe('the cross-account pipeline', () => {
  test('connections need the connected account\'s consent and only take that account\'s roles', async () => {
    const { connection } = await api(ts.admin, 'POST', `/v1/spaces/${SPACE}/connections`, { name: 'other', accountId: ts.managementAccount });
    // The staging account cannot accept a connection to another account.
    const refused = await signedFetch(ts.url, stage.staging.admin, 'POST', `/v1/connections/${connection.connectionId}/accept`, { service: 'codecatalyst' });
    assert.equal(refused.status, 403);
    assert.match(refused.json.message, new RegExp(`Only a principal of account ${ts.managementAccount}`));
    const foreignRole = await signedFetch(ts.url, stage.staging.admin, 'PUT', `/v1/connections/${stage.staging.connectionId}/roles`, { service: 'codecatalyst', body: { roleArn: `arn:aws:iam::${stage.production.id}:role/gantry-deploy` } });
    assert.equal(foreignRole.status, 400);
    assert.match(foreignRole.json.message, /belongs to account/);
    const listed = await api(stage.staging.admin, 'GET', '/v1/connections');
    assert.deepEqual(listed.items.map((c: any) => [c.name, c.status]), [['staging', 'ACTIVE']]);
    const duplicate = await signedFetch(ts.url, ts.admin, 'POST', `/v1/spaces/${SPACE}/connections`, { service: 'codecatalyst', body: { name: 'staging-again', accountId: stage.staging.id } });
    assert.equal(duplicate.status, 409);
  });

  test('a push to main deploys staging then production, each with its own role, and starts both frontend builds', async () => {
    const commit = await wc.write({ '.codecatalyst/workflows/deploy.yaml': pipeline() }).commitAndPush('add the pipeline');
    const run = await waitForRun((r) => r.commitId === commit, 'the pipeline run');
    const staging = await log(run.id, 'DeployStaging');
    const production = await log(run.id, 'DeployProduction');
    assert.equal(run.status, 'SUCCEEDED', `${JSON.stringify(run)}\n--- staging\n${staging}\n--- production\n${production}`);
    assert.equal(run.trigger, 'PUSH');
    const [first, second] = run.actions;
    assert.deepEqual([first.name, second.name], ['DeployStaging', 'DeployProduction']);
    assert.ok(Date.parse(second.startTime) >= Date.parse(first.endTime), 'production starts after staging ended');

    assert.equal(first.roleArn, `arn:aws:iam::${stage.staging.id}:role/gantry-deploy`);
    assert.equal(second.roleArn, `arn:aws:iam::${stage.production.id}:role/gantry-deploy`);
    assert.match(staging, new RegExp(`role gantry-deploy \\(connection staging`));
    assert.match(production, new RegExp(`role gantry-deploy \\(connection production`));
    assert.doesNotMatch(staging + production, /AWS_SECRET_ACCESS_KEY=\w/);
    // The backend of each stage lives in its own account only.
    assert.ok(await stackExists('staging', stage.staging.appId));
    assert.ok(await stackExists('production', stage.production.appId));
    assert.ok(!(await stackExists('production', stage.staging.appId)), 'the staging backend is not in production');

    // The audit trail of each account shows the workflow service assuming that account's role.
    for (const name of ['staging', 'production'] as const) {
      const events = await signedFetch(ts.url, stage[name].admin, 'GET', '/_gantry/audit-events?eventName=AssumeRole', { service: 'cloudtrail' });
      assert.equal(events.status, 200, JSON.stringify(events.json));
      const byRunner = events.json.Events.filter((e: any) => e.Username === RUNNER);
      assert.ok(byRunner.some((e: any) => JSON.parse(e.CloudTrailEvent).requestParameters.roleArn === `arn:aws:iam::${stage[name].id}:role/gantry-deploy`), JSON.stringify(events.json.Events.slice(0, 3)));
    }

    // Each webhook started that account's frontend build, which published the backend's outputs.
    for (const name of ['staging', 'production'] as const) {
      const s = stage[name];
      const amplify = new AmplifyClient({ endpoint: ts.url, region: s.region, credentials: s.admin, maxAttempts: 1 });
      const { jobSummaries } = await amplify.send(new ListJobsCommand({ appId: s.appId, branchName: 'main' }));
      assert.equal(jobSummaries!.length, 1, `${name}: one build started by the webhook`);
      let job;
      do {
        await new Promise((r) => setTimeout(r, 200));
        job = (await amplify.send(new GetJobCommand({ appId: s.appId, branchName: 'main', jobId: jobSummaries![0]!.jobId }))).job!;
      } while (!['SUCCEED', 'FAILED', 'CANCELLED'].includes(job.summary!.status!));
      assert.equal(job.summary!.status, 'SUCCEED', await (await fetch(job.steps![0]!.logUrl!)).text());
      const outputs = await (await fetch(`${ts.url}/_sites/${s.appId}/main/amplify_outputs.json`)).json();
      assert.match(outputs.data.url, /\/data\/[A-Za-z0-9]+\/graphql$/);
      assert.equal(outputs.data.aws_region, s.region, `${name}: the backend is in the account's region`);
    }
  });

  test('an approval gate holds production until a principal of the space approves it', async () => {
    const commit = await wc.write({ '.codecatalyst/workflows/deploy.yaml': pipeline({ gate: true }), 'index.html': '<h1>todo v2</h1>' }).commitAndPush('gate production');
    let run: any;
    const until = Date.now() + 120_000;
    do {
      await new Promise((r) => setTimeout(r, 200));
      run = (await api(ts.admin, 'GET', `${project}/workflowRuns`)).items.find((r: any) => r.commitId === commit);
      assert.ok(Date.now() < until, 'the gate is reached');
    } while (run?.actions.find((a: any) => a.name === 'Promote')?.status !== 'WAITING_FOR_APPROVAL');
    assert.equal(run.actions.find((a: any) => a.name === 'DeployStaging').status, 'SUCCEEDED');
    assert.equal(run.actions.find((a: any) => a.name === 'DeployProduction').status, 'WAITING');
    const notYet = await signedFetch(ts.url, stage.staging.admin, 'POST', `${project}/workflowRuns/${run.id}/actions/Promote/approve`, { service: 'codecatalyst' });
    assert.equal(notYet.status, 404, "a principal of another account cannot approve (nor see the space's runs)");
    await api(ts.admin, 'POST', `${project}/workflowRuns/${run.id}/actions/Promote/approve`);
    const done = await waitForRun((r) => r.id === run.id, 'the approved run');
    assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done));
    assert.deepEqual(done.actions.find((a: any) => a.name === 'Promote').approvals, [`arn:aws:iam::${ts.managementAccount}:user/gantry-admin`]);
  });

  test('a production role that does not trust the workflow service fails the second action and deploys nothing there', async () => {
    const fresh = await (async () => {
      const amplify = new AmplifyClient({ endpoint: ts.url, region: stage.production.region, credentials: stage.production.admin, maxAttempts: 1 });
      const app = await amplify.send(new CreateAppCommand({ name: 'todo-untrusted', repository: cloneUrl }));
      return app.app!.appId!;
    })();
    const productionAppId = stage.production.appId;
    stage.production.appId = fresh;
    const commit = await wc.write({ '.codecatalyst/workflows/deploy.yaml': pipeline({ productionRole: 'untrusted-deploy' }) }).commitAndPush('untrusted production role');
    stage.production.appId = productionAppId;
    const run = await waitForRun((r) => r.commitId === commit, 'the run with an untrusted role');
    assert.equal(run.status, 'FAILED');
    const production = run.actions.find((a: any) => a.name === 'DeployProduction');
    assert.equal(production.status, 'FAILED');
    assert.match(production.failureReason, /Could not assume role untrusted-deploy through connection production/);
    assert.match(production.failureReason, /codecatalyst-runner\.amazonaws\.com/);
    assert.doesNotMatch(await log(run.id, 'DeployProduction'), /pipeline-deploy/);
    assert.ok(!(await stackExists('production', fresh)), 'nothing was deployed in production');
  });
});
