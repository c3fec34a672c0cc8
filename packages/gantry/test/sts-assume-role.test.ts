import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, ListRolesCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { allow, assume, memberAccount, trust, unique, userWithKey } from './support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

let ts: TestServer;
/** Account A holds the callers; account B the roles they try to assume. */
let a: { id: string; admin: Credentials };
let b: { id: string; admin: Credentials };
before(async () => {
  ts = await startTestServer();
  a = await memberAccount(ts, 'caller-acct', ['us-west-2']);
  b = await memberAccount(ts, 'target-acct', ['us-west-2', 'eu-west-1']);
});
after(() => ts.stop());

async function roleIn(account: { admin: Credentials }, trustPolicy: string, options: { attach?: string[]; name?: string } = {}): Promise<string> {
  const iam = ts.iam(account.admin);
  const role = await iam.send(new CreateRoleCommand({ RoleName: options.name ?? unique('target'), AssumeRolePolicyDocument: trustPolicy }));
  for (const arn of options.attach ?? []) await iam.send(new AttachRolePolicyCommand({ RoleName: role.Role!.RoleName, PolicyArn: arn }));
  return role.Role!.Arn!;
}

async function outcome(caller: Credentials, roleArn: string, extra: Record<string, unknown> = {}): Promise<string> {
  try {
    await ts.sts(caller).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'truth', ...extra }));
    return 'Allowed';
  } catch (error: any) {
    return error.name;
  }
}

describe('cross-account AssumeRole truth table', () => {
  // trust names: the caller's ARN, the caller's account root, someone else; identity policy allows or not; explicit deny.
  const rows: Array<{ trustNames: 'caller' | 'account' | 'other'; identity: 'allow' | 'none' | 'deny'; expect: string }> = [
    { trustNames: 'caller', identity: 'allow', expect: 'Allowed' },
    { trustNames: 'caller', identity: 'none', expect: 'AccessDenied' },
    { trustNames: 'caller', identity: 'deny', expect: 'AccessDenied' },
    { trustNames: 'account', identity: 'allow', expect: 'Allowed' },
    { trustNames: 'account', identity: 'none', expect: 'AccessDenied' },
    { trustNames: 'account', identity: 'deny', expect: 'AccessDenied' },
    { trustNames: 'other', identity: 'allow', expect: 'AccessDenied' },
    { trustNames: 'other', identity: 'none', expect: 'AccessDenied' },
  ];
  for (const row of rows) {
    test(`trust names ${row.trustNames}, identity policy ${row.identity} → ${row.expect}`, async () => {
      const policy = row.identity === 'allow' ? allow('sts:AssumeRole')
        : row.identity === 'deny' ? { Version: '2012-10-17', Statement: [allow('sts:AssumeRole').Statement[0], { Effect: 'Deny', Action: 'sts:*', Resource: '*' }] }
        : undefined;
      const caller = await userWithKey(ts, a.admin, { policy });
      const principal = row.trustNames === 'caller' ? caller.arn : row.trustNames === 'account' ? `arn:aws:iam::${a.id}:root` : `arn:aws:iam::${ts.managementAccount}:root`;
      const roleArn = await roleIn(b, trust({ AWS: principal }));
      assert.equal(await outcome(caller.credentials, roleArn), row.expect);
    });
  }

  test('trust naming a bare account id works like its root ARN', async () => {
    const caller = await userWithKey(ts, a.admin, { policy: allow('sts:AssumeRole') });
    assert.equal(await outcome(caller.credentials, await roleIn(b, trust({ AWS: a.id }))), 'Allowed');
  });

  test('an explicit deny in the trust policy wins over an allow', async () => {
    const caller = await userWithKey(ts, a.admin, { policy: allow('sts:AssumeRole') });
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${a.id}:root` }, Action: 'sts:AssumeRole' },
      { Effect: 'Deny', Principal: { AWS: caller.arn }, Action: 'sts:AssumeRole' },
    ] });
    assert.equal(await outcome(caller.credentials, await roleIn(b, doc)), 'AccessDenied');
  });

  test('same account: trust naming the caller is enough without an identity policy', async () => {
    const caller = await userWithKey(ts, b.admin);
    assert.equal(await outcome(caller.credentials, await roleIn(b, trust({ AWS: caller.arn }))), 'Allowed');
  });

  test('same account: trust naming the account root still needs the identity policy', async () => {
    const caller = await userWithKey(ts, b.admin);
    assert.equal(await outcome(caller.credentials, await roleIn(b, trust({ AWS: `arn:aws:iam::${b.id}:root` }))), 'AccessDenied');
  });

  test('a role that does not exist answers AccessDenied, so roles cannot be probed', async () => {
    const caller = await userWithKey(ts, a.admin, { policy: allow('sts:AssumeRole') });
    assert.equal(await outcome(caller.credentials, `arn:aws:iam::${b.id}:role/does-not-exist`), 'AccessDenied');
  });

  test('the AccessDenied message names the caller, the action and the role', async () => {
    const caller = await userWithKey(ts, a.admin);
    const roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${a.id}:root` }));
    await assert.rejects(ts.sts(caller.credentials).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1' })), (e: any) => {
      assert.equal(e.$metadata.httpStatusCode, 403);
      assert.match(e.message, new RegExp(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`));
      return true;
    });
  });
});

describe('ExternalId', () => {
  let caller: { arn: string; credentials: Credentials };
  let roleArn: string;
  before(async () => {
    caller = await userWithKey(ts, a.admin, { policy: allow('sts:AssumeRole') });
    roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${a.id}:root` }, { Condition: { StringEquals: { 'sts:ExternalId': 'shared-secret-42' } } }));
  });
  test('present and right → allowed', async () => assert.equal(await outcome(caller.credentials, roleArn, { ExternalId: 'shared-secret-42' }), 'Allowed'));
  test('absent → denied', async () => assert.equal(await outcome(caller.credentials, roleArn), 'AccessDenied'));
  test('wrong → denied', async () => assert.equal(await outcome(caller.credentials, roleArn, { ExternalId: 'guess-1234' }), 'AccessDenied'));
});

describe('sessions', () => {
  test('credentials act as the role in the role account; GetCallerIdentity shows the session', async () => {
    const roleName = unique('ops');
    const roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }), { name: roleName, attach: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    const out = await ts.sts(ts.admin).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'alice', DurationSeconds: 900 }));
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA/);
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${b.id}:assumed-role/${roleName}/alice`);
    assert.ok(Math.abs(out.Credentials!.Expiration!.getTime() - Date.now() - 900_000) < 5000);
    const creds = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    const id = await ts.sts(creds).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, b.id);
    assert.equal(id.UserId, `${out.AssumedRoleUser!.AssumedRoleId}`);
    // ReadOnlyAccess: reading allowed, writing denied.
    await ts.iam(creds).send(new GetRoleCommand({ RoleName: roleName }));
    await assert.rejects(ts.iam(creds).send(new CreateRoleCommand({ RoleName: unique('nope'), AssumeRolePolicyDocument: trust({ AWS: b.id }) })), { name: 'AccessDenied' });
  });

  test('a wrong session token is an invalid token; an expired session is ExpiredToken', async () => {
    const roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }), { attach: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    const creds = await assume(ts, ts.admin, roleArn);
    await assert.rejects(ts.sts({ ...creds, sessionToken: creds.sessionToken!.slice(0, -4) + 'AAAA' }).send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
    await ts.server.store.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('access_key_id', '=', creds.accessKeyId).execute();
    ts.server.iam.ctx.changed();
    await assert.rejects(ts.sts(creds).send(new GetCallerIdentityCommand({})), (e: any) => {
      assert.equal(e.name, 'ExpiredToken');
      assert.equal(e.$metadata.httpStatusCode, 400);
      return true;
    });
  });

  test('DurationSeconds above the role maximum, and role chaining past one hour, are refused', async () => {
    const roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }), { attach: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    assert.equal(await outcome(ts.admin, roleArn, { DurationSeconds: 7200 }), 'ValidationError');
    const first = await assume(ts, ts.admin, roleArn);
    const second = await roleIn(b, trust({ AWS: `arn:aws:iam::${b.id}:root` }));
    assert.equal(await outcome(first, second, { DurationSeconds: 3601 }), 'ValidationError');
    assert.equal(await outcome(first, second, { DurationSeconds: 3600 }), 'Allowed');
  });

  test('session policies intersect with the role policies', async () => {
    const roleName = unique('wide');
    const roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }), { name: roleName, attach: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    const narrowed = await assume(ts, ts.admin, roleArn, { Policy: JSON.stringify(allow('iam:GetRole')) });
    await ts.iam(narrowed).send(new GetRoleCommand({ RoleName: roleName }));
    await assert.rejects(ts.iam(narrowed).send(new ListRolesCommand({})), { name: 'AccessDenied' });
    const byArn = await assume(ts, ts.admin, roleArn, { PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });
    await ts.iam(byArn).send(new ListRolesCommand({}));
    await assert.rejects(ts.iam(byArn).send(new PutUserPolicyCommand({ UserName: 'x', PolicyName: 'y', PolicyDocument: JSON.stringify(allow('s3:*')) })), { name: 'AccessDenied' });
  });

  test('session tags need sts:TagSession in the trust policy', async () => {
    const plain = await roleIn(b, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }));
    assert.equal(await outcome(ts.admin, plain, { Tags: [{ Key: 'team', Value: 'web' }] }), 'AccessDenied');
    const tagging = await roleIn(b, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ts.managementAccount}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] }));
    assert.equal(await outcome(ts.admin, tagging, { Tags: [{ Key: 'team', Value: 'web' }] }), 'Allowed');
  });

  test('SourceIdentity needs sts:SetSourceIdentity in the trust policy and is returned', async () => {
    const plain = await roleIn(b, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }));
    assert.equal(await outcome(ts.admin, plain, { SourceIdentity: 'alice' }), 'AccessDenied');
    const setting = await roleIn(b, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ts.managementAccount}:root` }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }] }));
    const out = await ts.sts(ts.admin).send(new AssumeRoleCommand({ RoleArn: setting, RoleSessionName: 'src', SourceIdentity: 'alice' }));
    assert.equal(out.SourceIdentity, 'alice');
  });

  test('a region the role account is not enabled for is refused', async () => {
    const roleArn = await roleIn(a, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }));
    await assert.rejects(ts.sts(ts.admin, 'af-south-1').send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'r1' })), { name: 'RegionDisabledException' });
    await ts.sts(ts.admin, 'us-west-2').send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'r1' }));
  });

  test('invalid parameters are ValidationErrors naming the field', async () => {
    const roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }));
    await assert.rejects(ts.sts(ts.admin).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bad name!' })), /roleSessionName/);
    await assert.rejects(ts.sts(ts.admin).send(new AssumeRoleCommand({ RoleArn: 'not-an-arn-at-all-x', RoleSessionName: 'ok' })), { name: 'ValidationError' });
  });
});

describe('a role holding only AmplifyBackendDeployFullAccess', () => {
  const DEPLOY = 'arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess';
  let deployer: Credentials;
  let cdkRoleB: string;
  let cdkRoleA: string;
  before(async () => {
    const roleArn = await roleIn(b, trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }), { attach: [DEPLOY] });
    deployer = await assume(ts, ts.admin, roleArn);
    // The bootstrap deploy roles trust their own account, as cdk bootstrap makes them.
    cdkRoleB = await roleIn(b, trust({ AWS: `arn:aws:iam::${b.id}:root` }), { name: `cdk-hnb659fds-deploy-role-${b.id}-us-west-2` });
    cdkRoleA = await roleIn(a, trust({ AWS: `arn:aws:iam::${b.id}:root` }), { name: `cdk-hnb659fds-deploy-role-${a.id}-us-west-2` });
  });
  test('may assume the CDK deploy role of its own account (statement CDKDeploy)', async () => {
    assert.equal(await outcome(deployer, cdkRoleB), 'Allowed');
  });
  test('may not assume a CDK deploy role in another account (aws:ResourceAccount ≠ aws:PrincipalAccount)', async () => {
    assert.equal(await outcome(deployer, cdkRoleA), 'AccessDenied');
  });
  test('may not assume roles outside the cdk-*-deploy-role pattern', async () => {
    assert.equal(await outcome(deployer, await roleIn(b, trust({ AWS: `arn:aws:iam::${b.id}:root` }))), 'AccessDenied');
  });
  test('may not call IAM at all', async () => {
    await assert.rejects(ts.iam(deployer).send(new ListRolesCommand({})), { name: 'AccessDenied' });
    await assert.rejects(ts.iam(deployer).send(new CreateRoleCommand({ RoleName: unique('x'), AssumeRolePolicyDocument: trust({ AWS: b.id }) })), { name: 'AccessDenied' });
  });
});
