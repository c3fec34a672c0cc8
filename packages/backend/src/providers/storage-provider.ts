import { randomInt } from 'node:crypto';
import { GantryError } from '@gantry/core';
import { canonicalJson, type PlanStep, type ProviderContext, type ResourceProvider, type ResourceState } from '../engine/engine-types.ts';
import type { BackendManifest } from '../manifest.ts';
import type { IdentityPoolIds } from './identity-pool-plane.ts';
import { storageAccessPolicy, type StoragePaths } from './storage-access-policies.ts';
import type { StoragePlane } from './storage-plane.ts';

/** One `defineStorage` bucket as the manifest records it (`storage[]`). */
export interface StorageBucketDesired {
  name: string;
  isDefault: boolean;
  paths: StoragePaths;
}

export type StorageDesired = { buckets: StorageBucketDesired[] };

export const STORAGE_OUTPUT_KEY = 'AWS::Amplify::Storage';

/** The bucket name Amplify would make: `amplify-<app>-<branch>-<name>-<random>`, within S3's 63 characters. */
function bucketNameFor(ctx: ProviderContext, friendly: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += alphabet[randomInt(alphabet.length)];
  const base = `amplify-${ctx.backendId.namespace}-${ctx.backendId.name}-${friendly}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').slice(0, 54).replace(/-$/, '');
  return `${base}-${suffix}`;
}

const policyName = (friendly: string) => `amplify-storage-${friendly}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 128);

interface StorageAttributes {
  /** Friendly name → bucket name. */
  buckets: Record<string, string>;
  /** The roles the policies were put on, to take them off again. */
  roles: { authenticated?: string; unauthenticated?: string };
}

/**
 * `defineStorage`: a bucket per definition, named per backend, and the access rules as inline policies of
 * the identity pool's roles (see storage-access-policies.ts). Runs after the identity pool.
 */
export function storageProvider(options: { plane: StoragePlane }): ResourceProvider<StorageDesired> {
  const { plane } = options;
  const type = 'AWS::S3::Bucket';

  const rolesOf = (ctx: ProviderContext, desired: StorageDesired): StorageAttributes['roles'] => {
    const needsRoles = desired.buckets.some((b) => Object.keys(b.paths).length > 0);
    const ids = ctx.resources.identityPool?.attributes as unknown as IdentityPoolIds | undefined;
    if (!ids) {
      if (needsRoles) throw new GantryError('ValidationError', 'defineStorage access rules (allow.guest, allow.authenticated, allow.entity) need the identity pool defineAuth makes: add defineAuth to amplify/backend.ts.');
      return {};
    }
    return { authenticated: ids.authenticatedRoleArn, unauthenticated: ids.unauthenticatedRoleArn };
  };

  async function putPolicies(desired: StorageDesired, buckets: Record<string, string>, roles: StorageAttributes['roles'], previous?: StorageAttributes) {
    for (const bucket of desired.buckets) {
      for (const role of ['authenticated', 'unauthenticated'] as const) {
        const arn = roles[role];
        if (arn) await plane.putRolePolicy(arn, policyName(bucket.name), storageAccessPolicy(buckets[bucket.name]!, bucket.paths, role));
      }
    }
    // Buckets no longer declared lose their policies.
    for (const name of Object.keys(previous?.buckets ?? {})) {
      if (desired.buckets.some((b) => b.name === name)) continue;
      for (const arn of Object.values(previous!.roles)) if (arn) await plane.putRolePolicy(arn, policyName(name), undefined);
    }
  }

  const stateOf = (ctx: ProviderContext, desired: StorageDesired, attributes: StorageAttributes): ResourceState => {
    const listed = desired.buckets.map((b) => ({ name: b.name, bucketName: attributes.buckets[b.name]!, storageRegion: ctx.region, paths: b.paths }));
    const defaultBucket = listed[desired.buckets.findIndex((b) => b.isDefault)] ?? listed[0]!;
    return {
      type, physicalId: defaultBucket.bucketName, properties: { ...desired }, attributes: { ...attributes },
      outputs: { key: STORAGE_OUTPUT_KEY, payload: { storageRegion: ctx.region, bucketName: defaultBucket.bucketName, buckets: JSON.stringify(listed) } },
    };
  };

  return {
    logicalId: 'storage',
    type,
    desired(manifest: BackendManifest) {
      const declared = (manifest.storage ?? []) as unknown as Array<Partial<StorageBucketDesired> & { name: string }>;
      if (!declared.length) return undefined;
      return { buckets: declared.map((b) => ({ name: b.name, isDefault: b.isDefault === true, paths: b.paths ?? {} })) };
    },
    async plan(_ctx, current, desired) {
      const step: PlanStep = { resource: 'storage', type, action: 'none', details: [], deletes: [] };
      const before = (current?.attributes as StorageAttributes | undefined)?.buckets ?? {};
      const wanted = new Set(desired?.buckets.map((b) => b.name) ?? []);
      const removed = Object.entries(before).filter(([name]) => !wanted.has(name));
      const added = [...wanted].filter((name) => !(name in before));
      const deletes = removed.map(([name, bucket]) => `bucket ${bucket} (${name}) and every object in it`);
      if (!desired) return current ? { ...step, action: 'delete', details: removed.map(([name]) => `bucket ${name} deleted`), deletes } : step;
      if (!current) return { ...step, action: 'create', details: added.map((name) => `bucket ${name} created`) };
      const rulesChanged = canonicalJson(current.properties) !== canonicalJson(desired);
      if (!rulesChanged) return step;
      return { ...step, action: 'update', details: [...added.map((n) => `bucket ${n} created`), ...removed.map(([n]) => `bucket ${n} deleted`), 'access rules applied'], deletes };
    },
    async apply(ctx, current, desired) {
      const previous = current?.attributes as StorageAttributes | undefined;
      const roles = rolesOf(ctx, desired);
      const buckets: Record<string, string> = {};
      for (const bucket of desired.buckets) {
        const existing = previous?.buckets[bucket.name];
        if (existing) {
          buckets[bucket.name] = existing;
          continue;
        }
        const name = bucketNameFor(ctx, bucket.name);
        await plane.createBucket({ account: ctx.account, region: ctx.region }, name);
        buckets[bucket.name] = name;
        // Made buckets are recorded at once, so a failure later in this step can still remove them.
        ctx.progress(stateOf(ctx, { buckets: desired.buckets.filter((b) => b.name in buckets) }, { buckets: { ...buckets }, roles }));
      }
      await putPolicies(desired, buckets, roles, previous);
      for (const [name, bucket] of Object.entries(previous?.buckets ?? {})) if (!(name in buckets)) await plane.deleteBucket(bucket);
      return stateOf(ctx, desired, { buckets, roles });
    },
    async restore(ctx, _current, previous) {
      const attributes = previous.attributes as unknown as StorageAttributes;
      await putPolicies(previous.properties as unknown as StorageDesired, attributes.buckets, attributes.roles);
      return previous;
    },
    async delete(_ctx, current) {
      const attributes = current.attributes as unknown as StorageAttributes;
      for (const name of Object.keys(attributes.buckets)) {
        for (const arn of Object.values(attributes.roles)) if (arn) await plane.putRolePolicy(arn, policyName(name), undefined);
      }
      for (const bucket of Object.values(attributes.buckets)) await plane.deleteBucket(bucket);
    },
  };
}
