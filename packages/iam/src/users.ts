import { GantryError, secretString, uniqueId } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import { nowIso, type IamContext } from './iam-context.ts';
import { hasLoginProfile } from './login-profiles.ts';
import type { Tags } from './principal.ts';
import { checkName, checkPath } from './validation.ts';

export interface User {
  account: string;
  name: string;
  id: string;
  path: string;
  arn: string;
  boundaryArn: string | null;
  tags: Tags;
  createdAt: Date;
}

export interface AccessKey {
  id: string;
  userName: string;
  account: string;
  status: 'Active' | 'Inactive';
  createdAt: Date;
}

/** Two access keys per user, as IAM allows. */
export const ACCESS_KEYS_PER_USER = 2;

type UserRow = { account_id: string; name: string; id: string; path: string; arn: string; boundary_arn: string | null; tags: string; created_at: string };
const toUser = (r: UserRow): User => ({
  account: r.account_id, name: r.name, id: r.id, path: r.path, arn: r.arn, boundaryArn: r.boundary_arn,
  tags: JSON.parse(r.tags), createdAt: new Date(r.created_at),
});

export const userArn = (account: string, path: string, name: string): string => `arn:aws:iam::${account}:user${path}${name}`;

export async function createUser(ctx: IamContext, account: string, args: { name: string; path?: string; tags?: Tags; boundaryArn?: string }): Promise<User> {
  const name = checkName('userName', args.name, 64);
  const path = checkPath(args.path);
  try {
    await ctx.db.insertInto('users').values({
      account_id: account, name, name_key: name.toLowerCase(), id: uniqueId('AIDA'), path, arn: userArn(account, path, name),
      boundary_arn: args.boundaryArn ?? null, tags: JSON.stringify(args.tags ?? {}), created_at: nowIso(ctx),
    }).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new GantryError('EntityAlreadyExists', `User with name ${name} already exists.`);
    throw error;
  }
  ctx.changed();
  return requireUser(ctx, account, name);
}

export async function findUser(ctx: IamContext, account: string, name: string): Promise<User | undefined> {
  const row = await ctx.db.selectFrom('users').selectAll().where('account_id', '=', account).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
  return row && toUser(row);
}

export async function requireUser(ctx: IamContext, account: string, name: string): Promise<User> {
  const user = await findUser(ctx, account, name);
  if (!user) throw new GantryError('NoSuchEntity', `The user with name ${name} cannot be found.`);
  return user;
}

export async function deleteUser(ctx: IamContext, account: string, name: string): Promise<void> {
  const user = await requireUser(ctx, account, name);
  // IAM refuses to delete a user that still has subresources, so nothing is orphaned silently.
  const keys = await ctx.db.selectFrom('access_keys').select('id').where('account_id', '=', account).where('user_name', '=', user.name).executeTakeFirst();
  if (keys) throw new GantryError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
  if (await hasLoginProfile(ctx, user.id)) throw new GantryError('DeleteConflict', 'Cannot delete entity, must delete login profile first.');
  const inline = await ctx.db.selectFrom('inline_policies').select('name').where('principal_arn', '=', user.arn).executeTakeFirst();
  if (inline) throw new GantryError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
  const attached = await ctx.db.selectFrom('policy_attachments').select('policy_arn').where('principal_arn', '=', user.arn).executeTakeFirst();
  if (attached) throw new GantryError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
  await ctx.db.deleteFrom('users').where('account_id', '=', account).where('name_key', '=', user.name.toLowerCase()).execute();
  ctx.changed();
}

export async function setUserBoundary(ctx: IamContext, account: string, name: string, boundaryArn: string | null): Promise<void> {
  const user = await requireUser(ctx, account, name);
  await ctx.db.updateTable('users').set({ boundary_arn: boundaryArn }).where('arn', '=', user.arn).execute();
  ctx.changed();
}

type KeyRow = { id: string; user_name: string; account_id: string; status: string; created_at: string };
const toKey = (r: KeyRow): AccessKey => ({
  id: r.id, userName: r.user_name, account: r.account_id, status: r.status as AccessKey['status'], createdAt: new Date(r.created_at),
});

/** Creates a long-term access key; the secret is returned this once and kept only sealed. */
export async function createAccessKey(ctx: IamContext, account: string, userName: string): Promise<AccessKey & { secret: string }> {
  const user = await requireUser(ctx, account, userName);
  const count = await ctx.db.selectFrom('access_keys').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', account).where('user_name', '=', user.name).executeTakeFirstOrThrow();
  if (Number(count.n) >= ACCESS_KEYS_PER_USER) throw new GantryError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
  const id = uniqueId('AKIA');
  const secret = secretString(40);
  await ctx.db.insertInto('access_keys').values({
    id, account_id: account, user_name: user.name, sealed_secret: ctx.box.seal(secret), status: 'Active', created_at: nowIso(ctx),
  }).execute();
  return { id, userName: user.name, account, status: 'Active', createdAt: ctx.now(), secret };
}

export async function listAccessKeys(ctx: IamContext, account: string, userName: string): Promise<AccessKey[]> {
  const user = await requireUser(ctx, account, userName);
  const rows = await ctx.db.selectFrom('access_keys').selectAll().where('account_id', '=', account).where('user_name', '=', user.name).orderBy('created_at').execute();
  return rows.map(toKey);
}

export async function deleteAccessKey(ctx: IamContext, account: string, userName: string, keyId: string): Promise<void> {
  const user = await requireUser(ctx, account, userName);
  const result = await ctx.db.deleteFrom('access_keys').where('id', '=', keyId).where('account_id', '=', account).where('user_name', '=', user.name).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new GantryError('NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`);
  ctx.changed();
}
