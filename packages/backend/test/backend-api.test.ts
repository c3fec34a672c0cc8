import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toStackName, type BackendIdentifier } from '../src/index.ts';
import { startBackendServer, type BackendServer, type Credentials } from './support/backend-server.ts';
import { todoManifest } from './support/manifests.ts';

let s: BackendServer;
before(async () => (s = await startBackendServer()));
after(() => s.stop());

let counter = 0;
const newBackendId = (): BackendIdentifier => ({ namespace: `d${process.pid}api${++counter}`, name: 'main', type: 'branch' });
const stackPath = (id: BackendIdentifier) => `/_gantry/backends/stacks/${toStackName(id)}`;

async function deploy(credentials: Credentials, backendId: BackendIdentifier, manifest: unknown, extra: Record<string, unknown> = {}, region?: string) {
  return s.call(credentials, 'POST', `${stackPath(backendId)}/deployments`, { body: { backendId, manifest, ...extra }, region });
}

/** Polls the deployment as a client would, until it leaves its active statuses. */
async function waitFor(credentials: Credentials, backendId: BackendIdentifier, deploymentId: string, region?: string) {
  for (let i = 0; i < 200; i++) {
    const r = await s.call(credentials, 'GET', `${stackPath(backendId)}/deployments/${deploymentId}`, { region });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    if (!['PLANNING', 'APPLYING', 'ROLLING_BACK', 'DELETING'].includes(r.json.deployment.status)) return r.json.deployment;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error(`deployment ${deploymentId} did not finish`);
}

describe('deploying over HTTP', () => {
  test('deploy returns at once, the client polls, then reads the stack, events and amplify_outputs.json', async () => {
    const backendId = newBackendId();
    const started = await deploy(s.admin, backendId, todoManifest({ auth: true }));
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const { deployment } = started.json;
    assert.match(deployment.deploymentId, /^d-[a-z0-9]+$/);
    assert.equal(deployment.status, 'APPLYING');
    assert.deepEqual(deployment.plan.steps.map((x: any) => `${x.resource}:${x.action}`), ['auth:create', 'data:create']);
    assert.match(deployment.principalArn, /:user\/gantry-admin$/);

    const done = await waitFor(s.admin, backendId, deployment.deploymentId);
    assert.equal(done.status, 'SUCCEEDED', done.error);

    const stack = await s.call(s.admin, 'GET', stackPath(backendId));
    assert.equal(stack.status, 200);
    assert.equal(stack.json.stack.status, 'CREATE_COMPLETE');
    assert.deepEqual(stack.json.stack.backendId, backendId);
    const account = (await s.iam.managementAccount())!.id;
    assert.match(stack.json.stack.stackId, new RegExp(`^arn:aws:cloudformation:us-west-2:${account}:stack/${toStackName(backendId)}/[0-9a-f-]{36}$`));
    assert.ok(stack.json.stack.outputs['AWS::Amplify::GraphQL'].payload.awsAppsyncApiKey);

    const events = await s.call(s.admin, 'GET', `${stackPath(backendId)}/events`);
    assert.equal(events.json.deploymentId, deployment.deploymentId);
    assert.deepEqual(events.json.events.map((e: any) => `${e.logicalResourceId} ${e.resourceStatus}`).slice(1, -1),
      ['auth CREATE_IN_PROGRESS', 'auth CREATE_COMPLETE', 'data CREATE_IN_PROGRESS', 'data CREATE_COMPLETE']);
    const more = await s.call(s.admin, 'GET', `${stackPath(backendId)}/events?deploymentId=${deployment.deploymentId}&nextToken=${events.json.nextToken}`);
    assert.deepEqual(more.json.events, [], 'the token returns only what is new');

    const outputs = await s.call(s.admin, 'GET', `${stackPath(backendId)}/outputs?version=1.3`);
    assert.equal(outputs.status, 200);
    assert.equal(outputs.json.version, '1.3');
    assert.equal(outputs.json.data.aws_region, 'us-west-2');
    assert.match(outputs.json.data.url, new RegExp(`^${s.url}/data/[a-z0-9]{26}/graphql$`));
    assert.equal(outputs.json.auth.aws_region, 'us-west-2');

    const list = await s.call(s.admin, 'GET', `${stackPath(backendId)}/deployments`);
    assert.deepEqual(list.json.deployments.map((d: any) => d.deploymentId), [deployment.deploymentId]);
  });

  test('redeploying the same manifest answers SUCCEEDED at once, under 300 ms end to end', async () => {
    const backendId = newBackendId();
    const first = await deploy(s.admin, backendId, todoManifest());
    await waitFor(s.admin, backendId, first.json.deployment.deploymentId);
    await deploy(s.admin, backendId, todoManifest()); // warm the policy cache, as a pipeline's second run would be
    // How long it takes is measured by `npm run bench backend`, not asserted here.
    const again = await deploy(s.admin, backendId, todoManifest());
    assert.equal(again.json.deployment.status, 'SUCCEEDED');
    assert.equal(again.json.deployment.plan.hasChanges, false);
  });

  test('a manifest without model introspection gets it derived from its schema, as Amplify generates it', async () => {
    const backendId = newBackendId();
    const manifest = todoManifest({ models: { Todo: ['content'], Note: ['text'] } });
    delete (manifest.data as { modelIntrospection?: unknown }).modelIntrospection;
    const started = await deploy(s.admin, backendId, manifest);
    assert.equal(started.status, 202, JSON.stringify(started.json));
    assert.equal((await waitFor(s.admin, backendId, started.json.deployment.deploymentId)).status, 'SUCCEEDED');
    const outputs = await s.call(s.admin, 'GET', `${stackPath(backendId)}/outputs`);
    const introspection = outputs.json.data.model_introspection;
    assert.deepEqual(Object.keys(introspection.models).sort(), ['Note', 'Todo']);
    // The generator's own additions, which the test fixture's hand-made introspection does not have.
    assert.deepEqual(Object.keys(introspection.models.Todo.fields).sort(), ['content', 'createdAt', 'id', 'updatedAt']);
    assert.equal(introspection.models.Note.fields.text.type, 'String');
  });

  test('a plan can be previewed without deploying (CreateChangeSet)', async () => {
    const backendId = newBackendId();
    const first = await deploy(s.admin, backendId, todoManifest({ models: { Todo: ['content'], Note: ['body'] } }));
    await waitFor(s.admin, backendId, first.json.deployment.deploymentId);
    const preview = await s.call(s.admin, 'POST', `${stackPath(backendId)}/plans`, { body: { backendId, manifest: todoManifest() } });
    assert.equal(preview.status, 200);
    assert.deepEqual(preview.json.plan.deletes, ['model Note and all its items']);
    const list = await s.call(s.admin, 'GET', `${stackPath(backendId)}/deployments`);
    assert.equal(list.json.deployments.length, 1, 'previews are not deployments');
  });

  test('a second deploy while one runs is refused with 409, naming the running deployment', async () => {
    const backendId = newBackendId();
    s.dataPlane.delayMs = 300;
    try {
      const first = await deploy(s.admin, backendId, todoManifest());
      assert.equal(first.status, 202);
      const second = await deploy(s.admin, backendId, todoManifest());
      assert.equal(second.status, 409);
      assert.equal(second.errorType, 'Conflict');
      assert.match(second.json.message, new RegExp(`deployment ${first.json.deployment.deploymentId} is APPLYING`));
      assert.match(second.json.message, /wait for it to finish \(watch it with GET/);
      await waitFor(s.admin, backendId, first.json.deployment.deploymentId);
    } finally {
      s.dataPlane.delayMs = 0;
    }
  });

  test('a destructive change is refused without allowDestructive and goes through with it', async () => {
    const backendId = newBackendId();
    const first = await deploy(s.admin, backendId, todoManifest({ models: { Todo: ['content'], Note: ['body'] } }));
    await waitFor(s.admin, backendId, first.json.deployment.deploymentId);
    const refused = await deploy(s.admin, backendId, todoManifest());
    assert.equal(refused.status, 400);
    assert.match(refused.json.message, /was refused at planning.*would delete data:\n- model Note and all its items/s);
    const allowed = await deploy(s.admin, backendId, todoManifest(), { allowDestructive: true });
    assert.equal(allowed.status, 202);
    assert.equal((await waitFor(s.admin, backendId, allowed.json.deployment.deploymentId)).status, 'SUCCEEDED');
  });

  test('DeleteStack removes the backend; the stack is then unknown', async () => {
    const backendId = newBackendId();
    const first = await deploy(s.admin, backendId, todoManifest());
    await waitFor(s.admin, backendId, first.json.deployment.deploymentId);
    const removed = await s.call(s.admin, 'DELETE', stackPath(backendId));
    assert.equal(removed.status, 202);
    assert.equal(removed.json.deployment.kind, 'DELETE');
    assert.equal((await waitFor(s.admin, backendId, removed.json.deployment.deploymentId)).status, 'SUCCEEDED');
    assert.equal((await s.call(s.admin, 'GET', stackPath(backendId))).status, 404);
  });
});

describe('authorisation', () => {
  test('a principal without cloudformation permissions gets AccessDenied naming the action and stack', async () => {
    const member = await s.memberAccount('noperm');
    const user = await s.userWithKey(member.admin, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] });
    const backendId = newBackendId();
    const denied = await deploy(user.credentials, backendId, todoManifest());
    assert.equal(denied.status, 403);
    assert.equal(denied.errorType, 'AccessDenied');
    assert.match(denied.json.message, new RegExp(`not authorized to perform: cloudformation:ExecuteChangeSet on resource: arn:aws:cloudformation:us-west-2:${member.id}:stack/${toStackName(backendId)}/\\*`));
    const describe = await s.call(user.credentials, 'GET', stackPath(backendId));
    assert.equal(describe.status, 403);
    assert.match(describe.json.message, /cloudformation:DescribeStacks/);
  });

  test('read-only access to amplify-* stacks describes but cannot deploy or delete', async () => {
    const member = await s.memberAccount('readonly');
    const user = await s.userWithKey(member.admin, {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents'], Resource: 'arn:aws:cloudformation:*:*:stack/amplify-*' }],
    });
    const backendId = newBackendId();
    const missing = await s.call(user.credentials, 'GET', stackPath(backendId));
    assert.equal(missing.status, 404, 'allowed to look, and told the stack does not exist');
    assert.equal((await deploy(user.credentials, backendId, todoManifest())).status, 403);
    assert.equal((await s.call(user.credentials, 'DELETE', stackPath(backendId))).status, 403);
  });

  test('a role session in another account deploys into that account, not the caller\'s', async () => {
    const a = await s.memberAccount('pipeline');
    const b = await s.memberAccount('production');
    const caller = await s.userWithKey(a.admin, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] });
    const roleArn = await s.role(b.admin, `arn:aws:iam::${a.id}:root`, { attach: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    const session = await s.assume(caller.credentials, roleArn);
    const backendId = newBackendId();
    const started = await deploy(session, backendId, todoManifest(), {}, 'eu-west-1');
    assert.equal(started.status, 202, JSON.stringify(started.json));
    assert.match(started.json.deployment.principalArn, new RegExp(`^arn:aws:sts::${b.id}:assumed-role/`));
    assert.equal((await waitFor(session, backendId, started.json.deployment.deploymentId, 'eu-west-1')).status, 'SUCCEEDED');
    const stack = await s.call(session, 'GET', stackPath(backendId), { region: 'eu-west-1' });
    assert.match(stack.json.stack.stackId, new RegExp(`^arn:aws:cloudformation:eu-west-1:${b.id}:stack/`));
    // Account A and another region of B do not see it.
    assert.equal((await s.call(a.admin, 'GET', stackPath(backendId), { region: 'eu-west-1' })).status, 404);
    assert.equal((await s.call(session, 'GET', stackPath(backendId), { region: 'us-west-2' })).status, 404);
  });

  test('AmplifyBackendDeployFullAccess alone describes stacks but has no CloudFormation change-set action', async () => {
    // As on AWS, where that policy deploys by assuming the CDK bootstrap deploy role: see the package notes.
    const b = await s.memberAccount('amplifyonly');
    const roleArn = await s.role(b.admin, `arn:aws:iam::${(await s.iam.managementAccount())!.id}:root`, { attach: ['arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess'] });
    const session = await s.assume(s.admin, roleArn);
    const backendId = newBackendId();
    assert.equal((await s.call(session, 'GET', stackPath(backendId))).status, 404);
    assert.equal((await deploy(session, backendId, todoManifest())).status, 403);
  });
});

describe('bad input', () => {
  const cases: Array<[string, (id: BackendIdentifier) => unknown, RegExp]> = [
    ['no manifest', (id) => ({ backendId: id }), /Malformed backend manifest: manifest must be a JSON object/],
    ['a manifest of the wrong version', (id) => ({ backendId: id, manifest: { ...todoManifest(), manifestVersion: 2 } }), /manifest.manifestVersion must be 1/],
    ['a data section without SDL', (id) => ({ backendId: id, manifest: { ...todoManifest(), data: { ...todoManifest().data, schema: '' } } }), /manifest.data.schema must be the non-empty SDL/],
    ['a schema models cannot be generated from, and no model introspection',
      (id) => ({ backendId: id, manifest: { ...todoManifest(), data: { ...todoManifest().data, schema: 'type Todo @model { content: Strin }', modelIntrospection: undefined } } }),
      /The data schema defined in amplify\/data\/resource.ts is not one Amplify can generate models from: .*Strin/],
    ['an API key lifetime out of range', (id) => ({ backendId: id, manifest: todoManifest({ expiresInDays: 400 }) }), /expiresInDays must be a whole number of days from 1 to 365/],
    ['no backend id', () => ({ manifest: todoManifest() }), /backendId must be an object/],
    ['a backend id of another stack', (id) => ({ backendId: { ...id, name: 'other' }, manifest: todoManifest() }), /The stack of backend .* is amplify-.*-other-branch-[0-9a-f]{10}, not /],
  ];
  for (const [name, body, message] of cases) {
    test(`deploy with ${name} → 400 ValidationError`, async () => {
      const id = newBackendId();
      const r = await s.call(s.admin, 'POST', `${stackPath(id)}/deployments`, { body: body(id) });
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.errorType, 'ValidationError');
      assert.match(r.json.message, message);
    });
  }

  test('unknown stacks and deployments → 404 with what to do', async () => {
    const id = newBackendId();
    const stack = await s.call(s.admin, 'GET', stackPath(id));
    assert.equal(stack.status, 404);
    assert.match(stack.json.message, /Stack with id amplify-.* does not exist in account \d{12}, region us-west-2\. Deploy the backend first/);
    assert.equal((await s.call(s.admin, 'GET', `${stackPath(id)}/outputs`)).status, 404);
    assert.equal((await s.call(s.admin, 'GET', `${stackPath(id)}/events`)).status, 404);
    assert.equal((await s.call(s.admin, 'GET', `${stackPath(id)}/deployments/d-nope`)).status, 404);
    assert.equal((await s.call(s.admin, 'DELETE', stackPath(id))).status, 404);
  });

  test('an unknown outputs version, a bad stack name and a request signed for another service are refused', async () => {
    const id = newBackendId();
    const first = await deploy(s.admin, id, todoManifest());
    await waitFor(s.admin, id, first.json.deployment.deploymentId);
    const version = await s.call(s.admin, 'GET', `${stackPath(id)}/outputs?version=2`);
    assert.equal(version.status, 400);
    assert.match(version.json.message, /use one of 1, 1\.1, 1\.2, 1\.3, 1\.4, 1\.5/);
    const name = await s.call(s.admin, 'GET', '/_gantry/backends/stacks/1bad_name');
    assert.equal(name.status, 400);
    const wrongService = await s.call(s.admin, 'GET', stackPath(id), { service: 'amplify' });
    assert.equal(wrongService.status, 403);
    assert.match(wrongService.json.message, /scoped to correct service: 'cloudformation'/);
  });
});
