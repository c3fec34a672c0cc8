import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { assumeRole } from '@gantry/iam';
import { allow, memberAccount, trust, unique, userWithKey } from './support/iam-fixtures.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

let ts: TestServer;
/** Account A holds callers, B the roles; C only looks, and must see none of it. */
let a: { id: string; admin: Credentials };
let b: { id: string; admin: Credentials };
let c: { id: string; admin: Credentials };
before(async () => {
  ts = await startTestServer();
  a = await memberAccount(ts, unique('callers'), ['us-west-2']);
  b = await memberAccount(ts, unique('roles'), ['us-west-2']);
  c = await memberAccount(ts, unique('bystander'), ['us-west-2']);
});
after(() => ts.stop());

async function roleIn(account: { admin: Credentials }, trustPolicy: string): Promise<string> {
  const role = await ts.iam(account.admin).send(new CreateRoleCommand({ RoleName: unique('audited'), AssumeRolePolicyDocument: trustPolicy }));
  return role.Role!.Arn!;
}

/** `GET /_gantry/audit-events` signed for cloudtrail, as the gantry CLI calls it. */
async function lookup(credentials: Credentials, query: Record<string, string> = {}, service = 'cloudtrail') {
  return signedFetch(ts.url, credentials, 'GET', `/_gantry/audit-events?${new URLSearchParams(query)}`, { service });
}

async function eventsFor(credentials: Credentials, roleArn: string): Promise<any[]> {
  const response = await lookup(credentials, { roleArn });
  assert.equal(response.status, 200, JSON.stringify(response.json));
  return response.json.Events;
}

test('an AssumeRole by a user of the role\'s own account is in that account\'s trail, and only there', async () => {
  const user = await userWithKey(ts, b.admin, { policy: allow('sts:AssumeRole') });
  const roleArn = await roleIn(b, trust({ AWS: user.arn }));
  const out = await ts.sts(user.credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'deploy-1', DurationSeconds: 900 }));

  const [event, ...more] = await eventsFor(b.admin, roleArn);
  assert.equal(more.length, 0);
  assert.equal(event.EventName, 'AssumeRole');
  assert.equal(event.EventSource, 'sts.amazonaws.com');
  assert.equal(event.Username, user.arn.split('/').pop());
  assert.deepEqual(event.Resources, [{ ResourceType: 'AWS::IAM::Role', ResourceName: roleArn }]);
  assert.ok(Math.abs(Date.parse(event.EventTime) - Date.now()) < 60_000);

  const record = JSON.parse(event.CloudTrailEvent);
  assert.equal(record.eventID, event.EventId);
  assert.equal(record.userIdentity.type, 'IAMUser');
  assert.equal(record.userIdentity.arn, user.arn);
  assert.equal(record.userIdentity.accountId, b.id);
  assert.equal(record.recipientAccountId, b.id);
  assert.equal(record.awsRegion, 'us-west-2');
  assert.equal(record.sourceIPAddress, '127.0.0.1');
  assert.match(record.userAgent, /aws-sdk-js/);
  assert.deepEqual(record.requestParameters, { roleArn, roleSessionName: 'deploy-1', durationSeconds: 900 });
  assert.equal(record.responseElements.credentials.accessKeyId, out.Credentials!.AccessKeyId);
  assert.equal(record.responseElements.assumedRoleUser.arn, out.AssumedRoleUser!.Arn);
  assert.equal(record.errorCode, undefined);
  assert.equal(record.sharedEventID, undefined);
  // The trail says what was issued, never the secrets themselves.
  assert.ok(!event.CloudTrailEvent.includes(out.Credentials!.SessionToken!));
  assert.ok(!event.CloudTrailEvent.includes(out.Credentials!.SecretAccessKey!));

  assert.deepEqual(await eventsFor(a.admin, roleArn), []);
  assert.deepEqual(await eventsFor(c.admin, roleArn), []);
});

test('a cross-account AssumeRole is in both accounts\' trails, as two copies of one event', async () => {
  const user = await userWithKey(ts, a.admin, { policy: allow(['sts:AssumeRole', 'sts:SetSourceIdentity']) });
  const roleArn = await roleIn(b, JSON.stringify({ Version: '2012-10-17', Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${a.id}:root` }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] },
  ] }));
  const out = await ts.sts(user.credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'release', SourceIdentity: 'alice' }));

  const [inRoleAccount] = await eventsFor(b.admin, roleArn);
  const [inCallerAccount] = await eventsFor(a.admin, roleArn);
  assert.ok(inRoleAccount && inCallerAccount);
  assert.notEqual(inRoleAccount.EventId, inCallerAccount.EventId);
  const roleSide = JSON.parse(inRoleAccount.CloudTrailEvent);
  const callerSide = JSON.parse(inCallerAccount.CloudTrailEvent);
  assert.equal(roleSide.recipientAccountId, b.id);
  assert.equal(callerSide.recipientAccountId, a.id);
  assert.ok(roleSide.sharedEventID);
  assert.equal(roleSide.sharedEventID, callerSide.sharedEventID);
  for (const record of [roleSide, callerSide]) {
    assert.equal(record.userIdentity.arn, user.arn);
    assert.equal(record.requestParameters.sourceIdentity, 'alice');
    assert.equal(record.responseElements.sourceIdentity, 'alice');
    assert.equal(record.responseElements.assumedRoleUser.arn, out.AssumedRoleUser!.Arn);
    assert.deepEqual(record.resources, [{ accountId: b.id, type: 'AWS::IAM::Role', ARN: roleArn }]);
  }
  assert.deepEqual(await eventsFor(c.admin, roleArn), []);
});

test('a refused AssumeRole is recorded with AccessDenied and its message on both sides', async () => {
  const user = await userWithKey(ts, a.admin);
  const roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${a.id}:root` }));
  await assert.rejects(ts.sts(user.credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sneaky' })), { name: 'AccessDenied' });

  for (const account of [a, b]) {
    const [event, ...more] = await eventsFor(account.admin, roleArn);
    assert.equal(more.length, 0);
    const record = JSON.parse(event.CloudTrailEvent);
    assert.equal(record.errorCode, 'AccessDenied');
    assert.match(record.errorMessage, new RegExp(`User: ${user.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`));
    assert.equal(record.responseElements, null);
    assert.equal(record.userIdentity.arn, user.arn);
  }
  assert.deepEqual(await eventsFor(c.admin, roleArn), []);
});

test('a service principal\'s AssumeRole names the service and the resource it acted for', async () => {
  const service = 'codecatalyst-runner.amazonaws.com';
  const roleArn = await roleIn(b, trust({ Service: service }));
  const sourceArn = `arn:aws:codecatalyst:us-west-2:${b.id}:workflow/deploy`;
  const iam = ts.server.iam;
  await assumeRole(iam.ctx, iam.authorizer, { kind: 'service', service }, {
    roleArn, roleSessionName: 'run-1', region: 'us-west-2', context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': b.id },
  });

  const { events } = await iam.lookupEvents({ account: b.id, roleArn });
  assert.equal(events.length, 1);
  assert.equal(events[0]!.username, service);
  assert.deepEqual(events[0]!.record.userIdentity, { type: 'AWSService', invokedBy: service });
  assert.equal(events[0]!.record.sourceIPAddress, service);
  assert.deepEqual(events[0]!.record.additionalEventData, { sourceArn, sourceAccount: b.id });
  const [overHttp] = await eventsFor(b.admin, roleArn);
  assert.equal(overHttp.Username, service);
  // A service belongs to no account: only the role's account has the event.
  assert.deepEqual(await eventsFor(a.admin, roleArn), []);
});

test('lookups filter by event name and time, and page newest first', async () => {
  const user = await userWithKey(ts, b.admin, { policy: allow('sts:AssumeRole') });
  const roleArn = await roleIn(b, trust({ AWS: user.arn }));
  for (const name of ['first', 'second', 'third']) await ts.sts(user.credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: name }));

  const sessions: string[] = [];
  let token: string | undefined;
  do {
    const page = await lookup(b.admin, { roleArn, maxResults: '2', ...(token ? { nextToken: token } : {}) });
    assert.equal(page.status, 200);
    assert.ok(page.json.Events.length <= 2);
    sessions.push(...page.json.Events.map((e: any) => JSON.parse(e.CloudTrailEvent).requestParameters.roleSessionName));
    token = page.json.NextToken;
  } while (token);
  assert.deepEqual(sessions, ['third', 'second', 'first']);

  assert.deepEqual((await lookup(b.admin, { roleArn, eventName: 'GetCallerIdentity' })).json.Events, []);
  assert.equal((await lookup(b.admin, { roleArn, eventName: 'AssumeRole' })).json.Events.length, 3);
  assert.deepEqual((await lookup(b.admin, { roleArn, startTime: new Date(Date.now() + 60_000).toISOString() })).json.Events, []);
  assert.equal((await lookup(b.admin, { roleArn, startTime: String(Math.floor(Date.now() / 1000) - 600), endTime: new Date(Date.now() + 60_000).toISOString() })).json.Events.length, 3);

  const invalid: Array<Record<string, string>> = [{ maxResults: '0' }, { maxResults: '51' }, { nextToken: 'garbage' }, { startTime: 'yesterday' }, { startTime: '2030-01-01T00:00:00Z', endTime: '2020-01-01T00:00:00Z' }];
  for (const bad of invalid) {
    const response = await lookup(b.admin, bad);
    assert.equal(response.status, 400, JSON.stringify(bad));
    assert.match(response.json.message, /maxResults|nextToken|time/);
  }
});

test('reading the trail needs cloudtrail:LookupEvents and a request signed for cloudtrail', async () => {
  const nobody = await userWithKey(ts, b.admin);
  const denied = await lookup(nobody.credentials);
  assert.equal(denied.status, 403);
  assert.match(denied.json.message, /cloudtrail:LookupEvents/);

  const auditor = await userWithKey(ts, b.admin, { policy: allow('cloudtrail:LookupEvents') });
  const own = await lookup(auditor.credentials, { maxResults: '50' });
  assert.equal(own.status, 200);
  assert.ok(own.json.Events.length > 0);
  for (const event of own.json.Events) assert.equal(JSON.parse(event.CloudTrailEvent).recipientAccountId, b.id);

  assert.equal((await lookup(auditor.credentials, {}, 'sts')).status, 403);
});
