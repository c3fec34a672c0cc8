/**
 * `GET /_gantry/functions/<name>/logs[?limit=N][&follow=1]`, signed for `logs`: the function's recent invocation
 * logs (START … REPORT, oldest first) as plain text, and with `follow=1` every new invocation's log as it
 * finishes, until the client hangs up. Authorised as `logs:GetLogEvents` on the function's log group,
 * `arn:aws:logs:<region>:<account>:log-group:/aws/lambda/<name>:*`, in the caller's account and signed region.
 */
import { GantryError, requestId as newRequestId } from '@gantry/core';
import { authenticate, requestContextKeys, signedRequestFromNode, type Route } from '@gantry/edge';
import type { Iam } from '@gantry/iam';
import { logGroupArn } from './function-arn.ts';
import type { FunctionStore } from './function-store.ts';
import type { InvocationLogs } from './invocation-logs.ts';
import { functionNotFound, sendLambdaError } from './lambda-errors.ts';

export const FUNCTION_LOGS_PREFIX = '/_gantry/functions/';

export function logsRoute(parts: { iam: Iam; functions: FunctionStore; logs: InvocationLogs }): Route {
  return {
    name: 'function-logs',
    matches: (_req, url) => url.pathname.startsWith(FUNCTION_LOGS_PREFIX),
    async handle(req, res, url) {
      const requestId = newRequestId();
      try {
        const match = /^\/_gantry\/functions\/([a-zA-Z0-9-_]{1,64})\/logs$/.exec(url.pathname);
        if (!match) throw new GantryError('NotFound', `No function log at ${url.pathname}: logs are at /_gantry/functions/<function name>/logs.`);
        if (req.method !== 'GET') throw new GantryError('MethodNotAllowed', `${req.method} is not supported on ${url.pathname}; use GET.`);
        const name = match[1]!;
        const auth = await authenticate(parts.iam, signedRequestFromNode(req, Buffer.alloc(0)));
        if (auth.service !== 'logs') throw new GantryError('InvalidSignatureException', `Credential should be scoped to correct service: 'logs'.`);
        if (auth.principal.kind === 'service') throw new GantryError('AccessDenied', 'Service principals hold no log groups.');
        const scope = { account: auth.principal.account, region: auth.region };
        const arn = logGroupArn(scope, name);
        await parts.iam.authorizer.require({ principal: auth.principal, action: 'logs:GetLogEvents', resource: arn, resourceAccount: scope.account, context: requestContextKeys(req, auth.region) });
        if (!(await parts.functions.get(scope, name))) throw functionNotFound(arn);
        const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 100) || 100, 1), 1000);
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-amzn-requestid': requestId, 'cache-control': 'no-store' });
        const follow = url.searchParams.get('follow') === '1';
        // Subscribed before reading, so an invocation finishing in between is not missed (it may show twice).
        const stop = follow ? parts.logs.follow(scope, name, (log) => res.write(log.text)) : undefined;
        for (const log of await parts.logs.recent(scope, name, { limit })) res.write(log.text);
        if (!stop) return void res.end();
        await new Promise<void>((resolve) => res.once('close', resolve));
        stop();
      } catch (thrown) {
        if (res.headersSent) return void res.end();
        sendLambdaError(res, thrown, requestId);
      }
    },
  };
}
