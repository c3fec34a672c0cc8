// Who may do what to S3 objects, and how requests prove it: presigned URLs used with plain fetch (and refused
// once expired or altered), tampered signatures, a payload that is not the one signed (nothing is stored),
// chunk-signed uploads, and the walls between accounts: another account's administrator cannot list, read,
// write, copy or delete in a bucket it does not own, nor take its name; a user without s3 permissions is refused.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { crc32 as crc32Of } from 'node:zlib';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand,
  HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ServiceException,
} from '@aws-sdk/client-s3';
import { allow, memberAccount, userWithKey } from '../../gantry/test/support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from '../../gantry/test/support/test-server.ts';
import { signedChunkedBody } from './support/chunk-signing.ts';
import { errorCode, presignedUrl, s3Client, signedRequest, signer } from './support/s3-clients.ts';

let ts: TestServer;
let a: S3Client;
const rejectsWith = (promise: Promise<unknown>, name: string, status?: number) =>
  assert.rejects(promise, (error: S3ServiceException) => {
    assert.equal(error.name, name, error.message);
    if (status) assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
/** A HEAD answer has no body to name an error by: the SDK only has the status. */
const headRefused = (promise: Promise<unknown>, status: number) =>
  assert.rejects(promise, (error: S3ServiceException) => {
    assert.equal(error.$metadata.httpStatusCode, status, error.message);
    return true;
  });
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Every blob file on disk, finished or not: what a refused upload must not add to. */
function blobFiles(): string[] {
  const root = join(ts.dataDir, 'blobs');
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

before(async () => {
  ts = await startTestServer();
  a = s3Client(ts, ts.admin);
  await a.send(new CreateBucketCommand({ Bucket: 'a-private' }));
  await a.send(new PutObjectCommand({ Bucket: 'a-private', Key: 'secret.txt', Body: 'the plans' }));
  await a.send(new PutObjectCommand({ Bucket: 'a-private', Key: 'public/readme.txt', Body: 'hello' }));
});
after(() => ts.stop());

describe('presigned URLs', () => {
  test('GET and PUT work with plain fetch, a Range included', async () => {
    const get = await fetch(await presignedUrl(ts, ts.admin, 'GET', 'a-private', 'secret.txt'));
    assert.deepEqual([get.status, await get.text()], [200, 'the plans']);
    const ranged = await fetch(await presignedUrl(ts, ts.admin, 'GET', 'a-private', 'secret.txt'), { headers: { range: 'bytes=4-' } });
    assert.deepEqual([ranged.status, await ranged.text()], [206, 'plans']);

    const put = await fetch(await presignedUrl(ts, ts.admin, 'PUT', 'a-private', 'uploads/from browser.txt'), { method: 'PUT', body: new TextEncoder().encode('sent by a browser') });
    assert.equal(put.status, 200, await put.text());
    assert.equal(put.headers.get('etag'), `"${createHash('md5').update('sent by a browser').digest('hex')}"`);
    const stored = await a.send(new GetObjectCommand({ Bucket: 'a-private', Key: 'uploads/from browser.txt' }));
    assert.deepEqual([await stored.Body!.transformToString(), stored.ContentType], ['sent by a browser', 'binary/octet-stream']);
  });

  test('an expired or altered URL is refused', async () => {
    const expired = await fetch(await presignedUrl(ts, ts.admin, 'GET', 'a-private', 'secret.txt', { expiresIn: 60, signingDate: new Date(Date.now() - 3_600_000) }));
    const expiredBody = await expired.text();
    assert.deepEqual([expired.status, errorCode(expiredBody)], [403, 'SignatureDoesNotMatch']);
    assert.match(expiredBody, /expired/);
    const url = await presignedUrl(ts, ts.admin, 'GET', 'a-private', 'public/readme.txt');
    const altered = await fetch(url.replace('public/readme.txt', 'secret.txt'));
    assert.deepEqual([altered.status, errorCode(await altered.text())], [403, 'SignatureDoesNotMatch']);
    const unsigned = await fetch(`${ts.url}/s3/a-private/secret.txt`);
    const unsignedBody = await unsigned.text();
    assert.deepEqual([unsigned.status, errorCode(unsignedBody)], [403, 'AccessDenied']);
    assert.match(unsignedBody, /<Resource>\/a-private\/secret.txt<\/Resource><RequestId>[^<]+<\/RequestId><\/Error>/);
  });
});

describe('signatures and payloads', () => {
  test('a tampered signature, a wrong secret or an unknown key is refused', async () => {
    const tampered = await signedRequest(ts, ts.admin, {
      method: 'GET', path: '/s3/a-private/secret.txt', headers: { 'x-amz-content-sha256': sha256('') },
      tamper: (h) => void (h.authorization = h.authorization!.replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`)),
    });
    assert.deepEqual([tampered.status, errorCode(tampered.text)], [403, 'SignatureDoesNotMatch']);
    await rejectsWith(s3Client(ts, { ...ts.admin, secretAccessKey: `${ts.admin.secretAccessKey}x` }).send(new GetObjectCommand({ Bucket: 'a-private', Key: 'secret.txt' })), 'SignatureDoesNotMatch', 403);
    await rejectsWith(s3Client(ts, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }).send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
  });

  test('a body that is not the one signed is refused and nothing is stored', async () => {
    const before = blobFiles();
    const wrong = await signedRequest(ts, ts.admin, {
      method: 'PUT', path: '/s3/a-private/tampered.txt', headers: { 'x-amz-content-sha256': sha256('what was signed') }, body: Buffer.from('what was sent instead'),
    });
    assert.deepEqual([wrong.status, errorCode(wrong.text)], [400, 'XAmzContentSHA256Mismatch']);
    await rejectsWith(a.send(new HeadObjectCommand({ Bucket: 'a-private', Key: 'tampered.txt' })), 'NotFound');
    assert.deepEqual(blobFiles(), before, 'no blob, not even a temporary file');

    // The same with the hash of the body is stored; so is an UNSIGNED-PAYLOAD body, which S3 allows.
    const right = await signedRequest(ts, ts.admin, { method: 'PUT', path: '/s3/a-private/signed.txt', headers: { 'x-amz-content-sha256': sha256('signed body') }, body: Buffer.from('signed body') });
    assert.equal(right.status, 200, right.text);
    const unsigned = await signedRequest(ts, ts.admin, { method: 'PUT', path: '/s3/a-private/unsigned.txt', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: Buffer.from('unsigned body') });
    assert.equal(unsigned.status, 200, unsigned.text);
    assert.equal(await (await a.send(new GetObjectCommand({ Bucket: 'a-private', Key: 'unsigned.txt' }))).Body!.transformToString(), 'unsigned body');
  });

  test('every digest a request claims is checked, and a body over the limit is refused before it is read', async () => {
    const before = blobFiles();
    const put = (key: string, headers: Record<string, string>, body: string) =>
      signedRequest(ts, ts.admin, { method: 'PUT', path: `/s3/a-private/${key}`, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers }, body: Buffer.from(body) });
    const md5 = await put('bad-md5', { 'content-md5': createHash('md5').update('other').digest('base64') }, 'body');
    assert.deepEqual([md5.status, errorCode(md5.text)], [400, 'BadDigest']);
    const crc = await put('bad-crc', { 'x-amz-checksum-crc32': 'AAAAAA==' }, 'body');
    assert.deepEqual([crc.status, errorCode(crc.text)], [400, 'BadDigest']);
    const trailer = await put('bad-trailer', {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '4', 'x-amz-trailer': 'x-amz-checksum-crc32',
    }, '4\r\nbody\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');
    assert.deepEqual([trailer.status, errorCode(trailer.text)], [400, 'BadDigest']);
    const short = await put('short', { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '10' }, '4\r\nbody\r\n0\r\n\r\n');
    assert.deepEqual([short.status, errorCode(short.text)], [400, 'IncompleteBody']);
    const good = await put('good-md5', { 'content-md5': createHash('md5').update('body').digest('base64') }, 'body');
    assert.equal(good.status, 200, good.text);
    assert.equal(blobFiles().length, before.length + 1, 'only the good body is stored');

    // Six GiB declared, nothing sent: the answer comes at once, without waiting for a byte.
    const url = new URL(`${ts.url}/s3/a-private/huge.bin`);
    const signed = await signer(ts.admin).sign({
      method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {},
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': String(6 * 1024 ** 3) },
    });
    const tooLarge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(url, { method: 'PUT', headers: signed.headers as Record<string, string> }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          resolve({ status: res.statusCode!, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.deepEqual([tooLarge.status, errorCode(tooLarge.body)], [400, 'EntityTooLarge']);
  });

  test('chunk-signed bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) are checked chunk by chunk', async () => {
    const chunks = [Buffer.alloc(64 * 1024, 'a'), Buffer.alloc(64 * 1024, 'b'), Buffer.from('the end')];
    const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
    const send = async (key: string, alter?: (body: Buffer) => Buffer, trailer?: { name: string; value: string }) => {
      const url = new URL(`${ts.url}/s3/a-private/${key}`);
      const signed = await signer(ts.admin).sign({
        method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {},
        headers: {
          host: url.host, 'x-amz-content-sha256': trailer ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': String(decodedLength), 'content-type': 'text/plain', ...(trailer && { 'x-amz-trailer': trailer.name }),
        },
      });
      const headers = { ...(signed.headers as Record<string, string>) };
      const seedSignature = /Signature=([0-9a-f]{64})/.exec(headers.authorization!)![1]!;
      let body = signedChunkedBody(chunks, { secretAccessKey: ts.admin.secretAccessKey, amzDate: headers['x-amz-date']!, region: 'us-west-2', seedSignature }, trailer);
      if (alter) body = alter(body);
      delete headers.host;
      const response = await fetch(url, { method: 'PUT', headers, body: new Uint8Array(body) });
      return { status: response.status, text: await response.text() };
    };
    const ok = await send('chunked.txt');
    assert.equal(ok.status, 200, ok.text);
    const stored = await a.send(new GetObjectCommand({ Bucket: 'a-private', Key: 'chunked.txt' }));
    assert.equal(await stored.Body!.transformToString(), Buffer.concat(chunks).toString());
    assert.deepEqual([stored.ContentType, stored.ContentEncoding], ['text/plain', undefined], "aws-chunked is the request's framing, not the object's encoding");

    // With a signed checksum trailer; a trailer altered after signing is refused.
    const crc32 = Buffer.alloc(4);
    crc32.writeUInt32BE(crc32Of(Buffer.concat(chunks)));
    const withTrailer = await send('chunked-trailer.txt', undefined, { name: 'x-amz-checksum-crc32', value: crc32.toString('base64') });
    assert.equal(withTrailer.status, 200, withTrailer.text);
    const otherTrailer = await send('chunked-trailer-altered.txt', (body) => Buffer.from(body.toString('latin1').replace(crc32.toString('base64'), 'AAAAAA=='), 'latin1'), { name: 'x-amz-checksum-crc32', value: crc32.toString('base64') });
    assert.deepEqual([otherTrailer.status, errorCode(otherTrailer.text)], [403, 'SignatureDoesNotMatch']);

    const before = blobFiles();
    const tampered = await send('chunked-tampered.txt', (body) => {
      const copy = Buffer.from(body);
      copy[copy.indexOf('b')] = 'c'.charCodeAt(0);
      return copy;
    });
    assert.deepEqual([tampered.status, errorCode(tampered.text)], [403, 'SignatureDoesNotMatch']);
    const truncated = await send('chunked-truncated.txt', (body) => body.subarray(0, body.length - 200));
    assert.equal(truncated.status, 400, truncated.text);
    await rejectsWith(a.send(new HeadObjectCommand({ Bucket: 'a-private', Key: 'chunked-tampered.txt' })), 'NotFound');
    assert.deepEqual(blobFiles(), before);
  });
});

describe('accounts are walls', () => {
  let b: S3Client;
  let bAdmin: Credentials;
  before(async () => {
    bAdmin = (await memberAccount(ts)).admin;
    b = s3Client(ts, bAdmin);
    await b.send(new CreateBucketCommand({ Bucket: 'b-own' }));
  });

  test("another account's administrator cannot touch A's bucket, whatever its own policies allow", async () => {
    await rejectsWith(b.send(new ListObjectsV2Command({ Bucket: 'a-private' })), 'AccessDenied', 403);
    await rejectsWith(b.send(new GetObjectCommand({ Bucket: 'a-private', Key: 'secret.txt' })), 'AccessDenied', 403);
    await headRefused(b.send(new HeadObjectCommand({ Bucket: 'a-private', Key: 'secret.txt' })), 403);
    await headRefused(b.send(new HeadBucketCommand({ Bucket: 'a-private' })), 403);
    await rejectsWith(b.send(new PutObjectCommand({ Bucket: 'a-private', Key: 'secret.txt', Body: 'overwritten' })), 'AccessDenied', 403);
    await rejectsWith(b.send(new DeleteObjectCommand({ Bucket: 'a-private', Key: 'secret.txt' })), 'AccessDenied', 403);
    await rejectsWith(b.send(new DeleteObjectsCommand({ Bucket: 'a-private', Delete: { Objects: [{ Key: 'secret.txt' }] } })), 'AccessDenied', 403);
    await rejectsWith(b.send(new CreateMultipartUploadCommand({ Bucket: 'a-private', Key: 'sneaky' })), 'AccessDenied', 403);
    await rejectsWith(b.send(new CopyObjectCommand({ Bucket: 'b-own', Key: 'stolen.txt', CopySource: 'a-private/secret.txt' })), 'AccessDenied', 403);
    await rejectsWith(a.send(new CopyObjectCommand({ Bucket: 'b-own', Key: 'planted.txt', CopySource: 'a-private/secret.txt' })), 'AccessDenied', 403);
    await rejectsWith(b.send(new CreateBucketCommand({ Bucket: 'a-private' })), 'BucketAlreadyExists', 409);
    await rejectsWith(b.send(new DeleteBucketCommand({ Bucket: 'a-private' })), 'AccessDenied', 403);
    const presigned = await fetch(await presignedUrl(ts, bAdmin, 'GET', 'a-private', 'secret.txt'));
    assert.deepEqual([presigned.status, errorCode(await presigned.text())], [403, 'AccessDenied']);

    const listed = await b.send(new ListBucketsCommand({}));
    assert.deepEqual(listed.Buckets!.map((x) => x.Name), ['b-own']);
    assert.equal(await (await a.send(new GetObjectCommand({ Bucket: 'a-private', Key: 'secret.txt' }))).Body!.transformToString(), 'the plans');
    await rejectsWith(a.send(new ListObjectsV2Command({ Bucket: 'b-own' })), 'AccessDenied', 403);
  });

  test('a user of A without s3 permissions is refused; a scoped one gets exactly its scope', async () => {
    const none = s3Client(ts, (await userWithKey(ts, ts.admin, { policy: allow('ssm:GetParameter') })).credentials);
    await rejectsWith(none.send(new ListBucketsCommand({})), 'AccessDenied', 403);
    await rejectsWith(none.send(new GetObjectCommand({ Bucket: 'a-private', Key: 'secret.txt' })), 'AccessDenied', 403);
    await rejectsWith(none.send(new PutObjectCommand({ Bucket: 'a-private', Key: 'x', Body: 'x' })), 'AccessDenied', 403);
    await rejectsWith(none.send(new CreateBucketCommand({ Bucket: 'not-allowed-here' })), 'AccessDenied', 403);
    // A bucket that does not exist is no different to a caller who may not look.
    await rejectsWith(none.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket-anywhere' })), 'AccessDenied', 403);

    const reader = s3Client(ts, (await userWithKey(ts, ts.admin, { policy: allow('s3:GetObject', 'arn:aws:s3:::a-private/public/*') })).credentials);
    assert.equal(await (await reader.send(new GetObjectCommand({ Bucket: 'a-private', Key: 'public/readme.txt' }))).Body!.transformToString(), 'hello');
    await rejectsWith(reader.send(new GetObjectCommand({ Bucket: 'a-private', Key: 'secret.txt' })), 'AccessDenied', 403);
    await rejectsWith(reader.send(new ListObjectsV2Command({ Bucket: 'a-private' })), 'AccessDenied', 403);
    await rejectsWith(reader.send(new PutObjectCommand({ Bucket: 'a-private', Key: 'public/readme.txt', Body: 'x' })), 'AccessDenied', 403);

    const deleter = s3Client(ts, (await userWithKey(ts, ts.admin, { policy: allow('s3:DeleteObject', 'arn:aws:s3:::a-private/uploads/*') })).credentials);
    const result = await deleter.send(new DeleteObjectsCommand({ Bucket: 'a-private', Delete: { Objects: [{ Key: 'uploads/from browser.txt' }, { Key: 'secret.txt' }] } }));
    assert.deepEqual(result.Deleted!.map((d) => d.Key), ['uploads/from browser.txt']);
    assert.deepEqual(result.Errors!.map((e) => [e.Key, e.Code]), [['secret.txt', 'AccessDenied']]);
  });
});
