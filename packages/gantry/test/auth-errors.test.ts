import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ListPoliciesCommand } from '@aws-sdk/client-iam';
import { errorCode, signedQuery } from './support/raw-request.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let ts: TestServer;
before(async () => (ts = await startTestServer()));
after(() => ts.stop());

const LIST_ROLES = 'Action=ListRoles&Version=2010-05-08';

async function healthy(): Promise<void> {
  const response = await fetch(`${ts.url}/health`);
  assert.equal(response.status, 200);
}

test('a correctly signed raw request succeeds (baseline for the cases below)', async () => {
  const response = await signedQuery(ts.url, ts.admin, LIST_ROLES);
  assert.equal(response.status, 200, response.body);
  assert.match(response.body, /<ListRolesResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/">/);
  assert.ok(response.headers.get('x-amzn-requestid'));
  assert.ok(response.headers.get('date'));
});

test('wrong secret → 403 SignatureDoesNotMatch', async () => {
  const response = await signedQuery(ts.url, { ...ts.admin, secretAccessKey: 'x'.repeat(40) }, LIST_ROLES);
  assert.equal(response.status, 403);
  assert.equal(errorCode(response.body), 'SignatureDoesNotMatch');
  assert.match(response.body, /<Type>Sender<\/Type>/);
});

test('unknown access key → 403 InvalidClientTokenId', async () => {
  const response = await signedQuery(ts.url, { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) }, LIST_ROLES);
  assert.equal(response.status, 403);
  assert.equal(errorCode(response.body), 'InvalidClientTokenId');
});

test('a clock skewed by more than 5 minutes either way → SignatureDoesNotMatch with the AWS message', async () => {
  const past = await signedQuery(ts.url, ts.admin, LIST_ROLES, { signingDate: new Date(Date.now() - 6 * 60_000) });
  assert.equal(errorCode(past.body), 'SignatureDoesNotMatch');
  assert.match(past.body, /Signature expired: \d{8}T\d{6}Z is now earlier than/);
  const future = await signedQuery(ts.url, ts.admin, LIST_ROLES, { signingDate: new Date(Date.now() + 6 * 60_000) });
  assert.equal(errorCode(future.body), 'SignatureDoesNotMatch');
  assert.match(future.body, /Signature not yet current/);
  const within = await signedQuery(ts.url, ts.admin, LIST_ROLES, { signingDate: new Date(Date.now() - 4 * 60_000) });
  assert.equal(within.status, 200);
});

test('no authentication at all → 403 MissingAuthenticationToken', async () => {
  const response = await fetch(`${ts.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: LIST_ROLES });
  assert.equal(response.status, 403);
  assert.equal(errorCode(await response.text()), 'MissingAuthenticationToken');
});

test('a malformed Authorization header → 400 IncompleteSignature', async () => {
  const response = await fetch(`${ts.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/garbage', 'x-amz-date': '20260101T000000Z' },
    body: LIST_ROLES,
  });
  assert.equal(response.status, 400);
  assert.equal(errorCode(await response.text()), 'IncompleteSignature');
});

test('unknown action → 400 InvalidAction; missing action → MissingAction', async () => {
  const unknown = await signedQuery(ts.url, ts.admin, 'Action=LaunchRockets&Version=2010-05-08');
  assert.equal(unknown.status, 400);
  assert.equal(errorCode(unknown.body), 'InvalidAction');
  const missing = await signedQuery(ts.url, ts.admin, 'Version=2010-05-08');
  assert.equal(errorCode(missing.body), 'MissingAction');
});

test('an oversized body → 413 without being read whole; the server stays healthy', async () => {
  const huge = `${LIST_ROLES}&Padding=${'A'.repeat(2 * 1024 * 1024)}`;
  const response = await fetch(`${ts.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: huge });
  assert.equal(response.status, 413);
  assert.equal(errorCode(await response.text()), 'RequestEntityTooLarge');
  await healthy();
});

test('garbage query strings and parameter names are refused, nothing stored', async () => {
  const before = await ts.iam(ts.admin).send(new ListPoliciesCommand({ Scope: 'Local' }));
  const garbage = await signedQuery(ts.url, ts.admin, 'Action=CreatePolicy&Version=2010-05-08&PolicyName=x&PolicyDocument=%7B&__proto__.polluted=1');
  assert.equal(garbage.status, 404);
  assert.equal(errorCode(garbage.body), 'MalformedQueryString');
  const badEncoding = await signedQuery(ts.url, ts.admin, 'Action=CreatePolicy&Version=2010-05-08&PolicyName=%E0%A4%A&PolicyDocument=%ZZ');
  assert.ok(badEncoding.status >= 400 && badEncoding.status < 500, badEncoding.body);
  const after = await ts.iam(ts.admin).send(new ListPoliciesCommand({ Scope: 'Local' }));
  assert.equal(after.Policies!.length, before.Policies!.length);
  assert.equal(({} as any).polluted, undefined);
  await healthy();
});

test('a request target that is not a URL gets a clear error', async () => {
  const { request } = await import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    const url = new URL(ts.url);
    const req = request({ host: url.hostname, port: url.port, path: 'http://[::bad', method: 'GET' }, (res) => resolve(res.statusCode!));
    req.on('error', reject);
    req.end();
  });
  assert.ok(status >= 400 && status < 500);
  await healthy();
});

test('signing for the wrong service is refused', async () => {
  const response = await signedQuery(ts.url, ts.admin, LIST_ROLES, { service: 'cloudformation' });
  assert.equal(response.status, 400);
  assert.equal(errorCode(response.body), 'InvalidAction');
});

test('presigned URLs (query-string SigV4) work, and expire', async () => {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Hash } = await import('@smithy/hash-node');
  const url = new URL(ts.url);
  const signer = new SignatureV4({ credentials: ts.admin, region: 'us-west-2', service: 'sts', sha256: Hash.bind(null, 'sha256') });
  const presign = (signingDate?: Date) => signer.presign(
    { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: url.host } },
    { expiresIn: 60, signingDate },
  );
  const toUrl = (r: { query?: Record<string, any> }) => `${ts.url}/?${new URLSearchParams(r.query as Record<string, string>)}`;
  const ok = await fetch(toUrl(await presign()));
  const text = await ok.text();
  assert.equal(ok.status, 200, text);
  assert.match(text, /<Arn>arn:aws:iam::\d{12}:user\/gantry-admin<\/Arn>/);
  const expired = await fetch(toUrl(await presign(new Date(Date.now() - 10 * 60_000))));
  assert.equal(expired.status, 403);
  assert.equal(errorCode(await expired.text()), 'SignatureDoesNotMatch');
});
