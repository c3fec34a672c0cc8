/**
 * What the deploy engine's `StoragePlane` (`@gantry/backend`) asks of object storage and IAM for
 * `defineStorage`: buckets made and removed with the backend, and the access rules put on the identity pool's
 * roles as inline policies. The server hands this to the engine, so neither package imports the other.
 */
import { GantryError } from '@gantry/core';
import type { Kysely } from 'kysely';
import { setRoleInlinePolicies, type Iam } from '@gantry/iam';
import type { BlobStore } from './blob-store.ts';
import { BucketStore } from './bucket-store.ts';
import { checkBucketName } from './bucket-names.ts';
import type { StorageTables } from './storage-tables.ts';

export function storageDeployer(args: { db: Kysely<any>; iam: Iam; blobs: BlobStore }) {
  const db = args.db as Kysely<StorageTables>;
  const buckets = new BucketStore(db);
  return {
    async createBucket(scope: { account: string; region: string }, bucketName: string): Promise<void> {
      checkBucketName(bucketName);
      await buckets.create(bucketName, scope.account, scope.region);
    },
    async deleteBucket(bucketName: string): Promise<void> {
      if (!(await buckets.get(bucketName))) return;
      const objects = await db.selectFrom('s3_objects').select('blob_id').where('bucket', '=', bucketName).execute();
      await db.deleteFrom('s3_objects').where('bucket', '=', bucketName).execute();
      const parts = await buckets.deleteEmpty(bucketName);
      for (const id of [...objects.map((o) => o.blob_id), ...parts]) await args.blobs.delete(id).catch((error) => console.error(`could not remove blob ${id}:`, error));
    },
    async putRolePolicy(roleArn: string, policyName: string, document: string | undefined): Promise<void> {
      const role = await args.iam.findRoleByArn(roleArn);
      if (!role) {
        if (document === undefined) return;
        throw new GantryError('ValidationError', `The role ${roleArn} the storage access rules go on does not exist: deploy the backend's auth again.`);
      }
      await setRoleInlinePolicies(args.iam.ctx, role.arn, document === undefined ? {} : { [policyName]: document }, (name) => name !== policyName);
    },
  };
}
