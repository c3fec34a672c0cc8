import { GantryError } from '@gantry/core';
import { canonicalJson, type PlanStep, type ProviderContext, type ResourceProvider, type ResourceState } from '../engine/engine-types.ts';
import type { AuthManifest, BackendManifest } from '../manifest.ts';
import { newIdentityPoolId, newUserPoolClientId, newUserPoolId } from '../random-ids.ts';
import type { AuthPlane, UserPoolSpec } from './auth-plane.ts';

/** The user pool as the manifest asks for it (also stored as the resource's `properties`). */
export interface AuthDesired {
  usernameAttributes: Array<'email' | 'phone_number'>;
  verificationMechanisms: Array<'email' | 'phone_number'>;
  standardRequiredAttributes: string[];
  userAttributes: NonNullable<AuthManifest['userAttributes']>;
  groups: string[];
  mfa: { mode: 'OFF' | 'OPTIONAL' | 'REQUIRED'; types: Array<'SMS' | 'TOTP' | 'EMAIL'> };
  passwordPolicy: NonNullable<AuthManifest['passwordPolicy']>;
  unauthenticatedIdentitiesEnabled: boolean;
}

export const AUTH_OUTPUT_KEY = 'AWS::Amplify::Auth';

/** Cognito's (and Amplify's) default password policy. */
const DEFAULT_PASSWORD_POLICY = { minLength: 8, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true };

type AuthIds = { userPoolId: string; clientId: string; identityPoolId: string };

/**
 * A user pool and its web client, made by the auth plane (Gantry's Cognito-compatible user pools), and the id
 * of an identity pool for when one is served. Without a plane (engine tests) only the ids are recorded.
 */
export function authProvider(options: { authPlane?: AuthPlane } = {}): ResourceProvider<AuthDesired> {
  const { authPlane } = options;
  const type = 'AWS::Cognito::UserPool';
  const stateOf = (region: string, ids: AuthIds, desired: AuthDesired): ResourceState => ({
    type, physicalId: ids.userPoolId, properties: { ...desired }, attributes: { ...ids },
    outputs: { key: AUTH_OUTPUT_KEY, payload: authPayload(region, ids, desired) },
  });
  return {
    logicalId: 'auth',
    type,
    desired: desiredAuth,
    async plan(_ctx, current, desired) {
      const step: PlanStep = { resource: 'auth', type, action: 'none', details: [], deletes: [] };
      if (!desired) {
        if (!current) return step;
        return { ...step, action: 'delete', details: [`user pool ${current.physicalId} deleted`], deletes: [`user pool ${current.physicalId} and all its users`] };
      }
      if (desired.mfa.mode === 'REQUIRED') throw new GantryError('ValidationError', 'defineAuth multifactor mode REQUIRED is not supported yet: use OPTIONAL or OFF.');
      if (!current) return { ...step, action: 'create', details: ['user pool and web client created'] };
      const before = current.properties as unknown as AuthDesired;
      const changed = (Object.keys(desired) as Array<keyof AuthDesired>).filter((k) => canonicalJson(before[k]) !== canonicalJson(desired[k]));
      return changed.length ? { ...step, action: 'update', details: changed.map((k) => `${k} changed`) } : step;
    },
    async apply(ctx, current, desired) {
      if (current) {
        const ids = current.attributes as AuthIds;
        await authPlane?.update(ids, poolSpec(ctx, desired));
        return stateOf(ctx.region, ids, desired);
      }
      const made = authPlane
        ? await authPlane.create({ account: ctx.account, region: ctx.region }, poolSpec(ctx, desired))
        : { userPoolId: newUserPoolId(ctx.region), clientId: newUserPoolClientId() };
      const state = stateOf(ctx.region, { ...made, identityPoolId: newIdentityPoolId(ctx.region) }, desired);
      ctx.progress(state);
      return state;
    },
    async restore(ctx, _current, previous) {
      await authPlane?.update(previous.attributes as AuthIds, poolSpec(ctx, previous.properties as unknown as AuthDesired));
      return previous;
    },
    async delete(_ctx, current) {
      await authPlane?.remove(current.attributes as AuthIds);
    },
  };
}

export function desiredAuth(manifest: BackendManifest): AuthDesired | undefined {
  const auth = manifest.auth;
  if (!auth) return undefined;
  return {
    usernameAttributes: auth.usernameAttributes ?? ['email'],
    verificationMechanisms: auth.verificationMechanisms ?? ['email'],
    standardRequiredAttributes: auth.standardRequiredAttributes ?? ['email'],
    userAttributes: auth.userAttributes ?? {},
    groups: auth.groups ?? [],
    mfa: auth.mfa ?? { mode: 'OFF', types: [] },
    passwordPolicy: auth.passwordPolicy ?? DEFAULT_PASSWORD_POLICY,
    unauthenticatedIdentitiesEnabled: auth.unauthenticatedIdentitiesEnabled ?? true,
  };
}

/** The pool the desired auth section describes, in Cognito's terms. */
function poolSpec(ctx: Pick<ProviderContext, 'stackName'>, d: AuthDesired): UserPoolSpec {
  const attributes = new Map<string, UserPoolSpec['attributes'][number]>();
  for (const name of d.standardRequiredAttributes) attributes.set(name, { name, dataType: 'String', mutable: true, required: true });
  for (const [name, a] of Object.entries(d.userAttributes)) {
    const bare = a.custom ? name.replace(/^custom:/, '') : name;
    attributes.set(bare, { name: bare, dataType: a.dataType ?? 'String', mutable: a.mutable, required: a.required });
  }
  return {
    name: `amplifyAuthUserPool-${ctx.stackName}`.slice(0, 128),
    usernameAttributes: d.usernameAttributes,
    autoVerifiedAttributes: d.verificationMechanisms,
    passwordPolicy: d.passwordPolicy,
    mfa: d.mfa.mode === 'OPTIONAL' ? 'OPTIONAL' : 'OFF',
    attributes: [...attributes.values()],
    groups: d.groups,
  };
}

/** Amplify's auth output payload (`@aws-amplify/backend-output-schemas` auth v1): arrays and objects as JSON strings. */
function authPayload(region: string, ids: AuthIds, d: AuthDesired): Record<string, string> {
  const requirements = [
    d.passwordPolicy.requireNumbers && 'REQUIRES_NUMBERS', d.passwordPolicy.requireLowercase && 'REQUIRES_LOWERCASE',
    d.passwordPolicy.requireUppercase && 'REQUIRES_UPPERCASE', d.passwordPolicy.requireSymbols && 'REQUIRES_SYMBOLS',
  ].filter(Boolean);
  return {
    authRegion: region,
    userPoolId: ids.userPoolId,
    webClientId: ids.clientId,
    // No identity pool is served yet: publishing its id would send clients to fetch guest credentials from a
    // service that does not answer. The id is kept in the resource state for when identity pools exist.
    allowUnauthenticatedIdentities: String(d.unauthenticatedIdentitiesEnabled),
    usernameAttributes: JSON.stringify(d.usernameAttributes),
    signupAttributes: JSON.stringify(d.standardRequiredAttributes),
    verificationMechanisms: JSON.stringify(d.verificationMechanisms),
    passwordPolicyMinLength: String(d.passwordPolicy.minLength),
    passwordPolicyRequirements: JSON.stringify(requirements),
    mfaConfiguration: d.mfa.mode === 'REQUIRED' ? 'ON' : d.mfa.mode,
    mfaTypes: JSON.stringify(d.mfa.types),
    groups: JSON.stringify(d.groups.map((name, precedence) => ({ [name]: { precedence } }))),
  };
}
