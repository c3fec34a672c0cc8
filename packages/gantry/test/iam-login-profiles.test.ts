import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateLoginProfileCommand, CreateUserCommand, DeleteLoginProfileCommand, DeleteUserCommand, GetLoginProfileCommand, UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { allow, memberAccount, unique, userWithKey } from './support/iam-fixtures.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

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

const PASSWORD = 'Correct-horse-9';

describe('IAM login profiles (console passwords)', () => {
  test('create, get, update and delete, with IAM’s shapes', async () => {
    const iam = ts.iam(ts.admin);
    const name = unique('pw');
    await iam.send(new CreateUserCommand({ UserName: name }));
    const created = await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
    assert.equal(created.LoginProfile!.UserName, name);
    assert.equal(created.LoginProfile!.PasswordResetRequired, false);
    assert.ok(Math.abs(created.LoginProfile!.CreateDate!.getTime() - Date.now()) < 60_000);
    const got = await iam.send(new GetLoginProfileCommand({ UserName: name }));
    assert.equal(got.LoginProfile!.UserName, name);
    assert.equal(got.LoginProfile!.PasswordResetRequired, false);
    // The response never carries the password or its hash.
    assert.equal(JSON.stringify(got).includes(PASSWORD), false);

    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD })), 'EntityAlreadyExistsException', /already exists/);
    await iam.send(new UpdateLoginProfileCommand({ UserName: name, PasswordResetRequired: true }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: name }))).LoginProfile!.PasswordResetRequired, true);
    await iam.send(new UpdateLoginProfileCommand({ UserName: name, Password: 'Another-pass-7', PasswordResetRequired: false }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: name }))).LoginProfile!.PasswordResetRequired, false);

    // Like IAM, a user with a console password cannot be deleted until the password is.
    await rejects(iam.send(new DeleteUserCommand({ UserName: name })), 'DeleteConflictException', /login profile/);
    await iam.send(new DeleteLoginProfileCommand({ UserName: name }));
    await rejects(iam.send(new GetLoginProfileCommand({ UserName: name })), 'NoSuchEntityException', /Login Profile for User/);
    await rejects(iam.send(new DeleteLoginProfileCommand({ UserName: name })), 'NoSuchEntityException');
    await iam.send(new DeleteUserCommand({ UserName: name }));
  });

  test('a missing user is NoSuchEntity', async () => {
    const iam = ts.iam(ts.admin);
    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: 'no-such-user', Password: PASSWORD })), 'NoSuchEntityException', /cannot be found/);
    await rejects(iam.send(new UpdateLoginProfileCommand({ UserName: 'no-such-user', Password: PASSWORD })), 'NoSuchEntityException');
  });

  test('passwords must meet the default password policy', async () => {
    const iam = ts.iam(ts.admin);
    const name = unique('weak');
    await iam.send(new CreateUserCommand({ UserName: name }));
    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: name, Password: 'Ab1-' })), 'PasswordPolicyViolationException', /minimum length of 8/);
    await rejects(iam.send(new CreateLoginProfileCommand({ UserName: name, Password: 'alllowercase' })), 'PasswordPolicyViolationException', /at least three/);
    await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
    await rejects(iam.send(new UpdateLoginProfileCommand({ UserName: name, Password: 'short' })), 'PasswordPolicyViolationException');
  });

  test('managing passwords is authorised like every IAM action', async () => {
    const member = await memberAccount(ts);
    const target = unique('target');
    await ts.iam(member.admin).send(new CreateUserCommand({ UserName: target }));
    const reader = await userWithKey(ts, member.admin, { policy: allow('iam:GetLoginProfile') });
    await rejects(ts.iam(reader.credentials).send(new CreateLoginProfileCommand({ UserName: target, Password: PASSWORD })), 'AccessDenied', /iam:CreateLoginProfile/);
    // Another account's administrator sees no such user in its own account.
    await rejects(ts.iam(ts.admin).send(new GetLoginProfileCommand({ UserName: target })), 'NoSuchEntityException');
  });
});
