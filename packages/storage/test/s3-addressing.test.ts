// How requests name buckets: path-style under <server>/s3 (what every other test uses), and virtual-hosted
// style, `<bucket>.s3.localhost:<port>`, which the SDK picks for such an endpoint without forcePathStyle.
// Names under .localhost resolve to the loopback address in browsers; Node's resolver does not, so the client
// here is given that resolution. A key named like another route's path stays an S3 key.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startTestServer, type TestServer } from '../../gantry/test/support/test-server.ts';
import { recordSentHeaders, s3Client } from './support/s3-clients.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.stop());

const loopback = new Agent({ lookup: (_host, options, done) => (options.all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)) });

test('virtual-hosted-style requests reach the bucket named by the Host', async () => {
  const port = new URL(ts.url).port;
  const client = new S3Client({
    endpoint: `http://s3.localhost:${port}`, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: loopback }),
  });
  const sent = recordSentHeaders(client);
  await client.send(new CreateBucketCommand({ Bucket: 'hosted' }));
  assert.equal(sent[0]!.host, `hosted.s3.localhost:${port}`);
  for (const key of ['index.html', '_sites/looks-like-hosting', 'data/x/graphql', 'nested/a b.txt']) {
    await client.send(new PutObjectCommand({ Bucket: 'hosted', Key: key, Body: `body of ${key}` }));
    assert.equal(await (await client.send(new GetObjectCommand({ Bucket: 'hosted', Key: key }))).Body!.transformToString(), `body of ${key}`);
  }
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'hosted' }));
  assert.deepEqual(listed.Contents!.map((c) => c.Key), ['_sites/looks-like-hosting', 'data/x/graphql', 'index.html', 'nested/a b.txt']);
  // The same bucket, path-style under the prefix.
  const pathStyle = s3Client(ts, ts.admin);
  assert.equal(await (await pathStyle.send(new GetObjectCommand({ Bucket: 'hosted', Key: 'nested/a b.txt' }))).Body!.transformToString(), 'body of nested/a b.txt');
});

test('the endpoint path prefix is kept by the SDK with forcePathStyle', async () => {
  const client = s3Client(ts, ts.admin);
  let path = '';
  client.middlewareStack.add((next) => async (args) => {
    path = (args.request as { path: string }).path;
    return next(args);
  }, { step: 'deserialize', name: 'recordPath' });
  await client.send(new ListObjectsV2Command({ Bucket: 'hosted' }));
  assert.equal(path, '/s3/hosted/');
});
