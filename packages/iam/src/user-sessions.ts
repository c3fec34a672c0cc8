import { randomBytes } from 'node:crypto';
import { hashSecret, secretString, uniqueId } from '@gantry/core';
import type { ResolvedCredentials } from './credentials.ts';
import { nowIso, type IamContext } from './iam-context.ts';
import type { UserSessionTables } from './user-session-tables.ts';

/** Temporary credentials as STS hands them out. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

const sessionsDb = (ctx: IamContext) => ctx.db.withTables<UserSessionTables>();

/**
 * Issues temporary credentials that act as the user itself. Callers check who may have them (GetSessionToken:
 * the user's own long-term key; console sign-in: the user's password) and the duration.
 */
export async function issueUserSession(ctx: IamContext, user: { account: string; id: string }, durationSeconds: number): Promise<TemporaryCredentials> {
  const accessKeyId = uniqueId('ASIA');
  const secretAccessKey = secretString(40);
  const sessionToken = 'IQoJ' + randomBytes(96).toString('base64');
  // Whole seconds, as STS reports expirations.
  const expiration = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000 + durationSeconds * 1000);
  await sessionsDb(ctx).insertInto('user_sessions').values({
    access_key_id: accessKeyId, sealed_secret: ctx.box.seal(secretAccessKey), token_hash: hashSecret(sessionToken),
    account_id: user.account, user_id: user.id, expires_at: expiration.toISOString(), created_at: nowIso(ctx),
  }).execute();
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/** The user a temporary key acts as; a deleted user's sessions resolve to nothing, at once. */
export async function loadUserSession(ctx: IamContext, accessKeyId: string): Promise<ResolvedCredentials | undefined> {
  const row = await sessionsDb(ctx).selectFrom('user_sessions')
    .innerJoin('users', 'users.id', 'user_sessions.user_id')
    .select(['user_sessions.sealed_secret', 'user_sessions.token_hash', 'user_sessions.expires_at', 'user_sessions.created_at',
      'users.account_id', 'users.name', 'users.id', 'users.arn', 'users.tags', 'users.boundary_arn'])
    .where('user_sessions.access_key_id', '=', accessKeyId).executeTakeFirst();
  if (!row) return undefined;
  const expiresAt = new Date(row.expires_at);
  return {
    principal: {
      kind: 'user', account: row.account_id, arn: row.arn, userId: row.id, userName: row.name,
      tags: JSON.parse(row.tags), boundaryArn: row.boundary_arn, temporary: { issuedAt: new Date(row.created_at), expiresAt },
    },
    secretAccessKey: ctx.box.open(row.sealed_secret),
    sessionTokenHash: row.token_hash,
    expiresAt,
  };
}

/**
 * Ends temporary credentials before they expire: a user session (GetSessionToken, console sign-in) or a role
 * session (AssumeRole). STS has no such call; the console needs one so a signed-out session's keys stop working
 * at once, not hours later.
 */
export async function revokeTemporaryCredentials(ctx: IamContext, accessKeyId: string): Promise<void> {
  if (!accessKeyId.startsWith('ASIA')) return;
  await sessionsDb(ctx).deleteFrom('user_sessions').where('access_key_id', '=', accessKeyId).execute();
  await ctx.db.deleteFrom('sessions').where('access_key_id', '=', accessKeyId).execute();
  // The credential cache may hold the resolved key.
  ctx.changed();
}

/** Deletes user sessions that expired before `cutoff`; their keys already fail with ExpiredToken. */
export async function pruneUserSessions(ctx: IamContext, cutoff: string): Promise<number> {
  const result = await sessionsDb(ctx).deleteFrom('user_sessions').where('expires_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
