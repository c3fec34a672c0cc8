import type { SecretBox } from '@gantry/core';
import { restJsonRoute, type RestEndpoint, type Route } from '@gantry/edge';
import { callerAccount, type CallContext, type Iam, type Operation } from '@gantry/iam';
import type { Migration, Store } from '@gantry/store';
import type { Kysely } from 'kysely';
import { appArn, appShape, branchArn, branchShape, webhookResourceArn, webhookShape } from './amplify-shapes.ts';
import type { RepositoryAccess } from './repository-access.ts';
import { createApp, deleteApp, listApps, requireApp, requirePull, requireServiceRolePass, updateApp, type AppRow } from './apps.ts';
import { createBranch, deleteBranch, listBranches, productionBranch, requireBranch, updateBranch } from './branches.ts';
import type { HostingContext, Scope } from './hosting-context.ts';
import { hostingMigrations, type HostingTables } from './hosting-tables.ts';
import { pageSize } from './pagination.ts';
import { createWebhook, deleteWebhook, listWebhooks, requireWebhook, updateWebhook } from './webhooks.ts';

export interface HostingApiOptions {
  store: Store;
  iam: Iam;
  /** Seals webhook tokens so Get/List can return the full webhook URL, as AWS does. */
  box: SecretBox;
  /** Base URL clients reach the server at; a function when it is known only once the server listens. @example 'https://gantry.example.com' */
  publicUrl: string | (() => string);
  /** Domain branch sites are served under (`<branch>.<appId>.<siteDomain>`). @example 'apps.example.com' */
  siteDomain: string | (() => string);
  /** The repositories apps connect to (CreateApp/UpdateApp check that caller and account may pull them). */
  repositories: RepositoryAccess;
  /** @default () => new Date() */
  now?: () => Date;
  /** Further endpoints under `/apps` (the jobs API), given the context. */
  moreEndpoints?: (ctx: HostingContext) => RestEndpoint[];
}

export interface HostingApi {
  migrations: Migration[];
  /** Serves the Amplify Hosting REST-JSON API (`/apps…`, `/webhooks/<id>`; the bare `/webhooks` is left to the incoming-webhook handler). */
  route: Route;
  ctx: HostingContext;
}

type Params = Record<string, any>;
const scopeOf = (call: CallContext): Scope => ({ account: callerAccount(call), region: call.region });
const op = (o: Operation<Params>): Operation<Params> => o;

/** The Amplify Hosting API (2017-07-25): apps, branches and incoming webhooks, per account and region. */
export function createHostingApi(options: HostingApiOptions): HostingApi {
  const fn = (v: string | (() => string)) => (typeof v === 'function' ? v : () => v);
  const ctx: HostingContext = {
    db: options.store.db as Kysely<HostingTables>,
    box: options.box,
    publicUrl: fn(options.publicUrl),
    siteDomain: fn(options.siteDomain),
    now: options.now ?? (() => new Date()),
  };
  const app = async (row: AppRow) => ({ app: appShape(ctx, row, await productionBranch(ctx, row.app_id)) });
  /**
   * What a CreateApp/UpdateApp sets is authorised as the direct calls would be, after its settings validated:
   * iam:PassRole on the roles it hands Amplify, and codecommit:GitPull on the repository it connects, for the
   * caller and for the app's account (whose builds will check it out).
   */
  const passRoles = (call: CallContext) => async (settings: Partial<AppRow>) => {
    if (settings.repository) await requirePull(options.repositories, call, scopeOf(call), settings.repository);
    if (settings.iam_service_role_arn) await requireServiceRolePass(options.iam, call, scopeOf(call), settings.iam_service_role_arn);
    if (settings.compute_role_arn) await requireServiceRolePass(options.iam, call, scopeOf(call), settings.compute_role_arn, 'computeRoleArn');
  };
  const passComputeRole = (p: Params, call: CallContext) => requireServiceRolePass(options.iam, call, scopeOf(call), p.computeRoleArn, 'computeRoleArn');

  const appsResource = (_p: Params, call: CallContext) => ({ arn: appArn(scopeOf(call), '*') });
  const appResource = (p: Params, call: CallContext) => ({ arn: appArn(scopeOf(call), String(p.appId)) });
  const branchResource = (p: Params, call: CallContext) => ({ arn: branchArn(scopeOf(call), String(p.appId), String(p.branchName)) });
  const webhookResource = (p: Params, call: CallContext) => ({ arn: webhookResourceArn(scopeOf(call), String(p.webhookId)) });

  const ops = {
    CreateApp: op({ action: 'amplify:CreateApp', resource: appsResource, run: async (p, call) => app(await createApp(ctx, scopeOf(call), p, passRoles(call))) }),
    GetApp: op({ action: 'amplify:GetApp', resource: appResource, run: async (p, call) => app(await requireApp(ctx, scopeOf(call), p.appId)) }),
    ListApps: op({
      action: 'amplify:ListApps', resource: appsResource,
      async run(p, call) {
        const result = await listApps(ctx, scopeOf(call), pageSize(p.maxResults, 100), p.nextToken);
        const apps = await Promise.all(result.items.map(async (row) => (await app(row)).app));
        return { apps, nextToken: result.nextToken };
      },
    }),
    UpdateApp: op({ action: 'amplify:UpdateApp', resource: appResource, run: async (p, call) => app(await updateApp(ctx, scopeOf(call), p, passRoles(call))) }),
    DeleteApp: op({ action: 'amplify:DeleteApp', resource: appResource, run: async (p, call) => app(await deleteApp(ctx, scopeOf(call), p.appId)) }),

    CreateBranch: op({ action: 'amplify:CreateBranch', resource: appResource, run: async (p, call) => {
      await passComputeRole(p, call);
      return { branch: branchShape(await createBranch(ctx, scopeOf(call), p)) };
    } }),
    GetBranch: op({ action: 'amplify:GetBranch', resource: branchResource, run: async (p, call) => ({ branch: branchShape(await requireBranch(ctx, scopeOf(call), p.appId, p.branchName)) }) }),
    ListBranches: op({
      action: 'amplify:ListBranches', resource: appResource,
      async run(p, call) {
        const result = await listBranches(ctx, scopeOf(call), p.appId, pageSize(p.maxResults, 50), p.nextToken);
        return { branches: result.items.map(branchShape), nextToken: result.nextToken };
      },
    }),
    UpdateBranch: op({ action: 'amplify:UpdateBranch', resource: branchResource, run: async (p, call) => {
      await passComputeRole(p, call);
      return { branch: branchShape(await updateBranch(ctx, scopeOf(call), p)) };
    } }),
    DeleteBranch: op({ action: 'amplify:DeleteBranch', resource: branchResource, run: async (p, call) => ({ branch: branchShape(await deleteBranch(ctx, scopeOf(call), p.appId, p.branchName)) }) }),

    CreateWebhook: op({ action: 'amplify:CreateWebhook', resource: appResource, run: async (p, call) => ({ webhook: webhookShape(ctx, await createWebhook(ctx, scopeOf(call), p)) }) }),
    GetWebhook: op({ action: 'amplify:GetWebhook', resource: webhookResource, run: async (p, call) => ({ webhook: webhookShape(ctx, await requireWebhook(ctx, scopeOf(call), p.webhookId)) }) }),
    ListWebhooks: op({
      action: 'amplify:ListWebhooks', resource: appResource,
      async run(p, call) {
        const result = await listWebhooks(ctx, scopeOf(call), p.appId, pageSize(p.maxResults, 50), p.nextToken);
        return { webhooks: result.items.map((row) => webhookShape(ctx, row)), nextToken: result.nextToken };
      },
    }),
    UpdateWebhook: op({ action: 'amplify:UpdateWebhook', resource: webhookResource, run: async (p, call) => ({ webhook: webhookShape(ctx, await updateWebhook(ctx, scopeOf(call), p)) }) }),
    DeleteWebhook: op({ action: 'amplify:DeleteWebhook', resource: webhookResource, run: async (p, call) => ({ webhook: webhookShape(ctx, await deleteWebhook(ctx, scopeOf(call), p.webhookId)) }) }),
  };

  const appEndpoints: RestEndpoint[] = [
    { method: 'POST', path: '/apps', operation: ops.CreateApp },
    { method: 'GET', path: '/apps', operation: ops.ListApps },
    { method: 'GET', path: '/apps/{appId}', operation: ops.GetApp },
    { method: 'POST', path: '/apps/{appId}', operation: ops.UpdateApp },
    { method: 'DELETE', path: '/apps/{appId}', operation: ops.DeleteApp },
    { method: 'POST', path: '/apps/{appId}/branches', operation: ops.CreateBranch },
    { method: 'GET', path: '/apps/{appId}/branches', operation: ops.ListBranches },
    { method: 'GET', path: '/apps/{appId}/branches/{branchName}', operation: ops.GetBranch },
    { method: 'POST', path: '/apps/{appId}/branches/{branchName}', operation: ops.UpdateBranch },
    { method: 'DELETE', path: '/apps/{appId}/branches/{branchName}', operation: ops.DeleteBranch },
    { method: 'POST', path: '/apps/{appId}/webhooks', operation: ops.CreateWebhook },
    { method: 'GET', path: '/apps/{appId}/webhooks', operation: ops.ListWebhooks },
  ];
  const webhookEndpoints: RestEndpoint[] = [
    { method: 'GET', path: '/webhooks/{webhookId}', operation: ops.GetWebhook },
    { method: 'POST', path: '/webhooks/{webhookId}', operation: ops.UpdateWebhook },
    { method: 'DELETE', path: '/webhooks/{webhookId}', operation: ops.DeleteWebhook },
  ];
  appEndpoints.push(...(options.moreEndpoints?.(ctx) ?? []));
  const apps = restJsonRoute(options.iam, { name: 'amplify', signingName: 'amplify', prefix: '/apps', endpoints: appEndpoints });
  const webhooks = restJsonRoute(options.iam, { name: 'amplify', signingName: 'amplify', prefix: '/webhooks', endpoints: webhookEndpoints });
  const route: Route = {
    name: 'amplify',
    matches: (req, url) => apps.matches(req, url) || url.pathname.startsWith('/webhooks/'),
    handle: (req, res, url) => (apps.matches(req, url) ? apps.handle(req, res, url) : webhooks.handle(req, res, url)),
  };
  return { migrations: hostingMigrations, route, ctx };
}
