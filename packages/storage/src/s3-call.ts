import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticated } from '@gantry/edge';
import type { CallContext, Iam } from '@gantry/iam';
import type { BlobStore } from './blob-store.ts';
import type { BucketRow, BucketStore } from './bucket-store.ts';
import type { ObjectStore } from './object-store.ts';
import type { S3Address } from './s3-address.ts';
import { S3Error } from './s3-errors.ts';
import type { UploadStore } from './upload-store.ts';

/** What every S3 operation works with. */
export interface StorageParts {
  iam: Iam;
  buckets: BucketStore;
  objects: ObjectStore;
  uploads: UploadStore;
  blobs: BlobStore;
  now: () => number;
}

/** One authenticated S3 request, on its way to the operation that answers it. */
export interface S3Call {
  req: IncomingMessage;
  res: ServerResponse;
  address: S3Address;
  query: URLSearchParams;
  auth: Authenticated;
  call: CallContext;
}

/** The caller's own account, where the buckets it creates and lists live. */
export function callerAccountOf(s3: S3Call): string {
  const principal = s3.call.principal;
  if (principal.kind === 'service') throw new S3Error('AccessDenied', 'Service principals hold no buckets.');
  return principal.account;
}

/**
 * IAM's decision on `action` over `arn`, as a resource of `owner` (a bucket ARN names no account, so the
 * owner comes from the bucket). Across accounts the owner's side must allow too, and without bucket policies
 * nothing does: another account's bucket is AccessDenied whatever the caller's own policies say.
 */
export async function requireAllowed(parts: StorageParts, s3: S3Call, action: string, arn: string, owner: string): Promise<void> {
  await parts.iam.authorizer.require({ principal: s3.call.principal, action, resource: arn, resourceAccount: owner, context: s3.call.requestContext });
}

/**
 * The bucket a call acts on, once IAM allowed `action` on `arn`. A bucket that does not exist is judged as
 * the caller's own, so a caller who may not act learns nothing (AccessDenied) and one who may hears
 * NoSuchBucket. A bucket in another region is refused as S3 refuses it, naming the region to sign for.
 */
export async function authorizedBucket(parts: StorageParts, s3: S3Call, action: string, arn: string, options: { name?: string; anyRegion?: boolean } = {}): Promise<BucketRow> {
  const name = options.name ?? s3.address.bucket!;
  const bucket = await parts.buckets.get(name);
  await requireAllowed(parts, s3, action, arn, bucket?.account_id ?? callerAccountOf(s3));
  if (!bucket) throw new S3Error('NoSuchBucket', `The specified bucket does not exist: ${name}. Create it with CreateBucket (aws s3 mb s3://${name}).`, { details: { BucketName: name } });
  if (bucket.region !== s3.call.region && !options.anyRegion) {
    throw new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${s3.call.region}' is wrong; expecting '${bucket.region}'. Sign requests for this bucket for ${bucket.region}.`, { details: { Region: bucket.region } });
  }
  return bucket;
}

/** Removes blobs no row names any more. A failure leaves an orphan file behind, never a broken object. */
export async function removeBlobs(parts: StorageParts, ids: Iterable<string | undefined>): Promise<void> {
  for (const id of ids) {
    if (id === undefined) continue;
    await parts.blobs.delete(id).catch((error) => console.error(`could not remove blob ${id}:`, error));
  }
}

/** The owner S3 reports for an account's buckets and objects: a canonical user id derived from the account. */
export function ownerOf(account: string): { ID: string; DisplayName: string } {
  return { ID: createHash('sha256').update(`s3-canonical-user:${account}`).digest('hex'), DisplayName: account };
}

/** The quoted ETag S3 returns for an ETag value stored without quotes. */
export const quoted = (etag: string): string => `"${etag}"`;
