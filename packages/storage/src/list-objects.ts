import { bucketArn } from './bucket-names.ts';
import type { ObjectRow } from './object-store.ts';
import { authorizedBucket, ownerOf, quoted, type S3Call, type StorageParts } from './s3-call.ts';
import { S3Error } from './s3-errors.ts';
import { s3Document, sendXml, xmlTime } from './s3-xml.ts';

/** One page of a listing: objects and the common prefixes that stand for the keys rolled up under them. */
interface ListingPage {
  contents: ObjectRow[];
  commonPrefixes: string[];
  truncated: boolean;
  /** Where the next page starts: after this key, or after every key under this common prefix. */
  resume?: { key: string } | { prefix: string };
}

/** The first string greater than every key that starts with `prefix`, in byte order. */
function pastPrefix(prefix: string): string {
  const last = prefix.codePointAt(prefix.length - 1)!;
  return prefix.slice(0, -1) + String.fromCodePoint(last + 1);
}

/**
 * Walks the bucket's keys under `prefix` in order from `start`, rolling keys that contain `delimiter` after
 * the prefix into one common prefix each, until `maxKeys` entries (objects and prefixes together) are taken.
 * A run of keys under one common prefix is skipped in one step, however many there are.
 */
async function listPage(parts: StorageParts, bucket: string, options: { prefix: string; delimiter: string; maxKeys: number; after?: string; from?: string }): Promise<ListingPage> {
  const page: ListingPage = { contents: [], commonPrefixes: [], truncated: false };
  let after = options.after;
  let from = options.from;
  if (options.maxKeys === 0) return page;
  for (;;) {
    const want = options.maxKeys - page.contents.length - page.commonPrefixes.length + 1;
    const rows = await parts.objects.scan(bucket, { prefix: options.prefix, after, from, limit: Math.min(want, 1000) });
    if (rows.length === 0) return page;
    let jumped = false;
    for (const row of rows) {
      const taken = page.contents.length + page.commonPrefixes.length;
      const cut = options.delimiter ? row.key.indexOf(options.delimiter, options.prefix.length) : -1;
      if (taken === options.maxKeys) {
        page.truncated = true;
        return page;
      }
      if (cut === -1) {
        page.contents.push(row);
        page.resume = { key: row.key };
        after = row.key;
        from = undefined;
        continue;
      }
      const common = row.key.slice(0, cut + options.delimiter.length);
      page.commonPrefixes.push(common);
      page.resume = { prefix: common };
      // Every further key under this common prefix is rolled into it: continue past them all.
      after = undefined;
      from = pastPrefix(common);
      jumped = true;
      break;
    }
    if (!jumped && rows.length < Math.min(want, 1000)) return page;
  }
}

const encodeToken = (resume: ListingPage['resume']) => Buffer.from(JSON.stringify(resume)).toString('base64url');
function decodeToken(token: string): { key: string } | { prefix: string } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof value?.key === 'string' || typeof value?.prefix === 'string') return value;
  } catch { /* answered below */ }
  throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect: pass the NextContinuationToken of the previous page, or start again without one.');
}

function maxKeysOf(query: URLSearchParams): number {
  const text = query.get('max-keys');
  if (text === null) return 1000;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 0) throw new S3Error('InvalidArgument', `max-keys must be a non-negative integer, not '${text}'.`);
  return Math.min(value, 1000);
}

/** `encoding-type=url`: names are returned percent-encoded, so keys with characters XML cannot carry survive. */
const encoderOf = (query: URLSearchParams) => (query.get('encoding-type') === 'url' ? (s: string) => encodeURIComponent(s).replace(/%2F/g, '/') : (s: string) => s);

function objectEntry(row: ObjectRow, encode: (s: string) => string, owner?: ReturnType<typeof ownerOf>) {
  return { Key: encode(row.key), LastModified: xmlTime(row.last_modified), ETag: quoted(row.etag), Size: row.size, ...(owner && { Owner: owner }), StorageClass: 'STANDARD' };
}

/** ListObjectsV2: prefix, delimiter (CommonPrefixes), max-keys, start-after and continuation tokens. */
export async function listObjectsV2(parts: StorageParts, s3: S3Call): Promise<void> {
  // `s3:prefix` is the condition key list permissions are scoped by (Amplify's storage rules use it).
  if (s3.query.get('prefix') !== null) s3.call.requestContext['s3:prefix'] = s3.query.get('prefix')!;
  const bucket = await authorizedBucket(parts, s3, 's3:ListBucket', bucketArn(s3.address.bucket!));
  const q = s3.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(q);
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after') ?? undefined;
  const resume = token !== null ? decodeToken(token) : undefined;
  const page = await listPage(parts, bucket.name, {
    prefix, delimiter, maxKeys,
    after: resume ? ('key' in resume ? resume.key : undefined) : startAfter,
    from: resume && 'prefix' in resume ? pastPrefix(resume.prefix) : undefined,
  });
  const encode = encoderOf(q);
  const owner = q.get('fetch-owner') === 'true' ? ownerOf(bucket.account_id) : undefined;
  sendXml(s3.res, 200, s3Document('ListBucketResult', {
    Name: bucket.name,
    Prefix: encode(prefix),
    Delimiter: delimiter ? encode(delimiter) : undefined,
    MaxKeys: maxKeys,
    EncodingType: q.get('encoding-type') === 'url' ? 'url' : undefined,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    IsTruncated: page.truncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: page.truncated ? encodeToken(page.resume) : undefined,
    StartAfter: startAfter !== undefined ? encode(startAfter) : undefined,
    Contents: page.contents.map((row) => objectEntry(row, encode, owner)),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  }));
}

/** ListObjects (version 1): the same listing paged by `marker`; NextMarker only with a delimiter, as S3 does. */
export async function listObjects(parts: StorageParts, s3: S3Call): Promise<void> {
  // `s3:prefix` is the condition key list permissions are scoped by (Amplify's storage rules use it).
  if (s3.query.get('prefix') !== null) s3.call.requestContext['s3:prefix'] = s3.query.get('prefix')!;
  const bucket = await authorizedBucket(parts, s3, 's3:ListBucket', bucketArn(s3.address.bucket!));
  const q = s3.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(q);
  const marker = q.get('marker') ?? '';
  // A marker that is one of this listing's common prefixes resumes after everything under it.
  const markerIsPrefix = delimiter !== '' && marker.startsWith(prefix) && marker.endsWith(delimiter) && marker.indexOf(delimiter, prefix.length) === marker.length - delimiter.length;
  const page = await listPage(parts, bucket.name, {
    prefix, delimiter, maxKeys,
    after: marker && !markerIsPrefix ? marker : undefined,
    from: markerIsPrefix ? pastPrefix(marker) : undefined,
  });
  const encode = encoderOf(q);
  const next = page.resume && ('key' in page.resume ? page.resume.key : page.resume.prefix);
  sendXml(s3.res, 200, s3Document('ListBucketResult', {
    Name: bucket.name,
    Prefix: encode(prefix),
    Marker: encode(marker),
    NextMarker: page.truncated && delimiter && next !== undefined ? encode(next) : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    EncodingType: q.get('encoding-type') === 'url' ? 'url' : undefined,
    IsTruncated: page.truncated,
    Contents: page.contents.map((row) => objectEntry(row, encode, ownerOf(bucket.account_id))),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  }));
}
