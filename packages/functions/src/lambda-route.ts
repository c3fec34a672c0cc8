/**
 * Lambda's REST API (2015-03-31) as @aws-sdk/client-lambda calls it, signed for `lambda`:
 * `POST /2015-03-31/functions/{name}/invocations` (Invoke: RequestResponse, Event, DryRun; `LogType: Tail`),
 * `GET /2015-03-31/functions/{name}` (GetFunction), `GET /2015-03-31/functions/{name}/configuration`
 * (GetFunctionConfiguration) and `GET /2015-03-31/functions/` (ListFunctions). Each call is authorised as its
 * Lambda action on `arn:aws:lambda:<region>:<account>:function:<name>` before anything is looked up.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError, requestId as newRequestId } from '@gantry/core';
import { authenticate, readBody, requestContextKeys, signedRequestFromNode, type Route } from '@gantry/edge';
import type { CallContext, Iam } from '@gantry/iam';
import { functionArn, parseFunctionReference } from './function-arn.ts';
import { functionConfiguration } from './function-configuration.ts';
import type { FunctionInvoker } from './function-invoker.ts';
import type { FunctionScope } from './function-plane.ts';
import type { FunctionStore, StoredFunction } from './function-store.ts';
import { functionNotFound, sendLambdaError } from './lambda-errors.ts';

const PREFIX = '/2015-03-31/functions';
/** Lambda's request limits: 6 MB for a synchronous invocation, 1 MB for an asynchronous one. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;
/** `LogType: Tail` returns the last 4 KB of the invocation's log. */
const TAIL_BYTES = 4096;

export interface LambdaRouteParts {
  iam: Iam;
  functions: FunctionStore;
  invoker: FunctionInvoker;
}

interface LambdaCall {
  call: CallContext;
  /** The caller's own account and the region it signed for: where its functions are. */
  scope: FunctionScope;
}

export function lambdaRoute(parts: LambdaRouteParts): Route {
  return {
    name: 'lambda',
    matches: (_req, url) => url.pathname === PREFIX || url.pathname.startsWith(`${PREFIX}/`),
    async handle(req, res, url) {
      const requestId = newRequestId();
      try {
        const rest = url.pathname.slice(PREFIX.length).replace(/^\//, '');
        const segments = rest === '' ? [] : rest.split('/');
        if (segments.length === 0) {
          requireMethod(req, 'GET', url);
          const lambda = await authenticated(parts, req, Buffer.alloc(0), requestId);
          return sendJson(res, 200, await listFunctions(parts, lambda, url.searchParams), requestId);
        }
        const name = decodeURIComponent(segments[0]!);
        const action = segments.slice(1).join('/');
        if (action === 'invocations') {
          requireMethod(req, 'POST', url);
          const type = headerOf(req, 'x-amz-invocation-type') ?? 'RequestResponse';
          if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
            throw new GantryError('ValidationException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
          }
          const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
          const body = await readBody(req, limit).catch((error) => {
            throw error instanceof GantryError && error.code === 'RequestEntityTooLarge'
              ? new GantryError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`)
              : error;
          });
          const lambda = await authenticated(parts, req, body, requestId);
          return await invoke(parts, lambda, res, { name, qualifier: url.searchParams.get('Qualifier') ?? undefined, type, logType: headerOf(req, 'x-amz-log-type'), clientContext: headerOf(req, 'x-amz-client-context'), body });
        }
        if (action === '' || action === 'configuration') {
          requireMethod(req, 'GET', url);
          const lambda = await authenticated(parts, req, Buffer.alloc(0), requestId);
          const fn = await authorizedFunction(parts, lambda, action === '' ? 'lambda:GetFunction' : 'lambda:GetFunctionConfiguration', name, url.searchParams.get('Qualifier') ?? undefined);
          const configuration = functionConfiguration(fn);
          return sendJson(res, 200, action === '' ? { Configuration: configuration, Code: { RepositoryType: 'S3' }, Tags: {} } : configuration, requestId);
        }
        throw new GantryError('NotFound', `No Lambda operation at ${req.method} ${url.pathname}. Gantry serves Invoke, GetFunction, GetFunctionConfiguration and ListFunctions.`);
      } catch (thrown) {
        sendLambdaError(res, thrown, requestId);
      }
    },
  };
}

function requireMethod(req: IncomingMessage, method: string, url: URL): void {
  if (req.method !== method) throw new GantryError('MethodNotAllowed', `${req.method} is not supported on ${url.pathname}; use ${method}.`);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function authenticated(parts: LambdaRouteParts, req: IncomingMessage, body: Buffer, requestId: string): Promise<LambdaCall> {
  const auth = await authenticate(parts.iam, signedRequestFromNode(req, body));
  if (auth.service !== 'lambda') throw new GantryError('InvalidSignatureException', `Credential should be scoped to correct service: 'lambda'.`);
  if (auth.principal.kind === 'service') throw new GantryError('AccessDenied', 'Service principals hold no functions.');
  const call: CallContext = { principal: auth.principal, region: auth.region, requestContext: requestContextKeys(req, auth.region), requestId };
  return { call, scope: { account: auth.principal.account, region: auth.region } };
}

/**
 * The function a call names, once IAM allowed `action` on it. A name another account or region holds is
 * answered as missing before any lookup (Gantry has no function resource policies, so no other account may
 * use it), and a caller who may not act is refused whether or not the function exists.
 */
async function authorizedFunction(parts: LambdaRouteParts, lambda: LambdaCall, action: string, value: string, qualifierParameter?: string): Promise<StoredFunction> {
  const ref = parseFunctionReference(value);
  if (!ref) {
    throw new GantryError('ValidationException', `1 validation error detected: Value '${value}' at 'functionName' failed to satisfy constraint: it must be a function name (letters, digits, - and _, up to 64) or a function ARN (arn:aws:lambda:<region>:<account>:function:<name>).`);
  }
  const { scope } = lambda;
  const named = { account: ref.account ?? scope.account, region: ref.region ?? scope.region };
  const qualifier = qualifierParameter ?? ref.qualifier;
  const arn = functionArn(named, ref.name) + (qualifier ? `:${qualifier}` : '');
  if (named.account !== scope.account || named.region !== scope.region) throw functionNotFound(arn);
  await parts.iam.authorizer.require({ principal: lambda.call.principal, action, resource: arn, resourceAccount: scope.account, context: lambda.call.requestContext });
  const fn = await parts.functions.get(scope, ref.name);
  if (!fn || (qualifier !== undefined && qualifier !== '$LATEST')) throw functionNotFound(arn);
  return fn;
}

async function invoke(parts: LambdaRouteParts, lambda: LambdaCall, res: ServerResponse, request: { name: string; qualifier?: string; type: string; logType?: string; clientContext?: string; body: Buffer }): Promise<void> {
  const fn = await authorizedFunction(parts, lambda, 'lambda:InvokeFunction', request.name, request.qualifier);
  let event: unknown = {};
  if (request.body.length) {
    try {
      event = JSON.parse(request.body.toString('utf8'));
    } catch (error) {
      throw new GantryError('InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}. Send the event as a JSON document.`);
    }
  }
  const clientContext = request.clientContext === undefined ? undefined : parseClientContext(request.clientContext);
  if (request.type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-requestid': lambda.call.requestId });
    return void res.end();
  }
  if (request.type === 'Event') {
    // Queued for the function and answered at once; the outcome is in the function's log.
    void parts.invoker.invoke(fn, event, { clientContext }).catch((error) => console.error(`asynchronous invocation of ${fn.name} failed:`, error));
    res.writeHead(202, { 'x-amzn-requestid': lambda.call.requestId, 'content-length': 0 });
    return void res.end();
  }
  const invocation = await parts.invoker.invoke(fn, event, { clientContext });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(invocation.payloadJson),
    'x-amzn-requestid': invocation.requestId,
    'x-amz-executed-version': '$LATEST',
  };
  if (invocation.result.functionError) headers['x-amz-function-error'] = 'Unhandled';
  if (request.logType === 'Tail') {
    const log = Buffer.from(invocation.log, 'utf8');
    headers['x-amz-log-result'] = log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString('base64');
  }
  res.writeHead(200, headers);
  res.end(invocation.payloadJson);
}

/** `X-Amz-Client-Context`: base64 JSON, up to 3583 bytes, handed to the handler as `context.clientContext`. */
function parseClientContext(header: string): unknown {
  if (header.length > 3583) throw new GantryError('InvalidParameterValueException', `Client context must be at most 3583 bytes (got ${header.length}).`);
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    throw new GantryError('InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.');
  }
}

async function listFunctions(parts: LambdaRouteParts, lambda: LambdaCall, query: URLSearchParams) {
  await parts.iam.authorizer.require({ principal: lambda.call.principal, action: 'lambda:ListFunctions', resource: '*', resourceAccount: lambda.scope.account, context: lambda.call.requestContext });
  const maxItems = query.has('MaxItems') ? Number(query.get('MaxItems')) : 50;
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
    throw new GantryError('InvalidParameterValueException', `MaxItems must be a whole number from 1 to 10000 (got ${query.get('MaxItems')}).`);
  }
  const marker = query.get('Marker');
  const after = marker ? Buffer.from(marker, 'base64url').toString('utf8') : undefined;
  const page = await parts.functions.list(lambda.scope, { after, limit: maxItems + 1 });
  const more = page.length > maxItems;
  const functions = page.slice(0, maxItems);
  return {
    Functions: functions.map(functionConfiguration),
    ...(more ? { NextMarker: Buffer.from(functions.at(-1)!.name, 'utf8').toString('base64url') } : {}),
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown, requestId: string): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId });
  res.end(body);
}
