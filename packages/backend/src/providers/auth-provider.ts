import { canonicalJson, type PlanStep, type ResourceProvider, type ResourceState } from '../engine/engine-types.ts';
import type { AuthManifest, BackendManifest } from '../manifest.ts';
import { newIdentityPoolId, newUserPoolClientId, newUserPoolId } from '../random-ids.ts';

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

/**
 * A user pool, its web client and an identity pool: for now a record with Cognito-shaped ids that gives
 * amplify_outputs.json its auth section. The Cognito-compatible service will read these records.
 */
export function authProvider(): ResourceProvider<AuthDesired> {
  const type = 'AWS::Cognito::UserPool';
  const stateOf = (region: string, ids: { userPoolId: string; clientId: string; identityPoolId: string }, desired: AuthDesired): ResourceState => ({
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
      if (!current) return { ...step, action: 'create', details: ['user pool, web client and identity pool created'] };
      const before = current.properties as unknown as AuthDesired;
      const changed = (Object.keys(desired) as Array<keyof AuthDesired>).filter((k) => canonicalJson(before[k]) !== canonicalJson(desired[k]));
      return changed.length ? { ...step, action: 'update', details: changed.map((k) => `${k} changed`) } : step;
    },
    async apply(ctx, current, desired) {
      const ids = current
        ? (current.attributes as { userPoolId: string; clientId: string; identityPoolId: string })
        : { userPoolId: newUserPoolId(ctx.region), clientId: newUserPoolClientId(), identityPoolId: newIdentityPoolId(ctx.region) };
      return stateOf(ctx.region, ids, desired);
    },
    async restore(_ctx, _current, previous) {
      return previous;
    },
    async delete() {
      // Nothing outside the stack row holds the pool yet.
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

/** Amplify's auth output payload (`@aws-amplify/backend-output-schemas` auth v1): arrays and objects as JSON strings. */
function authPayload(region: string, ids: { userPoolId: string; clientId: string; identityPoolId: string }, d: AuthDesired): Record<string, string> {
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
