import { GantryError, requestId as newRequestId, toGantryError } from '@gantry/core';
import { readBody, sendJsonError, type Route } from '@gantry/edge';
import type { HostingContext } from '../api/hosting-context.ts';
import { authenticateWebhook } from '../api/webhooks.ts';
import { enqueueJob, type JobDb } from './jobs.ts';

/**
 * Incoming webhooks: `curl -X POST -d {} "<webhookUrl>&operation=startbuild"` queues a WEB_HOOK job for the
 * webhook's branch, whatever its auto-build setting. The URL is the credential (no SigV4): a wrong or missing
 * token is refused and queues nothing. Like Amplify, the answer only acknowledges the request; the job is
 * found with ListJobs.
 */
export function incomingWebhookRoute(ctx: HostingContext, wake: () => void): Route {
  const db = ctx.db as unknown as JobDb;
  return {
    name: 'incoming-webhooks',
    matches: (_req, url) => url.pathname === '/webhooks' || url.pathname === '/webhooks/',
    async handle(req, res, url) {
      try {
        if (req.method !== 'POST') throw new GantryError('MethodNotAllowed', 'Incoming webhooks are called with POST: curl -X POST -d {} "<webhookUrl>&operation=startbuild".');
        await readBody(req, 64 * 1024);
        const operation = url.searchParams.get('operation') ?? 'startbuild';
        if (operation !== 'startbuild') throw new GantryError('BadRequestException', `Unknown webhook operation '${operation}': the only operation is startbuild.`);
        const id = url.searchParams.get('id');
        const token = url.searchParams.get('token');
        const webhook = id && token ? await authenticateWebhook(ctx, id, token) : undefined;
        if (!webhook) throw new GantryError('AccessDenied', 'The webhook id or token is missing or wrong: use the webhookUrl exactly as CreateWebhook or GetWebhook returned it.');
        const branch = await ctx.db.selectFrom('hosting_branches').selectAll().where('app_id', '=', webhook.app_id).where('branch_name', '=', webhook.branch_name).executeTakeFirst();
        if (!branch) throw new GantryError('NotFoundException', `Branch ${webhook.branch_name} of the webhook no longer exists.`);
        await enqueueJob(db, branch, { jobType: 'WEB_HOOK', reason: `Incoming webhook ${webhook.webhook_id}` }, ctx.now().getTime());
        wake();
        const requestId = newRequestId();
        const body = JSON.stringify({ SendMessageResponse: { ResponseMetadata: { RequestId: requestId } } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId });
        res.end(body);
      } catch (error) {
        sendJsonError(res, toGantryError(error));
      }
    },
  };
}
