import type { ServerResponse } from 'node:http';
import { GantryError, requestId as newRequestId, toGantryError } from '@gantry/core';
import { callerAccount, type CallContext, type Iam, type Operation } from '@gantry/iam';
import { authenticate } from '../../auth/authenticate.ts';
import { signedRequestFromNode } from '../../auth/sigv4-request.ts';
import { readBody } from '../../http/read-body.ts';
import { requestContextKeys } from '../../http/request-context.ts';
import type { Route } from '../../edge.ts';

/** One REST-JSON endpoint: `GET /apps/{appId}/branches/{branchName}` → an operation. */
export interface RestEndpoint {
  method: string;
  /** Path template with `{label}` segments (`{label+}` takes the rest of the path). */
  path: string;
  operation: Operation;
  /** Status of a successful answer. @default 200 */
  successStatus?: number;
}

export interface RestJsonService {
  name: string;
  /** SigV4 signing name the endpoints expect. */
  signingName: string;
  /** URL prefix every endpoint lives under (e.g. `/apps`). */
  prefix: string;
  endpoints: RestEndpoint[];
  /** @default 6 MiB */
  bodyLimit?: number;
}

interface CompiledEndpoint extends RestEndpoint {
  pattern: RegExp;
  labels: string[];
}

function compile(endpoint: RestEndpoint): CompiledEndpoint {
  const labels: string[] = [];
  const segments = endpoint.path.split('/').map((segment) => {
    const label = /^\{(\w+)(\+?)\}$/.exec(segment);
    if (!label) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    labels.push(label[1]!);
    return label[2] ? '(.+)' : '([^/]+)';
  });
  return { ...endpoint, labels, pattern: new RegExp(`^${segments.join('/')}$`) };
}

/**
 * The REST-JSON protocol (Amplify, Gantry's own admin API): path labels, query string and JSON body are
 * merged into the operation's parameters; errors are `{ message }` bodies with `x-amzn-errortype`.
 */
export function restJsonRoute(iam: Iam, service: RestJsonService): Route {
  const endpoints = service.endpoints.map(compile);
  const limit = service.bodyLimit ?? 6 * 1024 * 1024;
  return {
    name: service.name,
    matches: (_req, url) => url.pathname === service.prefix || url.pathname.startsWith(service.prefix + '/'),
    async handle(req, res, url) {
      const requestId = newRequestId();
      try {
        const candidates = endpoints.map((e) => ({ e, m: e.pattern.exec(url.pathname) })).filter((c) => c.m);
        if (candidates.length === 0) throw new GantryError('NotFound', `No ${service.name} operation at ${url.pathname}.`);
        const found = candidates.find((c) => c.e.method === req.method);
        if (!found) throw new GantryError('MethodNotAllowed', `${req.method} is not supported on ${url.pathname}; use ${candidates.map((c) => c.e.method).join(' or ')}.`);
        const body = await readBody(req, limit);
        const auth = await authenticate(iam, signedRequestFromNode(req, body));
        if (auth.service !== service.signingName)
          throw new GantryError('InvalidParameterValue', `Credential should be scoped to correct service: '${service.signingName}'.`, { status: 403 });
        const params: Record<string, unknown> = { ...Object.fromEntries(url.searchParams) };
        if (body.length) {
          let json: unknown;
          try {
            json = JSON.parse(body.toString('utf8'));
          } catch (error) {
            throw new GantryError('ValidationError', `Request body is not valid JSON: ${(error as Error).message}`);
          }
          if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GantryError('ValidationError', 'Request body must be a JSON object.');
          Object.assign(params, json);
        }
        found.e.labels.forEach((label, i) => (params[label] = decodeURIComponent(found.m![i + 1]!)));
        const call: CallContext = { principal: auth.principal, region: auth.region, requestContext: requestContextKeys(req, auth.region), requestId };
        const operation = found.e.operation;
        if (!operation.selfAuthorized) {
          const resource = operation.resource?.(params, call) ?? { arn: '*' };
          await iam.authorizer.require({
            principal: auth.principal, action: operation.action, resource: resource.arn,
            resourceAccount: resource.account ?? callerAccount(call), context: call.requestContext,
          });
        }
        const result = await operation.run(params, call);
        sendJson(res, found.e.successStatus ?? 200, result ?? {}, requestId);
      } catch (thrown) {
        const error = toGantryError(thrown);
        if (error.status >= 500) console.error(`[${requestId}]`, thrown);
        // Structured details (e.g. every validation issue with its position) go along for clients that read them.
        sendJson(res, error.status, { message: error.message, ...(error.details ?? {}) }, requestId, error.code);
      }
    },
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown, requestId: string, errorType?: string): void {
  const body = JSON.stringify(value);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    date: new Date().toUTCString(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(body);
}

