import { bucketArn, checkBucketName } from './bucket-names.ts';
import { readRequestBody } from './request-body.ts';
import { authorizedBucket, callerAccountOf, ownerOf, removeBlobs, requireAllowed, type S3Call, type StorageParts } from './s3-call.ts';
import { S3Error } from './s3-errors.ts';
import { parseS3Document, s3Document, sendXml, xmlTime } from './s3-xml.ts';

const encodeToken = (name: string) => Buffer.from(name).toString('base64url');
const decodeToken = (token: string) => Buffer.from(token, 'base64url').toString('utf8');

/** ListBuckets: the caller's account's buckets (every region), a page at a time. */
export async function listBuckets(parts: StorageParts, s3: S3Call): Promise<void> {
  const account = callerAccountOf(s3);
  await requireAllowed(parts, s3, 's3:ListAllMyBuckets', '*', account);
  const maxBuckets = s3.query.has('max-buckets') ? Number(s3.query.get('max-buckets')) : 10_000;
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1 || maxBuckets > 10_000) throw new S3Error('InvalidArgument', 'max-buckets must be an integer from 1 to 10000.');
  const token = s3.query.get('continuation-token');
  const prefix = s3.query.get('prefix') ?? undefined;
  const region = s3.query.get('bucket-region');
  let rows = await parts.buckets.ofAccount(account, { after: token ? decodeToken(token) : undefined, limit: maxBuckets + 1, prefix });
  if (region) rows = rows.filter((b) => b.region === region);
  const page = rows.slice(0, maxBuckets);
  sendXml(s3.res, 200, s3Document('ListAllMyBucketsResult', {
    Owner: ownerOf(account),
    Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: xmlTime(b.created_at), BucketRegion: b.region })) },
    ContinuationToken: rows.length > maxBuckets ? encodeToken(page.at(-1)!.name) : undefined,
    Prefix: prefix,
  }));
}

/**
 * CreateBucket, in the region of its LocationConstraint or, without one, the region the request was signed
 * for. Names are global: one another account holds is BucketAlreadyExists.
 */
export async function createBucket(parts: StorageParts, s3: S3Call): Promise<void> {
  const name = s3.address.bucket!;
  checkBucketName(name);
  const account = callerAccountOf(s3);
  await requireAllowed(parts, s3, 's3:CreateBucket', bucketArn(name), account);
  const configuration = parseS3Document(await readRequestBody(s3.req, s3.query, s3.auth, 64 * 1024), 'CreateBucketConfiguration');
  const constraint = typeof configuration?.LocationConstraint === 'string' && configuration.LocationConstraint !== '' ? configuration.LocationConstraint : undefined;
  if (constraint !== undefined && constraint !== s3.call.region) {
    throw new S3Error('IllegalLocationConstraintException', `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to (${s3.call.region}): sign the request for ${constraint}, or leave LocationConstraint out.`);
  }
  await parts.buckets.create(name, account, s3.call.region);
  s3.res.writeHead(200, { location: `/${name}`, 'content-length': 0 });
  s3.res.end();
}

/** HeadBucket: whether the bucket exists and the caller may list it; its region in x-amz-bucket-region. */
export async function headBucket(parts: StorageParts, s3: S3Call): Promise<void> {
  const bucket = await authorizedBucket(parts, s3, 's3:ListBucket', bucketArn(s3.address.bucket!));
  s3.res.writeHead(200, { 'x-amz-bucket-region': bucket.region, 'content-length': 0 });
  s3.res.end();
}

/** GetBucketLocation: answered from any region, as S3 does (it is how clients find a bucket's region). */
export async function getBucketLocation(parts: StorageParts, s3: S3Call): Promise<void> {
  const bucket = await authorizedBucket(parts, s3, 's3:GetBucketLocation', bucketArn(s3.address.bucket!), { anyRegion: true });
  // us-east-1 is the one region S3 writes as an empty constraint.
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${bucket.region === 'us-east-1' ? '' : bucket.region}</LocationConstraint>`;
  sendXml(s3.res, 200, xml);
}

/** DeleteBucket: only an empty bucket (BucketNotEmpty otherwise); uploads still open in it go with it. */
export async function deleteBucket(parts: StorageParts, s3: S3Call): Promise<void> {
  await authorizedBucket(parts, s3, 's3:DeleteBucket', bucketArn(s3.address.bucket!));
  await removeBlobs(parts, await parts.buckets.deleteEmpty(s3.address.bucket!));
  s3.res.writeHead(204);
  s3.res.end();
}
