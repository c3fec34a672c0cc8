import { GantryError, uniqueId } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import { nowIso, type IamContext } from './iam-context.ts';
import type { Tags } from './principal.ts';
import { parsePolicyDocument } from './policy/validate-policy.ts';
import { checkName, checkPath, constraintError } from './validation.ts';

export interface Role {
  account: string;
  name: string;
  id: string;
  path: string;
  arn: string;
  /** The trust policy JSON as written. */
  trustPolicy: string;
  description: string | null;
  /** Longest session AssumeRole may grant, 3600–43200 seconds. @default 3600 */
  maxSessionDuration: number;
  boundaryArn: string | null;
  tags: Tags;
  createdAt: Date;
}

export interface CreateRoleArgs {
  name: string;
  trustPolicy: string;
  path?: string;
  description?: string;
  maxSessionDuration?: number;
  boundaryArn?: string;
  tags?: Tags;
}

type RoleRow = {
  account_id: string; name: string; id: string; path: string; arn: string; trust_policy: string; description: string | null;
  max_session_duration: number; boundary_arn: string | null; tags: string; created_at: string;
};
const toRole = (r: RoleRow): Role => ({
  account: r.account_id, name: r.name, id: r.id, path: r.path, arn: r.arn, trustPolicy: r.trust_policy, description: r.description,
  maxSessionDuration: Number(r.max_session_duration), boundaryArn: r.boundary_arn, tags: JSON.parse(r.tags), createdAt: new Date(r.created_at),
});

export const roleArn = (account: string, path: string, name: string): string => `arn:aws:iam::${account}:role${path}${name}`;

function checkMaxSessionDuration(value: number | undefined): number {
  const seconds = value ?? 3600;
  if (!Number.isInteger(seconds) || seconds < 3600 || seconds > 43200)
    throw constraintError('maxSessionDuration', String(value), 'Member must have value between 3600 and 43200');
  return seconds;
}

export async function createRole(ctx: IamContext, account: string, args: CreateRoleArgs): Promise<Role> {
  const name = checkName('roleName', args.name, 64);
  const path = checkPath(args.path);
  parsePolicyDocument(args.trustPolicy, 'trust');
  if (args.description && args.description.length > 1000) throw constraintError('description', args.description, 'Member must have length less than or equal to 1000');
  try {
    await ctx.db.insertInto('roles').values({
      account_id: account, name, name_key: name.toLowerCase(), id: uniqueId('AROA'), path, arn: roleArn(account, path, name),
      trust_policy: args.trustPolicy, description: args.description ?? null, max_session_duration: checkMaxSessionDuration(args.maxSessionDuration),
      boundary_arn: args.boundaryArn ?? null, tags: JSON.stringify(args.tags ?? {}), created_at: nowIso(ctx),
    }).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new GantryError('EntityAlreadyExists', `Role with name ${name} already exists.`);
    throw error;
  }
  ctx.changed();
  return requireRole(ctx, account, name);
}

export async function findRole(ctx: IamContext, account: string, name: string): Promise<Role | undefined> {
  const row = await ctx.db.selectFrom('roles').selectAll().where('account_id', '=', account).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
  return row && toRole(row);
}

export async function findRoleByArn(ctx: IamContext, arn: string): Promise<Role | undefined> {
  const row = await ctx.db.selectFrom('roles').selectAll().where('arn', '=', arn).executeTakeFirst();
  return row && toRole(row);
}

export async function requireRole(ctx: IamContext, account: string, name: string): Promise<Role> {
  const role = await findRole(ctx, account, name);
  if (!role) throw new GantryError('NoSuchEntity', `The role with name ${name} cannot be found.`);
  return role;
}

export async function deleteRole(ctx: IamContext, account: string, name: string): Promise<void> {
  const role = await requireRole(ctx, account, name);
  const attached = await ctx.db.selectFrom('policy_attachments').select('policy_arn').where('principal_arn', '=', role.arn).executeTakeFirst();
  if (attached) throw new GantryError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
  const inline = await ctx.db.selectFrom('inline_policies').select('name').where('principal_arn', '=', role.arn).executeTakeFirst();
  if (inline) throw new GantryError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
  await ctx.db.deleteFrom('roles').where('arn', '=', role.arn).execute();
  ctx.changed();
}

export async function updateTrustPolicy(ctx: IamContext, account: string, name: string, trustPolicy: string): Promise<void> {
  const role = await requireRole(ctx, account, name);
  parsePolicyDocument(trustPolicy, 'trust');
  await ctx.db.updateTable('roles').set({ trust_policy: trustPolicy }).where('arn', '=', role.arn).execute();
  ctx.changed();
}

export async function setRoleBoundary(ctx: IamContext, account: string, name: string, boundaryArn: string | null): Promise<void> {
  const role = await requireRole(ctx, account, name);
  await ctx.db.updateTable('roles').set({ boundary_arn: boundaryArn }).where('arn', '=', role.arn).execute();
  ctx.changed();
}

export interface Page<T> { items: T[]; marker?: string }

/** Opaque pagination markers: the offset of the next item, base64-encoded. */
export const encodeMarker = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64');
export function decodeMarker(marker: string | undefined): number {
  if (!marker) return 0;
  const text = Buffer.from(marker, 'base64').toString('utf8');
  const offset = text.startsWith('o:') ? Number(text.slice(2)) : NaN;
  if (!Number.isInteger(offset) || offset < 0) throw new GantryError('InvalidInput', 'Invalid Marker: pass the Marker value returned by the previous call, unchanged.');
  return offset;
}

export function checkMaxItems(maxItems: number | undefined): number {
  const n = maxItems ?? 100;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw constraintError('maxItems', String(maxItems), 'Member must have value between 1 and 1000');
  return n;
}

export async function listRoles(ctx: IamContext, account: string, args: { pathPrefix?: string; marker?: string; maxItems?: number }): Promise<Page<Role>> {
  const offset = decodeMarker(args.marker);
  const limit = checkMaxItems(args.maxItems);
  let query = ctx.db.selectFrom('roles').selectAll().where('account_id', '=', account);
  if (args.pathPrefix) query = query.where('path', 'like', `${args.pathPrefix.replace(/[%_]/g, '')}%`);
  const rows = await query.orderBy('name_key').limit(limit + 1).offset(offset).execute();
  const items = rows.slice(0, limit).map(toRole);
  return { items, marker: rows.length > limit ? encodeMarker(offset + limit) : undefined };
}
