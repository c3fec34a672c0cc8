/**
 * The realtime WebSocket endpoint, spoken to as aws-amplify 6.6.6 does (captures/captured-subscription-protocol.json):
 * a real HTTP server with the upgrade wired as the edge wires it, `ws` clients sending the captured messages,
 * mutations through `data.execute`. One test drives the real `aws-amplify` client over wss in a child process.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { createGraphqlRoute, createRealtimeServer, realtimeApiIdFromPath, type DataApi, type RealtimeServer, type RealtimeServerOptions } from '../src/index.ts';
import { API_KEY, FUTURE, ISO_DATETIME, makeApi, readCapture, skipCaptures, UUID, type TestApi } from './helpers.ts';

interface CaptureEntry {
  kind: string;
  protocols?: string[];
  url?: string;
  msg?: { id?: string; type: string; payload?: { data: string; extensions: { authorization: Record<string, string> } } };
}

const apiId = 'rt-api';
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A `ws` client that queues what it receives and lets a test wait for a message. */
class Client {
  readonly messages: any[] = [];
  private waiters: Array<{ match: (m: any) => boolean; resolve: (m: any) => void }> = [];
  closed: Promise<{ code: number; reason: string }>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      const i = this.waiters.findIndex((w) => w.match(msg));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg);
      else this.messages.push(msg);
    });
    this.closed = new Promise((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  }
  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  /** The first queued or future message satisfying `match`. */
  next(match: (m: any) => boolean = () => true, timeoutMs = 3000): Promise<any> {
    const i = this.messages.findIndex(match);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0]);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolvePromise(m)) });
    });
  }
  ofType(type: string, id?: string, timeoutMs?: number): Promise<any> {
    return this.next((m) => m.type === type && (id === undefined || m.id === id), timeoutMs);
  }
  /** Messages of this id that arrived (and were not consumed). */
  queued(id: string): any[] {
    return this.messages.filter((m) => m.id === id);
  }
  close(): Promise<unknown> {
    this.ws.close();
    return this.closed;
  }
}

describe('realtime WebSocket endpoint', { skip: skipCaptures, timeout: 60_000 }, () => {
  let t: TestApi;
  let server: Server;
  let realtime: RealtimeServer;
  let base: string;
  let host: string;
  let capture: CaptureEntry[];
  let starts: NonNullable<CaptureEntry['msg']>[];
  const clients: Client[] = [];
  const options: RealtimeServerOptions = { keepAliveIntervalMs: 150, maxSubscriptionsPerConnection: 5, maxMessageBytes: 4096 };

  before(async () => {
    t = makeApi();
    await t.api.deploy(apiId, {
      sdl: readCapture<string>('todo-schema.graphql', 'text'),
      modelIntrospection: readCapture('todo-model-introspection.json'),
      apiKeys: [{ id: API_KEY, expiresAt: FUTURE }],
    });
    capture = readCapture<{ log: CaptureEntry[] }>('captured-subscription-protocol.json').log;
    starts = capture.filter((e) => e.kind === 'ws-in' && e.msg?.type === 'start').map((e) => e.msg!);
    ({ server, realtime } = serve(t.api, options, createHttpServer()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    base = `ws://${host}/data/${apiId}/graphql/realtime`;
  });

  after(async () => {
    for (const c of clients) c.ws.terminate();
    await realtime.close();
    await new Promise<void>((r) => server.close(() => r()));
    await t.cleanup();
  });

  /** Opens a socket as aws-amplify ≥ 6.6 does: `graphql-ws` plus the `header-` auth subprotocol. */
  async function connect(opts: { key?: string; protocols?: string[]; url?: string } = {}): Promise<Client> {
    const header = { host, 'x-amz-date': '20261126T084012Z', 'x-api-key': opts.key ?? API_KEY };
    const ws = new WebSocket(opts.url ?? base, opts.protocols ?? ['graphql-ws', `header-${b64url(header)}`]);
    const client = new Client(ws);
    clients.push(client);
    await new Promise<void>((r, reject) => {
      ws.once('open', () => r());
      ws.once('error', reject);
    });
    return client;
  }

  async function connectAndInit(opts: Parameters<typeof connect>[0] = {}): Promise<Client> {
    const c = await connect(opts);
    c.send({ type: 'connection_init' });
    await c.ofType('connection_ack');
    return c;
  }

  /** A start message in the captured shape, for a document and variables. */
  function start(id: string, query: string, variables: Record<string, unknown> = {}, key = API_KEY) {
    const template = starts[0]!;
    return {
      id,
      payload: { data: JSON.stringify({ query, variables }), extensions: { authorization: { ...template.payload!.extensions.authorization, host, 'x-api-key': key } } },
      type: 'start',
    };
  }

  const ON_CREATE = (): string => JSON.parse(starts.find((s) => s.payload!.data.includes('onCreateTodo'))!.payload!.data).query;

  async function createTodo(content: string): Promise<any> {
    const res = await t.api.execute(apiId, {
      query: 'mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id content createdAt updatedAt } }',
      variables: { input: { content } },
      headers: { 'x-api-key': API_KEY },
    });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return (res.body.data as any).createTodo;
  }

  it('recognises the realtime path the client derives from data.url', () => {
    assert.equal(realtimeApiIdFromPath('/data/rt-api/graphql/realtime'), 'rt-api');
    assert.equal(realtimeApiIdFromPath('/data/rt-api/graphql/realtime?header=e30&payload=e30='), 'rt-api');
    assert.equal(realtimeApiIdFromPath('/data/rt-api/graphql'), undefined);
    assert.equal(realtimeApiIdFromPath('/data/../graphql/realtime'), undefined);
  });

  it('answers connection_init with connection_ack (connectionTimeoutMs) and keeps the connection alive with ka', async () => {
    const c = await connect();
    assert.equal(c.ws.protocol, 'graphql-ws');
    c.send(capture.find((e) => e.kind === 'ws-in' && e.msg?.type === 'connection_init')!.msg);
    assert.deepEqual(await c.ofType('connection_ack'), { type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    assert.deepEqual(await c.ofType('ka'), { type: 'ka' });
    const t0 = Date.now();
    await c.ofType('ka');
    assert.ok(Date.now() - t0 >= 100, 'ka is periodic');
    await c.close();
  });

  it('runs the captured exchange: three starts → start_ack, create/update/delete → data, stop → complete', async () => {
    const c = await connectAndInit();
    for (const s of starts) c.send(s);
    for (const s of starts) assert.deepEqual(await c.ofType('start_ack', s.id), { type: 'start_ack', id: s.id });
    const [createId, updateId, deleteId] = ['onCreateTodo', 'onUpdateTodo', 'onDeleteTodo'].map((f) => starts.find((s) => s.payload!.data.includes(f))!.id!);

    const created = await createTodo('hello');
    const data = await c.ofType('data', createId);
    assert.deepEqual(Object.keys(data).sort(), ['id', 'payload', 'type']);
    assert.deepEqual(Object.keys(data.payload), ['data']);
    const item = data.payload.data.onCreateTodo;
    assert.deepEqual(item, { __typename: 'Todo', ...created });
    assert.match(item.id, UUID);
    assert.match(item.createdAt, ISO_DATETIME);

    await t.api.execute(apiId, { query: 'mutation { updateTodo(input: { id: "' + created.id + '", content: "upd" }) { id } }', headers: { 'x-api-key': API_KEY } });
    const updated = await c.ofType('data', updateId);
    assert.equal(updated.payload.data.onUpdateTodo.content, 'upd');
    assert.equal(updated.payload.data.onUpdateTodo.id, created.id);

    await t.api.execute(apiId, { query: 'mutation { deleteTodo(input: { id: "' + created.id + '" }) { id } }', headers: { 'x-api-key': API_KEY } });
    assert.equal((await c.ofType('data', deleteId)).payload.data.onDeleteTodo.id, created.id);
    await sleep(50);
    assert.deepEqual(c.messages.filter((m) => m.type === 'data'), [], 'one event per subscription per mutation');

    for (const stop of capture.filter((e) => e.kind === 'ws-in' && e.msg?.type === 'stop')) c.send(stop.msg);
    for (const s of starts) assert.deepEqual(await c.ofType('complete', s.id), { type: 'complete', id: s.id });
    assert.equal(realtime.subscriptionCount, 0);
    await createTodo('after stop');
    await sleep(100);
    assert.deepEqual(c.messages.filter((m) => m.type === 'data'), []);
    await c.close();
  });

  it('applies the subscription filter: a non-matching item is not sent', async () => {
    const c = await connectAndInit();
    c.send(start('all', ON_CREATE()));
    c.send(start('only-x', ON_CREATE(), { filter: { content: { eq: 'x' } } }));
    c.send(start('begins-z', ON_CREATE(), { filter: { or: [{ content: { beginsWith: 'z' } }, { content: { eq: 'never' } }] } }));
    await Promise.all(['all', 'only-x', 'begins-z'].map((id) => c.ofType('start_ack', id)));

    await createTodo('y');
    assert.equal((await c.ofType('data', 'all')).payload.data.onCreateTodo.content, 'y');
    await sleep(100);
    assert.deepEqual(c.queued('only-x'), []);
    assert.deepEqual(c.queued('begins-z'), []);

    await createTodo('x');
    assert.equal((await c.ofType('data', 'only-x')).payload.data.onCreateTodo.content, 'x');
    await createTodo('zed');
    assert.equal((await c.ofType('data', 'begins-z')).payload.data.onCreateTodo.content, 'zed');
    await c.close();
  });

  it('renders each subscription its own selection set', async () => {
    const c = await connectAndInit();
    c.send(start('narrow', 'subscription { onCreateTodo { id } }'));
    c.send(start('aliased', 'subscription S { made: onCreateTodo { text: content } }'));
    await Promise.all([c.ofType('start_ack', 'narrow'), c.ofType('start_ack', 'aliased')]);
    const created = await createTodo('sel');
    assert.deepEqual((await c.ofType('data', 'narrow')).payload.data, { onCreateTodo: { __typename: 'Todo', id: created.id } });
    assert.deepEqual((await c.ofType('data', 'aliased')).payload.data, { made: { __typename: 'Todo', text: 'sel' } });
    await c.close();
  });

  it('refuses a wrong API key with connection_error 401 (non-retryable for the client) and closes', async () => {
    const c = await connect({ key: 'da2-wrong' });
    c.send({ type: 'connection_init' });
    const err = await c.ofType('connection_error');
    assert.deepEqual(err.payload.errors, [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }]);
    assert.equal((await c.closed).code, 1008);

    const none = await connect({ protocols: ['graphql-ws'] });
    none.send({ type: 'connection_init' });
    assert.equal((await none.ofType('connection_error')).payload.errors[0].errorCode, 401);

    const otherApi = await connect({ url: `ws://${host}/data/no-such-api/graphql/realtime` });
    otherApi.send({ type: 'connection_init' });
    assert.equal((await otherApi.ofType('connection_error')).payload.errors[0].errorType, 'UnauthorizedException');
  });

  it('checks the key of every start, too', async () => {
    const c = await connectAndInit();
    c.send(start('bad-key', ON_CREATE(), {}, 'da2-wrong'));
    const err = await c.ofType('error', 'bad-key');
    assert.deepEqual(err, { type: 'error', id: 'bad-key', payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] } });
    const noAuth = start('no-auth', ON_CREATE());
    delete (noAuth.payload as any).extensions;
    c.send(noAuth);
    assert.equal((await c.ofType('error', 'no-auth')).payload.errors[0].errorType, 'UnauthorizedException');
    await c.close();
  });

  it('accepts the legacy ?header=<base64>&payload=e30= form', async () => {
    const header = Buffer.from(JSON.stringify({ host, 'x-api-key': API_KEY })).toString('base64');
    const c = await connectAndInit({ url: `${base}?header=${encodeURIComponent(header)}&payload=e30=`, protocols: ['graphql-ws'] });
    c.send(start('legacy', ON_CREATE()));
    await c.ofType('start_ack', 'legacy');
    await c.close();
  });

  it('refuses an upgrade that does not offer graphql-ws', async () => {
    const ws = new WebSocket(base, ['graphql-transport-ws']);
    ws.on('error', () => undefined);
    const status = await new Promise<number>((r, reject) => {
      ws.once('unexpected-response', (_req, res: IncomingMessage) => r(res.statusCode!));
      ws.once('open', () => reject(new Error('opened')));
    });
    assert.equal(status, 400);
    ws.terminate();
  });

  it('answers bad starts with error messages and keeps the socket open', async () => {
    const c = await connectAndInit();
    c.send(start('unknown-field', 'subscription { onCreateNope { id } }'));
    const unknown = await c.ofType('error', 'unknown-field');
    assert.equal(unknown.payload.errors[0].errorType, 'ValidationError');
    assert.match(unknown.payload.errors[0].message, /onCreateNope/);
    assert.deepEqual(Object.keys(unknown.payload.errors[0]).sort(), ['errorType', 'message']);

    c.send(start('a-query', '{ listTodos { items { id } } }'));
    assert.ok((await c.ofType('error', 'a-query')).payload.errors.length > 0);

    c.send(start('syntax', 'subscription { onCreateTodo { id '));
    assert.equal((await c.ofType('error', 'syntax')).payload.errors[0].errorType, 'MalformedHttpRequestException');

    c.send({ id: 'not-json', type: 'start', payload: { data: '{nope', extensions: {} } });
    assert.equal((await c.ofType('error', 'not-json')).payload.errors[0].errorType, 'BadRequestException');

    c.send('this is not json');
    assert.equal((await c.next((m) => m.type === 'error' && m.id === undefined)).payload.errors[0].errorType, 'BadRequestException');

    c.send({ type: 'subscribe', id: 'x' });
    assert.deepEqual((await c.ofType('error', 'x')).payload.errors[0], { errorType: 'UnsupportedOperation', message: 'subscribe not supported through the realtime channel' });

    c.send({ type: 'start', payload: {} });
    assert.equal((await c.next((m) => m.type === 'error' && m.id === undefined)).payload.errors[0].errorType, 'BadRequestException');

    c.send({ type: 'start', id: 'big', payload: { data: JSON.stringify({ query: `subscription { onCreateTodo { id } } #${'x'.repeat(5000)}` }) } });
    assert.match((await c.next((m) => m.type === 'error' && m.id === undefined)).payload.errors[0].message, /exceeds the limit of 4096 bytes/);

    // Still usable afterwards.
    c.send(start('fine', ON_CREATE()));
    await c.ofType('start_ack', 'fine');
    c.send(start('fine', ON_CREATE()));
    assert.deepEqual((await c.ofType('error', 'fine')).payload.errors[0], { errorType: 'DuplicatedOperationError', message: 'Duplicated operation with id fine' });
    assert.equal(c.ws.readyState, WebSocket.OPEN);
    await c.close();
  });

  it('limits subscriptions per connection', async () => {
    const c = await connectAndInit();
    for (let i = 0; i < 5; i++) c.send(start(`s${i}`, ON_CREATE()));
    for (let i = 0; i < 5; i++) await c.ofType('start_ack', `s${i}`);
    c.send(start('s5', ON_CREATE()));
    assert.equal((await c.ofType('error', 's5')).payload.errors[0].errorType, 'MaxSubscriptionsReachedError');
    c.send({ type: 'stop', id: 's0' });
    await c.ofType('complete', 's0');
    c.send(start('s5', ON_CREATE()));
    await c.ofType('start_ack', 's5');
    await c.close();
  });

  it('cleans up when the client goes away', async () => {
    await sleep(50);
    const before = realtime.connectionCount;
    const c = await connectAndInit();
    c.send(start('gone', ON_CREATE()));
    await c.ofType('start_ack', 'gone');
    assert.equal(realtime.connectionCount, before + 1);
    assert.equal(realtime.subscriptionCount, 1);
    c.ws.terminate();
    await c.closed;
    for (let i = 0; i < 50 && realtime.subscriptionCount > 0; i++) await sleep(10);
    assert.equal(realtime.subscriptionCount, 0);
    assert.equal(realtime.connectionCount, before);
    await createTodo('nobody listens');
  });

  it('terminates a peer that answers no pings', async () => {
    const { server: s2, realtime: r2 } = serve(t.api, { keepAliveIntervalMs: 50, deadPeerTimeoutMs: 120 }, createHttpServer());
    await new Promise<void>((r) => s2.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(s2.address() as AddressInfo).port}/data/${apiId}/graphql/realtime`;
    const header = `header-${b64url({ host, 'x-api-key': API_KEY })}`;
    const lively = new Client(new WebSocket(url, ['graphql-ws', header]));
    const mute = new Client(new WebSocket(url, ['graphql-ws', header], { autoPong: false }));
    const opened = [lively, mute].map((c) => new Promise((r) => c.ws.once('open', r)));
    await Promise.all(opened);
    for (const c of [lively, mute]) {
      c.send({ type: 'connection_init' });
      await c.ofType('connection_ack');
    }
    assert.equal((await mute.closed).code, 1006);
    assert.equal(lively.ws.readyState, WebSocket.OPEN);
    for (let i = 0; i < 50 && r2.connectionCount > 1; i++) await sleep(10);
    assert.equal(r2.connectionCount, 1);
    lively.ws.terminate();
    await r2.close();
    await new Promise<void>((r) => s2.close(() => r()));
  });

  it('fans one event out to 100 subscribers on 100 connections', async () => {
    const subscribers = await Promise.all(Array.from({ length: 100 }, () => connectAndInit()));
    subscribers.forEach((c, i) => c.send(start(`fan-${i}`, ON_CREATE())));
    await Promise.all(subscribers.map((c, i) => c.ofType('start_ack', `fan-${i}`)));
    assert.equal(realtime.subscriptionCount, 100);

    const latencies: number[] = [];
    const t0 = performance.now();
    const received = Promise.all(
      subscribers.map((c, i) =>
        c.ofType('data', `fan-${i}`, 10_000).then((m) => {
          latencies.push(performance.now() - t0);
          return m.payload.data.onCreateTodo.content as string;
        }),
      ),
    );
    const created = await createTodo('fan-out');
    const mutationMs = performance.now() - t0;
    const contents = await received;
    assert.deepEqual(new Set(contents), new Set(['fan-out']));
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
    console.log(
      `realtime fan-out to 100 subscribers: mutation ${mutationMs.toFixed(1)} ms; delivered first ${latencies[0]!.toFixed(1)} ms, p50 ${pct(50)} ms, p99 ${pct(99)} ms, last ${latencies.at(-1)!.toFixed(1)} ms after the mutation was sent`,
    );
    assert.ok(created.id);
    await sleep(50);
    for (const [i, c] of subscribers.entries()) assert.deepEqual(c.queued(`fan-${i}`), [], 'exactly one event each');
    assert.ok(subscribers.every((c) => c.ws.readyState === WebSocket.OPEN));
    await Promise.all(subscribers.map((c) => c.close()));
  });
});

/** An HTTP(S) server wired as the edge does: `/data/<apiId>/graphql` (POST) and `…/graphql/realtime` (upgrade). */
function serve(data: DataApi, options: RealtimeServerOptions, server: Server): { server: Server; realtime: RealtimeServer } {
  const realtime = createRealtimeServer(data, options);
  const route = createGraphqlRoute(data);
  server.on('request', (req, res) => {
    const match = /^\/data\/([^/?]+)\/graphql$/.exec(req.url ?? '');
    if (!match) {
      res.statusCode = 404;
      res.end();
      return;
    }
    void route(req, res, match[1]!);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const id = realtimeApiIdFromPath(req.url ?? '');
    if (id) realtime.handleUpgrade(req, socket, head, id);
    else socket.destroy();
  });
  return { server, realtime };
}

// ---------------------------------------------------------------------------------------------------------------
// The real aws-amplify client (6.6.6) over wss, in a child process: `generateClient()` + `Todo.onCreate()`.

const packageDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
let amplifyAvailable = false;
try {
  amplifyAvailable = !!readFileSync(join(packageDir, '../../node_modules/aws-amplify/package.json'));
} catch {
  amplifyAvailable = false;
}
let opensslAvailable = false;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
  opensslAvailable = true;
} catch {
  opensslAvailable = false;
}

/**
 * Node 20 has no global WebSocket (browsers and Node ≥ 22 do), so the child installs `ws` as `globalThis.WebSocket`,
 * trusting the test CA. Everything else is the unmodified library: `Amplify.configure(amplify_outputs)`,
 * `generateClient()`, `client.models.Todo.onCreate().subscribe()` and `client.models.Todo.create()` (HTTPS).
 */
const CHILD = /* js */ `
import { readFileSync } from 'node:fs';
import { WebSocket as WS } from 'ws';
const ca = readFileSync(process.env.TEST_CA);
globalThis.WebSocket = class extends WS { constructor(url, protocols) { super(url, protocols, { ca }); } };
const { Amplify } = await import('aws-amplify');
const { generateClient } = await import('aws-amplify/data');
const outputs = JSON.parse(process.env.AMPLIFY_OUTPUTS);
Amplify.configure(outputs);
const client = generateClient();
const report = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const timer = setTimeout(() => { report({ kind: 'timeout' }); process.exit(2); }, 20000);
const sub = client.models.Todo.onCreate().subscribe({
  next: async (item) => {
    report({ kind: 'event', item });
    sub.unsubscribe();
    clearTimeout(timer);
    setTimeout(() => process.exit(0), 1200);
  },
  error: (e) => { report({ kind: 'error', error: JSON.stringify(e) }); process.exit(1); },
});
// No start_ack hook in the public API: wait for it via the Hub, then create through the library (HTTPS).
const { Hub } = await import('aws-amplify/utils');
Hub.listen('api', async ({ payload }) => {
  if (payload.event === 'ConnectionStateChange' && payload.data?.connectionState === 'Connected') {
    report({ kind: 'connected' });
    const res = await client.models.Todo.create({ content: 'from amplify' });
    report({ kind: 'created', data: res.data, errors: res.errors });
  }
});
`;

describe('the real aws-amplify client', { skip: skipCaptures || (!amplifyAvailable && 'aws-amplify is not installed') || (!opensslAvailable && 'openssl is not available'), timeout: 60_000 }, () => {
  let t: TestApi;
  let server: Server;
  let realtime: RealtimeServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gantry-rt-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    t = makeApi();
    await t.api.deploy(apiId, {
      sdl: readCapture<string>('todo-schema.graphql', 'text'),
      modelIntrospection: readCapture('todo-model-introspection.json'),
      apiKeys: [{ id: API_KEY, expiresAt: FUTURE }],
    });
    const https = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    ({ server, realtime } = serve(t.api, {}, https as unknown as Server));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    await realtime.close();
    await new Promise<void>((r) => server.close(() => r()));
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generateClient().models.Todo.onCreate() receives an item created through the library', async () => {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/data/${apiId}/graphql`;
    const outputs = {
      version: '1.3',
      data: { url, aws_region: 'us-east-1', default_authorization_type: 'API_KEY', api_key: API_KEY, authorization_types: [], model_introspection: readCapture('todo-model-introspection.json') },
    };
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: packageDir,
      env: { ...process.env, TEST_CA: join(dir, 'cert.pem'), NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'), AMPLIFY_OUTPUTS: JSON.stringify(outputs) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const reports = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    assert.equal(code, 0, `child exited ${code}\nstdout: ${stdout}\nstderr: ${stderr}`);
    const created = reports.find((r) => r.kind === 'created');
    const event = reports.find((r) => r.kind === 'event');
    assert.equal(created?.errors, undefined);
    assert.equal(event.item.content, 'from amplify');
    assert.equal(event.item.id, created.data.id);
    assert.equal(event.item.createdAt, created.data.createdAt);
  });
});
