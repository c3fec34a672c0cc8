import { toGantryError } from '@gantry/core';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bucketArn, checkObjectKey, objectArn } from './bucket-names.ts';
import { requestedRange } from './byte-range.ts';
import { evaluateReadConditions } from './http-conditions.ts';
import { attributeHeaders, attributesFromRequest } from './object-headers.ts';
import type { ObjectRow } from './object-store.ts';
import { checksumHeader, type ChecksumAlgorithm } from './payload-checksums.ts';
import { openRequestBody, readRequestBody } from './request-body.ts';
import { authorizedBucket, callerAccountOf, quoted, removeBlobs, requireAllowed, type S3Call, type StorageParts } from './s3-call.ts';
import { S3Error, s3CodeOf } from './s3-errors.ts';
import { parseS3Document, s3Document, sendXml, xmlTime } from './s3-xml.ts';
import type { ObjectAttributes } from './storage-tables.ts';

/** The largest object one PutObject (or one part) may carry, as on S3. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

const noSuchKey = (key: string) => new S3Error('NoSuchKey', `The specified key does not exist: ${key}.`, { details: { Key: key } });

/** PutObject: the body streamed to a new blob, held to its signed hash and checksums, then made the object. */
export async function putObject(parts: StorageParts, s3: S3Call): Promise<void> {
  const key = s3.address.key!;
  checkObjectKey(key);
  const bucket = await authorizedBucket(parts, s3, 's3:PutObject', objectArn(s3.address.bucket!, key));
  if (s3.req.headers['if-none-match'] === '*' && (await parts.objects.get(bucket.name, key))) {
    throw new S3Error('PreconditionFailed', `At least one of the pre-conditions you specified did not hold: If-None-Match: * and ${key} exists.`, { details: { Condition: 'If-None-Match' } });
  }
  const attributes = attributesFromRequest(s3.req.headers);
  const body = openRequestBody(s3.req, s3.query, s3.auth, MAX_PUT_BYTES);
  const blob = await parts.blobs.put(body.stream);
  const checksum = body.verifiedChecksum();
  const row: ObjectRow = {
    bucket: bucket.name, key, blob_id: blob.id, size: blob.size, etag: blob.md5Hex, ...attributes,
    checksum_algorithm: checksum?.algorithm ?? null, checksum_value: checksum?.value ?? null, last_modified: parts.now(),
  };
  await replaceObject(parts, row);
  s3.res.writeHead(200, { etag: quoted(row.etag), 'content-length': 0, ...(checksum && { [checksumHeader(checksum.algorithm)]: checksum.value }) });
  s3.res.end();
}

/** Makes `row` the object of its key, removing the blob it replaced; on failure its own blob is removed. */
export async function replaceObject(parts: StorageParts, row: ObjectRow): Promise<void> {
  let replaced: string | undefined;
  try {
    replaced = await parts.objects.put(row);
  } catch (error) {
    await removeBlobs(parts, [row.blob_id]);
    throw error;
  }
  await removeBlobs(parts, [replaced]);
}

/** GetObject and HeadObject: conditional requests (304/412), byte ranges (206/416), the stored headers. */
export async function readObject(parts: StorageParts, s3: S3Call, withBody: boolean): Promise<void> {
  const key = s3.address.key!;
  const bucket = await authorizedBucket(parts, s3, 's3:GetObject', objectArn(s3.address.bucket!, key));
  const row = await parts.objects.get(bucket.name, key);
  if (!row) throw noSuchKey(key);
  const validators = { etag: quoted(row.etag), lastModified: row.last_modified };
  const base: Record<string, string | number> = { etag: validators.etag, 'last-modified': new Date(row.last_modified).toUTCString(), 'accept-ranges': 'bytes' };
  if (evaluateReadConditions(s3.req.headers, validators) === 'not-modified') {
    s3.res.writeHead(304, base);
    s3.res.end();
    return;
  }
  const range = requestedRange(s3.req.headers.range, row.size);
  const headers: Record<string, string | number> = { ...attributeHeaders(row, s3.query), ...base };
  if (s3.req.headers['x-amz-checksum-mode'] === 'ENABLED' && !range && row.checksum_algorithm && row.checksum_value) {
    headers[checksumHeader(row.checksum_algorithm as ChecksumAlgorithm)] = row.checksum_value;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${row.size}`;
    headers['content-length'] = range.end - range.start + 1;
  } else {
    headers['content-length'] = row.size;
  }
  const status = range ? 206 : 200;
  if (!withBody) {
    s3.res.writeHead(status, headers);
    s3.res.end();
    return;
  }
  const bytes = row.size === 0 ? Readable.from([]) : await parts.blobs.get(row.blob_id, range);
  s3.res.writeHead(status, headers);
  // A reader that goes away mid-object only ends its own response.
  await pipeline(bytes, s3.res).catch(() => s3.res.destroy());
}

/** DeleteObject: 204 whether or not the key existed, as S3 answers. */
export async function deleteObject(parts: StorageParts, s3: S3Call): Promise<void> {
  const key = s3.address.key!;
  const bucket = await authorizedBucket(parts, s3, 's3:DeleteObject', objectArn(s3.address.bucket!, key));
  await removeBlobs(parts, [await parts.objects.delete(bucket.name, key)]);
  s3.res.writeHead(204);
  s3.res.end();
}

/**
 * DeleteObjects: up to 1000 keys, each authorised as s3:DeleteObject on its own ARN; keys the caller may not
 * delete are reported in the result, not failed as a whole. Another account's bucket is refused outright.
 */
export async function deleteObjects(parts: StorageParts, s3: S3Call): Promise<void> {
  const name = s3.address.bucket!;
  const found = await parts.buckets.get(name);
  if (!found || found.account_id !== callerAccountOf(s3) || found.region !== s3.call.region) {
    // Judged as a whole on the bucket's keys: another account's bucket is AccessDenied, a missing one
    // NoSuchBucket (to a caller who may delete), one in another region refused with its region. This throws.
    await authorizedBucket(parts, s3, 's3:DeleteObject', `${bucketArn(name)}/*`);
  }
  const bucket = found!;
  const document = parseS3Document(await readRequestBody(s3.req, s3.query, s3.auth, 2 * 1024 * 1024), 'Delete');
  const objects: Array<{ Key?: unknown }> = document?.Object ?? [];
  if (objects.length === 0 || objects.length > 1000) throw new S3Error('MalformedXML', `A Delete document lists 1 to 1000 <Object> elements; it has ${objects.length}.`);
  const quiet = document?.Quiet === 'true';
  const Deleted: Array<{ Key: string }> = [];
  const Errors: Array<{ Key: string; Code: string; Message: string }> = [];
  for (const object of objects) {
    const key = typeof object.Key === 'string' ? object.Key : '';
    try {
      checkObjectKey(key);
      await requireAllowed(parts, s3, 's3:DeleteObject', objectArn(name, key), bucket.account_id);
      await removeBlobs(parts, [await parts.objects.delete(name, key)]);
      if (!quiet) Deleted.push({ Key: key });
    } catch (thrown) {
      const error = toGantryError(thrown);
      Errors.push({ Key: key, Code: s3CodeOf(error), Message: error.message });
    }
  }
  sendXml(s3.res, 200, s3Document('DeleteResult', { Deleted, Error: Errors }));
}

/** `x-amz-copy-source`: `[/]<bucket>/<key>[?versionId=…]`, percent-encoded. */
function copySourceOf(header: string): { bucket: string; key: string } {
  let value = header;
  const q = value.indexOf('?');
  if (q !== -1) {
    const versionId = new URLSearchParams(value.slice(q + 1)).get('versionId');
    if (versionId !== null && versionId !== 'null') throw new S3Error('InvalidArgument', 'Versioning is not enabled here: the only version of an object is versionId=null.');
    value = value.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(value).replace(/^\//, '');
  } catch {
    throw new S3Error('InvalidArgument', `x-amz-copy-source '${header}' is not validly percent-encoded.`);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw new S3Error('InvalidArgument', `x-amz-copy-source must be <bucket>/<key>, not '${header}'.`);
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

const attributesOf = (row: ObjectRow): ObjectAttributes => ({
  content_type: row.content_type, cache_control: row.cache_control, content_disposition: row.content_disposition, content_encoding: row.content_encoding,
  content_language: row.content_language, expires: row.expires, metadata: row.metadata,
});

/**
 * CopyObject: a new object with the source's bytes, and its metadata (COPY) or the request's (REPLACE).
 * The source is read as s3:GetObject and must be readable by the caller: without bucket policies that keeps
 * copies within one account.
 */
export async function copyObject(parts: StorageParts, s3: S3Call): Promise<void> {
  const key = s3.address.key!;
  checkObjectKey(key);
  const source = copySourceOf(String(s3.req.headers['x-amz-copy-source']));
  const bucket = await authorizedBucket(parts, s3, 's3:PutObject', objectArn(s3.address.bucket!, key));
  await authorizedBucket(parts, s3, 's3:GetObject', objectArn(source.bucket, source.key), { name: source.bucket, anyRegion: true });
  const original = await parts.objects.get(source.bucket, source.key);
  if (!original) throw noSuchKey(source.key);
  // For a copy, a source that "has not been modified" is a failed precondition too (412, not 304).
  if (evaluateReadConditions(s3.req.headers, { etag: quoted(original.etag), lastModified: original.last_modified }, 'x-amz-copy-source-') === 'not-modified') {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: the copy source has not been modified.');
  }
  const directive = String(s3.req.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw new S3Error('InvalidArgument', `x-amz-metadata-directive must be COPY or REPLACE, not '${directive}'.`);
  if (directive === 'COPY' && source.bucket === bucket.name && source.key === key) {
    throw new S3Error('InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const blob = await parts.blobs.put(await parts.blobs.get(original.blob_id));
  const row: ObjectRow = {
    bucket: bucket.name, key, blob_id: blob.id, size: blob.size, etag: blob.md5Hex,
    ...(directive === 'REPLACE' ? attributesFromRequest(s3.req.headers) : attributesOf(original)),
    checksum_algorithm: original.etag.includes('-') ? null : original.checksum_algorithm,
    checksum_value: original.etag.includes('-') ? null : original.checksum_value,
    last_modified: parts.now(),
  };
  await replaceObject(parts, row);
  sendXml(s3.res, 200, s3Document('CopyObjectResult', { ETag: quoted(row.etag), LastModified: xmlTime(row.last_modified) }));
}
