import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GantryError } from '@gantry/core';
import { gitMissing } from '../git-command.ts';
import { CgiHeadParser, type CgiHead } from './cgi-response.ts';
import { timedOut } from './deadline.ts';
import { killProcessGroup, spawnHttpBackend, type HttpBackendRequest } from './http-backend.ts';

export interface ServeCgiOptions {
  gitBinary: string;
  backend: HttpBackendRequest;
  /** The request body to feed git (already inflated and capped), or none for GET. */
  input?: AsyncIterable<Buffer>;
  /** Sees every body byte of the response as it goes to the client (the receive-pack report). */
  onResponseBody?: (chunk: Buffer) => void;
  /** Time left for this run. */
  timeoutMs: number;
  /** The request's whole time limit, for the error message. @default timeoutMs */
  limitMs?: number;
}

export interface CgiOutcome {
  /** The whole response reached the client. */
  delivered: boolean;
  /** http-backend's exit code (null when killed). */
  exitCode: number | null;
}

/** Response headers that describe the connection, not the content: Node sets its own. */
const HOP_BY_HOP = new Set(['connection', 'transfer-encoding', 'keep-alive']);

/**
 * Response bytes held back while the request body is still arriving (see serveCgi). git writes only its
 * head and a few progress lines before it has read all its input, so this is never reached in practice; it
 * only bounds memory if it ever were.
 */
const HOLD_LIMIT = 1024 * 1024;

/**
 * Runs git http-backend for one request and streams in both directions: the request body into its stdin
 * and its stdout, after the CGI head, out to the client, each with backpressure, so a pack of any size
 * passes through a fixed amount of memory. The run is bounded by `timeoutMs`, and a client that goes away
 * stops git at once.
 *
 * http-backend writes its response head before it reads the body, so the head is held back until the body
 * has been read: a body that breaks the rules (too large, corrupt gzip, too slow) then still gets a proper
 * 413/400/504 instead of a 200 cut short. Errors before the response started are thrown (the caller
 * answers them); after, the connection is cut, which git reports as a failed transfer.
 */
export async function serveCgi(res: ServerResponse, options: ServeCgiOptions): Promise<CgiOutcome> {
  const child = spawnHttpBackend(options.gitBinary, options.backend);
  // git may exit without reading all its input; the pipe's EPIPE must not become an uncaught error.
  child.stdin.on('error', () => {});
  let failure: GantryError | undefined;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', (error: NodeJS.ErrnoException) => {
      failure ??= error.code === 'ENOENT' ? gitMissing(options.gitBinary, error) : new GantryError('InternalFailure', `Could not start git http-backend: ${error.message}`, { cause: error });
      resolve(null);
    });
  });
  const stop = (why?: GantryError) => {
    if (why) failure ??= why;
    killProcessGroup(child);
  };
  const timer = setTimeout(() => stop(timedOut(options.limitMs ?? options.timeoutMs)), options.timeoutMs);
  const onClientGone = () => {
    if (!res.writableFinished) stop();
  };
  res.on('close', onClientGone);

  let head: CgiHead | undefined;
  let headSent = false;
  let held: Buffer[] = [];
  let heldBytes = 0;
  let inputDone = false;
  const sendHead = () => {
    if (headSent || !head || failure || res.destroyed) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of head.headers) if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = value;
    res.writeHead(head.status, headers);
    headSent = true;
    for (const chunk of held) {
      options.onResponseBody?.(chunk);
      res.write(chunk);
    }
    held = [];
  };

  const feeding = feed(child.stdin, options.input).then(
    () => {
      inputDone = true;
      sendHead();
    },
    (error: unknown) => {
      inputDone = true;
      // A body that breaks the rules stops git; a pipe git closed early is git's decision, and its
      // response explains it.
      if (error instanceof GantryError) stop(error);
      else sendHead();
    },
  );

  try {
    const parser = new CgiHeadParser();
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let body = chunk;
      if (!head) {
        const parsed = parser.push(chunk);
        if (!parsed) continue;
        head = parsed.head;
        body = parsed.rest;
      }
      if (failure || res.destroyed) break;
      if (!headSent) {
        if (body.length > 0) held.push(body);
        heldBytes += body.length;
        if (inputDone || heldBytes > HOLD_LIMIT) sendHead();
        continue;
      }
      if (body.length === 0) continue;
      options.onResponseBody?.(body);
      if (!res.write(body)) await drainedOrClosed(res);
    }
  } catch (error) {
    stop(failure ? undefined : new GantryError('InternalFailure', `Relaying git's response failed: ${(error as Error).message}`, { cause: error }));
  }
  await feeding;
  const exitCode = await exited;
  clearTimeout(timer);
  res.off('close', onClientGone);
  // git answered without reading all of the body (it refused the request): its answer goes out now.
  sendHead();

  if (failure) {
    if (!res.headersSent) throw failure;
    res.destroy();
    return { delivered: false, exitCode };
  }
  if (!headSent) {
    if (res.destroyed) return { delivered: false, exitCode };
    console.error(`source: git http-backend gave no response for ${options.backend.method} ${options.backend.pathInfo} (exit ${exitCode}): ${stderr.trim()}`);
    throw new GantryError('InternalFailure', 'git could not serve this request; the Gantry server log has the details.');
  }
  if (res.destroyed) return { delivered: false, exitCode };
  await new Promise<void>((resolve) => {
    res.once('close', resolve);
    res.end(() => resolve());
  });
  return { delivered: res.writableFinished, exitCode };
}

/** Pipes the body into git's stdin (or just closes stdin when there is none). */
async function feed(stdin: NodeJS.WritableStream & { end(): void }, input: AsyncIterable<Buffer> | undefined): Promise<void> {
  if (!input) {
    stdin.end();
    return;
  }
  await pipeline(Readable.from(input, { objectMode: false }), stdin);
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
