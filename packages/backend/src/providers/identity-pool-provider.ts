import { GantryError } from '@gantry/core';
import type { PlanStep, ProviderContext, ResourceProvider, ResourceState } from '../engine/engine-types.ts';
import type { BackendManifest } from '../manifest.ts';
import type { IdentityPoolIds, IdentityPoolPlane, IdentityPoolSpec } from './identity-pool-plane.ts';

/** What the identity pool follows from the manifest: guest access (the user pool comes from the `auth` resource). */
export interface IdentityPoolDesired {
  allowUnauthenticated: boolean;
}

/** Outputs key of the identity pool; amplify_outputs.json puts it in the `auth` section. */
export const IDENTITY_POOL_OUTPUT_KEY = 'AWS::Amplify::Auth::IdentityPool';

/**
 * The identity pool beside the user pool `defineAuth` makes, with its authenticated and unauthenticated
 * roles, as Amplify's auth construct makes them: what hands out the AWS credentials storage is used with. It
 * runs after the `auth` resource, whose user pool and web client it trusts.
 */
export function identityPoolProvider(options: { plane: IdentityPoolPlane }): ResourceProvider<IdentityPoolDesired> {
  const { plane } = options;
  const type = 'AWS::Cognito::IdentityPool';
  const specOf = (ctx: ProviderContext, desired: IdentityPoolDesired): IdentityPoolSpec => {
    const auth = ctx.resources.auth;
    const ids = auth?.attributes as { userPoolId?: string; clientId?: string } | undefined;
    if (!ids?.userPoolId || !ids.clientId) throw new GantryError('ValidationError', 'The identity pool needs the backend\'s user pool: define auth (defineAuth) in amplify/backend.ts.');
    return { name: ctx.stackName, allowUnauthenticated: desired.allowUnauthenticated, userPoolId: ids.userPoolId, clientId: ids.clientId };
  };
  const stateOf = (ids: IdentityPoolIds, desired: IdentityPoolDesired): ResourceState => ({
    type, physicalId: ids.identityPoolId, properties: { ...desired }, attributes: { ...ids },
    outputs: { key: IDENTITY_POOL_OUTPUT_KEY, payload: { identityPoolId: ids.identityPoolId, allowUnauthenticatedIdentities: String(desired.allowUnauthenticated) } },
  });
  return {
    logicalId: 'identityPool',
    type,
    desired: (manifest: BackendManifest) => (manifest.auth ? { allowUnauthenticated: manifest.auth.unauthenticatedIdentitiesEnabled ?? true } : undefined),
    async plan(_ctx, current, desired) {
      const step: PlanStep = { resource: 'identityPool', type, action: 'none', details: [], deletes: [] };
      if (!desired) return current ? { ...step, action: 'delete', details: [`identity pool ${current.physicalId} deleted`], deletes: [`identity pool ${current.physicalId} and its identities`] } : step;
      if (!current) return { ...step, action: 'create', details: ['identity pool with authenticated and unauthenticated roles created'] };
      const before = current.properties as unknown as IdentityPoolDesired;
      return before.allowUnauthenticated === desired.allowUnauthenticated ? step : { ...step, action: 'update', details: ['guest access changed'] };
    },
    async apply(ctx, current, desired) {
      const spec = specOf(ctx, desired);
      if (current) {
        const ids = current.attributes as unknown as IdentityPoolIds;
        await plane.update(ids, spec);
        return stateOf(ids, desired);
      }
      const state = stateOf(await plane.create({ account: ctx.account, region: ctx.region }, spec), desired);
      ctx.progress(state);
      return state;
    },
    async restore(ctx, _current, previous) {
      await plane.update(previous.attributes as unknown as IdentityPoolIds, specOf(ctx, previous.properties as unknown as IdentityPoolDesired));
      return previous;
    },
    async delete(_ctx, current) {
      await plane.remove(current.attributes as unknown as IdentityPoolIds);
    },
  };
}
