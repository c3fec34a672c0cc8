import { randomBytes, randomUUID } from 'node:crypto';
import { GantryError, hashSecret, secretMatchesHash } from '@gantry/core';
import { requireApp } from './apps.ts';
import { findBranch, branchNotFound } from './branches.ts';
import { optionalString, requiredString } from './amplify-validation.ts';
import type { HostingContext, Scope } from './hosting-context.ts';
import type { HostingTables } from './hosting-tables.ts';
import { decodeToken, page } from './pagination.ts';

export type WebhookRow = HostingTables['hosting_webhooks'];
type Params = Record<string, unknown>;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 44-character `[A-Za-z0-9]` token, like Amplify's webhook tokens. */
function newToken(): string {
  let token = '';
  while (token.length < 44) for (const b of randomBytes(64)) if (b < 248 && token.length < 44) token += ALNUM[b % 62];
  return token;
}

export const webhookNotFound = (webhookId: string): GantryError => new GantryError('NotFoundException', `Webhook ${webhookId} not found.`);

export async function createWebhook(ctx: HostingContext, scope: Scope, p: Params): Promise<WebhookRow> {
  const app = await requireApp(ctx, scope, p.appId);
  const branchName = requiredString('branchName', p.branchName, 255);
  if (!(await findBranch(ctx, scope, app.app_id, branchName))) throw branchNotFound(app.app_id, branchName);
  const token = newToken();
  const now = ctx.now().getTime();
  const row: WebhookRow = {
    webhook_id: randomUUID(), account_id: scope.account, region: scope.region, app_id: app.app_id, branch_name: branchName,
    description: optionalString('description', p.description, 1000) ?? '', token_hash: hashSecret(token), sealed_token: ctx.box.seal(token),
    created_at: now, updated_at: now,
  };
  await ctx.db.insertInto('hosting_webhooks').values(row).execute();
  return row;
}

export async function requireWebhook(ctx: HostingContext, scope: Scope, webhookId: unknown): Promise<WebhookRow> {
  const id = requiredString('webhookId', webhookId, 255);
  const row = await ctx.db.selectFrom('hosting_webhooks').selectAll()
    .where('webhook_id', '=', id).where('account_id', '=', scope.account).where('region', '=', scope.region)
    .executeTakeFirst();
  if (!row) throw webhookNotFound(id);
  return row;
}

export async function listWebhooks(ctx: HostingContext, scope: Scope, appId: unknown, size: number, nextToken: unknown): Promise<{ items: WebhookRow[]; nextToken?: string }> {
  const app = await requireApp(ctx, scope, appId);
  const after = decodeToken(nextToken);
  let query = ctx.db.selectFrom('hosting_webhooks').selectAll().where('app_id', '=', app.app_id);
  if (after !== undefined) query = query.where('webhook_id', '>', after);
  const rows = await query.orderBy('webhook_id').limit(size + 1).execute();
  return page(rows, size, (r) => r.webhook_id);
}

/** Points the webhook at another (existing) branch and/or changes its description; the URL stays the same. */
export async function updateWebhook(ctx: HostingContext, scope: Scope, p: Params): Promise<WebhookRow> {
  const webhook = await requireWebhook(ctx, scope, p.webhookId);
  const branchName = optionalString('branchName', p.branchName, 255, 1);
  if (branchName !== undefined && !(await findBranch(ctx, scope, webhook.app_id, branchName))) throw branchNotFound(webhook.app_id, branchName);
  const description = optionalString('description', p.description, 1000);
  await ctx.db.updateTable('hosting_webhooks')
    .set({ ...(branchName === undefined ? {} : { branch_name: branchName }), ...(description === undefined ? {} : { description }), updated_at: ctx.now().getTime() })
    .where('webhook_id', '=', webhook.webhook_id).execute();
  return requireWebhook(ctx, scope, webhook.webhook_id);
}

export async function deleteWebhook(ctx: HostingContext, scope: Scope, webhookId: unknown): Promise<WebhookRow> {
  const webhook = await requireWebhook(ctx, scope, webhookId);
  await ctx.db.deleteFrom('hosting_webhooks').where('webhook_id', '=', webhook.webhook_id).execute();
  return webhook;
}

/**
 * Resolves an incoming webhook call (`POST /webhooks?id=…&token=…`, no SigV4: the URL is the credential).
 * Returns the webhook when the token matches, undefined otherwise (callers answer both cases alike).
 */
export async function authenticateWebhook(ctx: HostingContext, webhookId: string, token: string): Promise<WebhookRow | undefined> {
  const row = await ctx.db.selectFrom('hosting_webhooks').selectAll().where('webhook_id', '=', webhookId).executeTakeFirst();
  if (!row || !secretMatchesHash(token, row.token_hash)) return undefined;
  return row;
}
