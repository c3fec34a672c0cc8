import { randomBytes } from 'node:crypto';
import { GantryError, hashSecret, parseArn, secretString, uniqueId } from '@gantry/core';
import { recordAssumeRole } from './audit-assume-role.ts';
import { requireStsRegion } from './sts-region.ts';
import { sourced, type Authorizer } from './authorizer.ts';
import { nowIso, type IamContext } from './iam-context.ts';
import { requirePolicy } from './policies.ts';
import type { ContextKeys } from './policy/policy-types.ts';
import { parsePolicyDocument } from './policy/validate-policy.ts';
import type { Principal } from './principal.ts';
import { findRoleByArn } from './roles.ts';
import { toTags, type TagInput } from './tags.ts';
import { constraintError } from './validation.ts';
import { issueUserSession, pruneUserSessions, type TemporaryCredentials } from './user-sessions.ts';

export interface AssumeRoleArgs {
  roleArn: string;
  roleSessionName: string;
  /** 900 … the role's MaxSessionDuration (3600 when chaining). @default 3600 */
  durationSeconds?: number;
  externalId?: string;
  /** Inline session policy JSON. */
  policy?: string;
  policyArns?: string[];
  tags?: TagInput[];
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  /** Region the request was signed for; the role's account must be usable there (a default region, or an enabled opt-in one). */
  region?: string;
  /** Request condition keys of the call itself (`aws:SourceIp`, `aws:SecureTransport`, `aws:SourceArn`…). */
  context?: ContextKeys;
}

export interface AssumedRole {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date };
  assumedRoleUser: { arn: string; assumedRoleId: string };
  packedPolicySize?: number;
  sourceIdentity?: string;
}

const SESSION_NAME = /^[\w+=,.@-]*$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;
/** Session policies and tags are packed into the token; AWS reports the packed size as a percentage. */
const PACKED_LIMIT = 2048;

/**
 * STS AssumeRole: the caller's own policies must allow `sts:AssumeRole` on the role (unless the trust policy
 * names the caller itself), and the role's trust policy must always allow the caller. Cross-account, both
 * sides must allow. Sessions obtained by a role session (chaining) last at most an hour.
 *
 * Every call the caller could be refused for (denied, invalid) and every success lands in the audit trail
 * of the role's account and of the caller's (see recordAssumeRole).
 */
export async function assumeRole(ctx: IamContext, authorizer: Authorizer, caller: Principal, args: AssumeRoleArgs): Promise<AssumedRole> {
  let result: AssumedRole;
  try {
    result = await issueSession(ctx, authorizer, caller, args);
  } catch (thrown) {
    if (thrown instanceof GantryError && thrown.status < 500) {
      // The refusal is what the caller must see, even if the trail could not be written.
      await recordAssumeRole(ctx, caller, args, { error: thrown }).catch((e) => console.error('iam: could not record a refused AssumeRole in the audit trail:', e));
    }
    throw thrown;
  }
  // Credentials that are not in the trail are not handed out.
  await recordAssumeRole(ctx, caller, args, { result });
  return result;
}

async function issueSession(ctx: IamContext, authorizer: Authorizer, caller: Principal, args: AssumeRoleArgs): Promise<AssumedRole> {
  const name = args.roleSessionName;
  if (!name) throw new GantryError('ValidationError', "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  if (name.length < 2 || name.length > 64) throw constraintError('roleSessionName', name, `Member must have length ${name.length < 2 ? 'greater than or equal to 2' : 'less than or equal to 64'}`);
  if (!SESSION_NAME.test(name)) throw constraintError('roleSessionName', name, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  if (args.externalId !== undefined) {
    if (args.externalId.length < 2 || args.externalId.length > 1224) throw constraintError('externalId', args.externalId, 'Member must have length between 2 and 1224');
    if (!EXTERNAL_ID.test(args.externalId)) throw constraintError('externalId', args.externalId, 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*');
  }
  if (args.sourceIdentity !== undefined && (args.sourceIdentity.length < 2 || args.sourceIdentity.length > 64))
    throw constraintError('sourceIdentity', args.sourceIdentity, 'Member must have length between 2 and 64');
  if ((args.policyArns?.length ?? 0) > 10) throw constraintError('policyArns', `[${args.policyArns!.length} items]`, 'Member must have length less than or equal to 10');
  const arn = parseArn(args.roleArn ?? '');
  if (!arn || arn.service !== 'iam' || !arn.resource.startsWith('role/'))
    throw new GantryError('ValidationError', `${args.roleArn} is not a valid role ARN: expected arn:aws:iam::ACCOUNT:role/NAME.`);
  const sessionTags = toTags(args.tags);
  if (args.policy !== undefined) parsePolicyDocument(args.policy, 'session', { maxLength: PACKED_LIMIT });

  const role = await findRoleByArn(ctx, args.roleArn);
  const chained = caller.kind === 'session';
  const duration = args.durationSeconds ?? 3600;
  if (!Number.isInteger(duration) || duration < 900) throw constraintError('durationSeconds', String(args.durationSeconds), 'Member must have value greater than or equal to 900');

  const context: ContextKeys = {
    ...args.context,
    'sts:RoleSessionName': name,
    ...(args.externalId !== undefined ? { 'sts:ExternalId': args.externalId } : {}),
    ...(args.sourceIdentity !== undefined ? { 'sts:SourceIdentity': args.sourceIdentity } : {}),
    ...Object.fromEntries(Object.entries(sessionTags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    ...(Object.keys(sessionTags).length ? { 'aws:TagKeys': Object.keys(sessionTags) } : {}),
    ...(args.transitiveTagKeys?.length ? { 'sts:TransitiveTagKeys': args.transitiveTagKeys } : {}),
  };
  const request = {
    principal: caller, action: 'sts:AssumeRole', resource: args.roleArn, resourceAccount: arn.account, context,
    resourcePolicyRequired: true,
    // A role that does not exist answers like one that does not trust the caller, so roles can't be probed.
    resourcePolicy: sourced(`${args.roleArn}/trust`, role?.trustPolicy ?? '{"Version":"2012-10-17","Statement":[]}'),
  };
  await authorizer.require(request);
  if (Object.keys(sessionTags).length) await authorizer.require({ ...request, action: 'sts:TagSession' });
  if (args.sourceIdentity !== undefined) await authorizer.require({ ...request, action: 'sts:SetSourceIdentity' });
  if (!role) throw new GantryError('AccessDenied', `User: ${callerArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${args.roleArn}`);

  if (args.region !== undefined) await requireStsRegion(ctx, role.account, args.region);
  if (chained && duration > 3600)
    throw new GantryError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  if (duration > role.maxSessionDuration)
    throw new GantryError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  for (const policyArn of args.policyArns ?? []) await requirePolicy(ctx, role.account, policyArn);

  const packed = (args.policy ? args.policy.replace(/\s+/g, '').length : 0) + JSON.stringify(sessionTags).length * (Object.keys(sessionTags).length ? 1 : 0);
  const packedPolicySize = args.policy || args.policyArns?.length || Object.keys(sessionTags).length ? Math.ceil((packed / PACKED_LIMIT) * 100) : undefined;
  if (packedPolicySize !== undefined && packedPolicySize > 100)
    throw new GantryError('PackedPolicyTooLarge', `Packed policy consumes ${packedPolicySize}% of allotted space, please use smaller policy.`);

  const accessKeyId = uniqueId('ASIA');
  const secretAccessKey = secretString(40);
  const sessionToken = 'IQoJ' + randomBytes(96).toString('base64');
  const issued = ctx.now();
  const expiration = new Date(Math.floor(issued.getTime() / 1000) * 1000 + duration * 1000);
  await ctx.db.insertInto('sessions').values({
    access_key_id: accessKeyId, sealed_secret: ctx.box.seal(secretAccessKey), token_hash: hashSecret(sessionToken),
    account_id: role.account, role_arn: role.arn, role_id: role.id, session_name: name,
    session_policy: args.policy ?? null, session_policy_arns: JSON.stringify(args.policyArns ?? []),
    tags: JSON.stringify(sessionTags),
    source_identity: args.sourceIdentity ?? (caller.kind === 'session' ? caller.sourceIdentity : null),
    chained: chained ? 1 : 0, issuer_arn: callerArn(caller), expires_at: expiration.toISOString(), created_at: nowIso(ctx),
  }).execute();
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken, expiration },
    assumedRoleUser: { arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${name}`, assumedRoleId: `${role.id}:${name}` },
    packedPolicySize,
    sourceIdentity: args.sourceIdentity,
  };
}

const callerArn = (p: Principal): string => (p.kind === 'service' ? p.service : p.arn);

/** GetSessionToken's bounds for IAM users, in seconds: 15 minutes to 36 hours, 12 hours by default. */
export const SESSION_TOKEN_DURATION = { min: 900, max: 129_600, default: 43_200 } as const;

export interface GetSessionTokenArgs {
  /** @default 43200 */
  durationSeconds?: number;
  /** Region the request was signed for; the caller's account must be usable there. */
  region?: string;
}

/**
 * STS GetSessionToken: temporary credentials with the calling user's own permissions. No policy controls it
 * (it is an authentication operation), but only long-term user keys may call it: role sessions and the
 * temporary credentials it returned itself are refused, as on AWS.
 */
export async function getSessionToken(ctx: IamContext, caller: Principal, args: GetSessionTokenArgs = {}): Promise<{ credentials: TemporaryCredentials }> {
  const duration = args.durationSeconds ?? SESSION_TOKEN_DURATION.default;
  if (!Number.isInteger(duration) || duration < SESSION_TOKEN_DURATION.min)
    throw constraintError('durationSeconds', String(args.durationSeconds), `Member must have value greater than or equal to ${SESSION_TOKEN_DURATION.min}`);
  if (duration > SESSION_TOKEN_DURATION.max)
    throw constraintError('durationSeconds', String(args.durationSeconds), `Member must have value less than or equal to ${SESSION_TOKEN_DURATION.max}`);
  if (caller.kind !== 'user' || caller.temporary)
    throw new GantryError('AccessDenied', 'Cannot call GetSessionToken with session credentials');
  if (args.region !== undefined) await requireStsRegion(ctx, caller.account, args.region);
  return { credentials: await issueUserSession(ctx, { account: caller.account, id: caller.userId }, duration) };
}

/** Deletes role and user sessions that expired more than a day ago; their keys already fail with ExpiredToken. */
export async function pruneExpiredSessions(ctx: IamContext): Promise<number> {
  const cutoff = new Date(ctx.now().getTime() - 86_400_000).toISOString();
  const result = await ctx.db.deleteFrom('sessions').where('expires_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows) + (await pruneUserSessions(ctx, cutoff));
}
