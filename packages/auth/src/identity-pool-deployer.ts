/**
 * Makes the identity pool a backend's `defineAuth` comes with, as Amplify's auth construct does: the pool
 * trusting the backend's user pool and web client, an authenticated and an unauthenticated role whose trust
 * policies name the pool, guest access as declared. Structurally the deploy engine's `IdentityPoolPlane`
 * (`@gantry/backend`), which the server hands this to.
 */
import { GantryError } from '@gantry/core';
import { deleteRoleWithPolicies, putIdentityPoolRole, type Iam } from '@gantry/iam';
import type { IdentityPoolStore } from './identity-pool-store.ts';
import type { UserPools } from './user-pools.ts';

export interface DeclaredIdentityPool {
  /** Names the pool and its roles (`<name>AuthRole`, `<name>UnauthRole`). */
  name: string;
  allowUnauthenticated: boolean;
  userPoolId: string;
  clientId: string;
}

export interface DeployedIdentityPool {
  identityPoolId: string;
  authenticatedRoleArn: string;
  unauthenticatedRoleArn: string;
}

const roleNames = (name: string) => ({ authenticated: `${name}-authRole`.slice(0, 64), unauthenticated: `${name}-unauthRole`.slice(0, 64) });
const roleName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

export function identityPoolDeployer(store: IdentityPoolStore, pools: UserPools, iam: Iam) {
  /** The provider name aws-amplify sends: the user pool's issuer without its scheme. */
  const providerName = (userPoolId: string) => pools.issuer(userPoolId).replace(/^\w+:\/\//, '');

  async function putRoles(account: string, identityPoolId: string, name: string) {
    const names = roleNames(name);
    const auth = await putIdentityPoolRole(iam.ctx, account, { name: names.authenticated, identityPoolId, amr: 'authenticated', description: `Signed-in users of identity pool ${identityPoolId}` });
    const unauth = await putIdentityPoolRole(iam.ctx, account, { name: names.unauthenticated, identityPoolId, amr: 'unauthenticated', description: `Guests of identity pool ${identityPoolId}` });
    await store.update(identityPoolId, { roles: { authenticated: auth.arn, unauthenticated: unauth.arn } });
    return { identityPoolId, authenticatedRoleArn: auth.arn, unauthenticatedRoleArn: unauth.arn };
  }

  return {
    async create(scope: { account: string; region: string }, declared: DeclaredIdentityPool): Promise<DeployedIdentityPool> {
      const pool = await store.create(scope, {
        name: declared.name.replace(/[^\w ]/g, '_').slice(0, 128), allowUnauthenticated: declared.allowUnauthenticated,
        providers: [{ ProviderName: providerName(declared.userPoolId), ClientId: declared.clientId, ServerSideTokenCheck: false }],
      });
      return putRoles(scope.account, pool.id, declared.name);
    },
    async update(ids: DeployedIdentityPool, declared: DeclaredIdentityPool): Promise<void> {
      const pool = await store.pool(ids.identityPoolId);
      if (!pool) throw new GantryError('ResourceNotFoundException', `Identity pool ${ids.identityPoolId} of this backend no longer exists: delete the backend's stack and deploy it again.`);
      await store.update(pool.id, {
        allowUnauthenticated: declared.allowUnauthenticated,
        providers: [{ ProviderName: providerName(declared.userPoolId), ClientId: declared.clientId, ServerSideTokenCheck: false }],
      });
      await putRoles(pool.account_id, pool.id, declared.name);
    },
    async remove(ids: DeployedIdentityPool): Promise<void> {
      const pool = await store.pool(ids.identityPoolId);
      const account = pool?.account_id ?? ids.authenticatedRoleArn.split(':')[4]!;
      if (pool) await store.delete(pool.id);
      await deleteRoleWithPolicies(iam.ctx, account, roleName(ids.authenticatedRoleArn));
      await deleteRoleWithPolicies(iam.ctx, account, roleName(ids.unauthenticatedRoleArn));
    },
  };
}
