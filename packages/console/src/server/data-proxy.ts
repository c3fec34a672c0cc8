import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { GantryError } from '@gantry/core';
import { requestContextKeys, secureTransport } from '@gantry/edge';
import { CredentialResolver } from '@gantry/iam';
import { currentSession, sessionGone, type ConsoleContext } from './console-context.ts';
import { readJson, sendJson } from './http-json.ts';
import { readResponse, sendSigned, type LoopbackTarget } from './loopback.ts';

/** The path of the data proxy; the API id is the data API's own (`data.url` of amplify_outputs.json ends in it). */
export const DATA_PROXY_PATH = /^\/_console\/data\/([A-Za-z0-9]{1,64})\/graphql$/;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const STACK_NAME = /^[A-Za-z][-A-Za-z0-9]{0,127}$/;
const GRAPHQL_OUTPUT_KEY = 'AWS::Amplify::GraphQL';

/** The ARN IAM policies name a data API by, as AppSync's: `arn:aws:appsync:<region>:<account>:apis/<apiId>`. */
export const dataApiArn = (region: string, account: string, apiId: string): string => `arn:aws:appsync:${region}:${account}:apis/${apiId}`;

/**
 * One answer for an API id that is not the named stack's, a stack that does not exist, and another account's
 * API alike: which of them it was is not said.
 */
const missing = (apiId: string, account: string, region: string) =>
  new GantryError('NotFound', `GraphQL API ${apiId} was not found in account ${account}, region ${region}: open it from its stack's Data tab in the Backends section.`);

/**
 * `POST /_console/data/<apiId>/graphql` with `{ stackName, region, query, variables?, operationName? }`: the
 * Backends section's way to a stack's data API. The data API speaks API keys and user-pool tokens, not SigV4,
 * so the console cannot sign for it; instead, after the request-forgery guard (in the route, as for every
 * console POST) and the session:
 *
 * 1. the session's principal must be allowed `appsync:GraphQL` on the API's ARN in the session's account;
 * 2. the stack must be one the principal can read (`cloudformation:DescribeStacks`, asked of the backend API
 *    as the principal, so it is the session's account and region) and hold that very API;
 * 3. the request goes to the data API with the key from the stack's outputs: the same key the principal could
 *    read from amplify_outputs.json, so the console grants nothing the principal did not have.
 *
 * Another account's API answers as missing. The data API's answer comes back as it is (AppSync's shape).
 */
export function dataProxy(ctx: ConsoleContext) {
  return async function forward(req: IncomingMessage, res: ServerResponse, apiId: string): Promise<void> {
    const found = await currentSession(ctx, req);
    if (!found) return sessionGone(req, res, 'Your console session has ended: sign in again.');
    const input = await readJson(req);
    const region = typeof input.region === 'string' && REGION.test(input.region) ? input.region : undefined;
    if (!region) throw new GantryError('ValidationError', 'region must be the region the stack is in, such as us-west-2.', { details: { field: 'region' } });
    const stackName = typeof input.stackName === 'string' && STACK_NAME.test(input.stackName) ? input.stackName : undefined;
    if (!stackName) throw new GantryError('ValidationError', 'stackName must name the stack that holds the data API (amplify-<appId>-<branch>-branch-<hash>).', { details: { field: 'stackName' } });
    if (typeof input.query !== 'string' || !input.query.trim()) throw new GantryError('ValidationError', 'query must be a GraphQL document.', { details: { field: 'query' } });

    const { session } = found;
    const credentials = session.role?.credentials ?? session.credentials;
    const account = session.role?.account ?? session.account;
    const resolved = await ctx.options.iam.credentials.resolve(credentials.accessKeyId);
    try {
      if (!resolved) throw new GantryError('InvalidClientTokenId', 'The session\'s credentials are no longer valid.');
      CredentialResolver.checkSessionToken(resolved, credentials.sessionToken, new Date());
    } catch {
      await ctx.sessions.delete(found.id);
      return sessionGone(req, res, 'Your console session has expired: sign in again.');
    }
    await ctx.options.iam.authorizer.require({
      principal: resolved.principal, action: 'appsync:GraphQL', resource: dataApiArn(region, account, apiId),
      resourceAccount: account, context: requestContextKeys(req, region),
    });

    const secure = secureTransport(req);
    const target = ctx.options.loopback();
    const described = await readResponse(await sendSigned(target, secure, credentials, {
      service: 'cloudformation', region, method: 'GET', path: `/_gantry/backends/stacks/${stackName}`,
    }));
    if (described.status === 404) throw missing(apiId, account, region);
    if (described.status !== 200) {
      // A refusal (AccessDenied for DescribeStacks) is passed on as the backend API worded it.
      const errorType = String(described.headers['x-amzn-errortype'] ?? 'Error').split(':')[0]!;
      const message = (JSON.parse(described.body || '{}') as { message?: string }).message ?? `The backend API answered ${described.status}.`;
      return sendJson(res, described.status, { code: errorType, message });
    }
    const payload = (JSON.parse(described.body) as { stack?: { outputs?: Record<string, { payload?: Record<string, string> }> } })
      .stack?.outputs?.[GRAPHQL_OUTPUT_KEY]?.payload;
    if (payload?.awsAppsyncApiId !== apiId) throw missing(apiId, account, region);
    const apiKey = payload.awsAppsyncApiKey;
    if (!apiKey)
      throw new GantryError('ValidationError', `GraphQL API ${apiId} has no API key (its authorization is ${payload.awsAppsyncAuthenticationType ?? 'not API_KEY'}): the console browses data APIs that allow API-key access. Add apiKeyAuthorizationMode to defineData and deploy again.`);

    const body = JSON.stringify({ query: input.query, variables: input.variables ?? {}, ...(typeof input.operationName === 'string' ? { operationName: input.operationName } : {}) });
    const answer = await postToDataApi(target, secure, `/data/${apiId}/graphql`, apiKey, body);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    const errorType = answer.headers['x-amzn-errortype'];
    if (typeof errorType === 'string') headers['x-amzn-errortype'] = errorType;
    res.writeHead(answer.status, { ...headers, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  };
}

/** A GraphQL request to this server's own data route, with the API key as `aws-amplify` sends it. */
function postToDataApi(target: LoopbackTarget, secure: boolean, path: string, apiKey: string, body: string) {
  const base = new URL(secure ? target.https : target.http);
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Awaited<ReturnType<typeof readResponse>>>((resolve, reject) => {
    const upstream = send({
      protocol: base.protocol, hostname: base.hostname, port: base.port, method: 'POST', path,
      headers: { host: base.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-api-key': apiKey },
      ...(base.protocol === 'https:' ? { ca: target.caCert } : {}),
    }, (response) => void readResponse(response).then(resolve, reject));
    upstream.on('error', reject);
    upstream.end(body);
  });
}
