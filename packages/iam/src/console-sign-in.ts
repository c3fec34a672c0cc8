import { GantryError } from '@gantry/core';
import { getAccount } from './accounts.ts';
import type { IamContext } from './iam-context.ts';
import { loginProfileSecret } from './login-profiles.ts';
import { decoyHash, passwordMatches } from './password-hash.ts';
import { SESSION_TOKEN_DURATION } from './sts.ts';
import { issueUserSession, type TemporaryCredentials } from './user-sessions.ts';
import { findUser } from './users.ts';

export interface PasswordSignInArgs {
  /** The 12-digit account id, or the account's name (its alias). */
  account: string;
  userName: string;
  password: string;
  /** How long the session's credentials last. @default 43200 */
  durationSeconds?: number;
}

/** One answer for every wrong part, so a guesser learns nothing about which accounts, users or passwords exist. */
export const SIGN_IN_REFUSED = 'Your authentication information is incorrect: check the account, user name and password, and try again.';

/**
 * Console sign-in with an IAM user's password: checks it against the user's login profile and, when it matches,
 * issues temporary credentials acting as the user, like GetSessionToken does for an access key. An unknown
 * account or user costs the same scrypt work as a wrong password.
 */
export async function signInWithPassword(ctx: IamContext, args: PasswordSignInArgs): Promise<{ credentials: TemporaryCredentials; account: string; userArn: string }> {
  const account = await findAccount(ctx, args.account.trim());
  const user = account ? await findUser(ctx, account, args.userName.trim()) : undefined;
  const profile = user ? await loginProfileSecret(ctx, user.id) : undefined;
  const matches = await passwordMatches(args.password, profile?.hash ?? (await decoyHash()));
  if (!user || !profile || !matches) throw new GantryError('AccessDenied', SIGN_IN_REFUSED);
  if (profile.resetRequired)
    throw new GantryError('AccessDenied', `The password of ${user.name} must be reset before it can be used: ask an administrator to set a new one (aws iam update-login-profile --user-name ${user.name} --password … --no-password-reset-required).`, { details: { reason: 'PasswordResetRequired' } });
  const duration = args.durationSeconds ?? SESSION_TOKEN_DURATION.default;
  return { credentials: await issueUserSession(ctx, user, duration), account: user.account, userArn: user.arn };
}

async function findAccount(ctx: IamContext, idOrName: string): Promise<string | undefined> {
  if (/^\d{12}$/.test(idOrName)) return (await getAccount(ctx, idOrName))?.id;
  const row = await ctx.db.selectFrom('accounts').select('id').where('name_key', '=', idOrName.toLowerCase()).executeTakeFirst();
  return row?.id;
}
