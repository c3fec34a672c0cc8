import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { Credentials, TestServer } from './test-server.ts';

let counter = 0;
export const unique = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

/** Creates a member account and returns administrator credentials in it (through OrganizationAccountAccessRole). */
export async function memberAccount(ts: TestServer, name = unique('acct'), regions?: string[]): Promise<{ id: string; admin: Credentials }> {
  const account = await ts.server.iam.createAccount({ name, regions });
  return { id: account.id, admin: await assume(ts, ts.admin, `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`) };
}

export async function assume(ts: TestServer, caller: Credentials, roleArn: string, extra: Record<string, unknown> = {}, region?: string): Promise<Credentials> {
  const out = await ts.sts(caller, region).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test', ...extra }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

/** Creates a user with an access key and, optionally, an inline identity policy or attached managed policies. */
export async function userWithKey(ts: TestServer, accountAdmin: Credentials, options: { policy?: object; attach?: string[]; name?: string } = {}): Promise<{ arn: string; credentials: Credentials }> {
  const iam = ts.iam(accountAdmin);
  const user = await iam.send(new CreateUserCommand({ UserName: options.name ?? unique('user') }));
  const name = user.User!.UserName!;
  if (options.policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(options.policy) }));
  for (const arn of options.attach ?? []) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { arn: user.User!.Arn!, credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! } };
}

export const allow = (action: string | string[], resource: string | string[] = '*') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
});

export const trust = (principal: object, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }] });
