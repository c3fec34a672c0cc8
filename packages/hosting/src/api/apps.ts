import { GantryError, parseArn } from '@gantry/core';
import type { CallContext, Iam } from '@gantry/iam';
import { isUniqueViolation } from '@gantry/store';
import { PLATFORMS, newAppId } from './amplify-shapes.ts';
import {
  optionalBoolean, optionalCustomRules, optionalEnum, optionalEnvironment, optionalString, optionalTags, requiredString,
} from './amplify-validation.ts';
import type { HostingContext, Scope } from './hosting-context.ts';
import type { HostingTables } from './hosting-tables.ts';
import { decodeToken, page } from './pagination.ts';
import { hashBasicAuthCredentials } from '../sites/basic-auth.ts';
import type { RepositoryAccess } from './repository-access.ts';

export type AppRow = HostingTables['hosting_apps'];
type Params = Record<string, unknown>;

/** Apps per account and region, as Amplify's default quota. */
export const APPS_PER_REGION = 25;

export const appNotFound = (appId: string): GantryError => new GantryError('NotFoundException', `App ${appId} not found.`);

const flag = (value: boolean | undefined): number | undefined => (value === undefined ? undefined : value ? 1 : 0);
const text = (value: unknown): string | undefined => (value === undefined ? undefined : JSON.stringify(value));

/** The settable columns named in a CreateApp/UpdateApp request, validated; members not given are left out. */
function appSettings(p: Params): Partial<AppRow> {
  const abcc = p.autoBranchCreationConfig;
  if (abcc !== undefined && (typeof abcc !== 'object' || abcc === null || Array.isArray(abcc)))
    throw new GantryError('BadRequestException', "1 validation error detected: Value at 'autoBranchCreationConfig' failed to satisfy constraint: Member must be a structure");
  // Auto-created branches take these variables, so they follow the same rules as a branch's own.
  if (abcc !== undefined) optionalEnvironment('autoBranchCreationConfig.environmentVariables', (abcc as { environmentVariables?: unknown }).environmentVariables);
  const patterns = p.autoBranchCreationPatterns;
  if (patterns !== undefined && (!Array.isArray(patterns) || patterns.some((x) => typeof x !== 'string')))
    throw new GantryError('BadRequestException', "1 validation error detected: Value at 'autoBranchCreationPatterns' failed to satisfy constraint: Member must be a list of strings");
  const cache = p.cacheConfig as { type?: unknown } | undefined;
  const job = p.jobConfig as { buildComputeType?: unknown } | undefined;
  const settings: Partial<AppRow> = {
    description: optionalString('description', p.description, 1000),
    repository: optionalString('repository', p.repository, 1000),
    platform: optionalEnum('platform', p.platform, PLATFORMS),
    environment_variables: text(optionalEnvironment('environmentVariables', p.environmentVariables)),
    build_spec: optionalString('buildSpec', p.buildSpec, 25000, 1),
    custom_rules: text(optionalCustomRules(p.customRules)),
    custom_headers: optionalString('customHeaders', p.customHeaders, 25000),
    enable_branch_auto_build: flag(optionalBoolean('enableBranchAutoBuild', p.enableBranchAutoBuild)),
    enable_branch_auto_deletion: flag(optionalBoolean('enableBranchAutoDeletion', p.enableBranchAutoDeletion)),
    enable_basic_auth: flag(optionalBoolean('enableBasicAuth', p.enableBasicAuth)),
    basic_auth_credentials: hashedCredentials(optionalString('basicAuthCredentials', p.basicAuthCredentials, 2000)),
    iam_service_role_arn: optionalString('iamServiceRoleArn', p.iamServiceRoleArn, 1000),
    compute_role_arn: optionalString('computeRoleArn', p.computeRoleArn, 1000),
    enable_auto_branch_creation: flag(optionalBoolean('enableAutoBranchCreation', p.enableAutoBranchCreation)),
    auto_branch_creation_patterns: text(patterns),
    auto_branch_creation_config: text(abcc),
    cache_config_type: cache === undefined ? undefined : optionalEnum('cacheConfig.type', cache?.type, ['AMPLIFY_MANAGED', 'AMPLIFY_MANAGED_NO_COOKIES'] as const),
    build_compute_type: job === undefined ? undefined : optionalEnum('jobConfig.buildComputeType', job?.buildComputeType, ['STANDARD_8GB', 'LARGE_16GB', 'XLARGE_72GB'] as const),
  };
  if (p.name !== undefined) settings.name = requiredString('name', p.name, 255);
  for (const key of Object.keys(settings) as (keyof AppRow)[]) if (settings[key] === undefined) delete settings[key];
  return settings;
}

/**
 * Who sets an app's `iamServiceRoleArn` (or an app's or branch's `computeRoleArn`) passes that role to Amplify, whose builds then run with its
 * credentials: as in AWS, the role must be in the app's own account and the caller must be allowed
 * `iam:PassRole` on it (with `iam:PassedToService` = `amplify.amazonaws.com`). Without this, account B
 * could name account A's role and run builds as A.
 */
export async function requireServiceRolePass(iam: Iam, call: CallContext, scope: Scope, value: unknown, field: 'iamServiceRoleArn' | 'computeRoleArn' = 'iamServiceRoleArn'): Promise<void> {
  const roleArn = optionalString(field, value, 1000);
  if (!roleArn) return;
  const arn = parseArn(roleArn);
  if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/'))
    throw new GantryError('BadRequestException', `${field} '${roleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`);
  if (arn.account !== scope.account)
    throw new GantryError('BadRequestException',
      `${field} ${roleArn} belongs to account ${arn.account}, but this app is in account ${scope.account}: a role an app runs with must be a role of the app's own account. Create the role in account ${scope.account} and use its ARN.`);
  await iam.authorizer.require({
    principal: call.principal, action: 'iam:PassRole', resource: roleArn, resourceAccount: scope.account,
    context: { ...call.requestContext, 'iam:PassedToService': 'amplify.amazonaws.com' },
  });
}

/**
 * Connecting a repository is reading it: the caller must be allowed `codecommit:GitPull` on it as a `git clone`
 * with its own credentials would be, and so must the app's account, which every build checks it out as. A
 * missing repository and another account's that grants nothing are refused alike.
 */
export async function requirePull(repositories: RepositoryAccess, call: CallContext, scope: Scope, cloneUrl: string): Promise<void> {
  for (const puller of [{ principal: call.principal, context: call.requestContext }, { account: scope.account }]) {
    const access = await repositories.pullAccess(cloneUrl, puller);
    if ('refused' in access) throw new GantryError('BadRequestException', access.refused);
  }
}

export async function createApp(ctx: HostingContext, scope: Scope, p: Params, authorizeSettings?: (settings: Partial<AppRow>) => Promise<void>): Promise<AppRow> {
  const name = requiredString('name', p.name, 255);
  const tags = optionalTags(p.tags) ?? {};
  const settings = appSettings(p);
  await authorizeSettings?.(settings);
  const { count } = await ctx.db.selectFrom('hosting_apps').select((eb) => eb.fn.countAll<number>().as('count'))
    .where('account_id', '=', scope.account).where('region', '=', scope.region).executeTakeFirstOrThrow();
  if (Number(count) >= APPS_PER_REGION)
    throw new GantryError('LimitExceededException', `You have reached the limit of ${APPS_PER_REGION} apps in ${scope.region}. Delete an app you no longer need.`);
  const now = ctx.now().getTime();
  const row: AppRow = {
    app_id: newAppId(), account_id: scope.account, region: scope.region, name, description: '', repository: '', platform: 'WEB',
    environment_variables: '{}', build_spec: null, custom_rules: '[]', custom_headers: null, enable_branch_auto_build: 0,
    enable_branch_auto_deletion: 0, enable_basic_auth: 0, basic_auth_credentials: null, iam_service_role_arn: null,
    compute_role_arn: null, enable_auto_branch_creation: 0, auto_branch_creation_patterns: '[]', auto_branch_creation_config: null,
    cache_config_type: null, build_compute_type: null, tags: JSON.stringify(tags), created_at: now, updated_at: now,
    ...settings,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.db.insertInto('hosting_apps').values(row).execute();
      return row;
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
      row.app_id = newAppId();
    }
  }
}

export async function findApp(ctx: HostingContext, scope: Scope, appId: string): Promise<AppRow | undefined> {
  return ctx.db.selectFrom('hosting_apps').selectAll()
    .where('app_id', '=', appId).where('account_id', '=', scope.account).where('region', '=', scope.region)
    .executeTakeFirst();
}

export async function requireApp(ctx: HostingContext, scope: Scope, appId: unknown): Promise<AppRow> {
  const id = requiredString('appId', appId, 20);
  const app = await findApp(ctx, scope, id);
  if (!app) throw appNotFound(id);
  return app;
}

export async function listApps(ctx: HostingContext, scope: Scope, size: number, nextToken: unknown): Promise<{ items: AppRow[]; nextToken?: string }> {
  const after = decodeToken(nextToken);
  let query = ctx.db.selectFrom('hosting_apps').selectAll().where('account_id', '=', scope.account).where('region', '=', scope.region);
  if (after !== undefined) query = query.where('app_id', '>', after);
  const rows = await query.orderBy('app_id').limit(size + 1).execute();
  return page(rows, size, (r) => r.app_id);
}

export async function updateApp(ctx: HostingContext, scope: Scope, p: Params, authorizeSettings?: (settings: Partial<AppRow>) => Promise<void>): Promise<AppRow> {
  const app = await requireApp(ctx, scope, p.appId);
  const settings = appSettings(p);
  await authorizeSettings?.(settings);
  await ctx.db.updateTable('hosting_apps').set({ ...settings, updated_at: ctx.now().getTime() }).where('app_id', '=', app.app_id).execute();
  return requireApp(ctx, scope, app.app_id);
}

/** Deletes the app with its branches and webhooks; returns the app as it was. */
export async function deleteApp(ctx: HostingContext, scope: Scope, appId: unknown): Promise<AppRow> {
  const app = await requireApp(ctx, scope, appId);
  await ctx.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('hosting_webhooks').where('app_id', '=', app.app_id).execute();
    await tx.deleteFrom('hosting_branches').where('app_id', '=', app.app_id).execute();
    await tx.deleteFrom('hosting_apps').where('app_id', '=', app.app_id).execute();
  });
  return app;
}

/** Credentials are kept only as a hash; undefined and empty stay as they are. */
const hashedCredentials = (value: string | undefined): string | undefined => (value ? hashBasicAuthCredentials(value) : value);
