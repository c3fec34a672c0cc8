import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { toStackName, type BackendIdentifier } from '../src/index.ts';
import { startBackendServer, type BackendServer, type Credentials } from './support/backend-server.ts';
import { todoManifest } from './support/manifests.ts';

let s: BackendServer;
before(async () => (s = await startBackendServer()));
after(() => s.stop());

const LIST = '/_gantry/backends/stacks';
let counter = 0;
const newBackendId = (type: 'branch' | 'sandbox' = 'branch'): BackendIdentifier =>
  ({ namespace: `d${process.pid}ls${++counter}`, name: type === 'branch' ? 'main' : 'dev', type });

/** Deploys and waits, as `ampx pipeline-deploy` does. */
async function deployed(credentials: Credentials, backendId: BackendIdentifier, region = 'us-west-2') {
  const path = `/_gantry/backends/stacks/${toStackName(backendId)}`;
  const started = await s.call(credentials, 'POST', `${path}/deployments`, { body: { backendId, manifest: todoManifest() }, region });
  assert.equal(started.status, 202, JSON.stringify(started.json));
  for (let i = 0; i < 200; i++) {
    const r = await s.call(credentials, 'GET', `${path}/deployments/${started.json.deployment.deploymentId}`, { region });
    if (r.json.deployment.status === 'SUCCEEDED') return toStackName(backendId);
    assert.notEqual(r.json.deployment.status, 'FAILED', r.json.deployment.error);
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error('the deployment did not finish');
}

/** Every page of ListStacks, following nextToken. */
async function listAll(credentials: Credentials, maxResults?: number, region = 'us-west-2') {
  const names: string[] = [];
  const summaries: any[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const query = new URLSearchParams({ ...(maxResults ? { maxResults: String(maxResults) } : {}), ...(token ? { nextToken: token } : {}) });
    const r = await s.call(credentials, 'GET', `${LIST}${query.size ? `?${query}` : ''}`, { region });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    if (maxResults) assert.ok(r.json.stacks.length <= maxResults);
    summaries.push(...r.json.stacks);
    names.push(...r.json.stacks.map((x: any) => x.stackName));
    token = r.json.nextToken;
    pages++;
  } while (token);
  return { names, summaries, pages };
}

test('ListStacks answers the stacks of the caller\'s account and region only, with their backend ids', async () => {
  const member = await s.memberAccount('lists');
  const mine = [await deployed(s.admin, newBackendId()), await deployed(s.admin, newBackendId('sandbox'))];
  const theirs = await deployed(member.admin, newBackendId());
  const elsewhere = await deployed(s.admin, newBackendId(), 'eu-west-1');

  const admin = await listAll(s.admin);
  for (const name of mine) assert.ok(admin.names.includes(name), `${name} is listed`);
  assert.ok(!admin.names.includes(theirs), 'another account\'s stack is not listed');
  assert.ok(!admin.names.includes(elsewhere), 'another region\'s stack is not listed');
  assert.deepEqual([...admin.names].sort(), admin.names, 'ordered by name');
  const sandbox = admin.summaries.find((x) => x.stackName === mine[1]);
  assert.equal(sandbox.backendId.type, 'sandbox');
  assert.equal(sandbox.status, 'CREATE_COMPLETE');
  assert.match(sandbox.stackId, /^arn:aws:cloudformation:us-west-2:\d{12}:stack\//);
  assert.ok(sandbox.lastDeploymentId);

  assert.deepEqual((await listAll(s.admin, undefined, 'eu-west-1')).names, [elsewhere]);
  assert.deepEqual((await listAll(member.admin)).names, [theirs], 'the member account sees its own stack only');
});

test('ListStacks pages with nextToken, without repeating or skipping a stack', async () => {
  const account = await s.memberAccount('pages');
  const created: string[] = [];
  for (let i = 0; i < 5; i++) created.push(await deployed(account.admin, newBackendId()));
  const paged = await listAll(account.admin, 2);
  assert.equal(paged.pages, 3);
  assert.deepEqual(paged.names, [...created].sort());

  const bad = await s.call(account.admin, 'GET', `${LIST}?nextToken=not-a-token`);
  assert.equal(bad.status, 400);
  assert.equal(bad.errorType, 'ValidationError');
  assert.match(bad.json.message, /nextToken/);
  const tooMany = await s.call(account.admin, 'GET', `${LIST}?maxResults=101`);
  assert.equal(tooMany.status, 400);
  assert.match(tooMany.json.message, /maxResults must be a whole number from 1 to 100/);
  // A token made in one account means nothing more in another: it only says where to start, never whose.
  const first = await s.call(account.admin, 'GET', `${LIST}?maxResults=1`);
  const other = await s.call(s.admin, 'GET', `${LIST}?nextToken=${first.json.nextToken}`);
  assert.equal(other.status, 200);
  assert.ok(other.json.stacks.every((x: any) => !created.includes(x.stackName)));
});

test('ListStacks without cloudformation:ListStacks is AccessDenied, naming the action', async () => {
  const user = await s.userWithKey(s.admin, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: '*' }] });
  const denied = await s.call(user.credentials, 'GET', LIST);
  assert.equal(denied.status, 403);
  assert.equal(denied.errorType, 'AccessDenied');
  assert.match(denied.json.message, /not authorized to perform: cloudformation:ListStacks on resource: \*/);
  assert.equal(denied.json.stacks, undefined, 'nothing of the list leaks');

  const allowed = await s.userWithKey(s.admin, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudformation:ListStacks', Resource: '*' }] });
  assert.equal((await s.call(allowed.credentials, 'GET', LIST)).status, 200);
});
