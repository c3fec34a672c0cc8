import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDataApi, type DataApi } from '@gantry/data';
import { dataPlaneFromDataApi } from '../src/index.ts';
import { engineFixture, finished, newBackend, type EngineFixture } from './support/engine-fixture.ts';
import { todoManifest } from './support/manifests.ts';

/** The engine against the real data plane (`@gantry/data`), through the adapter the server uses. */
const captures = join(dirname(fileURLToPath(import.meta.url)), '../../../../shared/reference/captures');
let rootDir: string;
let data: DataApi;
let f: EngineFixture;
before(async () => {
  rootDir = mkdtempSync(join(tmpdir(), 'gantry-backend-data-'));
  data = createDataApi({ rootDir, now: () => f.clock.now });
  f = await engineFixture({ dataPlane: dataPlaneFromDataApi(data) });
});
after(async () => {
  await f.stop();
  await data.close();
  rmSync(rootDir, { recursive: true, force: true });
});

const principalArn = 'arn:aws:iam::111111111111:user/dev';
const outputsOf = async (stackName: string) =>
  JSON.parse((await f.store.db.selectFrom('backend_stacks').select('outputs').where('stack_name', '=', stackName).executeTakeFirstOrThrow()).outputs)['AWS::Amplify::GraphQL'].payload;

/** The template's schema and model introspection as the real generators made them, when the captures are there. */
function templateManifest() {
  const manifest = todoManifest();
  if (existsSync(join(captures, 'todo-schema.graphql'))) {
    manifest.data!.schema = readFileSync(join(captures, 'todo-schema.graphql'), 'utf8');
    manifest.data!.modelIntrospection = JSON.parse(readFileSync(join(captures, 'todo-model-introspection.json'), 'utf8'));
  }
  return manifest;
}

test('a deployed data API answers with the API key from the stack outputs; redeploys keep it working', async () => {
  const { backendId, ref } = newBackend();
  const first = await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: templateManifest(), allowDestructive: false, principalArn }));
  assert.equal(first.status, 'SUCCEEDED', first.error ?? '');
  const out = await outputsOf(ref.stackName);
  const headers = { 'x-api-key': out.awsAppsyncApiKey };
  const created = await data.execute(out.awsAppsyncApiId, { query: 'mutation { createTodo(input: { content: "hello" }) { id content } }', headers });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal((created.body.data as any).createTodo.content, 'hello');

  const noop = await f.service.deployer.deploy({ ref, backendId, manifest: templateManifest(), allowDestructive: false, principalArn });
  assert.equal(noop.status, 'SUCCEEDED');

  const withNote = templateManifest();
  withNote.data!.schema += '\ntype Note @model @auth(rules: [{allow: public}]) {\n  body: String\n}\n';
  const update = await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: withNote, allowDestructive: false, principalArn }));
  assert.equal(update.status, 'SUCCEEDED', update.error ?? '');
  await data.execute(out.awsAppsyncApiId, { query: 'mutation { createNote(input: { body: "n" }) { id } }', headers });
  const listed = await data.execute(out.awsAppsyncApiId, { query: '{ listTodos { items { content } } }', headers });
  assert.deepEqual((listed.body.data as any).listTodos.items.map((t: any) => t.content), ['hello']);

  // Dropping Note: the data plane counts the items that would go, the engine refuses without the flag.
  await assert.rejects(f.service.deployer.deploy({ ref, backendId, manifest: templateManifest(), allowDestructive: false, principalArn }), (e: any) =>
    /model Note and all its items/.test(e.message) && e.message.split('model Note and all its items').length === 2);
  const refused = await f.store.db.selectFrom('backend_deployments').selectAll().where('stack_name', '=', ref.stackName).where('status', '=', 'FAILED').executeTakeFirstOrThrow();
  assert.ok(JSON.parse(refused.plan).steps[0].details.includes('1 item(s) of model Note deleted'));
  const dropped = await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: templateManifest(), allowDestructive: true, principalArn }));
  assert.equal(dropped.status, 'SUCCEEDED', dropped.error ?? '');
  assert.equal((await data.execute(out.awsAppsyncApiId, { query: '{ listTodos { items { content } } }', headers })).status, 200);
});

test('an SDL the data plane cannot serve is refused at planning, before anything changes', async () => {
  const { backendId, ref } = newBackend();
  const manifest = templateManifest();
  manifest.data!.schema = 'type Todo @model { content: NoSuchType }';
  await assert.rejects(f.service.deployer.deploy({ ref, backendId, manifest, allowDestructive: false, principalArn }), (e: any) =>
    e.code === 'ValidationError' && /refused at planning\. The data schema cannot be deployed: /.test(e.message));
});

test('deleting the stack deletes the data API', async () => {
  const { backendId, ref } = newBackend();
  await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest: templateManifest(), allowDestructive: false, principalArn }));
  const out = await outputsOf(ref.stackName);
  assert.equal((await finished(f, await f.service.deployer.remove(ref, principalArn))).status, 'SUCCEEDED');
  const after = await data.execute(out.awsAppsyncApiId, { query: '{ listTodos { items { id } } }', headers: { 'x-api-key': out.awsAppsyncApiKey } });
  assert.notEqual(after.status, 200);
});
