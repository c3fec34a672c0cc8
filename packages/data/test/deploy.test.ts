/** Deployments: plans, non-destructive changes, refused destructive ones, isolation and persistence. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GantryError } from '@gantry/core';
import { applySchema, createDataApi, parseModelSchema, planSchema } from '../src/index.ts';
import { API_KEY, FUTURE, gql, makeApi, ok, type TestApi } from './helpers.ts';

const keys = [{ id: API_KEY, expiresAt: FUTURE }];
const V1 = `
type Todo @model @auth(rules: [{allow: public, provider: apiKey}])
{
  content: String
}
type Note @model @auth(rules: [{allow: public, provider: apiKey}])
{
  text: String
}`;
const V2 = `
type Todo @model @auth(rules: [{allow: public, provider: apiKey}])
{
  content: String
  priority: Int
}
type Note @model @auth(rules: [{allow: public, provider: apiKey}])
{
  text: String
}
type Tag @model @auth(rules: [{allow: public, provider: apiKey}])
{
  label: String
}`;
const V3 = `
type Todo @model @auth(rules: [{allow: public, provider: apiKey}])
{
  priority: Int
}`;

describe('deploy', () => {
  let t: TestApi;
  before(() => {
    t = makeApi({ typenameOnModels: false });
  });
  after(() => t.cleanup());

  it('adds a field and a model without losing data; removing a model needs allowDestructive', async () => {
    const first = await t.api.deploy('app', { sdl: V1, apiKeys: keys });
    assert.deepEqual(first.addedModels, ['Todo', 'Note']);
    const created = await ok(t.api, 'app', 'mutation { createTodo(input: { content: "keep me" }) { id } }');
    for (let i = 0; i < 3; i++) await ok(t.api, 'app', 'mutation { createNote(input: { text: "n" }) { id } }');

    const dry = await t.api.plan('app', { sdl: V2, apiKeys: keys });
    assert.deepEqual(dry, { apiId: 'app', addedModels: ['Tag'], addedFields: [{ model: 'Todo', field: 'priority' }], removedModels: [], removedFields: [], changedKeys: [], destructive: false });
    const before = await gql(t.api, 'app', '{ listTodos { items { priority } } }');
    assert.match(before.errors![0]!.message, /Cannot query field "priority"/, 'plan changes nothing');

    await t.api.deploy('app', { sdl: V2, apiKeys: keys });
    const after = await ok(t.api, 'app', 'query ($id: ID!) { getTodo(id: $id) { content priority } }', { id: created.createTodo.id });
    assert.deepEqual(after.getTodo, { content: 'keep me', priority: null });
    await ok(t.api, 'app', 'mutation ($id: ID!) { updateTodo(input: { id: $id, priority: 2 }) { id } }', { id: created.createTodo.id });

    const destructive = await t.api.plan('app', { sdl: V3, apiKeys: keys });
    assert.equal(destructive.destructive, true);
    assert.deepEqual(destructive.removedModels, [
      { model: 'Note', items: 3 },
      { model: 'Tag', items: 0 },
    ]);
    assert.deepEqual(destructive.removedFields, [{ model: 'Todo', field: 'content' }]);

    await assert.rejects(t.api.deploy('app', { sdl: V3, apiKeys: keys }), (error: unknown) => {
      assert.ok(error instanceof GantryError);
      assert.equal(error.code, 'Conflict');
      assert.match(error.message, /removing model Note deletes its 3 item\(s\)/);
      assert.match(error.message, /allowDestructive/);
      return true;
    });
    assert.equal((await ok(t.api, 'app', '{ listNotes { items { id } } }')).listNotes.items.length, 3, 'refused deploy left everything in place');

    const applied = await t.api.deploy('app', { sdl: V3, apiKeys: keys, allowDestructive: true });
    assert.deepEqual(applied.removedModels.map((r) => r.model), ['Note', 'Tag']);
    const kept = await ok(t.api, 'app', '{ listTodos { items { priority } } }');
    assert.deepEqual(kept.listTodos.items, [{ priority: 2 }]);
    const gone = await gql(t.api, 'app', '{ listNotes { items { id } } }');
    assert.match(gone.errors![0]!.message, /Cannot query field "listNotes"/);

    // Adding Note back starts empty: its items were deleted, not hidden.
    await t.api.deploy('app', { sdl: V1, apiKeys: keys });
    assert.deepEqual((await ok(t.api, 'app', '{ listNotes { items { id } } }')).listNotes.items, []);
    assert.deepEqual((await ok(t.api, 'app', '{ listTodos { items { content } } }')).listTodos.items, [{ content: 'keep me' }], 'a removed field comes back with its values');
  });

  it('changing a primary key is destructive', async () => {
    await t.api.deploy('keys', { sdl: V1, apiKeys: keys });
    await ok(t.api, 'keys', 'mutation { createNote(input: { text: "n" }) { id } }');
    const changed = `type Note @model @auth(rules: [{allow: public, provider: apiKey}]) { slug: String! @primaryKey text: String }
type Todo @model @auth(rules: [{allow: public, provider: apiKey}]) { content: String }`;
    const plan = await t.api.plan('keys', { sdl: changed, apiKeys: keys });
    assert.deepEqual(plan.changedKeys, [{ model: 'Note', from: ['id'], to: ['slug'], items: 1 }]);
    await assert.rejects(t.api.deploy('keys', { sdl: changed, apiKeys: keys }), /primary key of Note/);
    await t.api.deploy('keys', { sdl: changed, apiKeys: keys, allowDestructive: true });
    const created = await ok(t.api, 'keys', 'mutation { createNote(input: { slug: "a", text: "t" }) { slug } }');
    assert.deepEqual(created.createNote, { slug: 'a' });
    assert.equal((await ok(t.api, 'keys', '{ listNotes { items { slug } } }')).listNotes.items.length, 1);
  });

  it('keeps each API in its own database file, isolated from the others', async () => {
    await t.api.deploy('iso-a', { sdl: V1, apiKeys: [{ id: 'da2-a', expiresAt: FUTURE }] });
    await t.api.deploy('iso-b', { sdl: V1, apiKeys: [{ id: 'da2-b', expiresAt: FUTURE }] });
    assert.ok(existsSync(join(t.rootDir, 'iso-a', 'data.db')));
    assert.ok(existsSync(join(t.rootDir, 'iso-b', 'data.db')));
    const q = 'mutation { createTodo(input: { id: "same", content: "x" }) { id } }';
    assert.equal((await t.api.execute('iso-a', { query: q, headers: { 'x-api-key': 'da2-a' } })).status, 200);
    assert.equal((await t.api.execute('iso-b', { query: q, headers: { 'x-api-key': 'da2-a' } })).status, 401, "a's key does not open b");
    const b = await t.api.execute('iso-b', { query: q, headers: { 'x-api-key': 'da2-b' } });
    assert.deepEqual(b.body, { data: { createTodo: { id: 'same' } } }, 'same id in another API does not collide');
  });

  it('persists deployments, keys and items across restarts; remove deletes everything', async () => {
    await t.api.deploy('persist', { sdl: V1, apiKeys: keys });
    await ok(t.api, 'persist', 'mutation { createTodo(input: { id: "p1", content: "durable" }) { id } }');
    const again = createDataApi({ rootDir: t.rootDir });
    try {
      const res = await again.execute('persist', { query: '{ getTodo(id: "p1") { content } }', headers: { 'x-api-key': API_KEY } });
      assert.deepEqual(res.body, { data: { getTodo: { content: 'durable', __typename: 'Todo' } } });
      assert.ok(await again.getSchema('persist'));
    } finally {
      await again.close();
    }
    await t.api.remove('persist');
    assert.ok(!existsSync(join(t.rootDir, 'persist')));
    const after = await t.api.execute('persist', { query: '{ getTodo(id: "p1") { content } }', headers: { 'x-api-key': API_KEY } });
    assert.equal(after.status, 404);
  });

  it('plans and applies directly on an API directory', async () => {
    const dir = join(t.rootDir, 'direct');
    const models = parseModelSchema(V2).models;
    assert.deepEqual((await planSchema(dir, models)).addedModels, ['Todo', 'Note', 'Tag']);
    await applySchema(dir, models);
    const plan = await planSchema(dir, parseModelSchema(V3).models);
    assert.deepEqual(plan.removedModels, [
      { model: 'Note', items: 0 },
      { model: 'Tag', items: 0 },
    ]);
    await assert.rejects(applySchema(dir, parseModelSchema(V3).models), /allowDestructive/);
  });

  it('rejects schemas and ids it cannot serve, saying why', async () => {
    await assert.rejects(t.api.deploy('bad', { sdl: 'type Foo { a: String }', apiKeys: keys }), /no type has @model/);
    await assert.rejects(t.api.deploy('bad', { sdl: 'type Foo @model { a: Strin }', apiKeys: keys }), /Foo\.a has type Strin/);
    await assert.rejects(t.api.deploy('bad', { sdl: 'type Foo @model {', apiKeys: keys }), /does not parse/);
    await assert.rejects(t.api.deploy('bad', { sdl: 'type Foo @model { k: String @primaryKey }', apiKeys: keys }), /must be required/);
    await assert.rejects(
      t.api.deploy('bad', { sdl: 'type A @model { bs: [B] @hasMany(references: ["aId"]) } type B @model { x: String }', apiKeys: keys }),
      /reference field aId does not exist on B/,
    );
    await assert.rejects(t.api.deploy('../escape', { sdl: V1, apiKeys: keys }), /Invalid data API id/);
    await assert.rejects(t.api.deploy('bad', { sdl: V1, apiKeys: [{ id: 'k', expiresAt: 'soon' }] }), /not a date/);
    assert.equal((await t.api.execute('../escape', { query: '{ __typename }', headers: {} })).status, 404);
  });
});
