/**
 * Role sessions for Cognito identity pools: what STS AssumeRoleWithWebIdentity does for
 * `cognito-identity.amazonaws.com` when an identity pool hands out credentials. The role's trust policy must
 * allow the federated principal `cognito-identity.amazonaws.com` with the identity pool's context keys
 * (`cognito-identity.amazonaws.com:aud` = the pool id, `:amr` = authenticated or unauthenticated, `:sub` =
 * the identity id), as the roles Amplify makes do. The session keeps those keys, so the role's policies can use
 * `${cognito-identity.amazonaws.com:sub}` to give each identity its own prefix.
 */
import { randomBytes } from 'node:crypto';
import { GantryError, hashSecret, secretString, uniqueId } from '@gantry/core';
import { sourced, type Authorizer } from './authorizer.ts';
import { nowIso, type IamContext } from './iam-context.ts';
import { deleteInlinePolicy, listInlinePolicies, putInlinePolicy } from './policies.ts';
import type { ContextKeys, PolicyDocument, Statement } from './policy/policy-types.ts';
import { createRole, deleteRole, findRole, findRoleByArn, updateTrustPolicy, type Role } from './roles.ts';

export const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';
/** The session name AWS gives credentials an identity pool hands out. */
const SESSION_NAME = 'CognitoIdentityCredentials';

export interface IdentityPoolSessionArgs {
  roleArn: string;
  identityPoolId: string;
  identityId: string;
  authenticated: boolean;
  /** The login providers the identity signed in with (`amr` lists them after `authenticated`). */
  providers?: string[];
  /** @default 3600 */
  durationSeconds?: number;
}

export interface IdentityPoolSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/**
 * Trust policies name the identity provider as `Principal.Federated`, which only this path honours: the
 * document is judged with the federated principal standing in as the calling service, and statements naming
 * anyone else (other services, accounts, users) are kept only when they deny.
 */
function federatedAsService(document: PolicyDocument): PolicyDocument {
  const list = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value : []);
  const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as Statement[];
  return {
    ...document,
    Statement: statements.flatMap((s): Statement[] => {
      const principal = s.Principal as any;
      if (principal === '*' || s.Principal === undefined) return [s];
      const federated = typeof principal === 'object' && list(principal.Federated).some((p) => p.toLowerCase() === COGNITO_IDENTITY);
      if (federated) return [{ ...s, Principal: { Service: COGNITO_IDENTITY } }];
      return s.Effect === 'Deny' ? [s] : [];
    }),
  };
}

/**
 * Credentials of `roleArn` for one identity of an identity pool. Refused (AccessDenied, as STS words it) unless
 * the role's trust policy allows `sts:AssumeRoleWithWebIdentity` for `cognito-identity.amazonaws.com` with
 * this pool as audience and this kind of identity as `amr`.
 */
export async function assumeRoleForIdentityPool(ctx: IamContext, authorizer: Authorizer, args: IdentityPoolSessionArgs): Promise<IdentityPoolSession> {
  const role = await findRoleByArn(ctx, args.roleArn);
  const amr = args.authenticated ? ['authenticated', ...(args.providers ?? [])] : ['unauthenticated'];
  const identity: ContextKeys = {
    [`${COGNITO_IDENTITY}:aud`]: args.identityPoolId,
    [`${COGNITO_IDENTITY}:sub`]: args.identityId,
    [`${COGNITO_IDENTITY}:amr`]: amr,
  };
  const trust = role ? federatedAsService(JSON.parse(role.trustPolicy) as PolicyDocument) : { Version: '2012-10-17', Statement: [] };
  const decision = await authorizer.check({
    principal: { kind: 'service', service: COGNITO_IDENTITY }, action: 'sts:AssumeRoleWithWebIdentity', resource: args.roleArn,
    resourceAccount: role?.account, context: identity, resourcePolicy: sourced(`${args.roleArn}/trust`, JSON.stringify(trust)), resourcePolicyRequired: true,
  });
  if (!role || decision.decision !== 'Allow') {
    throw new GantryError('AccessDenied', `Not authorized to perform sts:AssumeRoleWithWebIdentity on ${args.roleArn}: its trust policy must allow the federated principal ${COGNITO_IDENTITY} with ${COGNITO_IDENTITY}:aud = ${args.identityPoolId} and amr ${amr[0]}.`);
  }
  const duration = args.durationSeconds ?? 3600;
  const accessKeyId = uniqueId('ASIA');
  const secretAccessKey = secretString(40);
  const sessionToken = 'IQoJ' + randomBytes(96).toString('base64');
  const expiration = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000 + duration * 1000);
  await ctx.db.insertInto('sessions').values({
    access_key_id: accessKeyId, sealed_secret: ctx.box.seal(secretAccessKey), token_hash: hashSecret(sessionToken),
    account_id: role.account, role_arn: role.arn, role_id: role.id, session_name: SESSION_NAME,
    session_policy: null, session_policy_arns: '[]', tags: '{}', source_identity: null, chained: 0,
    issuer_arn: COGNITO_IDENTITY, expires_at: expiration.toISOString(), created_at: nowIso(ctx), web_identity: JSON.stringify(identity),
  }).execute();
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/** The trust policy of an identity pool's role, as Amplify writes it. */
export function identityPoolTrustPolicy(identityPoolId: string, amr: 'authenticated' | 'unauthenticated'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow', Principal: { Federated: COGNITO_IDENTITY }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${COGNITO_IDENTITY}:aud`]: identityPoolId }, 'ForAnyValue:StringLike': { [`${COGNITO_IDENTITY}:amr`]: amr } },
    }],
  });
}

/** Roles of identity pools, for the services that deploy them (the role is made or its trust policy updated). */
export async function putIdentityPoolRole(ctx: IamContext, account: string, args: { name: string; identityPoolId: string; amr: 'authenticated' | 'unauthenticated'; description?: string }): Promise<Role> {
  const trustPolicy = identityPoolTrustPolicy(args.identityPoolId, args.amr);
  const existing = await findRole(ctx, account, args.name);
  if (!existing) return createRole(ctx, account, { name: args.name, trustPolicy, description: args.description });
  if (existing.trustPolicy !== trustPolicy) await updateTrustPolicy(ctx, account, args.name, trustPolicy);
  return (await findRole(ctx, account, args.name))!;
}

/** Sets the role's inline policies to exactly `policies` (name → document): others are deleted. */
export async function setRoleInlinePolicies(ctx: IamContext, roleArn: string, policies: Record<string, string>, keep: (name: string) => boolean = () => false): Promise<void> {
  for (const { name } of await listInlinePolicies(ctx, roleArn)) {
    if (!(name in policies) && !keep(name)) await deleteInlinePolicy(ctx, roleArn, 'role', name);
  }
  for (const [name, document] of Object.entries(policies)) await putInlinePolicy(ctx, roleArn, 'role', name, document);
}

/** Deletes a role with its inline policies; an unknown role is not an error. */
export async function deleteRoleWithPolicies(ctx: IamContext, account: string, name: string): Promise<void> {
  const role = await findRole(ctx, account, name);
  if (!role) return;
  for (const { name: policy } of await listInlinePolicies(ctx, role.arn)) await deleteInlinePolicy(ctx, role.arn, 'role', policy);
  await deleteRole(ctx, account, name);
}
