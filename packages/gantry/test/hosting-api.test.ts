import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AmplifyClient, CreateAppCommand, CreateBranchCommand, CreateWebhookCommand, DeleteAppCommand, DeleteBranchCommand,
  DeleteWebhookCommand, GetAppCommand, GetBranchCommand, GetWebhookCommand, ListAppsCommand, ListBranchesCommand,
  ListWebhooksCommand, UpdateAppCommand, UpdateBranchCommand, UpdateWebhookCommand,
} from '@aws-sdk/client-amplify';
import { hashSecret } from '@gantry/core';
import { allow, memberAccount, userWithKey } from './support/iam-fixtures.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

let ts: TestServer;
let amplify: AmplifyClient;
const client = (credentials: Credentials, region = 'us-west-2') =>
  new AmplifyClient({ endpoint: ts.url, region, credentials, maxAttempts: 1 });

before(async () => {
  ts = await startTestServer();
  amplify = client(ts.admin);
});
after(() => ts.stop());

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error: any) {
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
  }
  assert.fail('expected the call to fail');
}

describe('apps', () => {
  test('CreateApp, GetApp, UpdateApp, DeleteApp round-trip with Amplify shapes', async () => {
    const before = Date.now() / 1000;
    const repository = (await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'shop' } })).json.repository.cloneUrl;
    const { app } = await amplify.send(new CreateAppCommand({
      name: 'shop', repository, platform: 'WEB_COMPUTE', description: 'the shop',
      environmentVariables: { STAGE: 'prod' }, buildSpec: 'version: 1\n', enableBranchAutoBuild: true,
      customRules: [{ source: '/<*>', target: '/index.html', status: '404-200' }],
    }));
    assert.ok(app);
    assert.match(app.appId!, /^d[a-z0-9]{13}$/);
    assert.equal(app.appArn, `arn:aws:amplify:us-west-2:${ts.managementAccount}:apps/${app.appId}`);
    assert.equal(app.name, 'shop');
    assert.equal(app.platform, 'WEB_COMPUTE');
    assert.equal(app.repository, repository);
    assert.deepEqual(app.environmentVariables, { STAGE: 'prod' });
    assert.equal(app.buildSpec, 'version: 1\n');
    assert.equal(app.enableBranchAutoBuild, true);
    assert.equal(app.enableBasicAuth, false);
    assert.deepEqual(app.customRules, [{ source: '/<*>', target: '/index.html', status: '404-200' }]);
    assert.equal(app.defaultDomain, `${app.appId}.localhost:${new URL(ts.url).port}`);
    assert.ok(app.createTime instanceof Date && app.createTime.getTime() / 1000 >= before - 1);

    const got = await amplify.send(new GetAppCommand({ appId: app.appId }));
    assert.deepEqual(got.app, app);

    const updated = await amplify.send(new UpdateAppCommand({ appId: app.appId, description: 'new', enableBranchAutoBuild: false, environmentVariables: {} }));
    assert.equal(updated.app!.description, 'new');
    assert.equal(updated.app!.enableBranchAutoBuild, false);
    assert.deepEqual(updated.app!.environmentVariables, {});
    assert.equal(updated.app!.name, 'shop');
    assert.equal(updated.app!.platform, 'WEB_COMPUTE');

    const deleted = await amplify.send(new DeleteAppCommand({ appId: app.appId }));
    assert.equal(deleted.app!.appId, app.appId);
    const gone = await errorOf(amplify.send(new GetAppCommand({ appId: app.appId })));
    assert.equal(gone.name, 'NotFoundException');
    assert.equal(gone.status, 404);
    assert.equal(gone.message, `App ${app.appId} not found.`);
  });

  test('ListApps pages with maxResults and nextToken', async () => {
    const c = client(ts.admin, 'ap-south-1');
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await c.send(new CreateAppCommand({ name: `paged-${i}` }))).app!.appId!);
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await c.send(new ListAppsCommand({ maxResults: 2, nextToken }));
      assert.ok(out.apps!.length <= 2);
      seen.push(...out.apps!.map((a) => a.appId!));
      nextToken = out.nextToken;
      pages++;
    } while (nextToken);
    assert.equal(pages, 3);
    assert.deepEqual(new Set(seen), ids);
    assert.equal((await c.send(new ListAppsCommand({}))).apps!.length, 5);
  });

  test('invalid input is a BadRequestException', async () => {
    const empty = await errorOf(amplify.send(new CreateAppCommand({ name: '' })));
    assert.equal(empty.name, 'BadRequestException');
    assert.equal(empty.status, 400);
    assert.match(empty.message, /at 'name' failed to satisfy constraint/);
    const platform = await errorOf(amplify.send(new CreateAppCommand({ name: 'x', platform: 'MOBILE' as any })));
    assert.equal(platform.name, 'BadRequestException');
    assert.match(platform.message, /WEB, WEB_DYNAMIC, WEB_COMPUTE/);
    const reserved = await errorOf(amplify.send(new CreateAppCommand({ name: 'x', environmentVariables: { AWS_REGION: 'x' } })));
    assert.equal(reserved.name, 'BadRequestException');
    const page = await errorOf(amplify.send(new ListAppsCommand({ maxResults: 101 })));
    assert.equal(page.name, 'BadRequestException');
  });
});

describe('branches', () => {
  test('CreateBranch, GetBranch, ListBranches, UpdateBranch, DeleteBranch', async () => {
    const { app } = await amplify.send(new CreateAppCommand({ name: 'branchy' }));
    const appId = app!.appId!;
    const { branch } = await amplify.send(new CreateBranchCommand({
      appId, branchName: 'main', stage: 'PRODUCTION', environmentVariables: { A: '1' }, buildSpec: 'version: 1\n', description: 'trunk',
    }));
    assert.equal(branch!.branchArn, `arn:aws:amplify:us-west-2:${ts.managementAccount}:apps/${appId}/branches/main`);
    assert.equal(branch!.enableAutoBuild, true);
    assert.equal(branch!.stage, 'PRODUCTION');
    assert.equal(branch!.totalNumberOfJobs, '0');
    assert.deepEqual(branch!.environmentVariables, { A: '1' });
    assert.equal((await amplify.send(new GetAppCommand({ appId }))).app!.productionBranch?.branchName, 'main');

    const slash = await amplify.send(new CreateBranchCommand({ appId, branchName: 'feature/x', enableAutoBuild: false }));
    assert.equal(slash.branch!.branchArn, `arn:aws:amplify:us-west-2:${ts.managementAccount}:apps/${appId}/branches/feature%2Fx`);
    assert.equal(slash.branch!.enableAutoBuild, false);
    assert.equal((await amplify.send(new GetBranchCommand({ appId, branchName: 'feature/x' }))).branch!.branchName, 'feature/x');

    const dup = await errorOf(amplify.send(new CreateBranchCommand({ appId, branchName: 'main' })));
    assert.equal(dup.name, 'BadRequestException');

    const list1 = await amplify.send(new ListBranchesCommand({ appId, maxResults: 1 }));
    assert.equal(list1.branches!.length, 1);
    assert.ok(list1.nextToken);
    const list2 = await amplify.send(new ListBranchesCommand({ appId, maxResults: 1, nextToken: list1.nextToken }));
    assert.equal(list2.branches!.length, 1);
    assert.equal(list2.nextToken, undefined);
    assert.deepEqual([list1.branches![0]!.branchName, list2.branches![0]!.branchName].sort(), ['feature/x', 'main']);

    const updated = await amplify.send(new UpdateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false, description: 'still trunk' }));
    assert.equal(updated.branch!.enableAutoBuild, false);
    assert.equal(updated.branch!.description, 'still trunk');
    assert.equal(updated.branch!.stage, 'PRODUCTION');

    const deleted = await amplify.send(new DeleteBranchCommand({ appId, branchName: 'feature/x' }));
    assert.equal(deleted.branch!.branchName, 'feature/x');
    const missing = await errorOf(amplify.send(new GetBranchCommand({ appId, branchName: 'feature/x' })));
    assert.equal(missing.name, 'NotFoundException');
    const noApp = await errorOf(amplify.send(new CreateBranchCommand({ appId: 'dnosuchapp00000', branchName: 'main' })));
    assert.equal(noApp.name, 'NotFoundException');
    assert.equal(noApp.message, 'App dnosuchapp00000 not found.');
  });
});

describe('webhooks', () => {
  test('CreateWebhook returns a URL with a token that GetWebhook repeats; Update, List, Delete', async () => {
    const { app } = await amplify.send(new CreateAppCommand({ name: 'hooked' }));
    const appId = app!.appId!;
    await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false }));
    await amplify.send(new CreateBranchCommand({ appId, branchName: 'dev' }));

    const noBranch = await errorOf(amplify.send(new CreateWebhookCommand({ appId, branchName: 'nope' })));
    assert.equal(noBranch.name, 'NotFoundException');

    const { webhook } = await amplify.send(new CreateWebhookCommand({ appId, branchName: 'main', description: 'pipeline' }));
    assert.match(webhook!.webhookId!, /^[0-9a-f-]{36}$/);
    assert.equal(webhook!.webhookArn, `arn:aws:amplify:us-west-2:${ts.managementAccount}:apps/${appId}/webhooks/${webhook!.webhookId}`);
    const url = new URL(webhook!.webhookUrl!);
    assert.equal(`${url.origin}${url.pathname}`, `${ts.url}/webhooks`);
    assert.equal(url.searchParams.get('id'), webhook!.webhookId);
    assert.match(url.searchParams.get('token')!, /^[A-Za-z0-9]{40,}$/);
    assert.equal(webhook!.branchName, 'main');
    assert.equal(webhook!.description, 'pipeline');

    // The token is stored only hashed and sealed, never in plain text.
    const token = url.searchParams.get('token')!;
    const row = await ts.server.store.db.selectFrom('hosting_webhooks').selectAll().where('webhook_id', '=', webhook!.webhookId!).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(token));
    assert.equal(row.token_hash, hashSecret(token));

    const got = await amplify.send(new GetWebhookCommand({ webhookId: webhook!.webhookId }));
    assert.deepEqual(got.webhook, webhook);

    const updated = await amplify.send(new UpdateWebhookCommand({ webhookId: webhook!.webhookId, branchName: 'dev', description: 'dev hook' }));
    assert.equal(updated.webhook!.branchName, 'dev');
    assert.equal(updated.webhook!.webhookUrl, webhook!.webhookUrl);
    const badUpdate = await errorOf(amplify.send(new UpdateWebhookCommand({ webhookId: webhook!.webhookId, branchName: 'nope' })));
    assert.equal(badUpdate.name, 'NotFoundException');

    await amplify.send(new CreateWebhookCommand({ appId, branchName: 'main' }));
    const page1 = await amplify.send(new ListWebhooksCommand({ appId, maxResults: 1 }));
    assert.equal(page1.webhooks!.length, 1);
    const page2 = await amplify.send(new ListWebhooksCommand({ appId, maxResults: 1, nextToken: page1.nextToken }));
    assert.equal(page2.webhooks!.length, 1);
    assert.equal(page2.nextToken, undefined);

    const deleted = await amplify.send(new DeleteWebhookCommand({ webhookId: webhook!.webhookId }));
    assert.equal(deleted.webhook!.webhookId, webhook!.webhookId);
    const gone = await errorOf(amplify.send(new GetWebhookCommand({ webhookId: webhook!.webhookId })));
    assert.equal(gone.name, 'NotFoundException');
    assert.equal(gone.message, `Webhook ${webhook!.webhookId} not found.`);
  });

  test('DeleteApp removes the app\'s branches and webhooks', async () => {
    const { app } = await amplify.send(new CreateAppCommand({ name: 'doomed' }));
    const appId = app!.appId!;
    await amplify.send(new CreateBranchCommand({ appId, branchName: 'main' }));
    const { webhook } = await amplify.send(new CreateWebhookCommand({ appId, branchName: 'main' }));
    await amplify.send(new DeleteAppCommand({ appId }));
    assert.equal((await errorOf(amplify.send(new GetWebhookCommand({ webhookId: webhook!.webhookId })))).name, 'NotFoundException');
    assert.equal((await errorOf(amplify.send(new ListBranchesCommand({ appId })))).name, 'NotFoundException');
  });
});

describe('authorisation and isolation', () => {
  test('a user without amplify permissions is denied; one allowed on a single app can use only that app', async () => {
    const { app } = await amplify.send(new CreateAppCommand({ name: 'guarded' }));
    const { app: other } = await amplify.send(new CreateAppCommand({ name: 'other' }));
    const nobody = await userWithKey(ts, ts.admin);
    const denied = await errorOf(client(nobody.credentials).send(new ListAppsCommand({})));
    assert.equal(denied.status, 403);
    assert.equal(denied.name, 'AccessDenied');

    const scoped = await userWithKey(ts, ts.admin, { policy: allow('amplify:GetApp', app!.appArn!) });
    assert.equal((await client(scoped.credentials).send(new GetAppCommand({ appId: app!.appId }))).app!.name, 'guarded');
    assert.equal((await errorOf(client(scoped.credentials).send(new GetAppCommand({ appId: other!.appId })))).status, 403);
    assert.equal((await errorOf(client(scoped.credentials).send(new DeleteAppCommand({ appId: app!.appId })))).status, 403);
  });

  test('apps are per region and per account', async () => {
    const { app } = await amplify.send(new CreateAppCommand({ name: 'regional' }));
    const europe = client(ts.admin, 'eu-west-1');
    assert.equal((await errorOf(europe.send(new GetAppCommand({ appId: app!.appId })))).name, 'NotFoundException');
    assert.ok(!(await europe.send(new ListAppsCommand({}))).apps!.some((a) => a.appId === app!.appId));

    const member = await memberAccount(ts, undefined, ['us-west-2']);
    const theirs = client(member.admin);
    assert.equal((await errorOf(theirs.send(new GetAppCommand({ appId: app!.appId })))).name, 'NotFoundException');
    assert.equal((await errorOf(theirs.send(new CreateBranchCommand({ appId: app!.appId, branchName: 'x' })))).name, 'NotFoundException');
    assert.deepEqual((await theirs.send(new ListAppsCommand({}))).apps, []);
    const own = await theirs.send(new CreateAppCommand({ name: 'mine' }));
    assert.equal(own.app!.appArn, `arn:aws:amplify:us-west-2:${member.id}:apps/${own.app!.appId}`);
  });
});
