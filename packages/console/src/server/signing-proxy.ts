import type { IncomingMessage, ServerResponse } from 'node:http';
import { secureTransport } from '@gantry/edge';
import { parseApiCall } from './api-call.ts';
import { currentSession, SESSION_STATUS_HEADER, sessionGone, type ConsoleContext } from './console-context.ts';
import { readJson, sendJson } from './http-json.ts';
import { sendSigned } from './loopback.ts';

/** Response headers of an API that the page may need; the rest stay between the proxy and the API. */
const PASSED_RESPONSE_HEADERS = ['content-type', 'x-amzn-errortype', 'x-amzn-requestid', 'x-amz-request-id', 'cache-control'];
/** Error codes with which an API refuses a session's credentials themselves: expired, or revoked. */
const DEAD_CREDENTIALS = new Set(['ExpiredToken', 'InvalidClientTokenId']);

/**
 * Whether a refusal is about the credentials rather than the request: the error code as each protocol carries
 * it (REST-JSON and JSON 1.1 in `x-amzn-errortype`, Query in the XML's `<Code>`), never words in a message.
 */
function credentialsRefused(errorType: string | undefined, body: string): boolean {
  if (errorType) return DEAD_CREDENTIALS.has(errorType.split(':')[0]!.trim());
  const code = /<Error>\s*(?:<Type>[^<]*<\/Type>\s*)?<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  return code !== undefined && DEAD_CREDENTIALS.has(code);
}

/**
 * `POST /_console/call`: the page's API request, signed with the session's credentials (the switched-to role's
 * when one is active) and sent to this server's own listener, so the edge and IAM treat it as any client's.
 * The API's answer comes back as it is, streamed; only a refusal of the credentials themselves is turned into
 * the console's "sign in again" (or, for a role, "back to your own identity").
 */
export function signingProxy(ctx: ConsoleContext) {
  return async function call(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const found = await currentSession(ctx, req);
    if (!found) return sessionGone(req, res, 'Your console session has ended: sign in again.');
    const apiCall = parseApiCall(await readJson(req));
    const role = found.session.role;
    const upstream = await sendSigned(ctx.options.loopback(), secureTransport(req), role?.credentials ?? found.session.credentials, apiCall);
    const status = upstream.statusCode ?? 502;
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    for (const name of PASSED_RESPONSE_HEADERS) {
      const value = upstream.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (status === 400 || status === 403) {
      // Refusals are small: read them to tell dead credentials from an ordinary refusal.
      const chunks: Buffer[] = [];
      for await (const chunk of upstream) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      if (credentialsRefused(headers['x-amzn-errortype'], body.toString('utf8'))) {
        if (role) {
          // The role session ended (expired, or the role was deleted): back to the user's own identity.
          await ctx.sessions.setRole(found.id, undefined);
          return sendJson(res, 401, {
            code: 'RoleSessionExpired',
            message: `Your session as ${role.arn} has ended: you are back as ${found.session.principalArn}. Switch role again to continue there.`,
          }, { [SESSION_STATUS_HEADER]: 'role-ended' });
        }
        await ctx.sessions.delete(found.id);
        return sessionGone(req, res, 'Your console session has expired: sign in again.');
      }
      res.writeHead(status, { ...headers, 'content-length': body.length });
      return void res.end(body);
    }
    res.writeHead(status, headers);
    // Streams pass through as they come (followed logs, large listings); a page that goes away stops the call.
    res.on('close', () => upstream.destroy());
    upstream.pipe(res);
  };
}
