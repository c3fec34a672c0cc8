// Buckets and objects through the real @aws-sdk/client-s3 (path-style under <server>/s3): writes and reads with
// their headers and metadata, listings with prefixes, delimiters and pages, ranges, conditional reads, copies,
// multipart uploads, the streamed (aws-chunked) bodies the SDK sends, and the errors the SDK raises by name.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLocationCommand, GetObjectCommand, HeadBucketCommand,
  HeadObjectCommand, ListBucketsCommand, ListObjectsCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client,
  UploadPartCommand, paginateListObjectsV2, type S3ServiceException,
} from '@aws-sdk/client-s3';
import { startTestServer, type TestServer } from '../../gantry/test/support/test-server.ts';
import { recordSentHeaders, s3Client } from './support/s3-clients.ts';

let ts: TestServer;
let s3: S3Client;
const rejectsWith = (promise: Promise<unknown>, name: string, status?: number) =>
  assert.rejects(promise, (error: S3ServiceException) => {
    assert.equal(error.name, name, error.message);
    if (status) assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
/** A 304 has no body to name an error by: the SDK raises it with the status alone. */
const notModified = (promise: Promise<unknown>) =>
  assert.rejects(promise, (error: S3ServiceException) => {
    assert.equal(error.$metadata.httpStatusCode, 304, error.message);
    return true;
  });
const text = async (body: { transformToString(): Promise<string> } | undefined) => body!.transformToString();
const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('hex');

before(async () => {
  ts = await startTestServer();
  s3 = s3Client(ts, ts.admin);
});
after(() => ts.stop());

describe('buckets', () => {
  test('are created, found, listed and deleted once empty', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'photos' }));
    assert.equal(head.BucketRegion, 'us-west-2');
    assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'photos' }))).LocationConstraint, 'us-west-2');
    const { Buckets, Owner } = await s3.send(new ListBucketsCommand({}));
    assert.ok(Buckets!.some((b) => b.Name === 'photos' && b.CreationDate instanceof Date && b.BucketRegion === 'us-west-2'));
    assert.match(Owner!.ID!, /^[0-9a-f]{64}$/);
    await rejectsWith(s3.send(new CreateBucketCommand({ Bucket: 'photos' })), 'BucketAlreadyOwnedByYou', 409);

    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'cat.jpg', Body: 'meow' }));
    await rejectsWith(s3.send(new DeleteBucketCommand({ Bucket: 'photos' })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'cat.jpg' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'photos' }));
    await rejectsWith(s3.send(new HeadBucketCommand({ Bucket: 'photos' })), 'NotFound', 404);
    await rejectsWith(s3.send(new ListObjectsV2Command({ Bucket: 'photos' })), 'NoSuchBucket', 404);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
  });

  test("names follow S3's rules", async () => {
    for (const name of ['ab', 'Upper-Case', 'under_score', '-leading', 'trailing-', 'two..dots', '192.168.1.10', 'xn--punycode', 'x'.repeat(64), 'ends-s3alias']) {
      await rejectsWith(s3.send(new CreateBucketCommand({ Bucket: name })), 'InvalidBucketName', 400);
    }
    await s3.send(new CreateBucketCommand({ Bucket: 'a.b-c.123' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'a.b-c.123' }));
  });

  test('a location constraint must be the region the request is signed for', async () => {
    await rejectsWith(s3.send(new CreateBucketCommand({ Bucket: 'elsewhere', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })), 'IllegalLocationConstraintException');
    const ireland = s3Client(ts, ts.admin, 'eu-west-1');
    await ireland.send(new CreateBucketCommand({ Bucket: 'elsewhere', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'elsewhere' }))).LocationConstraint, 'eu-west-1');
    // Signed for another region, the bucket's own refuses the request and names its region.
    await rejectsWith(s3.send(new ListObjectsV2Command({ Bucket: 'elsewhere' })), 'AuthorizationHeaderMalformed', 400);
    await ireland.send(new DeleteBucketCommand({ Bucket: 'elsewhere' }));
  });
});

describe('objects', () => {
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'docs' }));
  });

  test('round-trip their bytes, ETag, representation headers and user metadata', async () => {
    const body = 'Hello, object storage!\n';
    const put = await s3.send(new PutObjectCommand({
      Bucket: 'docs', Key: 'notes/hello world+é.txt', Body: body, ContentType: 'text/plain; charset=utf-8', CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="hello.txt"', ContentLanguage: 'en', Metadata: { author: 'ada', 'project-id': '42' },
    }));
    assert.equal(put.ETag, `"${md5(body)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'notes/hello world+é.txt' }));
    assert.equal(await text(got.Body), body);
    assert.deepEqual(
      [got.ETag, got.ContentType, got.CacheControl, got.ContentDisposition, got.ContentLanguage, got.ContentLength, got.AcceptRanges],
      [`"${md5(body)}"`, 'text/plain; charset=utf-8', 'max-age=60', 'attachment; filename="hello.txt"', 'en', Buffer.byteLength(body), 'bytes'],
    );
    assert.deepEqual(got.Metadata, { author: 'ada', 'project-id': '42' });
    assert.ok(got.LastModified instanceof Date && Math.abs(got.LastModified.getTime() - Date.now()) < 60_000);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'notes/hello world+é.txt' }));
    assert.deepEqual([head.ContentLength, head.ETag, head.Metadata?.author], [Buffer.byteLength(body), `"${md5(body)}"`, 'ada']);

    // An overwrite replaces bytes and metadata.
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'notes/hello world+é.txt', Body: Buffer.from([0, 1, 2]) }));
    const replaced = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'notes/hello world+é.txt' }));
    assert.deepEqual([...(await replaced.Body!.transformToByteArray())], [0, 1, 2]);
    assert.deepEqual([replaced.ContentType, replaced.Metadata], ['application/octet-stream', {}]);

    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'empty', Body: '' }));
    const empty = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'empty' }));
    assert.deepEqual([await text(empty.Body), empty.ETag], ['', `"${md5('')}"`]);
  });

  test('missing keys are NoSuchKey (NotFound for HEAD); deleting one is still a success', async () => {
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'nope' })), 'NoSuchKey', 404);
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'nope' })), 'NotFound', 404);
    await s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'nope' }));
  });

  test('ranges answer 206 with Content-Range; one past the end is InvalidRange', async () => {
    const bytes = Buffer.from('0123456789abcdefghij');
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'range.bin', Body: bytes }));
    const cases: Array<[string, string, string]> = [['bytes=0-3', '0123', 'bytes 0-3/20'], ['bytes=15-', 'fghij', 'bytes 15-19/20'], ['bytes=-4', 'ghij', 'bytes 16-19/20'], ['bytes=18-100', 'ij', 'bytes 18-19/20']];
    for (const [Range, expected, contentRange] of cases) {
      const part = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', Range }));
      assert.deepEqual([part.$metadata.httpStatusCode, await text(part.Body), part.ContentRange, part.ContentLength], [206, expected, contentRange, expected.length], Range);
    }
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', Range: 'bytes=20-' })), 'InvalidRange', 416);
    const whole = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', Range: 'items=1-2' }));
    assert.deepEqual([whole.$metadata.httpStatusCode, await text(whole.Body)], [200, bytes.toString()]);
  });

  test('conditional reads: 304 when the copy is current, 412 when a precondition fails', async () => {
    const { ETag, LastModified } = await s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'range.bin' }));
    await notModified(s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', IfNoneMatch: ETag })));
    await notModified(s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', IfModifiedSince: new Date(LastModified!.getTime() + 1000) })));
    await notModified(s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'range.bin', IfNoneMatch: ETag })));
    const changed = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', IfModifiedSince: new Date(LastModified!.getTime() - 10_000) }));
    assert.equal(changed.$metadata.httpStatusCode, 200);
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', IfNoneMatch: '"other"' }))).$metadata.httpStatusCode, 200);
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', IfMatch: ETag }))).$metadata.httpStatusCode, 200);
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', IfMatch: '"other"' })), 'PreconditionFailed', 412);
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'range.bin', IfUnmodifiedSince: new Date(LastModified!.getTime() - 10_000) })), 'PreconditionFailed', 412);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'range.bin', Body: 'x', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
  });

  test('copies keep the metadata (COPY) or take the request\'s (REPLACE); copying onto itself needs REPLACE', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'src/a.json', Body: '{"a":1}', ContentType: 'application/json', Metadata: { origin: 'first' } }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'copies/a.json', CopySource: 'docs/src/a.json' }));
    assert.equal(copy.CopyObjectResult!.ETag, `"${md5('{"a":1}')}"`);
    const copied = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'copies/a.json' }));
    assert.deepEqual([await text(copied.Body), copied.ContentType, copied.Metadata], ['{"a":1}', 'application/json', { origin: 'first' }]);
    await s3.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'src/a.json', CopySource: '/docs/src/a.json', MetadataDirective: 'REPLACE', ContentType: 'text/plain', Metadata: { origin: 'replaced' } }));
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'src/a.json' }));
    assert.deepEqual([replaced.ContentType, replaced.Metadata], ['text/plain', { origin: 'replaced' }]);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'src/a.json', CopySource: 'docs/src/a.json' })), 'InvalidRequest', 400);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'x', CopySource: 'docs/src/none' })), 'NoSuchKey', 404);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'x', CopySource: 'no-such-bucket-here/a' })), 'NoSuchBucket', 404);
    // The copy is its own object: deleting the source leaves it.
    await s3.send(new DeleteObjectCommand({ Bucket: 'docs', Key: 'src/a.json' }));
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'copies/a.json' }))).Body), '{"a":1}');
  });

  test('streamed bodies arrive aws-chunked with a checksum trailer and are stored whole', async () => {
    const client = s3Client(ts, ts.admin);
    const sent = recordSentHeaders(client);
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await client.send(new PutObjectCommand({ Bucket: 'docs', Key: 'streamed.bin', Body: Readable.from([bytes.subarray(0, 1_000_000), bytes.subarray(1_000_000)]), ContentLength: bytes.length }));
    assert.equal(sent[0]!['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    assert.match(sent[0]!['x-amz-trailer']!, /^x-amz-checksum-/);
    const got = await client.send(new GetObjectCommand({ Bucket: 'docs', Key: 'streamed.bin', ChecksumMode: 'ENABLED' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes));
    assert.equal(got.ETag, `"${md5(bytes)}"`);
    assert.ok(got.ChecksumCRC32 ?? got.ChecksumCRC64NVME, 'the verified checksum is returned (and checked by the SDK)');

    for (const ChecksumAlgorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA256'] as const) {
      await client.send(new PutObjectCommand({ Bucket: 'docs', Key: `checksum-${ChecksumAlgorithm}`, Body: Readable.from([bytes.subarray(0, 4096)]), ContentLength: 4096, ChecksumAlgorithm }));
      const read = await client.send(new GetObjectCommand({ Bucket: 'docs', Key: `checksum-${ChecksumAlgorithm}`, ChecksumMode: 'ENABLED' }));
      assert.ok(Buffer.from(await read.Body!.transformToByteArray()).equals(bytes.subarray(0, 4096)), ChecksumAlgorithm);
    }
  });

  test('DeleteObjects deletes many keys at once and reports each', async () => {
    for (const key of ['batch/1', 'batch/2', 'batch/3']) await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: key, Body: key }));
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: 'docs', Delete: { Objects: [{ Key: 'batch/1' }, { Key: 'batch/2' }, { Key: 'batch/none' }] } }));
    assert.deepEqual(result.Deleted!.map((d) => d.Key).sort(), ['batch/1', 'batch/2', 'batch/none']);
    assert.equal(result.Errors, undefined);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'docs', Prefix: 'batch/' }));
    assert.deepEqual(left.Contents!.map((c) => c.Key), ['batch/3']);
  });
});

describe('listings', () => {
  // In S3's order: by the bytes of their UTF-8, so 'é' (0xC3 0xA9) comes after 'z'.
  const keys = ['a.txt', 'b/1.txt', 'b/2.txt', 'b/deep/3.txt', 'c/4.txt', 'd.txt', 'e/5.txt', 'z', 'é/6.txt'];
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'tree' }));
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'tree', Key: key, Body: key }));
  });

  test('list every key in byte order with sizes and ETags', async () => {
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'tree' }));
    assert.deepEqual(all.Contents!.map((c) => c.Key), keys);
    assert.deepEqual([all.KeyCount, all.IsTruncated, all.Contents![0]!.Size, all.Contents![0]!.ETag, all.Contents![0]!.StorageClass], [keys.length, false, 5, `"${md5('a.txt')}"`, 'STANDARD']);
  });

  test('a delimiter rolls keys up into CommonPrefixes, under a prefix too', async () => {
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/' }));
    assert.deepEqual(top.Contents!.map((c) => c.Key), ['a.txt', 'd.txt', 'z']);
    assert.deepEqual(top.CommonPrefixes!.map((p) => p.Prefix), ['b/', 'c/', 'e/', 'é/']);
    assert.equal(top.KeyCount, 7);
    const b = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'b/', Delimiter: '/' }));
    assert.deepEqual([b.Contents!.map((c) => c.Key), b.CommonPrefixes!.map((p) => p.Prefix)], [['b/1.txt', 'b/2.txt'], ['b/deep/']]);
    const none = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'nothing/' }));
    assert.deepEqual([none.Contents, none.KeyCount], [undefined, 0]);
  });

  test('pages by max-keys and continuation tokens, with and without a delimiter; start-after skips ahead', async () => {
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: 'tree', Delimiter: '/' })) {
      pages.push([...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!)]);
    }
    assert.deepEqual(pages.flat().sort(), ['a.txt', 'b/', 'c/', 'd.txt', 'e/', 'z', 'é/'].sort());
    assert.ok(pages.every((p) => p.length <= 2) && pages.length === 4);
    const flat: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 4 }, { Bucket: 'tree' })) flat.push(...page.Contents!.map((c) => c.Key!));
    assert.deepEqual(flat, keys);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', StartAfter: 'b/deep/3.txt', MaxKeys: 2 }));
    assert.deepEqual([after.Contents!.map((c) => c.Key), after.IsTruncated], [['c/4.txt', 'd.txt'], true]);
    const zero = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', MaxKeys: 0 }));
    assert.deepEqual([zero.KeyCount, zero.IsTruncated], [0, false]);
  });

  test('ListObjects (version 1) pages by marker', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: 'tree', MaxKeys: 3, Delimiter: '/' }));
    assert.deepEqual([first.Contents!.map((c) => c.Key), first.CommonPrefixes!.map((p) => p.Prefix), first.IsTruncated, first.NextMarker], [['a.txt'], ['b/', 'c/'], true, 'c/']);
    const second = await s3.send(new ListObjectsCommand({ Bucket: 'tree', Marker: first.NextMarker, Delimiter: '/' }));
    assert.deepEqual([second.Contents!.map((c) => c.Key), second.CommonPrefixes!.map((p) => p.Prefix), second.IsTruncated], [['d.txt', 'z'], ['e/', 'é/'], false]);
  });
});

describe('multipart uploads', () => {
  const MiB = 1024 * 1024;
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
  });

  test('a 12 MiB object in three parts, with the -N ETag, its metadata, and parts listed before completion', async () => {
    const bytes = randomBytes(12 * MiB);
    const pieces = [bytes.subarray(0, 5 * MiB), bytes.subarray(5 * MiB, 10 * MiB), bytes.subarray(10 * MiB)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'big', Key: 'video.mp4', ContentType: 'video/mp4', Metadata: { take: '3' } }));
    const etags: string[] = [];
    // Uploaded out of order, and part 2 twice: the last upload of a number counts.
    for (const n of [2, 1, 3, 2]) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'big', Key: 'video.mp4', UploadId, PartNumber: n, Body: pieces[n - 1] }));
      assert.equal(ETag, `"${md5(pieces[n - 1]!)}"`);
      etags[n - 1] = ETag!;
    }
    const listed = await s3.send(new ListPartsCommand({ Bucket: 'big', Key: 'video.mp4', UploadId }));
    assert.deepEqual(listed.Parts!.map((p) => [p.PartNumber, p.Size, p.ETag]), [[1, 5 * MiB, etags[0]], [2, 5 * MiB, etags[1]], [3, 2 * MiB, etags[2]]]);
    const page = await s3.send(new ListPartsCommand({ Bucket: 'big', Key: 'video.mp4', UploadId, MaxParts: 1, PartNumberMarker: '1' }));
    assert.deepEqual([page.Parts!.map((p) => p.PartNumber), page.IsTruncated, page.NextPartNumberMarker], [[2], true, '2']);

    await rejectsWith(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'big', Key: 'video.mp4', UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: etags[1] }, { PartNumber: 1, ETag: etags[0] }] } })), 'InvalidPartOrder');
    await rejectsWith(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'big', Key: 'video.mp4', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0000"' }] } })), 'InvalidPart');
    await rejectsWith(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'big', Key: 'video.mp4', UploadId, MultipartUpload: { Parts: [{ PartNumber: 3, ETag: etags[2] }, { PartNumber: 4, ETag: etags[2] }] } })), 'InvalidPart');
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'big', Key: 'video.mp4', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) } }));
    const expectedEtag = `"${createHash('md5').update(Buffer.concat(pieces.map((p) => createHash('md5').update(p).digest()))).digest('hex')}-3"`;
    assert.deepEqual([done.ETag, done.Bucket, done.Key], [expectedEtag, 'big', 'video.mp4']);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'video.mp4' }));
    assert.deepEqual([got.ContentLength, got.ETag, got.ContentType, got.Metadata], [12 * MiB, expectedEtag, 'video/mp4', { take: '3' }]);
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes));
    const tail = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'video.mp4', Range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}` }));
    assert.ok(Buffer.from(await tail.Body!.transformToByteArray()).equals(bytes.subarray(5 * MiB - 2, 5 * MiB + 2)), 'a range across a part boundary');
    await rejectsWith(s3.send(new UploadPartCommand({ Bucket: 'big', Key: 'video.mp4', UploadId, PartNumber: 1, Body: 'late' })), 'NoSuchUpload', 404);
  });

  test('parts but the last must be 5 MiB; an aborted upload is gone', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'big', Key: 'small-parts' }));
    const one = await s3.send(new UploadPartCommand({ Bucket: 'big', Key: 'small-parts', UploadId, PartNumber: 1, Body: 'tiny' }));
    const two = await s3.send(new UploadPartCommand({ Bucket: 'big', Key: 'small-parts', UploadId, PartNumber: 2, Body: 'tiny' }));
    await rejectsWith(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'big', Key: 'small-parts', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.ETag }, { PartNumber: 2, ETag: two.ETag }] } })), 'EntityTooSmall');
    await rejectsWith(s3.send(new UploadPartCommand({ Bucket: 'big', Key: 'small-parts', UploadId, PartNumber: 10_001, Body: 'x' })), 'InvalidArgument');
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'big', Key: 'small-parts', UploadId }));
    await rejectsWith(s3.send(new ListPartsCommand({ Bucket: 'big', Key: 'small-parts', UploadId })), 'NoSuchUpload', 404);
    await rejectsWith(s3.send(new AbortMultipartUploadCommand({ Bucket: 'big', Key: 'small-parts', UploadId })), 'NoSuchUpload', 404);
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket: 'big', Key: 'small-parts' })), 'NotFound');
    // An upload for another key is not this key's.
    const other = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'big', Key: 'one-key' }));
    await rejectsWith(s3.send(new UploadPartCommand({ Bucket: 'big', Key: 'another-key', UploadId: other.UploadId, PartNumber: 1, Body: 'x' })), 'NoSuchUpload');
  });
});
