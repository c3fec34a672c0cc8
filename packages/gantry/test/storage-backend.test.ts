// A backend with defineAuth and defineStorage, deployed by the real `ampx pipeline-deploy`: the deploy makes an
// identity pool beside the user pool, a bucket per backend and the access rules as the identity pool roles'
// policies. Then the unmodified aws-amplify in Node: a user signs up (code from the mailbox), signs in, and
// uploads, downloads, lists, presigns and removes its own files; a second user cannot read, list, delete or
// overwrite them, nor reach them with `..` in a path (aws-amplify refuses such paths; sent raw, they are literal
// keys inside the sender's own prefix); a guest reads public files and writes nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { CognitoIdentityClient, DescribeIdentityPoolCommand, GetIdentityPoolRolesCommand } from '@aws-sdk/client-cognito-identity';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { readLatestMessage } from '@gantry/auth';
import { AMPX, prepareTodoApp, runCli } from './support/backend-app.ts';
import { memberAccount } from './support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

const REGION = 'us-west-2';
const PASSWORD = 'Corr3ct-Horse!';
const SCRIPT = join(import.meta.dirname, 'fixtures/storage-app-client/amplify-storage-script.ts');

let ts: TestServer;
let outputs: any;
let appDir: string;
let deployer: Credentials;
const s3 = (credentials: Credentials) => new S3Client({ endpoint: `${ts.url}/s3`, forcePathStyle: true, region: REGION, maxAttempts: 1, credentials });

/** Runs aws-amplify in a child process as one user (signing up with the mailed code) or as a guest. */
async function amplify(user: { email?: string; otherIdentityId?: string }): Promise<any> {
  const input = { outputs, endpoint: ts.url, s3Endpoint: `s3.localhost:${new URL(ts.server.httpsUrl).port}`, password: PASSWORD, ...user };
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(input)], {
    env: { PATH: process.env.PATH!, NODE_EXTRA_CA_CERTS: ts.server.caCertFile }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill(), 90_000);
  let result: any;
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line);
    if (message.need === 'code') child.stdin.write(`${(await readLatestMessage(ts.server.store.db, outputs.auth.user_pool_id, user.email!))?.code}\n`);
    else result = message;
  }
  clearTimeout(timer);
  assert.ok(result, `the aws-amplify script printed no result:\n${stderr}`);
  return result;
}
const refused = (outcome: any, what: string) => assert.ok(outcome?.error, `${what} was allowed: ${JSON.stringify(outcome)}`);

let alice: any;

before(async () => {
  ts = await startTestServer();
  ({ appDir, deployer } = await prepareTodoApp(ts, 'storage-app'));
  const deployed = await runCli(ts, AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'files1'], deployer, appDir, { CI: '1' });
  assert.equal(deployed.code, 0, deployed.stderr);
  outputs = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
  alice = await amplify({ email: 'alice@example.com' });
});
after(() => ts.stop());

describe('defineStorage deploys a bucket and the identity pool roles\' policies', () => {
  test('the outputs carry the identity pool and the storage section', async () => {
    assert.match(outputs.auth.identity_pool_id, /^us-west-2:[0-9a-f-]{36}$/);
    assert.equal(outputs.auth.unauthenticated_identities_enabled, true);
    const bucketName = outputs.storage.bucket_name as string;
    assert.match(bucketName, /^amplify-files1-main-appfiles-[a-z0-9]{8}$/);
    assert.deepEqual(outputs.storage, {
      aws_region: REGION, bucket_name: bucketName,
      buckets: [{
        name: 'appFiles', bucket_name: bucketName, aws_region: REGION,
        paths: { 'public/*': { guest: ['get', 'list'], authenticated: ['get', 'list', 'write', 'delete'] }, 'private/{entity_id}/*': { entityidentity: ['get', 'list', 'write', 'delete'] } },
      }],
    });
    const cognito = new CognitoIdentityClient({ endpoint: ts.url, region: REGION, maxAttempts: 1, credentials: ts.admin });
    const pool = await cognito.send(new DescribeIdentityPoolCommand({ IdentityPoolId: outputs.auth.identity_pool_id }));
    assert.deepEqual(pool.CognitoIdentityProviders!.map((p) => p.ClientId), [outputs.auth.user_pool_client_id]);
    const { Roles } = await cognito.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: outputs.auth.identity_pool_id }));
    const policy = await ts.iam(ts.admin).send(new GetRolePolicyCommand({ RoleName: Roles!.authenticated!.split('/').pop()!, PolicyName: 'amplify-storage-appFiles' }));
    const statements = JSON.parse(decodeURIComponent(policy.PolicyDocument!)).Statement;
    assert.ok(statements.some((s: any) => s.Resource === `arn:aws:s3:::${bucketName}/private/\${cognito-identity.amazonaws.com:sub}/*`), 'the owner\'s path names the identity');
  });

  test('a second deploy keeps the bucket, the identity pool and the files', async () => {
    const again = await runCli(ts, AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'files1'], deployer, appDir, { CI: '1' });
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
    assert.equal(second.storage.bucket_name, outputs.storage.bucket_name);
    assert.equal(second.auth.identity_pool_id, outputs.auth.identity_pool_id);
    const kept = await s3(ts.admin).send(new GetObjectCommand({ Bucket: outputs.storage.bucket_name, Key: `private/${alice.identityId}/notes.txt` }));
    assert.equal(await kept.Body!.transformToString(), 'my notes');
  });
});

describe('the unmodified aws-amplify storage client', () => {
  test('a signed-in user uploads, downloads, lists, presigns and removes its own files', () => {
    const me = alice.identityId as string;
    assert.equal(alice.signedIn, true);
    assert.ok(alice.hasCredentials);
    assert.match(me, /^us-west-2:[0-9a-f-]{36}$/);
    assert.deepEqual(alice.upload, { ok: `private/${me}/notes.txt` });
    assert.deepEqual(alice.download, { ok: 'my notes' });
    assert.deepEqual(alice.list, { ok: [`private/${me}/notes.txt`, `private/${me}/temp.txt`] });
    assert.equal(alice.url.ok?.status, 200, JSON.stringify(alice.url));
    assert.equal(alice.url.ok.body, 'my notes');
    assert.equal(alice.url.ok.host, `${outputs.storage.bucket_name}.s3.localhost:${new URL(ts.server.httpsUrl).port}`);
    assert.deepEqual(alice.remove, { ok: `private/${me}/temp.txt` });
    assert.deepEqual(alice.afterRemove, { ok: [`private/${me}/notes.txt`] });
  });

  test('a second user can neither read, list, delete nor overwrite the first user\'s files, with or without ..', async () => {
    const bob = await amplify({ email: 'bob@example.com', otherIdentityId: alice.identityId });
    assert.notEqual(bob.identityId, alice.identityId);
    refused(bob.readOther, 'reading another user\'s file');
    refused(bob.listOther, 'listing another user\'s files');
    refused(bob.removeOther, 'deleting another user\'s file');
    refused(bob.overwriteOther, 'overwriting another user\'s file');
    refused(bob.traversalRead, 'reading through private/<own id>/../<other id>/');
    refused(bob.traversalWrite, 'writing through private/<own id>/../<other id>/');
    // S3 keys are names, not paths: sent as they are, `..` keys name objects inside the sender's own prefix.
    assert.equal(bob.rawTraversalRead.error, 'NoSuchKey', 'the other user\'s file is not reached through ..');
    assert.ok(bob.rawTraversalWrite.ok, 'the write lands on a literal key under the sender\'s own prefix');
    assert.deepEqual(bob.rawTraversalReadBack, { ok: 'overwritten' });
    assert.equal(bob.rawOtherRead.error, 'AccessDenied');
    assert.deepEqual(bob.readPublic, { ok: 'for everyone' });
    assert.deepEqual(bob.ownUpload, { ok: `private/${bob.identityId}/mine.txt` });
    const kept = await s3(ts.admin).send(new GetObjectCommand({ Bucket: outputs.storage.bucket_name, Key: `private/${alice.identityId}/notes.txt` }));
    assert.equal(await kept.Body!.transformToString(), 'my notes', 'the first user\'s file is untouched');
    const all = await s3(ts.admin).send(new ListObjectsV2Command({ Bucket: outputs.storage.bucket_name }));
    assert.deepEqual(all.Contents!.filter((o) => o.Key!.includes('..')).map((o) => o.Key), [`private/${bob.identityId}/../${alice.identityId}/notes.txt`]);
  });

  test('a guest reads public files and writes or deletes nothing', async () => {
    const guest = await amplify({ otherIdentityId: alice.identityId });
    assert.ok(guest.hasCredentials, 'guests get credentials of the unauthenticated role');
    assert.deepEqual(guest.readPublic, { ok: 'for everyone' });
    refused(guest.writePublic, 'a guest writing');
    refused(guest.removePublic, 'a guest deleting');
    refused(guest.readOther, 'a guest reading a user\'s file');
  });

  test('another account cannot reach the bucket', async () => {
    const member = await memberAccount(ts);
    await assert.rejects(s3(member.admin).send(new GetObjectCommand({ Bucket: outputs.storage.bucket_name, Key: `private/${alice.identityId}/notes.txt` })), { name: 'AccessDenied' });
    await assert.rejects(s3(member.admin).send(new ListObjectsV2Command({ Bucket: outputs.storage.bucket_name })), { name: 'AccessDenied' });
  });
});
