/**
 * Forwards one request from Gantry's node:http server to a process of a compute pool and its answer back.
 *
 * - Bodies stream both ways, chunk by chunk, with backpressure: nothing is buffered, so a streamed (chunked)
 *   response reaches the client as the app writes it.
 * - Headers pass through as received (order, case and repeats kept: several `Set-Cookie` stay several), minus the
 *   hop-by-hop ones (RFC 9110 §7.6.1: `Connection` and the headers it names, `Keep-Alive`, `Proxy-Connection`,
 *   `Transfer-Encoding`, `TE`, `Trailer`, `Upgrade`, `Proxy-Authenticate`, `Proxy-Authorization`) and `Expect`
 *   (answered here already).
 * - `X-Forwarded-For`, `-Host`, `-Proto` and `-Port` are set from the connection Gantry accepted, replacing any
 *   the client sent (as are `Forwarded` and `X-Real-IP`, which are dropped): Gantry is the edge, with no trusted
 *   proxy in front of it, so client-sent values are whatever the client wants them to be, and apps use them
 *   for decisions that matter (the client's address for rate limits and logs, host and scheme for redirects and
 *   absolute URLs, Auth.js and Next.js server actions compare them with `Origin`). When Gantry does run behind
 *   a proxy it trusts, pass the values it established in `forwarded`.
 * - Limits, those of Amplify Hosting compute (see {@link AMPLIFY_COMPUTE_LIMITS}): the request body (413, as soon
 *   as `Content-Length` or the streamed bytes exceed it) and the request duration (504 if the app has not
 *   answered by then; a response already streaming is cut off).
 * - Failures: no ready process within the pool's start timeout → 503 (with `Retry-After`); the process exits or
 *   drops the connection before answering → 502; after answering began, the client connection is closed, so a
 *   truncated body is never mistaken for a complete one. A request without a body whose connection is refused
 *   (the process died a moment ago and the pool has not noticed yet) is sent once more, to another process or
 *   the restarted one: the app never saw it. So is a GET/HEAD/OPTIONS whose connection failed before an answer
 *   (a kept-alive connection closed under it, a process exiting as it accepted it).
 * - `onNotFound`: a deploy manifest fallback. When the app answers 404 the answer is dropped and the callback
 *   serves the request instead (only call it for GET/HEAD, see manifest-routes.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { ComputeUnavailableError, type ComputeLease, type ComputePool } from './compute-pool.ts';

/**
 * Limits of Amplify Hosting compute that Gantry applies by default:
 * - `requestTimeoutMs`: 30 s per request; not adjustable on Amplify ("increasing the timeout of the Lambda
 *   functions hosting SSR apps using the Compute platform is not supported", github.com/aws-amplify/amplify-hosting/issues/3223;
 *   longer requests get 504).
 * - `maxRequestBodyBytes`: 6 MB, the payload limit of synchronous AWS Lambda invocations, which is what a compute
 *   request is ("For synchronous invocations, the maximum payload size is 6 MB",
 *   docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html).
 * - `maxResponseBytes` (informational, not enforced: responses stream): "the maximum response size that Amplify
 *   supports for Next.js 12 and later apps using the Web Compute platform is 5.72 MB. Responses over that limit
 *   return 504 errors" (docs.aws.amazon.com/amplify/latest/userguide/troubleshooting-SSR.html).
 * - The deployment specification adds: 15 minutes at most per execution instance, 512 MB of ephemeral storage,
 *   `/tmp` the only writable path, 220 MB per uncompressed compute bundle
 *   (docs.aws.amazon.com/amplify/latest/userguide/ssr-deployment-specification.html).
 */
export const AMPLIFY_COMPUTE_LIMITS = {
  requestTimeoutMs: 30_000,
  maxRequestBodyBytes: 6 * 1024 * 1024,
  maxResponseBytes: 5.72 * 1024 * 1024,
} as const;

export interface ComputeProxyOptions {
  /** Path and query to send instead of `req.url` (e.g. without a `/_sites/<appId>/<branch>` prefix). */
  path?: string;
  /** @default AMPLIFY_COMPUTE_LIMITS.requestTimeoutMs */
  requestTimeoutMs?: number;
  /** @default AMPLIFY_COMPUTE_LIMITS.maxRequestBodyBytes */
  maxRequestBodyBytes?: number;
  /** Values for the `X-Forwarded-*` headers; by default taken from the connection and the `Host` header. */
  forwarded?: { for?: string; host?: string; proto?: 'http' | 'https'; port?: string | number };
  /** Serve the request some other way when the app answers 404 (a manifest fallback). */
  onNotFound?: () => void;
}

/** How one proxied exchange ended (for logs, metrics and tests). */
export type ComputeProxyOutcome = 'proxied' | 'fallback' | 'too-large' | 'timeout' | 'unavailable' | 'upstream-failed' | 'client-gone';

/** How long a retry waits for the failed process to be seen exiting, if it is. */
const RETRY_SETTLE_MS = 100;
/** Methods repeated after a connection failed under them. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Request headers never forwarded (lower case). */
const DROP_REQUEST = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization',
  'expect', 'forwarded', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port',
]);
/** Response headers never forwarded (lower case). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);

/** Header names listed in a `Connection` header (hop-by-hop too), or undefined for the usual keep-alive/close. */
function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (!value) return undefined;
  let tokens: Set<string> | undefined;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name && name !== 'close' && name !== 'keep-alive') (tokens ??= new Set()).add(name);
  }
  return tokens;
}

/** Copies raw headers (name, value, name, value…) except dropped names; `request` also drops every `X-Forwarded-*`. */
function filterHeaders(raw: string[], drop: Set<string>, extra: Set<string> | undefined, request: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (drop.has(lower) || extra?.has(lower) || (request && lower.startsWith('x-forwarded-'))) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** The client's address without the IPv4-mapped prefix. */
function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function forwardedHeaders(req: IncomingMessage, forwarded: ComputeProxyOptions['forwarded']): string[] {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const proto = forwarded?.proto ?? (encrypted ? 'https' : 'http');
  const host = forwarded?.host ?? req.headers.host ?? '';
  let port = forwarded?.port === undefined ? undefined : String(forwarded.port);
  if (port === undefined) {
    const fromHost = /:(\d+)$/.exec(host)?.[1];
    port = fromHost ?? (host ? (proto === 'https' ? '443' : '80') : String(req.socket.localPort ?? ''));
  }
  return ['X-Forwarded-For', forwarded?.for ?? clientAddress(req), 'X-Forwarded-Host', host, 'X-Forwarded-Proto', proto, 'X-Forwarded-Port', port];
}

function answer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const tooLarge = (limit: number) => `${limit} bytes, the limit for requests to the app's server${limit === AMPLIFY_COMPUTE_LIMITS.maxRequestBodyBytes ? ' (6 MB, the payload limit of Amplify Hosting compute)' : ''}.`;

/**
 * Proxies `req`/`res` to a process of `pool`. Resolves when the exchange is over (never rejects); the result
 * says how it ended.
 */
export function proxyToCompute(req: IncomingMessage, res: ServerResponse, pool: ComputePool, options: ComputeProxyOptions = {}): Promise<ComputeProxyOutcome> {
  const limit = options.maxRequestBodyBytes ?? AMPLIFY_COMPUTE_LIMITS.maxRequestBodyBytes;
  const what = `The app's server (compute resource '${pool.resource}')`;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    answer(res, 413, `The request body (${declared} bytes) is larger than ${tooLarge(limit)}`, { connection: 'close' });
    return Promise.resolve('too-large');
  }
  return acquireAndForward(req, res, pool, options, limit, what, true);
}

function acquireAndForward(req: IncomingMessage, res: ServerResponse, pool: ComputePool, options: ComputeProxyOptions, limit: number, what: string, retry: boolean): Promise<ComputeProxyOutcome> {
  const lease = pool.tryAcquire();
  if (lease) return forward(req, res, pool, lease, options, limit, what, retry);
  return pool.acquire().then(
    (acquired) => forward(req, res, pool, acquired, options, limit, what, retry),
    (error: Error) => {
      if (res.destroyed || res.writableEnded) return 'client-gone';
      const text = error instanceof ComputeUnavailableError ? error.message : `${what} could not be reached: ${error.message}`;
      answer(res, 503, `${text} Try again shortly.`, { 'retry-after': '5' });
      return 'unavailable';
    },
  );
}

function forward(req: IncomingMessage, res: ServerResponse, pool: ComputePool, lease: ComputeLease, options: ComputeProxyOptions, limit: number, what: string, retry: boolean): Promise<ComputeProxyOutcome> {
  if (res.destroyed) {
    lease.release();
    return Promise.resolve('client-gone');
  }
  return new Promise((resolve) => {
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    let done = false;
    const finish = (outcome: ComputeProxyOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      lease.release();
      resolve(outcome);
    };
    const timeoutMs = options.requestTimeoutMs ?? AMPLIFY_COMPUTE_LIMITS.requestTimeoutMs;
    const timer = setTimeout(() => {
      if (done) return;
      upstream.destroy();
      answer(res, 504, `${what} did not answer within ${seconds(timeoutMs)}, the time limit for a request (as on Amplify Hosting compute).`);
      finish('timeout');
    }, timeoutMs);

    const headers = filterHeaders(req.rawHeaders, DROP_REQUEST, connectionTokens(req.headers.connection), true);
    headers.push(...forwardedHeaders(req, options.forwarded));
    const upstream = httpRequest({
      host: '127.0.0.1',
      port: lease.port,
      method: req.method,
      path: options.path ?? req.url ?? '/',
      headers,
      agent: lease.agent,
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (done) return;
      // Sent once more (to another process, or this one's replacement) before any answer came:
      // - whatever the method, when the connection was refused: nothing listens on the port any more (the process
      //   is exiting, or broke), so the app never saw the request;
      // - for methods that are safe to repeat (RFC 9110 §9.2.2), on any connection failure: the connection was
      //   kept alive and closed under the request, or the process was exiting as it accepted it. A GET that
      //   itself crashes the app crashes a second process too, as behind nginx's default proxy_next_upstream.
      const refused = error.code === 'ECONNREFUSED';
      if (retry && !hasBody && (refused || IDEMPOTENT.has(req.method ?? ''))) {
        done = true;
        clearTimeout(timer);
        lease.release();
        if (refused) lease.process.unreachable();
        // A process that is exiting is noticed within moments: give the pool that long, so the request goes to
        // a live process rather than to the same dying one.
        const settled = refused ? Promise.resolve() : Promise.race([lease.process.exited, new Promise((r) => setTimeout(r, RETRY_SETTLE_MS))]);
        resolve(settled.then(() => acquireAndForward(req, res, pool, options, limit, what, false)));
        return;
      }
      answer(res, 502, `${what} stopped before it finished answering (the process exited or closed the connection). It is restarted automatically; try again.`);
      finish('upstream-failed');
    });
    upstream.on('response', (upRes) => {
      if (done) {
        upRes.resume();
        return;
      }
      if (upRes.statusCode === 404 && options.onNotFound) {
        upRes.resume();
        finish('fallback');
        options.onNotFound();
        return;
      }
      const out = filterHeaders(upRes.rawHeaders, DROP_RESPONSE, connectionTokens(upRes.headers.connection), false);
      res.writeHead(upRes.statusCode ?? 502, out);
      upRes.on('data', (chunk: Buffer) => {
        if (!res.write(chunk)) upRes.pause();
      });
      res.on('drain', () => upRes.resume());
      upRes.on('end', () => {
        if (done) return;
        res.end();
        finish('proxied');
      });
      upRes.on('error', () => {
        if (done) return;
        res.destroy();
        finish('upstream-failed');
      });
      upRes.on('close', () => {
        if (done || upRes.complete) return;
        res.destroy();
        finish('upstream-failed');
      });
    });
    res.on('close', () => {
      if (done) return;
      upstream.destroy();
      finish('client-gone');
    });

    if (!hasBody) {
      upstream.end();
      return;
    }
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.off('data', onData);
        req.pause();
        upstream.destroy();
        answer(res, 413, `The request body is larger than ${tooLarge(limit)}`, { connection: 'close' });
        finish('too-large');
        return;
      }
      if (!upstream.write(chunk)) req.pause();
    };
    req.on('data', onData);
    upstream.on('drain', () => req.resume());
    req.on('end', () => {
      if (!done) upstream.end();
    });
  });
}
