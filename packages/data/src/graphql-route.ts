/**
 * The HTTP face of a data API: `POST <base>/graphql` with `{ query, variables, operationName }`, answered
 * in AppSync's shape, plus the CORS preflight browsers send before it (the client sends `x-api-key`,
 * `x-amz-user-agent` and a JSON content type). The edge decides which `apiId` a URL belongs to and calls
 * the handler; this file knows nothing about routing.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataApi, ExecuteResponse } from './data-api.ts';
import { requestError } from './errors.ts';

export interface GraphqlRouteOptions {
  /** Largest request body accepted, in bytes. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
}

export type GraphqlRouteHandler = (req: IncomingMessage, res: ServerResponse, apiId: string) => Promise<void>;

const ALLOWED_HEADERS = 'x-api-key, x-amz-user-agent, x-amz-date, x-amz-security-token, x-amz-content-sha256, authorization, content-type, accept';

function setCors(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
  res.setHeader('vary', 'origin');
  res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
  res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
  res.setHeader('access-control-expose-headers', 'x-amzn-requestid, x-amzn-errortype');
  res.setHeader('access-control-max-age', '86400');
}

function send(res: ServerResponse, response: ExecuteResponse): void {
  const body = JSON.stringify(response.body);
  res.statusCode = response.status;
  res.setHeader('content-type', 'application/json; charset=UTF-8');
  res.setHeader('x-amzn-requestid', randomUUID());
  const errorType = response.status >= 400 ? response.body.errors?.[0]?.errorType : undefined;
  if (errorType) res.setHeader('x-amzn-errortype', errorType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** The request body, read through stream events (an async iterator over the request costs more per request). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve('too-large');
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanUp();
        // Stop reading, as leaving the loop of an async iterator did: the rest of the body is not wanted.
        req.destroy();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanUp();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanUp();
      reject(error);
    };
    const onClose = (): void => {
      cleanUp();
      reject(new Error('The request was closed before its body was read'));
    };
    const cleanUp = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** A `(req, res, apiId)` handler serving one API's GraphQL endpoint. */
export function createGraphqlRoute(api: DataApi, options: GraphqlRouteOptions = {}): GraphqlRouteHandler {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return async (req, res, apiId) => {
    setCors(req, res);
    if (req.method === 'OPTIONS') {
      res.statusCode = 200;
      res.setHeader('content-length', '0');
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      send(res, requestError(405, 'MethodNotAllowedException', `${req.method} is not supported: send GraphQL requests as POST with a JSON body`));
      return;
    }
    let response: ExecuteResponse;
    try {
      const raw = await readBody(req, maxBodyBytes);
      if (raw === 'too-large') {
        response = requestError(413, 'PayloadTooLargeException', `The request body is larger than ${maxBodyBytes} bytes. Send smaller requests.`);
      } else {
        let payload: unknown;
        try {
          payload = JSON.parse(raw.toString('utf8'));
        } catch (error) {
          payload = undefined;
          response = requestError(400, 'MalformedHttpRequestException', `The request body is not valid JSON: ${(error as Error).message}`);
        }
        if (payload !== undefined) {
          if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
            response = requestError(400, 'MalformedHttpRequestException', 'The request body must be a JSON object { "query": "...", "variables": {...} }.');
          } else {
            const { query, variables, operationName } = payload as Record<string, unknown>;
            response = await api.execute(apiId, { query, variables, operationName, headers: req.headers });
          }
        }
      }
    } catch (error) {
      console.error(`data: request to ${apiId} failed:`, error);
      response = requestError(500, 'InternalFailure', 'An internal error occurred while serving the request.');
    }
    send(res, response!);
  };
}

/** Serves one request: `handleGraphqlRequest(api, req, res, apiId)`. */
export function handleGraphqlRequest(api: DataApi, req: IncomingMessage, res: ServerResponse, apiId: string, options?: GraphqlRouteOptions): Promise<void> {
  return createGraphqlRoute(api, options)(req, res, apiId);
}
