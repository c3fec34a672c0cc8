/**
 * AppSync's real-time WebSocket endpoint for the data APIs: what `aws-amplify`'s `client.models.X.onCreate()`,
 * `onUpdate()`, `onDelete()` and `observeQuery()` connect to.
 *
 * Where it lives. A data API's `data.url` is `https://<host>/data/<apiId>/graphql`. For any URL that is not an
 * `*.appsync-api.*.amazonaws.com` one, the client appends `/realtime` and swaps the scheme for `wss://`
 * (amplify-js `AWSWebSocketProvider/appsyncUrl.ts`), so it connects to
 *
 *     wss://<host>/data/<apiId>/graphql/realtime          (older clients add ?header=<b64 JSON>&payload=e30=)
 *
 * The edge forwards the HTTPS server's `upgrade` event for that path:
 *
 * ```ts
 * const realtime = createRealtimeServer(data);
 * server.on('upgrade', (req, socket, head) => {
 *   const apiId = realtimeApiIdFromPath(req.url ?? '');
 *   if (apiId) realtime.handleUpgrade(req, socket, head, apiId);
 *   else socket.destroy();
 * });
 * // on shutdown: await realtime.close();
 * ```
 *
 * The exchange (captured from aws-amplify 6.6.6, `captured-subscription-protocol.json`):
 * 1. Upgrade with subprotocols `graphql-ws` and `header-<base64url JSON {host, x-amz-date, x-api-key}>`. We
 *    select `graphql-ws` (an upgrade that does not offer it is refused with 400). The API key is checked here;
 *    a bad key is not refused at the HTTP level (the client would retry that forever with back-off) but
 *    answered, as AppSync does, with `connection_error` `{errorType: 'UnauthorizedException', errorCode: 401}`,
 *    which the client treats as non-retryable and surfaces through `observer.error`.
 * 2. `connection_init` → `connection_ack {connectionTimeoutMs: 300000}`, then `ka` at once and every minute.
 * 3. `start {id, payload: {data: '<JSON {query, variables}>', extensions: {authorization: {...}}}}` → the key
 *    is checked again, the document validated (`prepareSubscription`) → `start_ack {id}` or
 *    `error {id, payload: {errors: [{errorType, message}]}}`.
 * 4. Each matching mutation (same API, model and operation, passing the subscription's filter) →
 *    `data {id, payload: {data: {onCreateTodo: {...}}}}`, the subscription's selection set applied to the item.
 * 5. `stop {id}` → `complete {id}`.
 * Malformed or unknown messages get an `error` and the socket stays open.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Caller } from '../authorization/caller.ts';
import type { DataApi, MutationEvent, PreparedSubscription } from '../data-api.ts';
import {
  complete,
  connectionAck,
  connectionAuthHeaders,
  connectionError,
  dataMessage,
  errorMessage,
  GRAPHQL_WS,
  headerString,
  KA,
  offeredProtocols,
  startAck,
  type AuthHeaders,
  type RealtimeErrorEntry,
} from './protocol.ts';

export interface RealtimeServerOptions {
  /** How often `ka` is sent. AppSync sends one about every minute; the client worries after 65 s. @default 60000 */
  keepAliveIntervalMs?: number;
  /** Advertised in `connection_ack`: how long the client waits for a `ka` before it reconnects. @default 300000 */
  connectionTimeoutMs?: number;
  /** Sockets that send neither `connection_init` nor `start` within this time are closed. @default 30000 */
  connectionInitTimeoutMs?: number;
  /** Subscriptions one connection may hold (AppSync's default quota is 100). @default 100 */
  maxSubscriptionsPerConnection?: number;
  /** Messages longer than this (bytes) get an `error` and are otherwise ignored. @default 131072 */
  maxMessageBytes?: number;
  /** Frames longer than this (bytes) close the socket (1009) without being read further. @default 1048576 */
  maxFrameBytes?: number;
  /** Open connections across all APIs; further upgrades are refused with 503. @default 10000 */
  maxConnections?: number;
  /** A connection whose unsent data exceeds this (bytes) is a consumer too slow to keep: it is closed. @default 8388608 */
  maxBufferedBytes?: number;
  /**
   * A peer that has answered no WebSocket ping (sent with each `ka`) and sent nothing for this long is gone: its
   * socket is terminated. @default max(3 × keepAliveIntervalMs, 30000)
   */
  deadPeerTimeoutMs?: number;
}

export interface RealtimeServer {
  /**
   * Takes over an HTTP(S) `upgrade` for the realtime endpoint of data API `apiId`
   * (`/data/<apiId>/graphql/realtime`); the caller has already matched the path.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, apiId: string): void;
  /** Closes every connection (1001, going away) and stops listening for mutations. */
  close(): Promise<void>;
  /** Open WebSocket connections. */
  readonly connectionCount: number;
  /** Active subscriptions across all connections. */
  readonly subscriptionCount: number;
}

/** `apiId` of a realtime endpoint path (`/data/<apiId>/graphql/realtime`, query string allowed), else undefined. */
export function realtimeApiIdFromPath(url: string): string | undefined {
  const path = url.split('?')[0]!;
  const match = /^\/data\/([A-Za-z0-9][A-Za-z0-9_-]{0,127})\/graphql\/realtime\/?$/.exec(path);
  return match?.[1];
}

interface Subscription {
  id: string;
  connection: Connection;
  prepared: PreparedSubscription;
  /** Subscriptions with the same document and variables render an item identically: rendered once per event. */
  renderKey: string;
}

interface Connection {
  apiId: string;
  ws: WebSocket;
  /** Why the handshake's credentials were refused, if they were. */
  refused?: RealtimeErrorEntry;
  initialised: boolean;
  subscriptions: Map<string, Subscription>;
  /** Ids of `start`s still being checked; a `stop` for one of them cancels it. */
  pending: Map<string, { cancelled: boolean }>;
  /** Data messages are sent in event order even though rendering is asynchronous. */
  outbox: Promise<void>;
  /** When the peer last sent anything (a message or a pong). */
  lastSeen: number;
  keepAlive?: NodeJS.Timeout;
  initTimer?: NodeJS.Timeout;
}

const UNAUTHORIZED: RealtimeErrorEntry = { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 };
const NO_AUTH_HEADER: RealtimeErrorEntry = { errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.', errorCode: 401 };
const MAX_ID_LENGTH = 256;

function rejectUpgrade(socket: Duplex, status: number, errorType: string, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ errors: [{ errorType, message }] });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=UTF-8\r\n` +
      `x-amzn-errortype: ${errorType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Who a set of auth headers (connection or start message) authenticates, or the entry to report. */
async function authenticateHeaders(data: DataApi, apiId: string, headers: AuthHeaders | undefined): Promise<Caller | RealtimeErrorEntry> {
  if (!headerString(headers, 'x-api-key') && !headerString(headers, 'authorization')) return NO_AUTH_HEADER;
  const strings = Object.fromEntries(Object.entries(headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const result = await data.authenticate(apiId, strings).catch(() => undefined);
  if (!result) return UNAUTHORIZED;
  return 'status' in result ? { errorType: result.errorType, message: result.message, errorCode: 401 } : result;
}

const isRefusal = (result: Caller | RealtimeErrorEntry): result is RealtimeErrorEntry => 'errorType' in result;

export function createRealtimeServer(data: DataApi, options: RealtimeServerOptions = {}): RealtimeServer {
  const keepAliveIntervalMs = options.keepAliveIntervalMs ?? 60_000;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 300_000;
  const connectionInitTimeoutMs = options.connectionInitTimeoutMs ?? 30_000;
  const maxSubscriptions = options.maxSubscriptionsPerConnection ?? 100;
  const maxMessageBytes = options.maxMessageBytes ?? 128 * 1024;
  const maxConnections = options.maxConnections ?? 10_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const deadPeerTimeoutMs = options.deadPeerTimeoutMs ?? Math.max(3 * keepAliveIntervalMs, 30_000);

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxFrameBytes ?? 1024 * 1024,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(GRAPHQL_WS) ? GRAPHQL_WS : false),
  });
  const connections = new Set<Connection>();
  /** Active subscriptions by API, for fan-out. */
  const byApi = new Map<string, Set<Subscription>>();
  let upgrading = 0;
  let closed = false;

  const send = (conn: Connection, message: string): void => {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    if (conn.ws.bufferedAmount > maxBufferedBytes) {
      conn.ws.close(1008, 'Client is not reading its messages');
      return;
    }
    conn.ws.send(message);
  };

  const addSubscription = (sub: Subscription): void => {
    sub.connection.subscriptions.set(sub.id, sub);
    let set = byApi.get(sub.connection.apiId);
    if (!set) byApi.set(sub.connection.apiId, (set = new Set()));
    set.add(sub);
  };

  const removeSubscription = (sub: Subscription): void => {
    sub.connection.subscriptions.delete(sub.id);
    const set = byApi.get(sub.connection.apiId);
    set?.delete(sub);
    if (set?.size === 0) byApi.delete(sub.connection.apiId);
  };

  const onMutation = (event: MutationEvent): void => {
    const subs = byApi.get(event.apiId);
    if (!subs) return;
    const rendered = new Map<string, Promise<string | undefined>>();
    for (const sub of subs) {
      const { prepared } = sub;
      if (prepared.model !== event.model || prepared.operation !== event.operation) continue;
      let matches: boolean;
      try {
        matches = prepared.matches(event.item);
      } catch (error) {
        console.error('data realtime: filter failed:', error);
        continue;
      }
      if (!matches) continue;
      let payload = rendered.get(sub.renderKey);
      if (!payload) {
        payload = prepared.render(event.item).then(
          (result) => JSON.stringify(result),
          (error: unknown) => {
            console.error('data realtime: rendering a subscription event failed:', error);
            return undefined;
          },
        );
        rendered.set(sub.renderKey, payload);
      }
      const conn = sub.connection;
      const ready = payload;
      conn.outbox = conn.outbox.then(async () => {
        const json = await ready;
        if (json !== undefined && conn.subscriptions.get(sub.id) === sub) send(conn, dataMessage(sub.id, json));
      }).catch((error: unknown) => console.error('data realtime: sending an event failed:', error));
    }
  };
  const unsubscribeEvents = data.events.on('mutation', onMutation);

  const markInitialised = (conn: Connection): void => {
    conn.initialised = true;
    if (conn.initTimer) clearTimeout(conn.initTimer);
    conn.initTimer = undefined;
  };

  const startKeepAlive = (conn: Connection): void => {
    if (conn.keepAlive) return;
    send(conn, KA);
    conn.keepAlive = setInterval(() => {
      // A WebSocket ping alongside: a peer that has answered none for a while is gone.
      if (Date.now() - conn.lastSeen > deadPeerTimeoutMs) {
        conn.ws.terminate();
        return;
      }
      send(conn, KA);
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.ping();
    }, keepAliveIntervalMs);
    conn.keepAlive.unref();
  };

  /** Refuses the connection after its handshake credentials failed: `connection_error`, then close. */
  const refuse = (conn: Connection): void => {
    send(conn, connectionError([conn.refused!]));
    conn.ws.close(1008, conn.refused!.errorType);
  };

  async function handleStart(conn: Connection, message: Record<string, unknown>): Promise<void> {
    const id = message.id;
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
      send(conn, errorMessage(undefined, [{ errorType: 'BadRequestException', message: `A start message needs an id: a string of 1 to ${MAX_ID_LENGTH} characters.` }]));
      return;
    }
    if (conn.subscriptions.has(id) || conn.pending.has(id)) {
      send(conn, errorMessage(id, [{ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }]));
      return;
    }
    if (conn.subscriptions.size + conn.pending.size >= maxSubscriptions) {
      send(conn, errorMessage(id, [{ errorType: 'MaxSubscriptionsReachedError', message: `Max number of ${maxSubscriptions} subscriptions reached` }]));
      return;
    }
    const payload = message.payload as { data?: unknown; extensions?: { authorization?: unknown } } | undefined;
    let request: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      if (typeof payload?.data !== 'string') throw new Error('not a string');
      request = JSON.parse(payload.data) as typeof request;
      if (!request || typeof request !== 'object' || Array.isArray(request)) throw new Error('not an object');
    } catch {
      send(conn, errorMessage(id, [{ errorType: 'BadRequestException', message: 'payload.data must be a JSON string of {"query": ..., "variables": {...}}.' }]));
      return;
    }
    const variables = request.variables ?? {};
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
      send(conn, errorMessage(id, [{ errorType: 'BadRequestException', message: 'variables must be a JSON object.' }]));
      return;
    }

    const ticket = { cancelled: false };
    conn.pending.set(id, ticket);
    try {
      const authorization = payload?.extensions?.authorization;
      const subscriber = await authenticateHeaders(data, conn.apiId, authorization && typeof authorization === 'object' ? (authorization as AuthHeaders) : undefined);
      if (ticket.cancelled || conn.ws.readyState !== WebSocket.OPEN) return;
      if (isRefusal(subscriber)) {
        send(conn, errorMessage(id, [{ errorType: subscriber.errorType, message: subscriber.message }]));
        return;
      }
      const prepared = await data.prepareSubscription(conn.apiId, { query: request.query, variables, operationName: request.operationName }, subscriber);
      if (ticket.cancelled || conn.ws.readyState !== WebSocket.OPEN) return;
      if ('errors' in prepared) {
        send(conn, errorMessage(id, prepared.errors.map((e) => ({ errorType: e.errorType ?? 'ValidationError', message: e.message }))));
        return;
      }
      // Rendered once per document, variables and subscriber: field-level rules can differ between subscribers.
      const who = subscriber.type === 'API_KEY' ? 'API_KEY' : `${subscriber.sub}\u0000${subscriber.groups.join(',')}`;
      addSubscription({ id, connection: conn, prepared, renderKey: `${String(request.query)}\u0000${JSON.stringify(variables)}\u0000${who}` });
      send(conn, startAck(id));
    } finally {
      if (conn.pending.get(id) === ticket) conn.pending.delete(id);
    }
  }

  function handleMessage(conn: Connection, raw: RawData, isBinary: boolean): void {
    const size = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : raw.byteLength;
    if (conn.refused) {
      refuse(conn);
      return;
    }
    if (size > maxMessageBytes) {
      send(conn, errorMessage(undefined, [{ errorType: 'BadRequestException', message: `Message of ${size} bytes exceeds the limit of ${maxMessageBytes} bytes.` }]));
      return;
    }
    let message: unknown;
    try {
      if (isBinary) throw new Error('binary');
      const text = Array.isArray(raw) ? Buffer.concat(raw).toString('utf8') : Buffer.from(raw as ArrayBuffer).toString('utf8');
      message = JSON.parse(text);
    } catch {
      send(conn, errorMessage(undefined, [{ errorType: 'BadRequestException', message: 'Messages must be JSON text objects with a type.' }]));
      return;
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) {
      send(conn, errorMessage(undefined, [{ errorType: 'BadRequestException', message: 'Messages must be JSON text objects with a type.' }]));
      return;
    }
    const msg = message as Record<string, unknown>;
    switch (msg.type) {
      case 'connection_init':
        markInitialised(conn);
        send(conn, connectionAck(connectionTimeoutMs));
        startKeepAlive(conn);
        return;
      case 'start':
        markInitialised(conn);
        startKeepAlive(conn);
        handleStart(conn, msg).catch((error: unknown) => {
          console.error('data realtime: start failed:', error);
          if (typeof msg.id === 'string') send(conn, errorMessage(msg.id, [{ errorType: 'InternalFailure', message: 'The subscription could not be started.' }]));
        });
        return;
      case 'stop': {
        const id = msg.id;
        if (typeof id !== 'string') {
          send(conn, errorMessage(undefined, [{ errorType: 'BadRequestException', message: 'A stop message needs the id of its start.' }]));
          return;
        }
        const sub = conn.subscriptions.get(id);
        if (sub) removeSubscription(sub);
        const pending = conn.pending.get(id);
        if (pending) {
          pending.cancelled = true;
          conn.pending.delete(id);
        }
        send(conn, complete(id));
        return;
      }
      case 'ka':
        return;
      default: {
        const type = typeof msg.type === 'string' ? msg.type.slice(0, 64) : 'unknown';
        send(conn, errorMessage(typeof msg.id === 'string' ? msg.id : undefined, [{ errorType: 'UnsupportedOperation', message: `${type} not supported through the realtime channel` }]));
      }
    }
  }

  function onConnection(ws: WebSocket, apiId: string, refused: RealtimeErrorEntry | undefined): void {
    const conn: Connection = { apiId, ws, refused, initialised: false, subscriptions: new Map(), pending: new Map(), outbox: Promise.resolve(), lastSeen: Date.now() };
    connections.add(conn);
    conn.initTimer = setTimeout(() => {
      if (!conn.initialised) ws.close(1008, 'connection_init not received');
    }, connectionInitTimeoutMs);
    conn.initTimer.unref();
    ws.on('pong', () => {
      conn.lastSeen = Date.now();
    });
    ws.on('message', (raw, isBinary) => {
      conn.lastSeen = Date.now();
      handleMessage(conn, raw, isBinary);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      connections.delete(conn);
      if (conn.keepAlive) clearInterval(conn.keepAlive);
      if (conn.initTimer) clearTimeout(conn.initTimer);
      for (const sub of [...conn.subscriptions.values()]) removeSubscription(sub);
      for (const ticket of conn.pending.values()) ticket.cancelled = true;
      conn.pending.clear();
    });
  }

  return {
    get connectionCount() {
      return connections.size;
    },
    get subscriptionCount() {
      let n = 0;
      for (const set of byApi.values()) n += set.size;
      return n;
    },

    handleUpgrade(req, socket, head, apiId) {
      if (closed) return rejectUpgrade(socket, 503, 'ServiceUnavailableException', 'The realtime endpoint is shutting down.');
      const protocols = offeredProtocols(req);
      if (!protocols.includes(GRAPHQL_WS)) {
        return rejectUpgrade(socket, 400, 'BadRequestException', `The realtime endpoint speaks the ${GRAPHQL_WS} subprotocol; offer it in Sec-WebSocket-Protocol.`);
      }
      if (connections.size + upgrading >= maxConnections) {
        return rejectUpgrade(socket, 503, 'LimitExceededException', 'Too many realtime connections; try again later.');
      }
      const onEarlyError = (): void => void socket.destroy();
      socket.on('error', onEarlyError);
      upgrading++;
      const headers = connectionAuthHeaders(req, protocols);
      authenticateHeaders(data, apiId, headers)
        .then((result) => {
          const refused = isRefusal(result) ? result : undefined;
          socket.off('error', onEarlyError);
          if (closed) return rejectUpgrade(socket, 503, 'ServiceUnavailableException', 'The realtime endpoint is shutting down.');
          wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, apiId, refused));
        })
        .catch((error: unknown) => {
          console.error('data realtime: upgrade failed:', error);
          socket.off('error', onEarlyError);
          rejectUpgrade(socket, 500, 'InternalFailure', 'The realtime connection could not be set up.');
        })
        .finally(() => {
          upgrading--;
        });
    },

    async close() {
      if (closed) return;
      closed = true;
      unsubscribeEvents();
      const all = [...connections];
      await Promise.all(
        all.map(
          (conn) =>
            new Promise<void>((resolve) => {
              if (conn.ws.readyState === WebSocket.CLOSED) return resolve();
              const timer = setTimeout(() => conn.ws.terminate(), 2000);
              timer.unref();
              conn.ws.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              conn.ws.close(1001, 'Server shutting down');
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
