// Cognito identity pools with the real @aws-sdk/client-cognito-identity: guests and signed-in users get IAM role
// sessions of the pool's roles (GetId, GetCredentialsForIdentity), whose policies can name the identity
// (`${cognito-identity.amazonaws.com:sub}`), so one user's credentials cannot read another's private objects.
// Then what a hostile caller would try: forged, expired, other pools' and other accounts' tokens, someone
// else's identity, roles that do not trust the pool, and another account administering the pool.
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CognitoIdentityClient, CreateIdentityPoolCommand, DeleteIdentityPoolCommand, DescribeIdentityPoolCommand, GetCredentialsForIdentityCommand,
  GetIdCommand, GetIdentityPoolRolesCommand, SetIdentityPoolRolesCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand, InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { SecretBox } from '@gantry/core';
import { identityPoolTrustPolicy } from '@gantry/iam';
import { memberAccount, unique } from '../../gantry/test/support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from '../../gantry/test/support/test-server.ts';

const REGION = 'us-west-2';
const PASSWORD = 'Corr3ct-Horse!';
let ts: TestServer;
let bucket: string;

const noCredentials = async (): Promise<never> => {
  throw new Error('identity operations are unsigned');
};
const identity = (credentials?: Credentials) => new CognitoIdentityClient({ endpoint: ts.url, region: REGION, maxAttempts: 1, credentials: credentials ?? noCredentials });
const idp = (credentials?: Credentials) => new CognitoIdentityProviderClient({ endpoint: ts.url, region: REGION, maxAttempts: 1, credentials: credentials ?? noCredentials });
const s3 = (credentials: Credentials) => new S3Client({ endpoint: `${ts.url}/s3`, forcePathStyle: true, region: REGION, maxAttempts: 1, credentials });
const rejectsWith = (promise: Promise<unknown>, name: string, message?: RegExp) =>
  assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });

interface Pool { userPoolId: string; clientId: string; provider: string }
/** A user pool with a client allowing password sign-in; `provider` is its issuer without the scheme. */
async function userPool(admin: Credentials): Promise<Pool> {
  const client = idp(admin);
  const { UserPool } = await client.send(new CreateUserPoolCommand({ PoolName: unique('pool') }));
  const { UserPoolClient } = await client.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
  return { userPoolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId!, provider: `${new URL(ts.url).host}/cognito-idp/${UserPool!.Id}` };
}
/** A confirmed user of the pool, signed in; its id token. */
async function idToken(admin: Credentials, pool: Pool, username: string): Promise<string> {
  const client = idp(admin);
  await client.send(new AdminCreateUserCommand({ UserPoolId: pool.userPoolId, Username: username, TemporaryPassword: 'Temp-Passw0rd!' }));
  await client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: username, Password: PASSWORD, Permanent: true }));
  const signedIn = await idp().send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }));
  return signedIn.AuthenticationResult!.IdToken!;
}
const sessionOf = (c: { AccessKeyId?: string; SecretKey?: string; SessionToken?: string }): Credentials =>
  ({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! });
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

let pool: Pool;
let identityPoolId: string;
let roles: { authenticated: string; unauthenticated: string };
let xToken: string;
let yToken: string;

/** Credentials for a login (or a guest): GetId, then GetCredentialsForIdentity, as aws-amplify does. */
async function credentialsFor(token?: string, poolId = identityPoolId, provider = pool.provider) {
  const logins = token ? { [provider]: token } : undefined;
  const { IdentityId } = await identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));
  const { Credentials: c, IdentityId: returned } = await identity().send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
  assert.equal(returned, IdentityId);
  return { identityId: IdentityId!, credentials: sessionOf(c!), expiration: c!.Expiration! };
}

before(async () => {
  ts = await startTestServer();
  pool = await userPool(ts.admin);
  xToken = await idToken(ts.admin, pool, 'xavier');
  yToken = await idToken(ts.admin, pool, 'yvonne');
  const created = await identity(ts.admin).send(new CreateIdentityPoolCommand({
    IdentityPoolName: 'files', AllowUnauthenticatedIdentities: true,
    CognitoIdentityProviders: [{ ProviderName: pool.provider, ClientId: pool.clientId }],
  }));
  identityPoolId = created.IdentityPoolId!;
  bucket = unique('files').toLowerCase();
  const iam = ts.iam(ts.admin);
  const role = async (amr: 'authenticated' | 'unauthenticated', policy: object) => {
    const name = unique(amr);
    const made = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: identityPoolTrustPolicy(identityPoolId, amr) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'files', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: policy }) }));
    return made.Role!.Arn!;
  };
  roles = {
    authenticated: await role('authenticated', [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [`arn:aws:s3:::${bucket}/private/\${cognito-identity.amazonaws.com:sub}/*`, `arn:aws:s3:::${bucket}/public/*`] },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}`, Condition: { StringLike: { 's3:prefix': ['private/${cognito-identity.amazonaws.com:sub}/*', 'private/${cognito-identity.amazonaws.com:sub}/'] } } },
    ]),
    unauthenticated: await role('unauthenticated', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/public/*` }]),
  };
  await identity(ts.admin).send(new SetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId, Roles: roles }));
  await s3(ts.admin).send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3(ts.admin).send(new PutObjectCommand({ Bucket: bucket, Key: 'public/hello.txt', Body: 'hello' }));
});
after(() => ts.stop());

describe('identity pools hand out role sessions', () => {
  test('the pool is described as created, with its roles', async () => {
    const described = await identity(ts.admin).send(new DescribeIdentityPoolCommand({ IdentityPoolId: identityPoolId }));
    assert.match(identityPoolId, /^us-west-2:[0-9a-f-]{36}$/);
    assert.equal(described.IdentityPoolName, 'files');
    assert.equal(described.AllowUnauthenticatedIdentities, true);
    assert.deepEqual(described.CognitoIdentityProviders, [{ ProviderName: pool.provider, ClientId: pool.clientId, ServerSideTokenCheck: false }]);
    assert.deepEqual((await identity(ts.admin).send(new GetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId }))).Roles, roles);
  });

  test('a guest gets the unauthenticated role: public objects read, nothing written', async () => {
    const guest = await credentialsFor();
    assert.match(guest.identityId, /^us-west-2:[0-9a-f-]{36}$/);
    assert.ok(guest.expiration.getTime() > Date.now() + 50 * 60_000, 'an hour-long session');
    const caller = await ts.sts(guest.credentials).send(new GetCallerIdentityCommand({}));
    assert.match(caller.Arn!, /:assumed-role\/unauthenticated-[\w-]+\/CognitoIdentityCredentials$/);
    const read = await s3(guest.credentials).send(new GetObjectCommand({ Bucket: bucket, Key: 'public/hello.txt' }));
    assert.equal(await read.Body!.transformToString(), 'hello');
    await rejectsWith(s3(guest.credentials).send(new PutObjectCommand({ Bucket: bucket, Key: 'public/graffiti.txt', Body: 'x' })), 'AccessDenied');
    const again = await identity().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId }));
    assert.ok(again.Credentials!.AccessKeyId);
  });

  test('a signed-in user keeps one identity and gets the authenticated role, scoped to its own prefix', async () => {
    const x = await credentialsFor(xToken);
    assert.equal((await credentialsFor(xToken)).identityId, x.identityId, 'the same login is the same identity');
    const caller = await ts.sts(x.credentials).send(new GetCallerIdentityCommand({}));
    assert.match(caller.Arn!, /:assumed-role\/authenticated-[\w-]+\/CognitoIdentityCredentials$/);
    const key = `private/${x.identityId}/notes.txt`;
    await s3(x.credentials).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x only' }));
    assert.equal(await (await s3(x.credentials).send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString(), 'x only');
    const listed = await s3(x.credentials).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `private/${x.identityId}/` }));
    assert.deepEqual(listed.Contents!.map((o) => o.Key), [key]);
  });

  test('user Y\'s credentials cannot read, list or overwrite user X\'s private objects', async () => {
    const x = await credentialsFor(xToken);
    const y = await credentialsFor(yToken);
    assert.notEqual(y.identityId, x.identityId);
    const key = `private/${x.identityId}/secret.txt`;
    await s3(x.credentials).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x secret' }));
    await rejectsWith(s3(y.credentials).send(new GetObjectCommand({ Bucket: bucket, Key: key })), 'AccessDenied');
    await rejectsWith(s3(y.credentials).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'y was here' })), 'AccessDenied');
    await rejectsWith(s3(y.credentials).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `private/${x.identityId}/` })), 'AccessDenied');
    await rejectsWith(s3(y.credentials).send(new ListObjectsV2Command({ Bucket: bucket })), 'AccessDenied');
    assert.equal(await (await s3(x.credentials).send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString(), 'x secret');
  });

  test('nobody takes over another identity: Y\'s token for X\'s identity, or X\'s identity without a token', async () => {
    const x = await credentialsFor(xToken);
    await rejectsWith(identity().send(new GetCredentialsForIdentityCommand({ IdentityId: x.identityId, Logins: { [pool.provider]: yToken } })), 'NotAuthorizedException');
    await rejectsWith(identity().send(new GetCredentialsForIdentityCommand({ IdentityId: x.identityId })), 'NotAuthorizedException');
    await rejectsWith(identity().send(new GetCredentialsForIdentityCommand({ IdentityId: 'us-west-2:00000000-0000-0000-0000-000000000000' })), 'ResourceNotFoundException');
  });
});

describe('tokens that are refused', () => {
  test('a forged token: changed claims, or signed with a key of its own', async () => {
    const [header, , signature] = xToken.split('.');
    const claims = { ...claimsOf(xToken), sub: claimsOf(yToken).sub };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [pool.provider]: tampered } })), 'NotAuthorizedException', /signature/);
    const { privateKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('rsa', { modulusLength: 2048 }));
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const selfSigned = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [pool.provider]: selfSigned } })), 'NotAuthorizedException');
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [pool.provider]: 'not.a.jwt' } })), 'NotAuthorizedException');
  });

  test('an expired token, even one the pool itself signed', async () => {
    // Signed with the pool's own key (read from the server's store), but an hour past its expiry.
    const box = SecretBox.fromKeyFile(join(ts.dataDir, 'master.key'));
    const row = await ts.server.store.db.selectFrom('cognito_user_pools' as any).selectAll().where('id', '=', pool.userPoolId).executeTakeFirstOrThrow() as any;
    const key = createPrivateKey(box.open(row.private_key));
    const claims = { ...claimsOf(xToken), exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 };
    const input = `${Buffer.from(JSON.stringify({ kid: row.key_id, alg: 'RS256' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const expired = `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [pool.provider]: expired } })), 'NotAuthorizedException', /expired/);
    const x = await credentialsFor(xToken);
    await rejectsWith(identity().send(new GetCredentialsForIdentityCommand({ IdentityId: x.identityId, Logins: { [pool.provider]: expired } })), 'NotAuthorizedException', /expired/);
  });

  test('another user pool\'s token, under its own name or the trusted one', async () => {
    const other = await userPool(ts.admin);
    const token = await idToken(ts.admin, other, 'mallory');
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [other.provider]: token } })), 'NotAuthorizedException', /not a provider/);
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [pool.provider]: token } })), 'NotAuthorizedException');
  });

  test('a token of the trusted pool issued to another app client', async () => {
    const { UserPoolClient } = await idp(ts.admin).send(new CreateUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientName: 'other', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
    const signedIn = await idp().send(new InitiateAuthCommand({ ClientId: UserPoolClient!.ClientId!, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'xavier', PASSWORD } }));
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [pool.provider]: signedIn.AuthenticationResult!.IdToken! } })), 'NotAuthorizedException', /app client/);
  });

  test('another account\'s user pool token', async () => {
    const member = await memberAccount(ts);
    const foreign = await userPool(member.admin);
    const token = await idToken(member.admin, foreign, 'eve');
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [foreign.provider]: token } })), 'NotAuthorizedException');
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [pool.provider]: token } })), 'NotAuthorizedException');
  });
});

describe('pools and roles that give nothing', () => {
  test('guests of a pool without guest access, and roles that do not trust the pool', async () => {
    const closed = await identity(ts.admin).send(new CreateIdentityPoolCommand({
      IdentityPoolName: 'closed', AllowUnauthenticatedIdentities: false, CognitoIdentityProviders: [{ ProviderName: pool.provider, ClientId: pool.clientId }],
    }));
    await rejectsWith(identity().send(new GetIdCommand({ IdentityPoolId: closed.IdentityPoolId })), 'NotAuthorizedException', /Unauthenticated access/);
    // The first pool's roles trust that pool only.
    await identity(ts.admin).send(new SetIdentityPoolRolesCommand({ IdentityPoolId: closed.IdentityPoolId, Roles: roles }));
    const logins = { [pool.provider]: xToken };
    const { IdentityId } = await identity().send(new GetIdCommand({ IdentityPoolId: closed.IdentityPoolId, Logins: logins }));
    await rejectsWith(identity().send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins })), 'InvalidParameterException', /trust policy/);
    await identity(ts.admin).send(new DeleteIdentityPoolCommand({ IdentityPoolId: closed.IdentityPoolId }));
    await rejectsWith(identity().send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins })), 'ResourceNotFoundException');
  });

  test('another account neither sees, changes nor deletes the pool, nor hands it its roles', async () => {
    const member = await memberAccount(ts);
    const them = identity(member.admin);
    await rejectsWith(them.send(new DescribeIdentityPoolCommand({ IdentityPoolId: identityPoolId })), 'ResourceNotFoundException');
    await rejectsWith(them.send(new DeleteIdentityPoolCommand({ IdentityPoolId: identityPoolId })), 'ResourceNotFoundException');
    await rejectsWith(them.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId, Roles: {} })), 'ResourceNotFoundException');
    const own = await them.send(new CreateIdentityPoolCommand({ IdentityPoolName: 'theirs', AllowUnauthenticatedIdentities: true }));
    await rejectsWith(them.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: own.IdentityPoolId, Roles: roles })), 'InvalidParameterException', /must be a role of account/);
    assert.equal((await identity(ts.admin).send(new DescribeIdentityPoolCommand({ IdentityPoolId: identityPoolId }))).IdentityPoolName, 'files');
  });
});
