/**
 * Makes the user pools backends declare with `defineAuth`: the pool, the web client Amplify's auth construct
 * makes beside it, and its groups. Structurally the deploy engine's `AuthPlane` (`@gantry/backend`), which the
 * server hands this to, so neither package imports the other.
 */
import { GantryError } from '@gantry/core';
import type { PasswordPolicy } from './passwords.ts';
import type { ClientSettings, PoolSettings } from './user-pool-store.ts';
import type { UserPools } from './user-pools.ts';

/** The pool a backend asks for (the engine's `UserPoolSpec`). */
export interface DeclaredUserPool {
  name: string;
  usernameAttributes: Array<'email' | 'phone_number'>;
  autoVerifiedAttributes: Array<'email' | 'phone_number'>;
  passwordPolicy: { minLength: number; requireLowercase: boolean; requireUppercase: boolean; requireNumbers: boolean; requireSymbols: boolean };
  mfa: 'OFF' | 'OPTIONAL';
  attributes: Array<{ name: string; dataType: string; mutable: boolean; required: boolean }>;
  groups: string[];
}

export interface DeployedUserPool {
  userPoolId: string;
  clientId: string;
}

/** Amplify's web client: SRP and refresh sign-in (custom auth too), no secret, hour-long tokens, revocation on. */
const WEB_CLIENT: ClientSettings = {
  ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  PreventUserExistenceErrors: 'ENABLED',
  AccessTokenValidity: 60, IdTokenValidity: 60, RefreshTokenValidity: 30,
  TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  EnableTokenRevocation: true,
};

function settingsOf(declared: DeclaredUserPool): PoolSettings {
  const p = declared.passwordPolicy;
  const policy: PasswordPolicy = {
    MinimumLength: p.minLength, RequireLowercase: p.requireLowercase, RequireUppercase: p.requireUppercase,
    RequireNumbers: p.requireNumbers, RequireSymbols: p.requireSymbols, TemporaryPasswordValidityDays: 7,
  };
  return {
    UsernameAttributes: declared.usernameAttributes, AliasAttributes: [], AutoVerifiedAttributes: declared.autoVerifiedAttributes,
    PasswordPolicy: policy, MfaConfiguration: declared.mfa,
    // As Amplify makes pools: `Alice@Example.com` and `alice@example.com` are one user.
    UsernameCaseSensitive: false,
    Schema: declared.attributes.map((a) => ({ Name: a.name, AttributeDataType: a.dataType, Mutable: a.mutable, Required: a.required })),
    DeletionProtection: 'INACTIVE', AdminCreateUserOnly: false,
  };
}

export function userPoolDeployer(pools: UserPools) {
  const store = pools.store;

  /** Groups as declared, precedence by position; groups no longer declared are deleted (their users stay). */
  async function syncGroups(poolId: string, groups: string[]): Promise<void> {
    const existing = new Map((await store.listGroups(poolId)).map((g) => [g.name, g]));
    for (const [precedence, name] of groups.entries()) {
      const group = existing.get(name);
      if (!group) {
        const now = store.now();
        await store.createGroup({ pool_id: poolId, name, description: null, precedence, role_arn: null, created_at: now, modified_at: now });
      } else if (group.precedence !== precedence) {
        await store.setGroupPrecedence(poolId, name, precedence);
      }
      existing.delete(name);
    }
    for (const name of existing.keys()) await store.deleteGroup(poolId, name);
  }

  return {
    async create(scope: { account: string; region: string }, declared: DeclaredUserPool): Promise<DeployedUserPool> {
      const pool = await store.createPool(scope, declared.name, settingsOf(declared));
      const { row } = await store.createClient(pool.id, `${declared.name}-web`.slice(0, 128), WEB_CLIENT, false);
      await syncGroups(pool.id, declared.groups);
      return { userPoolId: pool.id, clientId: row.id };
    },
    async update(ids: DeployedUserPool, declared: DeclaredUserPool): Promise<void> {
      if (!(await store.pool(ids.userPoolId))) throw new GantryError('ResourceNotFoundException', `User pool ${ids.userPoolId} of this backend no longer exists: delete the backend's stack and deploy it again.`);
      await store.updatePoolSettings(ids.userPoolId, settingsOf(declared));
      await syncGroups(ids.userPoolId, declared.groups);
    },
    async remove(ids: DeployedUserPool): Promise<void> {
      const pool = await store.pool(ids.userPoolId);
      if (!pool) return;
      await store.deletePool(pool.id);
      pools.verifier.forget(pool.key_id);
    },
  };
}
