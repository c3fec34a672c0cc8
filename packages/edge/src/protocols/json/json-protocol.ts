import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError, requestId as newRequestId, toGantryError, type ErrorCode } from '@gantry/core';
import { callerAccount, type CallContext, type ContextKeys, type Iam, type OperationTable } from '@gantry/iam';
import { authenticate } from '../../auth/authenticate.ts';
import { signedRequestFromNode } from '../../auth/sigv4-request.ts';
import { readBody } from '../../http/read-body.ts';
import { requestContextKeys } from '../../http/request-context.ts';

/**
 * A service spoken over the AWS JSON protocol (awsJson1_0 / awsJson1_1: SSM, Cognito user pools, …): `POST /`
 * with `X-Amz-Target: <targetPrefix>.<Operation>` and a JSON body of the operation's input.
 */
export interface JsonService {
  /** The part of `X-Amz-Target` before the dot. @example 'AmazonSSM' */
  targetPrefix: string;
  /** SigV4 signing name the requests must be scoped to. @example 'ssm' */
  signingName: string;
  /** `1.0` or `1.1`: the content type answers carry (`application/x-amz-json-1.1`). */
  version: '1.0' | '1.1';
  operations: OperationTable;
  /**
   * Operations called with no AWS credentials at all (Cognito's SignUp, InitiateAuth, GetUser with an access
   * token…: the service model marks them `authtype: none`). The edge does no SigV4 and no IAM check for them;
   * they authorise themselves from their parameters. Kept apart from `operations` so that no signed operation
   * can become unsigned by accident. @default {}
   */
  unsignedOperations?: Record<string, UnsignedOperation>;
  /** @default 1 MiB */
  bodyLimit?: number;
}

/** What an unsigned operation knows about its call: there is no principal. */
export interface UnsignedCallContext {
  /**
   * The region the Host names when it is an AWS-style endpoint (`cognito-idp.<region>.amazonaws.com`), else
   * undefined: the operation finds its region in its parameters (a pool id, a client id, a token).
   */
  hostRegion: string | undefined;
  /** Condition keys of the request (`aws:SourceIp`, `aws:SecureTransport`…). */
  requestContext: ContextKeys;
  requestId: string;
}

/** An operation of `JsonService.unsignedOperations`. */
export interface UnsignedOperation<P = any, R = unknown> {
  unsigned: true;
  run(params: P, call: UnsignedCallContext): Promise<R>;
}

/** Codes that the JSON protocol's clients know under another name. */
const JSON_CODES: Partial<Record<ErrorCode, string>> = {
  AccessDenied: 'AccessDeniedException',
  ValidationError: 'ValidationException',
  RequestEntityTooLarge: 'ValidationException',
  InternalFailure: 'InternalServerError',
};

/** Whether a request is for one of the JSON services (it names its operation in `X-Amz-Target`). */
export const isJsonRequest = (req: IncomingMessage): boolean => req.method === 'POST' && typeof req.headers['x-amz-target'] === 'string';

/**
 * The JSON protocol: the target names the operation; the body is its parameters; errors are
 * `{ "__type": code, "message": … }` with the code in `x-amzn-errortype` too, as the SDKs read them.
 */
export function createJsonHandler(iam: Iam, services: JsonService[]) {
  const byPrefix = new Map(services.map((s) => [s.targetPrefix, s]));
  return async function handleJson(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const target = String(req.headers['x-amz-target']);
    const dot = target.lastIndexOf('.');
    const service = byPrefix.get(target.slice(0, dot));
    const contentType = `application/x-amz-json-${service?.version ?? '1.1'}`;
    try {
      if (!service) throw new GantryError('UnknownOperationException', `No service here answers X-Amz-Target ${target}: Gantry serves ${[...byPrefix.keys()].join(', ')}.`);
      const name = target.slice(dot + 1);
      const operation = Object.hasOwn(service.operations, name) ? service.operations[name] : undefined;
      const body = await readBody(req, service.bodyLimit ?? 1024 * 1024);
      const unsigned = service.unsignedOperations && Object.hasOwn(service.unsignedOperations, name) ? service.unsignedOperations[name] : undefined;
      if (unsigned?.unsigned === true) {
        // Any signature on the request is ignored, as AWS does for these operations.
        const hostRegion = regionFromHost(req.headers.host, service.signingName);
        const call: UnsignedCallContext = { hostRegion, requestContext: requestContextKeys(req, hostRegion ?? ''), requestId };
        send(res, 200, await unsigned.run(parseParams(body), call) ?? {}, requestId, contentType);
        return;
      }
      const auth = await authenticate(iam, signedRequestFromNode(req, body));
      if (auth.service !== service.signingName)
        throw new GantryError('InvalidSignatureException', `Credential should be scoped to correct service: '${service.signingName}'.`);
      if (!operation) throw new GantryError('UnknownOperationException', `${service.targetPrefix} has no operation ${name}.`);
      const params = parseParams(body);
      const call: CallContext = { principal: auth.principal, region: auth.region, requestContext: requestContextKeys(req, auth.region), requestId };
      if (!operation.selfAuthorized) {
        const resource = operation.resource?.(params, call) ?? { arn: '*' };
        await iam.authorizer.require({
          principal: auth.principal, action: operation.action, resource: resource.arn,
          resourceAccount: resource.account ?? callerAccount(call), context: call.requestContext,
        });
      }
      send(res, 200, await operation.run(params, call) ?? {}, requestId, contentType);
    } catch (thrown) {
      const error = toGantryError(thrown);
      if (error.status >= 500) console.error(`[${requestId}]`, thrown);
      const code = JSON_CODES[error.code] ?? error.code;
      send(res, error.status, { __type: code, message: error.message }, requestId, contentType, code);
    }
  };
}

function parseParams(body: Buffer): object {
  let params: unknown = {};
  if (body.length) {
    try {
      params = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new GantryError('SerializationException', `The request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new GantryError('SerializationException', 'The request body must be a JSON object.');
  return params;
}

/** `<signingName>.<region>.amazonaws.com[:port]` → region; any other Host names none. */
function regionFromHost(host: string | undefined, signingName: string): string | undefined {
  const match = new RegExp(`^${signingName.replace(/[^a-z0-9-]/g, '')}\\.([a-z]{2}(?:-[a-z]+)+-\\d)\\.amazonaws\\.com(?::\\d+)?$`, 'i').exec(host ?? '');
  return match?.[1]?.toLowerCase();
}

function send(res: ServerResponse, status: number, value: unknown, requestId: string, contentType: string, errorType?: string): void {
  const body = JSON.stringify(value);
  const headers: Record<string, string | number> = {
    'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId, date: new Date().toUTCString(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(body);
}
