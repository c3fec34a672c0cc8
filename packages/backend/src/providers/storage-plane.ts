/**
 * The part of the object storage service (`@gantry/storage`) and of IAM the deploy engine uses for
 * `defineStorage`, composed by the server, so the engine imports neither.
 */
export interface StoragePlane {
  /** Creates an empty bucket owned by the account, in the region. */
  createBucket(scope: { account: string; region: string }, bucketName: string): Promise<void>;
  /** Deletes the bucket with every object and upload in it. Deleting an unknown bucket is not an error. */
  deleteBucket(bucketName: string): Promise<void>;
  /**
   * Sets one inline policy of a role (`document`), or removes it (`undefined`). A role that no longer exists is
   * left alone when removing.
   */
  putRolePolicy(roleArn: string, policyName: string, document: string | undefined): Promise<void>;
}
