import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError, toGantryError } from '@gantry/core';
import type { Iam } from '@gantry/iam';
import { createJsonHandler, isJsonRequest, type JsonService } from './protocols/json/json-protocol.ts';
import { createQueryHandler, type QueryService } from './protocols/query/query-protocol.ts';

/** A handler for part of the URL space, tried in order of registration. */
export interface Route {
  name: string;
  matches(req: IncomingMessage, url: URL): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

export interface EdgeOptions {
  iam: Iam;
  /** Services spoken over the AWS Query protocol at `POST /` (IAM, STS). */
  queryServices: QueryService[];
  /** Services spoken over the AWS JSON protocol at `POST /` with `X-Amz-Target` (SSM). @default [] */
  jsonServices?: JsonService[];
  /** Further routes (REST-JSON APIs, git, webhooks, sites), tried before the Query endpoint. */
  routes?: Route[];
}

/**
 * The edge: one request handler for the HTTP and HTTPS listeners. It picks the protocol by path, Host and
 * method; protocol handlers authenticate, authorise and encode errors as their clients expect.
 */
export function createEdge(options: EdgeOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const handleQuery = createQueryHandler(options.iam, options.queryServices);
  const handleJson = createJsonHandler(options.iam, options.jsonServices ?? []);
  const routes = options.routes ?? [];
  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gantry.invalid');
    } catch {
      return sendJsonError(res, new GantryError('MalformedQueryString', `The request target ${req.url} is not a valid URL.`));
    }
    // A JSON-protocol call names its operation in a header, on any path the SDK's endpoint resolution gives.
    const route = isJsonRequest(req) ? undefined : routes.find((r) => r.matches(req, url));
    const work = isJsonRequest(req)
      ? handleJson(req, res)
      : route
      ? route.handle(req, res, url)
      : url.pathname === '/health'
        ? Promise.resolve(sendHealth(res))
        : url.pathname === '/' && (req.method === 'POST' || (req.method === 'GET' && url.searchParams.has('Action')))
          ? handleQuery(req, res, url)
          : Promise.resolve(sendJsonError(res, new GantryError('NotFound', `No Gantry endpoint at ${req.method} ${url.pathname}.`)));
    work.catch((thrown) => {
      // Handlers answer their own errors; this only guards against a handler that threw after replying.
      console.error(`unhandled error on ${req.method} ${url.pathname}:`, thrown);
      if (!res.headersSent) sendJsonError(res, toGantryError(thrown));
      else res.destroy();
    });
  };
}

function sendHealth(res: ServerResponse): void {
  const body = JSON.stringify({ status: 'ok' });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJsonError(res: ServerResponse, error: GantryError): void {
  const body = JSON.stringify({ message: error.message, code: error.code });
  res.writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-errortype': error.code });
  res.end(body);
}
