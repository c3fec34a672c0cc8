import { GantryError } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import { requireApp } from './apps.ts';
import { STAGES } from './amplify-shapes.ts';
import { badRequest, optionalBoolean, optionalEnum, optionalEnvironment, optionalString, optionalTags, requiredString } from './amplify-validation.ts';
import type { HostingContext, Scope } from './hosting-context.ts';
import type { HostingTables } from './hosting-tables.ts';
import { decodeToken, page } from './pagination.ts';
import { hashBasicAuthCredentials } from '../sites/basic-auth.ts';

export type BranchRow = HostingTables['hosting_branches'];
type Params = Record<string, unknown>;

/** Branches per app, as Amplify's default quota. */
export const BRANCHES_PER_APP = 50;

export const branchNotFound = (appId: string, branchName: string): GantryError =>
  new GantryError('NotFoundException', `Branch ${branchName} not found for app ${appId}.`);

const flag = (value: boolean | undefined): number | undefined => (value === undefined ? undefined : value ? 1 : 0);

/** The settable columns named in a CreateBranch/UpdateBranch request, validated; members not given are left out. */
function branchSettings(p: Params): Partial<BranchRow> {
  const env = optionalEnvironment('environmentVariables', p.environmentVariables);
  const ttl = optionalString('ttl', p.ttl, 32);
  if (ttl !== undefined && !/^\d*$/.test(ttl))
    throw badRequest(`1 validation error detected: Value '${ttl}' at 'ttl' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d*`);
  const backend = p.backend as { stackArn?: unknown } | undefined;
  const settings: Partial<BranchRow> = {
    description: optionalString('description', p.description, 1000),
    stage: optionalEnum('stage', p.stage, STAGES),
    framework: optionalString('framework', p.framework, 255),
    display_name: optionalString('displayName', p.displayName, 255),
    enable_notification: flag(optionalBoolean('enableNotification', p.enableNotification)),
    enable_auto_build: flag(optionalBoolean('enableAutoBuild', p.enableAutoBuild)),
    enable_skew_protection: flag(optionalBoolean('enableSkewProtection', p.enableSkewProtection)),
    environment_variables: env === undefined ? undefined : JSON.stringify(env),
    enable_basic_auth: flag(optionalBoolean('enableBasicAuth', p.enableBasicAuth)),
    basic_auth_credentials: hashedCredentials(optionalString('basicAuthCredentials', p.basicAuthCredentials, 2000)),
    enable_performance_mode: flag(optionalBoolean('enablePerformanceMode', p.enablePerformanceMode)),
    build_spec: optionalString('buildSpec', p.buildSpec, 25000, 1),
    ttl,
    enable_pull_request_preview: flag(optionalBoolean('enablePullRequestPreview', p.enablePullRequestPreview)),
    pull_request_environment_name: optionalString('pullRequestEnvironmentName', p.pullRequestEnvironmentName, 20),
    backend_environment_arn: optionalString('backendEnvironmentArn', p.backendEnvironmentArn, 1000),
    backend_stack_arn: backend === undefined ? undefined : optionalString('backend.stackArn', backend?.stackArn, 2048, 20),
    compute_role_arn: optionalString('computeRoleArn', p.computeRoleArn, 1000),
  };
  for (const key of Object.keys(settings) as (keyof BranchRow)[]) if (settings[key] === undefined) delete settings[key];
  return settings;
}

export async function createBranch(ctx: HostingContext, scope: Scope, p: Params): Promise<BranchRow> {
  const app = await requireApp(ctx, scope, p.appId);
  const branchName = requiredString('branchName', p.branchName, 255);
  const tags = optionalTags(p.tags) ?? {};
  const settings = branchSettings(p);
  const { count } = await ctx.db.selectFrom('hosting_branches').select((eb) => eb.fn.countAll<number>().as('count'))
    .where('app_id', '=', app.app_id).executeTakeFirstOrThrow();
  if (Number(count) >= BRANCHES_PER_APP)
    throw new GantryError('LimitExceededException', `App ${app.app_id} already has ${BRANCHES_PER_APP} branches, the limit. Delete a branch you no longer need.`);
  const now = ctx.now().getTime();
  const row: BranchRow = {
    app_id: app.app_id, branch_name: branchName, account_id: scope.account, region: scope.region, description: '',
    stage: 'NONE', framework: '', display_name: branchName.replace(/[^A-Za-z0-9-]/g, '-').toLowerCase(), enable_notification: 0,
    enable_auto_build: 1, enable_skew_protection: 0, environment_variables: '{}', enable_basic_auth: 0, basic_auth_credentials: null,
    enable_performance_mode: 0, build_spec: null, ttl: '5', enable_pull_request_preview: 0, pull_request_environment_name: null,
    backend_environment_arn: null, backend_stack_arn: null, compute_role_arn: null, tags: JSON.stringify(tags), active_job_id: '',
    total_number_of_jobs: 0, created_at: now, updated_at: now,
    ...settings,
  };
  try {
    await ctx.db.insertInto('hosting_branches').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw badRequest(`Branch ${branchName} already exists for app ${app.app_id}.`);
    throw error;
  }
  return row;
}

export async function findBranch(ctx: HostingContext, scope: Scope, appId: string, branchName: string): Promise<BranchRow | undefined> {
  return ctx.db.selectFrom('hosting_branches').selectAll()
    .where('app_id', '=', appId).where('branch_name', '=', branchName)
    .where('account_id', '=', scope.account).where('region', '=', scope.region)
    .executeTakeFirst();
}

/** The branch, or NotFoundException naming the app when the app itself is unknown. */
export async function requireBranch(ctx: HostingContext, scope: Scope, appId: unknown, branchName: unknown): Promise<BranchRow> {
  const app = await requireApp(ctx, scope, appId);
  const name = requiredString('branchName', branchName, 255);
  const branch = await findBranch(ctx, scope, app.app_id, name);
  if (!branch) throw branchNotFound(app.app_id, name);
  return branch;
}

export async function listBranches(ctx: HostingContext, scope: Scope, appId: unknown, size: number, nextToken: unknown): Promise<{ items: BranchRow[]; nextToken?: string }> {
  const app = await requireApp(ctx, scope, appId);
  const after = decodeToken(nextToken);
  let query = ctx.db.selectFrom('hosting_branches').selectAll().where('app_id', '=', app.app_id);
  if (after !== undefined) query = query.where('branch_name', '>', after);
  const rows = await query.orderBy('branch_name').limit(size + 1).execute();
  return page(rows, size, (r) => r.branch_name);
}

/** The app's production branch (stage PRODUCTION), for App.productionBranch. */
export async function productionBranch(ctx: HostingContext, appId: string): Promise<BranchRow | undefined> {
  return ctx.db.selectFrom('hosting_branches').selectAll().where('app_id', '=', appId).where('stage', '=', 'PRODUCTION')
    .orderBy('created_at').limit(1).executeTakeFirst();
}

export async function updateBranch(ctx: HostingContext, scope: Scope, p: Params): Promise<BranchRow> {
  const branch = await requireBranch(ctx, scope, p.appId, p.branchName);
  const settings = branchSettings(p);
  await ctx.db.updateTable('hosting_branches').set({ ...settings, updated_at: ctx.now().getTime() })
    .where('app_id', '=', branch.app_id).where('branch_name', '=', branch.branch_name).execute();
  return requireBranch(ctx, scope, branch.app_id, branch.branch_name);
}

/** Deletes the branch and the webhooks that build it; returns the branch as it was. */
export async function deleteBranch(ctx: HostingContext, scope: Scope, appId: unknown, branchName: unknown): Promise<BranchRow> {
  const branch = await requireBranch(ctx, scope, appId, branchName);
  await ctx.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('hosting_webhooks').where('app_id', '=', branch.app_id).where('branch_name', '=', branch.branch_name).execute();
    await tx.deleteFrom('hosting_branches').where('app_id', '=', branch.app_id).where('branch_name', '=', branch.branch_name).execute();
  });
  return branch;
}

/** Credentials are kept only as a hash; undefined and empty stay as they are. */
const hashedCredentials = (value: string | undefined): string | undefined => (value ? hashBasicAuthCredentials(value) : value);
