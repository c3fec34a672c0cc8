import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError, requestId as newRequestId, toGantryError } from '@gantry/core';
import { callerAccount, type CallContext, type Iam, type OperationTable } from '@gantry/iam';
import { authenticate } from '../../auth/authenticate.ts';
import { signedRequestFromNode } from '../../auth/sigv4-request.ts';
import { readBody } from '../../http/read-body.ts';
import { requestContextKeys } from '../../http/request-context.ts';
import { decodeQueryParams } from './query-params.ts';
import { queryError, queryResponse } from './query-xml.ts';

/** A service spoken over the AWS Query protocol (form POST in, XML out). */
export interface QueryService {
  /** SigV4 signing name, e.g. `iam`. */
  signingName: string;
  /** API version the clients send in `Version`. */
  version: string;
  /** XML namespace of responses. */
  namespace: string;
  operations: OperationTable;
}

/** Query bodies are small forms; 1 MiB is far above any valid IAM or STS request. */
const BODY_LIMIT = 1024 * 1024;

export function createQueryHandler(iam: Iam, services: QueryService[]) {
  const bySigningName = new Map(services.map((s) => [s.signingName, s]));
  const byVersion = new Map(services.map((s) => [s.version, s]));

  return async function handleQuery(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = newRequestId();
    let service: QueryService = services[0]!;
    try {
      const body = req.method === 'POST' ? await readBody(req, BODY_LIMIT) : Buffer.alloc(0);
      const contentType = String(req.headers['content-type'] ?? '');
      if (req.method === 'POST' && body.length && !contentType.startsWith('application/x-www-form-urlencoded'))
        throw new GantryError('InvalidParameterValue', `Content-Type ${contentType || '(none)'} is not supported: send the request as application/x-www-form-urlencoded.`);
      const form = new URLSearchParams(req.method === 'POST' ? body.toString('utf8') : url.search);
      const versioned = byVersion.get(form.get('Version') ?? '');
      if (versioned) service = versioned;

      const auth = await authenticate(iam, signedRequestFromNode(req, body));
      const signed = bySigningName.get(auth.service);
      if (!signed) throw new GantryError('InvalidAction', `Service '${auth.service}' in the credential scope is not served here: sign for ${services.map((s) => s.signingName).join(' or ')}.`);
      service = signed;

      const action = form.get('Action');
      if (!action) throw new GantryError('MissingAction', 'The request must contain the parameter Action.');
      const operation = Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
      if (!operation) throw new GantryError('InvalidAction', `Could not find operation ${action} for version ${service.version}`);
      if (form.get('Version') && form.get('Version') !== service.version)
        throw new GantryError('InvalidAction', `Could not find operation ${action} for version ${form.get('Version')}`);

      const params = decodeQueryParams(form);
      const call: CallContext = { principal: auth.principal, region: auth.region, requestContext: requestContextKeys(req, auth.region), requestId };
      if (!operation.selfAuthorized) {
        const resource = operation.resource?.(params, call) ?? { arn: '*' };
        await iam.authorizer.require({
          principal: auth.principal, action: operation.action, resource: resource.arn,
          resourceAccount: resource.account ?? callerAccount(call), context: call.requestContext,
        });
      }
      const result = await operation.run(params, call);
      send(res, 200, queryResponse(action, service.namespace, result, requestId), requestId);
    } catch (thrown) {
      const error = toGantryError(thrown);
      if (error.status >= 500) console.error(`[${requestId}]`, thrown);
      send(res, error.status, queryError(error, service.namespace, requestId), requestId);
    }
  };
}

function send(res: ServerResponse, status: number, xml: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId,
    // SDKs correct their clock from this header after a skew error.
    date: new Date().toUTCString(),
  });
  res.end(xml);
}
