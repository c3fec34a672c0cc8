import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { checkObjectKey, objectArn } from './bucket-names.ts';
import type { BucketRow } from './bucket-store.ts';
import { attributesFromRequest } from './object-headers.ts';
import { MAX_PUT_BYTES } from './object-operations.ts';
import type { ObjectRow } from './object-store.ts';
import { checksumHeader } from './payload-checksums.ts';
import { openRequestBody, readRequestBody } from './request-body.ts';
import { authorizedBucket, ownerOf, quoted, removeBlobs, type S3Call, type StorageParts } from './s3-call.ts';
import { S3Error } from './s3-errors.ts';
import { parseS3Document, s3Document, sendXml, xmlTime } from './s3-xml.ts';
import type { PartRow, UploadRow } from './upload-store.ts';

/** S3's multipart limits: part numbers 1 to 10,000, every part but the last at least 5 MiB. */
const MAX_PART_NUMBER = 10_000;
const MIN_PART_BYTES = 5 * 1024 * 1024;

const noSuchUpload = (uploadId: string) =>
  new S3Error('NoSuchUpload', `The specified multipart upload does not exist: ${uploadId}. It may have been aborted or completed; start a new one with CreateMultipartUpload.`, { details: { UploadId: uploadId } });

/** The upload a call names, in the bucket and key it names, after IAM allowed `action` on the object. */
async function authorizedUpload(parts: StorageParts, s3: S3Call, action: string): Promise<{ bucket: BucketRow; upload: UploadRow }> {
  const key = s3.address.key!;
  const bucket = await authorizedBucket(parts, s3, action, objectArn(s3.address.bucket!, key));
  const uploadId = s3.query.get('uploadId') ?? '';
  const upload = await parts.uploads.get(uploadId);
  if (!upload || upload.bucket !== bucket.name || upload.key !== key) throw noSuchUpload(uploadId);
  return { bucket, upload };
}

/** CreateMultipartUpload: the object's attributes are taken now and given to it on completion. */
export async function createMultipartUpload(parts: StorageParts, s3: S3Call): Promise<void> {
  const key = s3.address.key!;
  checkObjectKey(key);
  const bucket = await authorizedBucket(parts, s3, 's3:PutObject', objectArn(s3.address.bucket!, key));
  const principal = s3.call.principal;
  const upload: UploadRow = {
    upload_id: randomBytes(24).toString('base64url'), bucket: bucket.name, key, ...attributesFromRequest(s3.req.headers),
    initiator: principal.kind === 'service' ? principal.service : principal.arn, initiated_at: parts.now(),
  };
  await parts.uploads.create(upload);
  sendXml(s3.res, 200, s3Document('InitiateMultipartUploadResult', { Bucket: bucket.name, Key: key, UploadId: upload.upload_id }));
}

/** UploadPart: streamed to its own blob like a PutObject; uploading a part number again replaces it. */
export async function uploadPart(parts: StorageParts, s3: S3Call): Promise<void> {
  const { upload } = await authorizedUpload(parts, s3, 's3:PutObject');
  const text = s3.query.get('partNumber') ?? '';
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive; got '${text}'.`);
  }
  const body = openRequestBody(s3.req, s3.query, s3.auth, MAX_PUT_BYTES);
  const blob = await parts.blobs.put(body.stream);
  const checksum = body.verifiedChecksum();
  const part: PartRow = { upload_id: upload.upload_id, part_number: partNumber, blob_id: blob.id, size: blob.size, etag: blob.md5Hex, last_modified: parts.now() };
  let replaced: string | undefined;
  try {
    replaced = await parts.uploads.putPart(part);
  } catch (error) {
    await removeBlobs(parts, [blob.id]);
    throw error;
  }
  await removeBlobs(parts, [replaced]);
  s3.res.writeHead(200, { etag: quoted(part.etag), 'content-length': 0, ...(checksum && { [checksumHeader(checksum.algorithm)]: checksum.value }) });
  s3.res.end();
}

/** The parts a CompleteMultipartUpload document lists, in its order. */
function listedParts(body: Buffer): Array<{ partNumber: number; etag: string }> {
  const document = parseS3Document(body, 'CompleteMultipartUpload');
  const listed: Array<{ PartNumber?: unknown; ETag?: unknown }> = document?.Part ?? [];
  if (listed.length === 0) throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema: CompleteMultipartUpload lists no <Part>.');
  return listed.map((p) => {
    const partNumber = Number(p.PartNumber);
    if (!Number.isInteger(partNumber) || typeof p.ETag !== 'string') throw new S3Error('MalformedXML', 'Each <Part> needs a <PartNumber> and an <ETag>.');
    return { partNumber, etag: p.ETag.trim().replace(/^"|"$/g, '') };
  });
}

/**
 * CompleteMultipartUpload: the listed parts, in ascending order and with the ETags their uploads returned,
 * become one object whose ETag is the MD5 of the parts' MD5s and their count (`<hex>-<n>`), as S3 forms it.
 */
export async function completeMultipartUpload(parts: StorageParts, s3: S3Call): Promise<void> {
  const { bucket, upload } = await authorizedUpload(parts, s3, 's3:PutObject');
  const listed = listedParts(await readRequestBody(s3.req, s3.query, s3.auth, 4 * 1024 * 1024));
  const stored = new Map((await parts.uploads.parts(upload.upload_id)).map((p) => [p.part_number, p]));
  const chosen: PartRow[] = [];
  for (const [i, { partNumber, etag }] of listed.entries()) {
    if (i > 0 && partNumber <= listed[i - 1]!.partNumber) throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
    const part = stored.get(partNumber);
    if (!part || part.etag !== etag) {
      throw new S3Error('InvalidPart', `One or more of the specified parts could not be found, or its entity tag did not match: part ${partNumber}. Give each part's number with the ETag its UploadPart returned.`);
    }
    chosen.push(part);
  }
  for (const part of chosen.slice(0, -1)) {
    if (part.size < MIN_PART_BYTES) throw new S3Error('EntityTooSmall', `Your proposed upload is smaller than the minimum allowed object size: part ${part.part_number} is ${part.size} bytes, and every part but the last must be at least 5 MiB.`);
  }
  const blobs = parts.blobs;
  const joined = Readable.from((async function* () {
    for (const part of chosen) yield* await blobs.get(part.blob_id);
  })());
  const blob = await blobs.put(joined);
  const md5OfParts = createHash('md5');
  for (const part of chosen) md5OfParts.update(Buffer.from(part.etag, 'hex'));
  const { upload_id: _id, bucket: _bucket, key: _key, initiator: _initiator, initiated_at: _initiated, ...attributes } = upload;
  const row: ObjectRow = {
    bucket: bucket.name, key: upload.key, blob_id: blob.id, size: blob.size, etag: `${md5OfParts.digest('hex')}-${chosen.length}`, ...attributes,
    checksum_algorithm: null, checksum_value: null, last_modified: parts.now(),
  };
  const released = await parts.uploads.complete(upload.upload_id, row).catch(async (error) => {
    await removeBlobs(parts, [blob.id]);
    throw error;
  });
  if (!released) {
    await removeBlobs(parts, [blob.id]);
    throw noSuchUpload(upload.upload_id);
  }
  await removeBlobs(parts, released);
  // The object's URL as this request addressed it (path-style or virtual-hosted).
  const location = `http://${s3.req.headers.host ?? 'localhost'}${(s3.req.url ?? '/').split('?')[0]}`;
  sendXml(s3.res, 200, s3Document('CompleteMultipartUploadResult', { Location: location, Bucket: bucket.name, Key: upload.key, ETag: quoted(row.etag) }));
}

/** AbortMultipartUpload: the parts uploaded so far are removed. */
export async function abortMultipartUpload(parts: StorageParts, s3: S3Call): Promise<void> {
  const { upload } = await authorizedUpload(parts, s3, 's3:AbortMultipartUpload');
  const released = await parts.uploads.abort(upload.upload_id);
  if (!released) throw noSuchUpload(upload.upload_id);
  await removeBlobs(parts, released);
  s3.res.writeHead(204);
  s3.res.end();
}

/** ListParts: the parts uploaded so far, in number order, paged by part-number-marker. */
export async function listParts(parts: StorageParts, s3: S3Call): Promise<void> {
  const { bucket, upload } = await authorizedUpload(parts, s3, 's3:ListMultipartUploadParts');
  const maxParts = Math.min(Number(s3.query.get('max-parts') ?? 1000), 1000);
  const marker = Number(s3.query.get('part-number-marker') ?? 0);
  if (!Number.isInteger(maxParts) || maxParts < 0 || !Number.isInteger(marker) || marker < 0) {
    throw new S3Error('InvalidArgument', 'max-parts and part-number-marker must be non-negative integers.');
  }
  const rows = await parts.uploads.parts(upload.upload_id, { afterPart: marker, limit: maxParts + 1 });
  const page = rows.slice(0, maxParts);
  const owner = ownerOf(bucket.account_id);
  sendXml(s3.res, 200, s3Document('ListPartsResult', {
    Bucket: bucket.name, Key: upload.key, UploadId: upload.upload_id,
    PartNumberMarker: marker, NextPartNumberMarker: page.at(-1)?.part_number ?? marker, MaxParts: maxParts, IsTruncated: rows.length > maxParts,
    Part: page.map((p) => ({ PartNumber: p.part_number, LastModified: xmlTime(p.last_modified), ETag: quoted(p.etag), Size: p.size })),
    Initiator: { ID: upload.initiator, DisplayName: upload.initiator }, Owner: owner, StorageClass: 'STANDARD',
  }));
}
