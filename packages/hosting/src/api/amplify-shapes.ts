import { randomBytes } from 'node:crypto';
import { DEFAULT_PARTITION } from '@gantry/core';
import type { HostingContext, Scope } from './hosting-context.ts';
import type { HostingTables } from './hosting-tables.ts';

type AppRow = HostingTables['hosting_apps'];
type BranchRow = HostingTables['hosting_branches'];
type WebhookRow = HostingTables['hosting_webhooks'];

export const PLATFORMS = ['WEB', 'WEB_DYNAMIC', 'WEB_COMPUTE'] as const;
export const STAGES = ['PRODUCTION', 'BETA', 'DEVELOPMENT', 'EXPERIMENTAL', 'PULL_REQUEST'] as const;

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** App ids look like Amplify's: `d` followed by 13 lowercase letters and digits (`d1le7mkrsdlvjo`). */
export function newAppId(): string {
  const bytes = randomBytes(13);
  let id = 'd';
  for (const b of bytes) id += ALNUM[b % 36];
  return id;
}

const base = (scope: Scope): string => `arn:${DEFAULT_PARTITION}:amplify:${scope.region}:${scope.account}`;
export const appArn = (scope: Scope, appId: string): string => `${base(scope)}:apps/${appId}`;
export const branchArn = (scope: Scope, appId: string, branchName: string): string =>
  `${appArn(scope, appId)}/branches/${encodeURIComponent(branchName)}`;
/** The webhook ARN the API returns (`apps/<appId>/webhooks/<id>`, as real CreateWebhook output shows). */
export const webhookArn = (scope: Scope, appId: string, webhookId: string): string => `${appArn(scope, appId)}/webhooks/${webhookId}`;
/** The webhook resource IAM authorises (`webhooks/<id>`, the service authorization reference's form). */
export const webhookResourceArn = (scope: Scope, webhookId: string): string => `${base(scope)}:webhooks/${webhookId}`;

/** Epoch seconds, the REST-JSON timestamp format. */
const seconds = (ms: number): number => Number(ms) / 1000;
const bool = (n: number): boolean => Number(n) === 1;
const json = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));

/** Drops undefined members so the JSON carries only what is set. */
function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

export function appShape(ctx: HostingContext, row: AppRow, productionBranch?: BranchRow): Record<string, unknown> {
  const scope = { account: row.account_id, region: row.region };
  const tags = json<Record<string, string>>(row.tags)!;
  const patterns = json<string[]>(row.auto_branch_creation_patterns)!;
  return compact({
    appId: row.app_id,
    appArn: appArn(scope, row.app_id),
    name: row.name,
    tags: Object.keys(tags).length ? tags : undefined,
    description: row.description,
    repository: row.repository,
    platform: row.platform,
    createTime: seconds(row.created_at),
    updateTime: seconds(row.updated_at),
    computeRoleArn: row.compute_role_arn ?? undefined,
    iamServiceRoleArn: row.iam_service_role_arn ?? undefined,
    environmentVariables: json<Record<string, string>>(row.environment_variables)!,
    defaultDomain: `${row.app_id}.${ctx.siteDomain()}`,
    enableBranchAutoBuild: bool(row.enable_branch_auto_build),
    enableBranchAutoDeletion: bool(row.enable_branch_auto_deletion),
    enableBasicAuth: bool(row.enable_basic_auth),
    customRules: json(row.custom_rules),
    productionBranch: productionBranch ? { branchName: productionBranch.branch_name } : undefined,
    buildSpec: row.build_spec ?? undefined,
    customHeaders: row.custom_headers ?? undefined,
    enableAutoBranchCreation: bool(row.enable_auto_branch_creation),
    autoBranchCreationPatterns: patterns.length ? patterns : undefined,
    autoBranchCreationConfig: json(row.auto_branch_creation_config),
    cacheConfig: row.cache_config_type ? { type: row.cache_config_type } : undefined,
    jobConfig: row.build_compute_type ? { buildComputeType: row.build_compute_type } : undefined,
  });
}

export function branchShape(row: BranchRow): Record<string, unknown> {
  const scope = { account: row.account_id, region: row.region };
  const tags = json<Record<string, string>>(row.tags)!;
  return compact({
    branchArn: branchArn(scope, row.app_id, row.branch_name),
    branchName: row.branch_name,
    description: row.description,
    tags: Object.keys(tags).length ? tags : undefined,
    stage: row.stage,
    displayName: row.display_name,
    enableNotification: bool(row.enable_notification),
    createTime: seconds(row.created_at),
    updateTime: seconds(row.updated_at),
    environmentVariables: json<Record<string, string>>(row.environment_variables)!,
    enableAutoBuild: bool(row.enable_auto_build),
    enableSkewProtection: bool(row.enable_skew_protection),
    customDomains: [],
    framework: row.framework,
    activeJobId: row.active_job_id,
    totalNumberOfJobs: String(row.total_number_of_jobs),
    enableBasicAuth: bool(row.enable_basic_auth),
    enablePerformanceMode: bool(row.enable_performance_mode),
    buildSpec: row.build_spec ?? undefined,
    ttl: row.ttl,
    enablePullRequestPreview: bool(row.enable_pull_request_preview),
    pullRequestEnvironmentName: row.pull_request_environment_name ?? undefined,
    backendEnvironmentArn: row.backend_environment_arn ?? undefined,
    backend: row.backend_stack_arn ? { stackArn: row.backend_stack_arn } : undefined,
    computeRoleArn: row.compute_role_arn ?? undefined,
  });
}

/** `<publicUrl>/webhooks?id=<id>&token=<token>`: the URL `curl -X POST "<url>&operation=startbuild"` calls. */
export function webhookUrl(ctx: HostingContext, webhookId: string, token: string): string {
  return `${ctx.publicUrl().replace(/\/+$/, '')}/webhooks?id=${encodeURIComponent(webhookId)}&token=${encodeURIComponent(token)}`;
}

export function webhookShape(ctx: HostingContext, row: WebhookRow): Record<string, unknown> {
  const scope = { account: row.account_id, region: row.region };
  return {
    webhookArn: webhookArn(scope, row.app_id, row.webhook_id),
    webhookId: row.webhook_id,
    webhookUrl: webhookUrl(ctx, row.webhook_id, ctx.box.open(row.sealed_token)),
    appId: row.app_id,
    branchName: row.branch_name,
    description: row.description,
    createTime: seconds(row.created_at),
    updateTime: seconds(row.updated_at),
  };
}
