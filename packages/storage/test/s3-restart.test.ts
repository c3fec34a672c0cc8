// Objects outlive the server: their metadata is in the store and their bytes in <dataDir>/blobs, so a server
// started again on the same data directory serves the same buckets, objects and unfinished uploads.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { startServer, type RunningServer } from '../../gantry/src/server/start-server.ts';
import { startTestServer, type TestServer } from '../../gantry/test/support/test-server.ts';
import { s3Client } from './support/s3-clients.ts';

let ts: TestServer;
let restarted: RunningServer | undefined;
after(async () => {
  // The first server is already closed; the test server's cleanup then removes the data directory.
  ts.server.close = async () => {};
  await restarted?.close();
  await ts.stop();
});

test('buckets, objects and open multipart uploads survive a restart', async () => {
  ts = await startTestServer();
  const before = s3Client(ts, ts.admin);
  const bytes = randomBytes(256 * 1024);
  await before.send(new CreateBucketCommand({ Bucket: 'durable' }));
  await before.send(new PutObjectCommand({ Bucket: 'durable', Key: 'kept/object.bin', Body: bytes, ContentType: 'application/x-kept', Metadata: { note: 'still here' } }));
  const { UploadId } = await before.send(new CreateMultipartUploadCommand({ Bucket: 'durable', Key: 'later.bin' }));
  const part = await before.send(new UploadPartCommand({ Bucket: 'durable', Key: 'later.bin', UploadId, PartNumber: 1, Body: bytes }));

  // Blobs are private to the server's user.
  const blobs = join(ts.dataDir, 'blobs');
  assert.equal(statSync(blobs).mode & 0o777, 0o700);
  const files = readdirSync(blobs, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  assert.equal(files.length, 2, 'the object and the part');
  for (const file of files) assert.equal(statSync(join(file.parentPath, file.name)).mode & 0o777, 0o600);

  await ts.server.close();
  restarted = await startServer({ dataDir: ts.dataDir, port: 0 });
  const after = s3Client({ ...ts, url: restarted.url }, ts.admin);

  const got = await after.send(new GetObjectCommand({ Bucket: 'durable', Key: 'kept/object.bin' }));
  assert.deepEqual([got.ContentType, got.Metadata], ['application/x-kept', { note: 'still here' }]);
  assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes));
  assert.deepEqual((await after.send(new ListObjectsV2Command({ Bucket: 'durable' }))).Contents!.map((c) => c.Key), ['kept/object.bin']);
  await after.send(new CompleteMultipartUploadCommand({ Bucket: 'durable', Key: 'later.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  const completed = await after.send(new GetObjectCommand({ Bucket: 'durable', Key: 'later.bin' }));
  assert.ok(Buffer.from(await completed.Body!.transformToByteArray()).equals(bytes));
});
