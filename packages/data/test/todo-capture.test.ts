/**
 * The Todo API of the Amplify template, built from the real SDL and model introspection, answering the exact
 * requests `aws-amplify` 6.6.6 sent (captures/captured-data-client-requests.json) over real HTTP.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGraphqlRoute } from '../src/index.ts';
import { API_KEY, FUTURE, ISO_DATETIME, makeApi, readCapture, skipCaptures, UUID, type TestApi } from './helpers.ts';

interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: { query: string; variables: Record<string, unknown> };
}
interface Capture {
  log: CapturedRequest[];
  out: Record<string, { data: any; nextToken?: string | null }>;
}

describe('Todo schema from the captures, over HTTP', { skip: skipCaptures }, () => {
  let t: TestApi;
  let server: Server;
  let url: string;
  let capture: Capture;
  const apiId = 'todo-api';

  before(async () => {
    capture = readCapture<Capture>('captured-data-client-requests.json');
    t = makeApi();
    const plan = await t.api.deploy(apiId, {
      sdl: readCapture<string>('todo-schema.graphql', 'text'),
      modelIntrospection: readCapture('todo-model-introspection.json'),
      apiKeys: [{ id: API_KEY, expiresAt: FUTURE }],
    });
    assert.deepEqual(plan.addedModels, ['Todo']);
    const route = createGraphqlRoute(t.api);
    server = createServer((req, res) => {
      const match = /^\/data\/([^/]+)\/graphql$/.exec(req.url ?? '');
      if (!match) {
        res.statusCode = 404;
        res.end();
        return;
      }
      void route(req, res, match[1]!);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/${apiId}/graphql`;
  });

  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await t.cleanup();
  });

  /** Sends a captured request as the client did: same headers (minus hop-by-hop ones), same body. */
  async function replay(request: CapturedRequest, variables = request.body.variables, headerOverrides: Record<string, string | undefined> = {}) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (!['host', 'connection', 'content-length', 'accept-encoding'].includes(k)) headers[k] = v;
    for (const [k, v] of Object.entries(headerOverrides)) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    const res = await fetch(url, { method: request.method, headers, body: JSON.stringify({ query: request.body.query, variables }) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  }

  const byField = (field: string): CapturedRequest => capture.log.find((r) => r.body.query.includes(`${field}(`))!;

  it('create → list → list filtered → get → update → delete, with the documents the client sends', async () => {
    const expectItem = (item: any, content: string) => {
      // The field set the client's default selection asks for, plus __typename as the recorded responses have.
      assert.deepEqual(Object.keys(item).sort(), Object.keys(capture.out.create!.data).sort());
      assert.equal(item.__typename, 'Todo');
      assert.equal(item.content, content);
      assert.match(item.id, UUID);
      assert.match(item.createdAt, ISO_DATETIME);
      assert.match(item.updatedAt, ISO_DATETIME);
    };

    const created = await replay(byField('createTodo'));
    assert.equal(created.status, 200);
    assert.match(created.headers.get('content-type')!, /^application\/json/);
    assert.equal(created.body.errors, undefined);
    const item = created.body.data.createTodo;
    expectItem(item, 'hello');
    assert.equal(item.createdAt, item.updatedAt);

    const [listRequest, listFilteredRequest] = capture.log.filter((r) => r.body.query.includes('listTodos('));
    const listed = await replay(listRequest!);
    assert.equal(listed.body.data.listTodos.__typename, 'ModelTodoConnection');
    assert.equal(listed.body.data.listTodos.nextToken, null);
    assert.equal(listed.body.data.listTodos.items.length, 1);
    expectItem(listed.body.data.listTodos.items[0], 'hello');

    // The capture's filtered list carried a made-up nextToken ("tok"); a real first page sends none.
    const { nextToken: _ignored, ...firstPage } = listFilteredRequest!.body.variables;
    const filtered = await replay(listFilteredRequest!, firstPage);
    assert.deepEqual(filtered.body.data.listTodos.items, listed.body.data.listTodos.items);
    const filteredOut = await replay(listFilteredRequest!, { filter: { content: { contains: 'zz' } }, limit: 10 });
    assert.deepEqual(filteredOut.body.data.listTodos.items, []);

    const got = await replay(byField('getTodo'), { id: item.id });
    assert.deepEqual(got.body.data.getTodo, item);

    await new Promise((r) => setTimeout(r, 5));
    const updated = await replay(byField('updateTodo'), { input: { id: item.id, content: 'upd' } });
    expectItem(updated.body.data.updateTodo, 'upd');
    assert.equal(updated.body.data.updateTodo.createdAt, item.createdAt);
    assert.ok(updated.body.data.updateTodo.updatedAt > item.updatedAt);

    const deleted = await replay(byField('deleteTodo'), { input: { id: item.id } });
    expectItem(deleted.body.data.deleteTodo, 'upd');

    const gone = await replay(byField('getTodo'), { id: item.id });
    assert.deepEqual(gone.body, { data: { getTodo: null } });
  });

  it('rejects the made-up nextToken of the capture with an AppSync error', async () => {
    const listFilteredRequest = capture.log.filter((r) => r.body.query.includes('listTodos('))[1]!;
    const res = await replay(listFilteredRequest);
    assert.equal(res.status, 200);
    assert.equal(res.body.data.listTodos, null);
    assert.equal(res.body.errors[0].errorType, 'DynamoDB:DynamoDbException');
    assert.deepEqual(res.body.errors[0].path, ['listTodos']);
    assert.match(res.body.errors[0].message, /nextToken/);
  });

  it('answers the CORS preflight for the headers the client sends', async () => {
    const res = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key,x-amz-user-agent,content-type' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const allowed = res.headers.get('access-control-allow-headers')!;
    for (const h of ['x-api-key', 'x-amz-user-agent', 'content-type', 'authorization']) assert.ok(allowed.includes(h), h);
    const post = await replay(byField('getTodo'), { id: 'nope' }, { origin: 'http://localhost:5173' });
    assert.equal(post.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  });

  it('refuses a missing, wrong or expired API key with UnauthorizedException (401)', async () => {
    const get = byField('getTodo');
    const missing = await replay(get, { id: 'x' }, { 'x-api-key': undefined });
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.body, { errors: [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }] });
    assert.equal(missing.headers.get('x-amzn-errortype'), 'UnauthorizedException');
    const wrong = await replay(get, { id: 'x' }, { 'x-api-key': 'da2-wrongkey' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });

    const e = makeApi();
    try {
      await e.api.deploy('expiring', {
        sdl: readCapture<string>('todo-schema.graphql', 'text'),
        modelIntrospection: readCapture('todo-model-introspection.json'),
        apiKeys: [
          { id: 'da2-old', expiresAt: '2020-01-01T00:00:00Z' },
          { id: 'da2-new', expiresAt: Math.floor(Date.now() / 1000) + 3600 },
        ],
      });
      const query = 'query { listTodos { items { id } } }';
      const expired = await e.api.execute('expiring', { query, headers: { 'X-Api-Key': 'da2-old' } });
      assert.equal(expired.status, 401);
      assert.equal((expired.body.errors![0] as any).errorType, 'UnauthorizedException');
      const fresh = await e.api.execute('expiring', { query, headers: { 'X-Api-Key': 'da2-new' } });
      assert.equal(fresh.status, 200);
      assert.deepEqual(fresh.body, { data: { listTodos: { items: [] } } });
    } finally {
      await e.cleanup();
    }
  });

  it('reports malformed GraphQL, unknown fields and bad variables in the AppSync error shape', async () => {
    const get = byField('getTodo');
    const send = async (body: unknown, raw = false) => {
      const res = await fetch(url, { method: 'POST', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const syntax = await send({ query: 'query { getTodo(id: "1") { id ' });
    assert.equal(syntax.status, 200);
    assert.equal(syntax.body.data, null);
    assert.equal(syntax.body.errors[0].errorType, 'MalformedHttpRequestException');
    assert.match(syntax.body.errors[0].message, /Syntax Error/);
    assert.deepEqual(syntax.body.errors[0].locations, [{ line: 1, column: 31, sourceName: null }]);

    const unknown = await send({ query: 'query { getTodo(id: "1") { id title } }' });
    assert.equal(unknown.body.data, null);
    assert.equal(unknown.body.errors[0].errorType, 'ValidationError');
    assert.match(unknown.body.errors[0].message, /Cannot query field "title" on type "Todo"/);

    const badVariables = await send({ query: get.body.query, variables: { id: null } });
    assert.equal(badVariables.body.data, null);
    assert.match(badVariables.body.errors[0].message, /\$id/);

    const notJson = await send('{"query": ', true);
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.errors[0].errorType, 'MalformedHttpRequestException');

    const noQuery = await send({ variables: {} });
    assert.equal(noQuery.status, 400);
    assert.equal(noQuery.body.errors[0].errorType, 'MalformedHttpRequestException');

    const subscription = await send({ query: 'subscription { onCreateTodo { id } }' });
    assert.equal(subscription.body.errors[0].errorType, 'UnsupportedOperation');
  });

  it('refuses oversized bodies, queries and deeply nested or fragment-bomb documents', async () => {
    const post = async (body: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, body });
      return { status: res.status, body: (await res.json()) as any };
    };
    const huge = await post(JSON.stringify({ query: `query { listTodos { items { id } } } # ${'x'.repeat(1_100_000)}` }));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.errors[0].errorType, 'PayloadTooLargeException');

    const long = await post(JSON.stringify({ query: `query { listTodos { items { id } } } # ${'x'.repeat(200_000)}` }));
    assert.equal(long.status, 400);
    assert.match(long.body.errors[0].message, /limit is 100000/);

    // Many fragments spreading each other twice: 2^20 fields once expanded.
    const fragments = Array.from({ length: 20 }, (_, i) => `fragment F${i} on Todo { ${i === 19 ? 'id' : `...F${i + 1} ...F${i + 1}`} }`).join('\n');
    const bomb = await post(JSON.stringify({ query: `query { listTodos { items { ...F0 } } }\n${fragments}` }));
    assert.equal(bomb.status, 400);
    assert.match(bomb.body.errors[0].message, /more than 5000 fields/);

    const e = makeApi({ maxDepth: 2 });
    try {
      await e.api.deploy('d', { sdl: readCapture<string>('todo-schema.graphql', 'text'), apiKeys: [{ id: API_KEY, expiresAt: FUTURE }] });
      const shallow = await e.api.execute('d', { query: 'query { getTodo(id: "x") { id } }', headers: { 'x-api-key': API_KEY } });
      assert.equal(shallow.status, 200);
      const deep = await e.api.execute('d', { query: 'query { listTodos { items { id } } }', headers: { 'x-api-key': API_KEY } });
      assert.equal(deep.status, 400);
      assert.match((deep.body.errors![0] as any).message, /Query depth limit of 2 exceeded/);
    } finally {
      await e.cleanup();
    }
  });

  it('answers 404 for an API that is not deployed and 405 for GET', async () => {
    const res = await fetch(url.replace(apiId, 'nope'), { method: 'POST', headers: { 'x-api-key': API_KEY }, body: '{"query":"{ __typename }"}' });
    assert.equal(res.status, 404);
    const get = await fetch(url);
    assert.equal(get.status, 405);
  });

  it('emits a mutation event per committed mutation (for the realtime layer)', async () => {
    const events: Array<{ operation: string; model: string; item: any }> = [];
    const off = t.api.events.on('mutation', (e) => void events.push(e));
    try {
      const created = await replay(byField('createTodo'), { input: { content: 'evt' } });
      const id = created.body.data.createTodo.id;
      await replay(byField('updateTodo'), { input: { id, content: 'evt2' } });
      await replay(byField('deleteTodo'), { input: { id } });
      await replay(byField('deleteTodo'), { input: { id } }); // fails: no event
      assert.deepEqual(
        events.map((e) => [e.model, e.operation, e.item.content]),
        [
          ['Todo', 'create', 'evt'],
          ['Todo', 'update', 'evt2'],
          ['Todo', 'delete', 'evt2'],
        ],
      );
      assert.equal(events[0]!.item.id, id);
      assert.equal(events[0]!.item.__typename, undefined);
    } finally {
      off();
    }
  });
});
