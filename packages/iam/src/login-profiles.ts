import { GantryError } from '@gantry/core';
import { nowIso, type IamContext } from './iam-context.ts';
import type { LoginProfileTables } from './login-profile-tables.ts';
import { hashPassword } from './password-hash.ts';
import { requireUser, type User } from './users.ts';

/** A user's console password, as IAM's GetLoginProfile describes it (never the password). */
export interface LoginProfile {
  userName: string;
  createDate: Date;
  passwordResetRequired: boolean;
}

const profilesDb = (ctx: IamContext) => ctx.db.withTables<LoginProfileTables>();

/**
 * IAM's error for a password the account's password policy refuses. The code is IAM's own
 * (`PasswordPolicyViolation`, HTTP 400), so SDKs raise PasswordPolicyViolationException.
 */
const passwordPolicyViolation = (message: string) =>
  new GantryError('PasswordPolicyViolation', message);

/**
 * IAM's default password policy (what applies while an account sets none): at least 8 characters and at least
 * three of uppercase letters, lowercase letters, digits and other characters, and not the user's name. IAM's
 * own limits (1–128 characters of tab, newline, return and U+0020–U+00FF) come first.
 */
export function checkPassword(password: unknown, userName: string): string {
  if (typeof password !== 'string' || password.length === 0)
    throw new GantryError('ValidationError', "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null");
  if (password.length > 128)
    throw new GantryError('ValidationError', "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128");
  if (!/^[\t\n\r\u0020-\u00FF]+$/.test(password))
    throw new GantryError('ValidationError', "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
  if (password.length < 8) throw passwordPolicyViolation('Password should have a minimum length of 8.');
  const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) => kind.test(password)).length;
  if (kinds < 3)
    throw passwordPolicyViolation('Password should include at least three of: uppercase letters, lowercase letters, numbers and non-alphanumeric characters.');
  if (password.toLowerCase() === userName.toLowerCase()) throw passwordPolicyViolation('Password should not be the same as the user name.');
  return password;
}

async function row(ctx: IamContext, user: User) {
  return profilesDb(ctx).selectFrom('login_profiles').selectAll().where('user_id', '=', user.id).executeTakeFirst();
}

const noProfile = (userName: string) => new GantryError('NoSuchEntity', `Login Profile for User ${userName} cannot be found.`);

export async function createLoginProfile(ctx: IamContext, account: string, args: { userName: string; password: unknown; passwordResetRequired?: boolean }): Promise<LoginProfile> {
  const user = await requireUser(ctx, account, args.userName);
  const password = checkPassword(args.password, user.name);
  if (await row(ctx, user)) throw new GantryError('EntityAlreadyExists', `Login Profile for user ${user.name} already exists.`);
  const createdAt = nowIso(ctx);
  await profilesDb(ctx).insertInto('login_profiles').values({
    user_id: user.id, account_id: account, password_hash: await hashPassword(password),
    password_reset_required: args.passwordResetRequired ? 1 : 0, created_at: createdAt,
  }).execute();
  return { userName: user.name, createDate: new Date(createdAt), passwordResetRequired: args.passwordResetRequired === true };
}

export async function getLoginProfile(ctx: IamContext, account: string, userName: string): Promise<LoginProfile> {
  const user = await requireUser(ctx, account, userName);
  const profile = await row(ctx, user);
  if (!profile) throw noProfile(user.name);
  return { userName: user.name, createDate: new Date(profile.created_at), passwordResetRequired: profile.password_reset_required === 1 };
}

/** Sets a new password, the reset flag, or both; with neither it changes nothing (as IAM answers). */
export async function updateLoginProfile(ctx: IamContext, account: string, args: { userName: string; password?: unknown; passwordResetRequired?: boolean }): Promise<void> {
  const user = await requireUser(ctx, account, args.userName);
  if (!(await row(ctx, user))) throw noProfile(user.name);
  const update: { password_hash?: string; password_reset_required?: number } = {};
  if (args.password !== undefined) update.password_hash = await hashPassword(checkPassword(args.password, user.name));
  if (args.passwordResetRequired !== undefined) update.password_reset_required = args.passwordResetRequired ? 1 : 0;
  if (Object.keys(update).length) await profilesDb(ctx).updateTable('login_profiles').set(update).where('user_id', '=', user.id).execute();
}

export async function deleteLoginProfile(ctx: IamContext, account: string, userName: string): Promise<void> {
  const user = await requireUser(ctx, account, userName);
  const result = await profilesDb(ctx).deleteFrom('login_profiles').where('user_id', '=', user.id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw noProfile(user.name);
}

/** Whether the user has a console password (DeleteUser refuses while one exists, as IAM does). */
export async function hasLoginProfile(ctx: IamContext, userId: string): Promise<boolean> {
  return (await profilesDb(ctx).selectFrom('login_profiles').select('user_id').where('user_id', '=', userId).executeTakeFirst()) !== undefined;
}

/** The stored hash and reset flag of a user's profile, for sign-in only. */
export async function loginProfileSecret(ctx: IamContext, userId: string): Promise<{ hash: string; resetRequired: boolean } | undefined> {
  const profile = await profilesDb(ctx).selectFrom('login_profiles').select(['password_hash', 'password_reset_required']).where('user_id', '=', userId).executeTakeFirst();
  return profile && { hash: profile.password_hash, resetRequired: profile.password_reset_required === 1 };
}


