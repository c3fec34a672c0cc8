import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ListAppsCommand, AmplifyClient } from '@aws-sdk/client-amplify';
import { DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { allow, memberAccount, userWithKey } from './support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.stop());

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const temporary = (out: { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } }): Credentials => ({
  accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken!,
});

describe('STS GetSessionToken', () => {
  test('gives an IAM user temporary credentials for 12 hours by default, acting as the user itself', async () => {
    const before = Date.now();
    const out = await ts.sts(ts.admin).send(new GetSessionTokenCommand({}));
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA/);
    assert.ok(out.Credentials!.SecretAccessKey!.length >= 40);
    assert.ok(out.Credentials!.SessionToken!.length > 100);
    const lifetime = out.Credentials!.Expiration!.getTime() - before;
    assert.ok(Math.abs(lifetime - 43_200_000) < 5_000, `expected 12 hours, got ${lifetime} ms`);
    const identity = await ts.sts(temporary(out)).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, `arn:aws:iam::${ts.managementAccount}:user/gantry-admin`);
    assert.equal(identity.Account, ts.managementAccount);
  });

  test('DurationSeconds must be 900 to 129600', async () => {
    await rejects(ts.sts(ts.admin).send(new GetSessionTokenCommand({ DurationSeconds: 899 })), 'ValidationError', /greater than or equal to 900/);
    await rejects(ts.sts(ts.admin).send(new GetSessionTokenCommand({ DurationSeconds: 129_601 })), 'ValidationError', /less than or equal to 129600/);
    const shortest = await ts.sts(ts.admin).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    assert.ok(shortest.Credentials!.Expiration!.getTime() - Date.now() <= 900_000);
    const longest = await ts.sts(ts.admin).send(new GetSessionTokenCommand({ DurationSeconds: 129_600 }));
    assert.ok(longest.Credentials!.Expiration!.getTime() - Date.now() > 129_000_000);
  });

  test('the credentials carry the user’s permissions, no more', async () => {
    const member = await memberAccount(ts);
    const user = await userWithKey(ts, member.admin, { policy: allow('amplify:ListApps') });
    const session = temporary(await ts.sts(user.credentials).send(new GetSessionTokenCommand({ DurationSeconds: 900 })));
    const amplify = (c: Credentials) => new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: c, maxAttempts: 1 });
    assert.deepEqual((await amplify(session).send(new ListAppsCommand({}))).apps, []);
    // The user may not list IAM users, and neither may its session.
    await rejects(ts.iam(session).send(new DeleteUserCommand({ UserName: 'nobody' })), 'AccessDenied', /is not authorized to perform: iam:DeleteUser/);
  });

  test('session credentials cannot get another session token, whether from GetSessionToken or AssumeRole', async () => {
    const session = temporary(await ts.sts(ts.admin).send(new GetSessionTokenCommand({ DurationSeconds: 900 })));
    await rejects(ts.sts(session).send(new GetSessionTokenCommand({})), 'AccessDenied', /Cannot call GetSessionToken with session credentials/);
    const member = await memberAccount(ts);
    await rejects(ts.sts(member.admin).send(new GetSessionTokenCommand({})), 'AccessDenied', /Cannot call GetSessionToken with session credentials/);
  });

  test('a deleted user’s session tokens stop working at once', async () => {
    const member = await memberAccount(ts);
    const user = await userWithKey(ts, member.admin, { policy: allow('amplify:ListApps') });
    const session = temporary(await ts.sts(user.credentials).send(new GetSessionTokenCommand({ DurationSeconds: 900 })));
    await ts.sts(session).send(new GetCallerIdentityCommand({}));
    const name = user.arn.split('/').pop()!;
    const iam = ts.iam(member.admin);
    await iam.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: user.credentials.accessKeyId }));
    await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: 'inline' }));
    await iam.send(new DeleteUserCommand({ UserName: name }));
    await rejects(ts.sts(session).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
  });

  test('a wrong session token is refused', async () => {
    const session = temporary(await ts.sts(ts.admin).send(new GetSessionTokenCommand({ DurationSeconds: 900 })));
    await rejects(ts.sts({ ...session, sessionToken: session.sessionToken!.slice(0, -4) + 'AAAA' }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
  });
});
