import { createHash } from 'node:crypto';
import { GantryError, parseArn, uniqueId } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import { nowIso, type IamContext } from './iam-context.ts';
import { AWS_MANAGED_POLICIES, type ManagedPolicyDefinition } from './managed-policies/index.ts';
import { parsePolicyDocument } from './policy/validate-policy.ts';
import { checkMaxItems, decodeMarker, encodeMarker, type Page } from './roles.ts';
import { checkName, checkPath } from './validation.ts';

/** A managed policy: customer managed (in an account) or AWS managed (`arn:aws:iam::aws:policy/...`). */
export interface ManagedPolicy {
  arn: string;
  name: string;
  id: string;
  path: string;
  description: string | null;
  defaultVersionId: string;
  isAwsManaged: boolean;
  createDate: Date;
  updateDate: Date;
}

export interface PolicyVersion {
  versionId: string;
  document: string;
  isDefault: boolean;
  createDate: Date;
}

/** IAM keeps at most five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;
/** Managed policies a role or user may have attached (IAM's default quota). */
export const MAX_ATTACHED_POLICIES = 20;
const MANAGED_POLICY_SIZE = 6144;

const awsPolicies = new Map(AWS_MANAGED_POLICIES.map((p) => [p.arn, p]));
const fromAws = (p: ManagedPolicyDefinition): ManagedPolicy => ({
  arn: p.arn, name: p.name, id: awsPolicyId(p.arn), path: p.path, description: p.description, defaultVersionId: p.versionId,
  isAwsManaged: true, createDate: new Date(p.createDate), updateDate: new Date(p.updateDate),
});
/** AWS managed policies have fixed ids; derive a stable ANPA id from the ARN so every server agrees. */
const awsPolicyId = (arn: string): string =>
  'ANPA' + createHash('sha256').update(arn).digest('base64').replace(/[^A-Z2-7]/g, '').slice(0, 16).padEnd(16, 'A');

export const policyArn = (account: string, path: string, name: string): string => `arn:aws:iam::${account}:policy${path}${name}`;

type PolicyRow = { arn: string; name: string; id: string; path: string; description: string | null; default_version: string; created_at: string; updated_at: string };
const toPolicy = (r: PolicyRow): ManagedPolicy => ({
  arn: r.arn, name: r.name, id: r.id, path: r.path, description: r.description, defaultVersionId: r.default_version,
  isAwsManaged: false, createDate: new Date(r.created_at), updateDate: new Date(r.updated_at),
});

export async function createPolicy(ctx: IamContext, account: string, args: { name: string; document: string; path?: string; description?: string }): Promise<ManagedPolicy> {
  const name = checkName('policyName', args.name, 128);
  const path = checkPath(args.path);
  parsePolicyDocument(args.document, 'identity', { maxLength: MANAGED_POLICY_SIZE });
  const arn = policyArn(account, path, name);
  const now = nowIso(ctx);
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await tx.insertInto('policies').values({
        arn, account_id: account, name, name_key: name.toLowerCase(), id: uniqueId('ANPA'), path, description: args.description ?? null,
        default_version: 'v1', next_version: 2, created_at: now, updated_at: now,
      }).execute();
      await tx.insertInto('policy_versions').values({ policy_arn: arn, version_id: 'v1', document: args.document, created_at: now }).execute();
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new GantryError('EntityAlreadyExists', `A policy called ${name} already exists. Duplicate names are not allowed.`);
    throw error;
  }
  return (await findPolicy(ctx, arn))!;
}

export async function findPolicy(ctx: IamContext, arn: string): Promise<ManagedPolicy | undefined> {
  const aws = awsPolicies.get(arn);
  if (aws) return fromAws(aws);
  const row = await ctx.db.selectFrom('policies').selectAll().where('arn', '=', arn).executeTakeFirst();
  return row && toPolicy(row);
}

/** The policy must exist and be visible to `account` (its own, or AWS managed). */
export async function requirePolicy(ctx: IamContext, account: string, arn: string): Promise<ManagedPolicy> {
  if (!parseArn(arn)) throw new GantryError('InvalidInput', `ARN ${arn} is not valid.`);
  const policy = await findPolicy(ctx, arn);
  if (!policy || (!policy.isAwsManaged && parseArn(arn)!.account !== account))
    throw new GantryError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

export async function attachmentCount(ctx: IamContext, account: string, arn: string, kind: 'all' | 'boundary' = 'all'): Promise<number> {
  if (kind === 'boundary') {
    const [roles, users] = await Promise.all([
      ctx.db.selectFrom('roles').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).where('boundary_arn', '=', arn).executeTakeFirstOrThrow(),
      ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account).where('boundary_arn', '=', arn).executeTakeFirstOrThrow(),
    ]);
    return Number(roles.n) + Number(users.n);
  }
  const row = await ctx.db.selectFrom('policy_attachments').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('policy_arn', '=', arn).where('account_id', '=', account).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function getPolicyVersion(ctx: IamContext, account: string, arn: string, versionId: string): Promise<PolicyVersion> {
  const policy = await requirePolicy(ctx, account, arn);
  if (policy.isAwsManaged) {
    const def = awsPolicies.get(arn)!;
    if (versionId !== def.versionId) throw new GantryError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
    return { versionId, document: JSON.stringify(def.document, null, 4), isDefault: true, createDate: new Date(def.updateDate) };
  }
  const row = await ctx.db.selectFrom('policy_versions').selectAll().where('policy_arn', '=', arn).where('version_id', '=', versionId).executeTakeFirst();
  if (!row) throw new GantryError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  return { versionId, document: row.document, isDefault: versionId === policy.defaultVersionId, createDate: new Date(row.created_at) };
}

/** The document of the default version of any visible managed policy (for the evaluator). */
export async function defaultPolicyDocument(ctx: IamContext, arn: string): Promise<string | undefined> {
  const aws = awsPolicies.get(arn);
  if (aws) return JSON.stringify(aws.document);
  const row = await ctx.db.selectFrom('policies').innerJoin('policy_versions', (j) => j.onRef('policy_versions.policy_arn', '=', 'policies.arn').onRef('policy_versions.version_id', '=', 'policies.default_version'))
    .select('policy_versions.document').where('policies.arn', '=', arn).executeTakeFirst();
  return row?.document;
}

function assertCustomerManaged(policy: ManagedPolicy): void {
  if (policy.isAwsManaged) throw new GantryError('InvalidInput', `${policy.arn} is an AWS managed policy and cannot be changed; create a customer managed policy instead.`);
}

export async function createPolicyVersion(ctx: IamContext, account: string, arn: string, document: string, setAsDefault: boolean): Promise<PolicyVersion> {
  const policy = await requirePolicy(ctx, account, arn);
  assertCustomerManaged(policy);
  parsePolicyDocument(document, 'identity', { maxLength: MANAGED_POLICY_SIZE });
  const now = nowIso(ctx);
  const versionId = await ctx.db.transaction().execute(async (tx) => {
    const count = await tx.selectFrom('policy_versions').select((eb) => eb.fn.countAll<number>().as('n')).where('policy_arn', '=', arn).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_POLICY_VERSIONS)
      throw new GantryError('LimitExceeded', `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
    const row = await tx.selectFrom('policies').select('next_version').where('arn', '=', arn).executeTakeFirstOrThrow();
    const id = `v${row.next_version}`;
    await tx.insertInto('policy_versions').values({ policy_arn: arn, version_id: id, document, created_at: now }).execute();
    await tx.updateTable('policies').set({ next_version: Number(row.next_version) + 1, updated_at: now, ...(setAsDefault ? { default_version: id } : {}) }).where('arn', '=', arn).execute();
    return id;
  });
  if (setAsDefault) ctx.changed();
  return { versionId, document, isDefault: setAsDefault, createDate: new Date(now) };
}

export async function deletePolicy(ctx: IamContext, account: string, arn: string): Promise<void> {
  const policy = await requirePolicy(ctx, account, arn);
  assertCustomerManaged(policy);
  if ((await attachmentCount(ctx, account, arn)) > 0) throw new GantryError('DeleteConflict', 'Cannot delete a policy attached to entities.');
  if ((await attachmentCount(ctx, account, arn, 'boundary')) > 0) throw new GantryError('DeleteConflict', 'Cannot delete a policy used as a permissions boundary.');
  const versions = await ctx.db.selectFrom('policy_versions').select('version_id').where('policy_arn', '=', arn).execute();
  if (versions.length > 1)
    throw new GantryError('DeleteConflict', "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
  await ctx.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('policy_versions').where('policy_arn', '=', arn).execute();
    await tx.deleteFrom('policies').where('arn', '=', arn).execute();
  });
  ctx.changed();
}

export interface ListPoliciesArgs {
  scope?: 'All' | 'AWS' | 'Local';
  onlyAttached?: boolean;
  pathPrefix?: string;
  marker?: string;
  maxItems?: number;
}

export async function listPolicies(ctx: IamContext, account: string, args: ListPoliciesArgs): Promise<Page<ManagedPolicy & { attachmentCount: number }>> {
  const offset = decodeMarker(args.marker);
  const limit = checkMaxItems(args.maxItems);
  const scope = args.scope ?? 'All';
  const local = scope === 'AWS' ? [] : (await ctx.db.selectFrom('policies').selectAll().where('account_id', '=', account).orderBy('name_key').execute()).map(toPolicy);
  const aws = scope === 'Local' ? [] : AWS_MANAGED_POLICIES.map(fromAws);
  const counts = new Map((await ctx.db.selectFrom('policy_attachments').select(['policy_arn']).select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', account).groupBy('policy_arn').execute()).map((r) => [r.policy_arn, Number(r.n)]));
  let all = [...aws, ...local].map((p) => ({ ...p, attachmentCount: counts.get(p.arn) ?? 0 }));
  if (args.pathPrefix) all = all.filter((p) => p.path.startsWith(args.pathPrefix!));
  if (args.onlyAttached) all = all.filter((p) => p.attachmentCount > 0);
  const items = all.slice(offset, offset + limit);
  return { items, marker: all.length > offset + limit ? encodeMarker(offset + limit) : undefined };
}

// ── attachments ────────────────────────────────────────────────────────────────────────────────────────────

export async function attachPolicy(ctx: IamContext, account: string, principalArn: string, arn: string): Promise<void> {
  await requirePolicy(ctx, account, arn);
  const count = await ctx.db.selectFrom('policy_attachments').select((eb) => eb.fn.countAll<number>().as('n')).where('principal_arn', '=', principalArn).executeTakeFirstOrThrow();
  const already = await ctx.db.selectFrom('policy_attachments').select('policy_arn').where('principal_arn', '=', principalArn).where('policy_arn', '=', arn).executeTakeFirst();
  if (already) return; // attaching twice is a no-op in IAM
  if (Number(count.n) >= MAX_ATTACHED_POLICIES) throw new GantryError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${MAX_ATTACHED_POLICIES}`);
  await ctx.db.insertInto('policy_attachments').values({ principal_arn: principalArn, policy_arn: arn, account_id: account }).execute();
  ctx.changed();
}

export async function detachPolicy(ctx: IamContext, account: string, principalArn: string, arn: string): Promise<void> {
  await requirePolicy(ctx, account, arn);
  const result = await ctx.db.deleteFrom('policy_attachments').where('principal_arn', '=', principalArn).where('policy_arn', '=', arn).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new GantryError('NoSuchEntity', `Policy ${arn} was not found.`);
  ctx.changed();
}

export async function listAttachedPolicies(ctx: IamContext, principalArn: string): Promise<Array<{ arn: string; name: string }>> {
  const rows = await ctx.db.selectFrom('policy_attachments').select('policy_arn').where('principal_arn', '=', principalArn).orderBy('policy_arn').execute();
  return rows.map((r) => ({ arn: r.policy_arn, name: r.policy_arn.slice(r.policy_arn.lastIndexOf('/') + 1) }));
}

// ── inline policies ────────────────────────────────────────────────────────────────────────────────────────

/** Inline policy size quotas (characters, whitespace excluded): roles 10240, users 2048. */
export const INLINE_POLICY_SIZE = { role: 10240, user: 2048 } as const;

export async function putInlinePolicy(ctx: IamContext, principalArn: string, kind: 'role' | 'user', name: string, document: string): Promise<void> {
  checkName('policyName', name, 128);
  parsePolicyDocument(document, 'identity', { maxLength: INLINE_POLICY_SIZE[kind] });
  await ctx.db.deleteFrom('inline_policies').where('principal_arn', '=', principalArn).where('name', '=', name).execute();
  await ctx.db.insertInto('inline_policies').values({ principal_arn: principalArn, name, document }).execute();
  ctx.changed();
}

export async function getInlinePolicy(ctx: IamContext, principalArn: string, entity: string, name: string): Promise<string> {
  const row = await ctx.db.selectFrom('inline_policies').select('document').where('principal_arn', '=', principalArn).where('name', '=', name).executeTakeFirst();
  if (!row) throw new GantryError('NoSuchEntity', `The ${entity} policy with name ${name} cannot be found.`);
  return row.document;
}

export async function deleteInlinePolicy(ctx: IamContext, principalArn: string, entity: string, name: string): Promise<void> {
  const result = await ctx.db.deleteFrom('inline_policies').where('principal_arn', '=', principalArn).where('name', '=', name).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new GantryError('NoSuchEntity', `The ${entity} policy with name ${name} cannot be found.`);
  ctx.changed();
}

export async function listInlinePolicies(ctx: IamContext, principalArn: string): Promise<Array<{ name: string; document: string }>> {
  return ctx.db.selectFrom('inline_policies').select(['name', 'document']).where('principal_arn', '=', principalArn).orderBy('name').execute();
}
