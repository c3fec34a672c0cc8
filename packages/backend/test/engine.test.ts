import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ResourceProvider } from '../src/index.ts';
import { engineFixture, finished, newBackend, type EngineFixture } from './support/engine-fixture.ts';
import { todoManifest } from './support/manifests.ts';

let f: EngineFixture;
before(async () => (f = await engineFixture()));
after(() => f.stop());

const principalArn = 'arn:aws:iam::111111111111:user/dev';
const stackOf = (stackName: string) => f.store.db.selectFrom('backend_stacks').selectAll().where('stack_name', '=', stackName).executeTakeFirstOrThrow();
const eventsOf = async (deploymentId: string) =>
  (await f.store.db.selectFrom('backend_deployment_events').selectAll().where('deployment_id', '=', deploymentId).orderBy('seq').execute())
    .map((e) => `${e.logical_id} ${e.status}`);

describe('plan, apply and redeploy', () => {
  test('a first deployment creates the data API, an API key and the outputs', async () => {
    const { backendId, ref } = newBackend();
    const row = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn });
    assert.equal(row.status, 'APPLYING');
    const plan = JSON.parse(row.plan!);
    assert.deepEqual(plan.steps.map((s: any) => [s.resource, s.action]), [['data', 'create']]);
    assert.ok(plan.steps[0].details.includes('model Todo added'));

    const done = await finished(f, row);
    assert.equal(done.status, 'SUCCEEDED', done.error ?? '');
    assert.equal(done.principal_arn, principalArn);
    const stack = await stackOf(ref.stackName);
    assert.equal(stack.status, 'CREATE_COMPLETE');
    const graphql = JSON.parse(stack.outputs)['AWS::Amplify::GraphQL'].payload;
    assert.match(graphql.awsAppsyncApiId, /^[a-z0-9]{26}$/);
    assert.match(graphql.awsAppsyncApiKey, /^da2-[a-z0-9]{26}$/);
    assert.equal(graphql.awsAppsyncApiEndpoint, `https://gantry.test/data/${graphql.awsAppsyncApiId}/graphql`);
    assert.equal(graphql.awsAppsyncRegion, 'us-east-1');
    assert.ok(f.dataPlane.accepts(graphql.awsAppsyncApiId, graphql.awsAppsyncApiKey, f.clock.now));
    // The key lives the requested 30 days.
    const key = f.dataPlane.apis.get(graphql.awsAppsyncApiId)!.apiKeys[0]!;
    assert.equal(key.expiresAt.getTime() - f.clock.now.getTime(), 30 * 86_400_000);
    assert.deepEqual(await eventsOf(row.deployment_id), [
      `${ref.stackName} CREATE_IN_PROGRESS`, 'data CREATE_IN_PROGRESS', 'data CREATE_COMPLETE', `${ref.stackName} CREATE_COMPLETE`,
    ]);
  });

  test('redeploying the same manifest is a no-op that keeps the key and calls no data plane', async () => {
    const { backendId, ref } = newBackend();
    await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn }));
    const before = await stackOf(ref.stackName);
    const calls = f.dataPlane.calls.length;
    const again = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn });
    assert.equal(again.status, 'SUCCEEDED');
    assert.equal(JSON.parse(again.plan!).hasChanges, false);
    assert.equal(f.dataPlane.calls.length, calls);
    const after = await stackOf(ref.stackName);
    assert.equal(after.outputs, before.outputs);
    assert.equal(after.status, 'CREATE_COMPLETE');
  });

  test('adding a model updates the API in place and keeps its id and key', async () => {
    const { backendId, ref } = newBackend();
    await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn }));
    const first = JSON.parse((await stackOf(ref.stackName)).outputs)['AWS::Amplify::GraphQL'].payload;
    const row = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ models: { Todo: ['content'], Note: ['body'] } }), allowDestructive: false, principalArn });
    const plan = JSON.parse(row.plan!);
    assert.deepEqual(plan.steps.map((s: any) => [s.resource, s.action]), [['data', 'update']]);
    assert.deepEqual(plan.steps[0].details, ['model Note added']);
    assert.equal((await finished(f, row)).status, 'SUCCEEDED');
    const stack = await stackOf(ref.stackName);
    assert.equal(stack.status, 'UPDATE_COMPLETE');
    const second = JSON.parse(stack.outputs)['AWS::Amplify::GraphQL'].payload;
    assert.equal(second.awsAppsyncApiId, first.awsAppsyncApiId);
    assert.equal(second.awsAppsyncApiKey, first.awsAppsyncApiKey);
    assert.match(f.dataPlane.apis.get(first.awsAppsyncApiId)!.sdl, /type Note @model/);
  });

  test('an expired API key is replaced; a changed lifetime moves the expiry of the kept key', async () => {
    const { backendId, ref } = newBackend();
    await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ expiresInDays: 7 }), allowDestructive: false, principalArn }));
    const key = () => JSON.parse(stackOfSync.outputs)['AWS::Amplify::GraphQL'].payload.awsAppsyncApiKey as string;
    let stackOfSync = await stackOf(ref.stackName);
    const original = key();
    const longer = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ expiresInDays: 90 }), allowDestructive: false, principalArn });
    assert.match(JSON.parse(longer.plan!).steps[0].details.join(), /lifetime 7 → 90/);
    await finished(f, longer);
    stackOfSync = await stackOf(ref.stackName);
    assert.equal(key(), original);

    const saved = f.clock.now;
    f.clock.now = new Date(saved.getTime() + 91 * 86_400_000);
    try {
      const rotated = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ expiresInDays: 90 }), allowDestructive: false, principalArn });
      assert.match(JSON.parse(rotated.plan!).steps[0].details.join(), /expired API key.*API key created/);
      await finished(f, rotated);
      stackOfSync = await stackOf(ref.stackName);
      assert.notEqual(key(), original);
    } finally {
      f.clock.now = saved;
    }
  });

  test('auth creates a user pool record with Cognito-shaped ids that stay the same on update', async () => {
    const { backendId, ref } = newBackend();
    const row = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ auth: true }), allowDestructive: false, principalArn });
    assert.deepEqual(JSON.parse(row.plan!).steps.map((s: any) => s.resource), ['auth', 'data']);
    await finished(f, row);
    const auth = JSON.parse((await stackOf(ref.stackName)).outputs)['AWS::Amplify::Auth'].payload;
    assert.match(auth.userPoolId, /^us-east-1_[A-Za-z0-9]{9}$/);
    assert.match(auth.webClientId, /^[a-z0-9]{26}$/);
    assert.equal(auth.identityPoolId, undefined, 'no identity pool is advertised until one is served');
    const manifest = todoManifest({ auth: true });
    manifest.auth!.passwordPolicy!.minLength = 12;
    const update = await f.service.deployer.deploy({ ref, backendId, manifest, allowDestructive: false, principalArn });
    assert.deepEqual(JSON.parse(update.plan!).steps.map((s: any) => [s.resource, s.action]), [['auth', 'update'], ['data', 'none']]);
    await finished(f, update);
    const after = JSON.parse((await stackOf(ref.stackName)).outputs)['AWS::Amplify::Auth'].payload;
    assert.equal(after.userPoolId, auth.userPoolId);
    assert.equal(after.passwordPolicyMinLength, '12');
  });
});

describe('failures', () => {
  test('a failing data plane rolls the update back and the previous outputs keep working', async () => {
    const { backendId, ref } = newBackend();
    await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ auth: true }), allowDestructive: false, principalArn }));
    const before = await stackOf(ref.stackName);
    const graphql = JSON.parse(before.outputs)['AWS::Amplify::GraphQL'].payload;

    f.dataPlane.failWhen = { sdlIncludes: 'type Broken', message: 'resolver generation failed for Broken' };
    const manifest = todoManifest({ auth: true, models: { Todo: ['content'], Broken: ['x'] } });
    manifest.auth!.groups = ['ADMINS'];
    try {
      const row = await f.service.deployer.deploy({ ref, backendId, manifest, allowDestructive: false, principalArn });
      const done = await finished(f, row);
      assert.equal(done.status, 'FAILED');
      assert.match(done.error!, /Resource data failed: resolver generation failed for Broken\. Every change was rolled back/);
      const stack = await stackOf(ref.stackName);
      assert.equal(stack.status, 'UPDATE_ROLLBACK_COMPLETE');
      assert.equal(stack.outputs, before.outputs, 'outputs are those of the last good deployment');
      assert.equal(stack.last_good_manifest, before.last_good_manifest);
      // auth had been updated before data failed: it is back as it was.
      assert.deepEqual(JSON.parse(stack.resources).auth, JSON.parse(before.resources).auth);
      assert.doesNotMatch(f.dataPlane.apis.get(graphql.awsAppsyncApiId)!.sdl, /Broken/);
      assert.ok(f.dataPlane.accepts(graphql.awsAppsyncApiId, graphql.awsAppsyncApiKey, f.clock.now));
      assert.deepEqual(await eventsOf(row.deployment_id), [
        `${ref.stackName} UPDATE_IN_PROGRESS`, 'auth UPDATE_IN_PROGRESS', 'auth UPDATE_COMPLETE', 'data UPDATE_IN_PROGRESS', 'data UPDATE_FAILED',
        `${ref.stackName} UPDATE_ROLLBACK_IN_PROGRESS`, 'data UPDATE_IN_PROGRESS', 'data UPDATE_COMPLETE', 'auth UPDATE_IN_PROGRESS', 'auth UPDATE_COMPLETE',
        `${ref.stackName} UPDATE_ROLLBACK_COMPLETE`,
      ]);
    } finally {
      f.dataPlane.failWhen = undefined;
    }
    // The stack can be deployed again after the failure.
    const retry = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ auth: true, models: { Todo: ['content'], Fixed: ['x'] } }), allowDestructive: false, principalArn });
    assert.equal((await finished(f, retry)).status, 'SUCCEEDED');
    assert.equal((await stackOf(ref.stackName)).status, 'UPDATE_COMPLETE');
  });

  test('a failed first deployment deletes what it created and ends in ROLLBACK_COMPLETE', async () => {
    const { backendId, ref } = newBackend();
    f.dataPlane.failWhen = { sdlIncludes: 'type Todo', message: 'storage unavailable' };
    try {
      const done = await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn }));
      assert.equal(done.status, 'FAILED');
    } finally {
      f.dataPlane.failWhen = undefined;
    }
    const stack = await stackOf(ref.stackName);
    assert.equal(stack.status, 'ROLLBACK_COMPLETE');
    assert.equal(stack.resources, '{}');
    assert.equal(stack.outputs, '{}');
    assert.ok(f.dataPlane.calls.at(-1)!.startsWith('remove '), 'the half-created API was removed');
  });

  test('a provider that throws in a later step rolls back the earlier ones (custom provider)', async () => {
    const g = await engineFixture({
      providers: (defaults) => [...defaults, exploding()],
    });
    try {
      const { backendId, ref } = newBackend();
      const done = await finished(g, await g.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ auth: true }), allowDestructive: false, principalArn }));
      assert.equal(done.status, 'FAILED');
      const stack = await g.store.db.selectFrom('backend_stacks').selectAll().where('stack_name', '=', ref.stackName).executeTakeFirstOrThrow();
      assert.equal(stack.status, 'ROLLBACK_COMPLETE');
      assert.equal(g.dataPlane.apis.size, 0, 'the data API created before the failure is gone');
    } finally {
      await g.stop();
    }
  });
});

describe('guards', () => {
  test('a second deployment of a busy stack is refused, naming the running one', async () => {
    const { backendId, ref } = newBackend();
    f.dataPlane.delayMs = 200;
    try {
      const first = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn });
      await assert.rejects(
        f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn }),
        (e: any) => e.code === 'Conflict' && e.status === 409 && e.message.includes(first.deployment_id) && /wait for it to finish/.test(e.message),
      );
      assert.equal((await finished(f, first)).status, 'SUCCEEDED');
    } finally {
      f.dataPlane.delayMs = 0;
    }
    // Once it finished, the stack takes deployments again.
    const next = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn });
    assert.equal(next.status, 'SUCCEEDED');
  });

  test('the database refuses a second active deployment even when the engine is bypassed', async () => {
    const { backendId, ref } = newBackend();
    f.dataPlane.delayMs = 100;
    try {
      const first = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn });
      await assert.rejects(f.store.db.insertInto('backend_deployments').values({ ...first, deployment_id: 'd-other', status: 'APPLYING' }).execute(), /UNIQUE/);
      await finished(f, first);
    } finally {
      f.dataPlane.delayMs = 0;
    }
  });

  test('dropping a model needs allowDestructive, and the plan says what is deleted', async () => {
    const { backendId, ref } = newBackend();
    await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ models: { Todo: ['content'], Note: ['body'] } }), allowDestructive: false, principalArn }));
    const before = await stackOf(ref.stackName);
    await assert.rejects(
      f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn }),
      (e: any) => e.code === 'ValidationError' && /model Note and all its items/.test(e.message) && /allowDestructive: true/.test(e.message),
    );
    const refused = await f.store.db.selectFrom('backend_deployments').selectAll().where('stack_name', '=', ref.stackName).where('status', '=', 'FAILED').executeTakeFirstOrThrow();
    assert.equal(refused.status, 'FAILED');
    assert.deepEqual(JSON.parse(refused.plan!).deletes, ['model Note and all its items']);
    assert.equal((await stackOf(ref.stackName)).resources, before.resources, 'nothing changed');

    const allowed = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: true, principalArn });
    assert.equal((await finished(f, allowed)).status, 'SUCCEEDED');
  });

  test('unsupported constructs fail the plan, naming each construct and file', async () => {
    const { backendId, ref } = newBackend();
    const manifest = todoManifest();
    manifest.unsupported = [
      { construct: '@auth(allow: owner) on Todo', file: 'amplify/data/resource.ts', line: 9, hint: 'owner rules need Cognito auth' },
      { construct: 'defineAuth triggers.postConfirmation', file: 'amplify/auth/resource.ts' },
    ];
    await assert.rejects(f.service.deployer.deploy({ ref, backendId, manifest, allowDestructive: false, principalArn }), (e: any) =>
      e.code === 'ValidationError' && e.message.includes('@auth(allow: owner) on Todo (amplify/data/resource.ts:9)') &&
      e.message.includes('defineAuth triggers.postConfirmation (amplify/auth/resource.ts)'));
    assert.equal(f.dataPlane.apis.size >= 0, true);
    assert.equal((await stackOf(ref.stackName)).status, 'REVIEW_IN_PROGRESS');
  });

  test('delete removes every resource and then the stack', async () => {
    const { backendId, ref } = newBackend();
    await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest({ auth: true }), allowDestructive: false, principalArn }));
    const apiId = JSON.parse((await stackOf(ref.stackName)).outputs)['AWS::Amplify::GraphQL'].payload.awsAppsyncApiId;
    const row = await f.service.deployer.remove(ref, principalArn);
    assert.equal((await finished(f, row)).status, 'SUCCEEDED');
    assert.equal(f.dataPlane.apis.has(apiId), false);
    assert.equal(await f.store.db.selectFrom('backend_stacks').selectAll().where('stack_name', '=', ref.stackName).executeTakeFirst(), undefined);
    assert.deepEqual((await eventsOf(row.deployment_id)).at(-1), `${ref.stackName} DELETE_COMPLETE`);
  });

  test('deployments left running by a stopped server are failed, not retried', async () => {
    const { backendId, ref } = newBackend();
    f.dataPlane.delayMs = 50;
    const row = await f.service.deployer.deploy({ ref, backendId, manifest: todoManifest(), allowDestructive: false, principalArn });
    await finished(f, row);
    f.dataPlane.delayMs = 0;
    // Simulate a crash mid-apply: the row says APPLYING with an old heartbeat.
    await f.store.db.updateTable('backend_deployments').set({ status: 'APPLYING', heartbeat_at: 0, ended_at: null }).where('deployment_id', '=', row.deployment_id).execute();
    assert.equal(await f.service.deployer.recover(), 1);
    const after = await f.store.db.selectFrom('backend_deployments').selectAll().where('deployment_id', '=', row.deployment_id).executeTakeFirstOrThrow();
    assert.equal(after.status, 'FAILED');
    assert.match(after.error!, /stopped before it finished/);
    assert.equal((await stackOf(ref.stackName)).status, 'UPDATE_FAILED');
  });
});

/** A provider whose every apply fails: stands for any resource failing after others were created. */
function exploding(): ResourceProvider<true> {
  const step = { resource: 'boom', type: 'Custom::Boom', details: [], deletes: [] };
  return {
    logicalId: 'boom', type: 'Custom::Boom',
    desired: () => true,
    plan: async (_c, current) => ({ ...step, action: current ? 'none' : 'create' }),
    apply: async () => { throw new Error('boom'); },
    restore: async (_c, _cur, previous) => previous,
    delete: async () => undefined,
  };
}
