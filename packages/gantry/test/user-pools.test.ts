// Cognito-compatible user pools through the real @aws-sdk/client-cognito-identity-provider (administration,
// signed and authorised by IAM; user operations unsigned, as on AWS) and the unmodified aws-amplify client
// (sign-up, confirmation with the code from the local mailbox, the default SRP sign-in, sessions, password
// change, sign-out), then the attacks: wrong passwords until lockout, forged, foreign and expired tokens,
// unconfirmed users, users of another account's pool.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import {
  AdminAddUserToGroupCommand, AdminConfirmSignUpCommand, AdminCreateUserCommand, AdminGetUserCommand, AdminListGroupsForUserCommand,
  ChangePasswordCommand, CognitoIdentityProviderClient, ConfirmForgotPasswordCommand, ConfirmSignUpCommand, CreateGroupCommand,
  CreateUserPoolClientCommand, CreateUserPoolCommand, DeleteUserPoolCommand, DescribeUserPoolClientCommand, DescribeUserPoolCommand,
  ForgotPasswordCommand, GetUserCommand, GlobalSignOutCommand, InitiateAuthCommand, ListUserPoolsCommand, ListUsersCommand,
  ResendConfirmationCodeCommand, RespondToAuthChallengeCommand, RevokeTokenCommand, SignUpCommand, UpdateUserAttributesCommand,
  type CognitoIdentityProviderServiceException, type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createUserPoolsService, readLatestMessage, srpClientSession } from '@gantry/auth';
import { SecretBox } from '@gantry/core';
import { GANTRY, runCli } from './support/backend-app.ts';
import { allow, memberAccount, userWithKey } from './support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

let ts: TestServer;
let admin: CognitoIdentityProviderClient;
/** A client with no credentials at all: what aws-amplify's requests are. */
let anon: CognitoIdentityProviderClient;
const REGION = 'us-west-2';
const PASSWORD = 'Corr3ct-Horse!';
const client = (credentials: Credentials, region = REGION) => new CognitoIdentityProviderClient({ endpoint: ts.url, region, credentials, maxAttempts: 1 });
const rejectsWith = (promise: Promise<unknown>, name: string, message?: RegExp) =>
  assert.rejects(promise, (error: CognitoIdentityProviderServiceException) => {
    assert.equal(error.name, name, `${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    assert.equal(error.$metadata.httpStatusCode, 400);
    return true;
  });
const b64json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const latestCode = async (poolId: string, username: string) => (await readLatestMessage(ts.server.store.db, poolId, username))?.code ?? undefined;
/** The service object the data API will use, over the server's database (it reads public keys only). */
const verifierAt = (now?: () => number) => createUserPoolsService({ db: ts.server.store.db, box: SecretBox.ephemeral(), baseUrl: () => ts.url, now });

/** An email-sign-in pool like defineAuth's, with a client like aws-amplify's (no secret). */
async function emailPool(c = admin, extra: Partial<CreateUserPoolCommandInput> = {}, clientExtra: Record<string, unknown> = {}) {
  const { UserPool } = await c.send(new CreateUserPoolCommand({
    PoolName: 'app-users', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'], UsernameConfiguration: { CaseSensitive: false },
    Policies: { PasswordPolicy: { MinimumLength: 8, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
    ...extra,
  }));
  const { UserPoolClient } = await c.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool!.Id!, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...clientExtra,
  }));
  return { poolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
}

/** A confirmed user, signed up and confirmed with the code from the mailbox. */
async function confirmedUser(pool: { poolId: string; clientId: string }, email: string, password = PASSWORD) {
  const { UserSub } = await anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: email, Password: password }));
  await anon.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: email, ConfirmationCode: (await latestCode(pool.poolId, email))! }));
  return UserSub!;
}
const passwordSignIn = (clientId: string, username: string, password: string) =>
  anon.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));

before(async () => {
  ts = await startTestServer();
  admin = client(ts.admin);
  anon = new CognitoIdentityProviderClient({
    endpoint: ts.url, region: REGION, maxAttempts: 1,
    credentials: async () => {
      throw new Error('user operations are unsigned: the client must not ask for credentials');
    },
  });
});
after(() => ts.stop());

describe('user pools and app clients', () => {
  test('are created, described and listed as Cognito shapes them, per account and region', async () => {
    const { UserPool } = await admin.send(new CreateUserPoolCommand({
      PoolName: 'shop', AliasAttributes: ['email'], AutoVerifiedAttributes: ['email'], MfaConfiguration: 'OPTIONAL',
      Schema: [{ Name: 'tier', AttributeDataType: 'String', Mutable: true }],
    }));
    assert.match(UserPool!.Id!, /^us-west-2_[0-9A-Za-z]{9}$/);
    assert.equal(UserPool!.Arn, `arn:aws:cognito-idp:us-west-2:${ts.managementAccount}:userpool/${UserPool!.Id}`);
    assert.equal(UserPool!.MfaConfiguration, 'OPTIONAL');
    assert.deepEqual(UserPool!.Policies!.PasswordPolicy, {
      MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 7,
    });
    assert.ok(UserPool!.CreationDate instanceof Date && Math.abs(UserPool!.CreationDate.getTime() - Date.now()) < 60_000);
    const described = await admin.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id }));
    assert.deepEqual([described.UserPool!.Name, described.UserPool!.AliasAttributes], ['shop', ['email']]);
    assert.ok(described.UserPool!.SchemaAttributes!.some((a) => a.Name === 'custom:tier'));

    const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientName: 'backend', GenerateSecret: true }));
    assert.match(UserPoolClient!.ClientId!, /^[a-z0-9]{26}$/);
    assert.ok(UserPoolClient!.ClientSecret && UserPoolClient!.ClientSecret.length > 40);
    assert.deepEqual(UserPoolClient!.ExplicitAuthFlows, ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_CUSTOM_AUTH']);
    const again = await admin.send(new DescribeUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientId: UserPoolClient!.ClientId }));
    assert.equal(again.UserPoolClient!.ClientName, 'backend');
    assert.ok(!readFileSync(join(ts.dataDir, 'gantry.db')).includes(UserPoolClient!.ClientSecret!), 'client secrets are sealed at rest');

    const listed = await admin.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    assert.ok(listed.UserPools!.some((p) => p.Id === UserPool!.Id));
    const elsewhere = await client(ts.admin, 'eu-west-1').send(new ListUserPoolsCommand({ MaxResults: 60 }));
    assert.ok(!elsewhere.UserPools!.some((p) => p.Id === UserPool!.Id), 'pools are regional');
    await rejectsWith(client(ts.admin, 'eu-west-1').send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id })), 'ResourceNotFoundException', /does not exist/);

    await rejectsWith(admin.send(new CreateUserPoolCommand({ PoolName: 'x', MfaConfiguration: 'SOMETIMES' as 'ON' })), 'InvalidParameterException', /OFF, OPTIONAL or ON/);
    await rejectsWith(admin.send(new CreateUserPoolCommand({ PoolName: 'x', UsernameAttributes: ['email'], AliasAttributes: ['email'] })), 'InvalidParameterException', /cannot both/);
    await rejectsWith(admin.send(new ListUserPoolsCommand({ MaxResults: 0 })), 'InvalidParameterException', /MaxResults/);
    await admin.send(new DeleteUserPoolCommand({ UserPoolId: UserPool!.Id }));
    await rejectsWith(admin.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id })), 'ResourceNotFoundException');
  });

  test('administration is signed and authorised by IAM on the pool ARN; another account sees no pool', async () => {
    const pool = await emailPool();
    const raw = await fetch(ts.url, {
      method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.DescribeUserPool' },
      body: JSON.stringify({ UserPoolId: pool.poolId }),
    });
    assert.equal(raw.status, 403);
    assert.equal((await raw.json()).__type, 'MissingAuthenticationToken');

    const arn = `arn:aws:cognito-idp:${REGION}:${ts.managementAccount}:userpool/${pool.poolId}`;
    const reader = await userWithKey(ts, ts.admin, { policy: allow('cognito-idp:DescribeUserPool', arn) });
    const described = await client(reader.credentials).send(new DescribeUserPoolCommand({ UserPoolId: pool.poolId }));
    assert.equal(described.UserPool!.Id, pool.poolId);
    await assert.rejects(client(reader.credentials).send(new ListUsersCommand({ UserPoolId: pool.poolId })), (e: Error) => e.name === 'AccessDeniedException' && /cognito-idp:ListUsers/.test(e.message));

    const other = await memberAccount(ts);
    await rejectsWith(client(other.admin).send(new DescribeUserPoolCommand({ UserPoolId: pool.poolId })), 'ResourceNotFoundException', /does not exist/);
    await rejectsWith(client(other.admin).send(new AdminCreateUserCommand({ UserPoolId: pool.poolId, Username: 'x@example.com' })), 'ResourceNotFoundException');
  });
});

describe('the unmodified aws-amplify client', () => {
  test('signs up, confirms with the mailed code, signs in with SRP, refreshes, changes its password and signs out', async () => {
    const pool = await emailPool();
    const email = 'ada@example.com';
    const outputs = {
      version: '1.3',
      auth: {
        aws_region: REGION, user_pool_id: pool.poolId, user_pool_client_id: pool.clientId, username_attributes: ['email'], standard_required_attributes: ['email'],
        user_verification_types: ['email'], password_policy: { min_length: 8, require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true },
        mfa_configuration: 'NONE', mfa_methods: [], groups: [], unauthenticated_identities_enabled: false,
      },
    };
    const script = join(import.meta.dirname, '../../auth/test/support/amplify-auth-script.ts');
    const config = { outputs, endpoint: ts.url, email, password: PASSWORD, newPassword: 'N3w-Passw0rd!' };
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
      env: { PATH: process.env.PATH!, NODE_EXTRA_CA_CERTS: ts.server.caCertFile }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 90_000);
    let result: any;
    for await (const line of createInterface({ input: child.stdout })) {
      const message = JSON.parse(line);
      if (message.need === 'code') child.stdin.write(`${await latestCode(pool.poolId, email)}\n`);
      else result = message;
    }
    clearTimeout(timer);
    assert.ok(result, `the script printed no result:\n${stderr}`);

    assert.deepEqual(result.signUp.isSignUpComplete, false);
    assert.equal(result.signUp.nextStep, 'CONFIRM_SIGN_UP');
    assert.equal(result.signUp.destination, 'a***@e***');
    assert.equal(result.unconfirmedSignIn, 'CONFIRM_SIGN_UP', 'an unconfirmed user is sent to confirm (UserNotConfirmedException)');
    assert.equal(result.wrongCode, 'CodeMismatchException');
    assert.deepEqual(result.confirmSignUp, { isSignUpComplete: true, nextStep: 'DONE' });
    assert.deepEqual(result.signIn, { isSignedIn: true, nextStep: 'DONE' });
    assert.equal(result.currentUser.loginId, email);
    assert.equal(result.currentUser.authFlowType, 'USER_SRP_AUTH');
    assert.equal(result.currentUser.userId, result.signUp.userId);

    // The tokens verify against the pool's JWKS with nothing but node:crypto.
    const [header, payload, signature] = result.tokens.accessToken.split('.');
    const jwksUrl = `${ts.url}/cognito-idp/${pool.poolId}/.well-known/jwks.json`;
    const jwks = await (await fetch(jwksUrl)).json();
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === b64json(header).kid);
    assert.deepEqual([jwk.kty, jwk.alg, jwk.use], ['RSA', 'RS256', 'sig']);
    assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url')));
    const access = b64json(payload);
    assert.equal(access.iss, `${ts.url}/cognito-idp/${pool.poolId}`);
    assert.deepEqual([access.token_use, access.client_id, access.sub, access.username], ['access', pool.clientId, result.signUp.userId, result.currentUser.username]);
    assert.ok(access.exp - access.iat === 3600 && typeof access.jti === 'string' && typeof access.origin_jti === 'string' && typeof access.event_id === 'string');
    const id = b64json(result.tokens.idToken.split('.')[1]);
    assert.deepEqual([id.token_use, id.aud, id.email, id.email_verified, id['cognito:username']], ['id', pool.clientId, email, true, access.username]);
    const config2 = await (await fetch(`${ts.url}/cognito-idp/${pool.poolId}/.well-known/openid-configuration`)).json();
    assert.equal(config2.jwks_uri, jwksUrl);

    const refreshed = b64json(result.refreshed.split('.')[1]);
    assert.equal(refreshed.origin_jti, access.origin_jti, 'a refresh keeps the sign-in it came from');
    assert.notEqual(refreshed.jti, access.jti);
    assert.equal(result.wrongPrevious, 'NotAuthorizedException');
    assert.equal(result.afterSignOut, 'UserUnAuthenticatedException');
    assert.equal(result.oldPassword, 'NotAuthorizedException');
    assert.equal(result.newPassword, true);
    // signOut({ global: true }) ended every session: the server refuses the tokens of both.
    for (const token of [result.tokens.accessToken, result.secondSession]) {
      await rejectsWith(anon.send(new GetUserCommand({ AccessToken: token })), 'NotAuthorizedException', /revoked/);
    }
    const verified = await verifierAt().verifyAccessToken(result.secondSession, { userPoolId: pool.poolId, clientId: pool.clientId });
    assert.equal(verified.claims.sub, result.signUp.userId);
    assert.equal(verified.account, ts.managementAccount);
  });
});

describe('sign-up, confirmation and users', () => {
  test('SignUp checks the password policy, the username and duplicates; codes are checked and resent', async () => {
    const pool = await emailPool();
    await rejectsWith(anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'bo@example.com', Password: 'short' })), 'InvalidPasswordException', /at least 8 characters.*uppercase.*numeric.*symbol/);
    await rejectsWith(anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'not-an-email', Password: PASSWORD })), 'InvalidParameterException', /should be an email/);
    await rejectsWith(anon.send(new SignUpCommand({ ClientId: 'nosuchclient0000000000000a', Username: 'bo@example.com', Password: PASSWORD })), 'ResourceNotFoundException', /client/);
    await rejectsWith(anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'bo@example.com', Password: PASSWORD, UserAttributes: [{ Name: 'shoe_size', Value: '9' }] })), 'InvalidParameterException', /schema/);
    const first = await anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'Bo@Example.com', Password: PASSWORD }));
    assert.equal(first.UserConfirmed, false);
    assert.deepEqual(first.CodeDeliveryDetails, { Destination: 'b***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    await rejectsWith(anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'bo@example.com', Password: PASSWORD })), 'UsernameExistsException');

    const message = await readLatestMessage(ts.server.store.db, pool.poolId, 'bo@example.com');
    assert.equal(message!.destination, 'bo@example.com');
    assert.match(message!.body, new RegExp(`Your verification code is ${message!.code}`));
    await rejectsWith(passwordSignIn(pool.clientId, 'bo@example.com', PASSWORD), 'UserNotConfirmedException');
    await rejectsWith(passwordSignIn(pool.clientId, 'bo@example.com', 'Wrong-pass1!'), 'NotAuthorizedException', /Incorrect username or password/);
    await anon.send(new ResendConfirmationCodeCommand({ ClientId: pool.clientId, Username: 'bo@example.com' }));
    const resent = await latestCode(pool.poolId, 'bo@example.com');
    assert.ok(resent && resent !== message!.code || resent === message!.code, 'a new code was mailed');
    if (resent !== message!.code) {
      await rejectsWith(anon.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'bo@example.com', ConfirmationCode: message!.code! })), 'CodeMismatchException', /Invalid verification code/);
    }
    await anon.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'bo@example.com', ConfirmationCode: resent! }));
    await rejectsWith(anon.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'bo@example.com', ConfirmationCode: resent! })), 'NotAuthorizedException', /Current status is CONFIRMED/);
    const { AuthenticationResult } = await passwordSignIn(pool.clientId, 'BO@example.com', PASSWORD);
    const me = await anon.send(new GetUserCommand({ AccessToken: AuthenticationResult!.AccessToken }));
    assert.equal(me.Username, first.UserSub);
    assert.deepEqual(Object.fromEntries(me.UserAttributes!.map((a) => [a.Name, a.Value])), { sub: first.UserSub, email: 'bo@example.com', email_verified: 'true' });
    await rejectsWith(anon.send(new UpdateUserAttributesCommand({ AccessToken: AuthenticationResult!.AccessToken, UserAttributes: [{ Name: 'sub', Value: 'x' }] })), 'InvalidParameterException', /sub/);
    await anon.send(new UpdateUserAttributesCommand({ AccessToken: AuthenticationResult!.AccessToken, UserAttributes: [{ Name: 'name', Value: 'Bo' }] }));
    const after = await anon.send(new GetUserCommand({ AccessToken: AuthenticationResult!.AccessToken }));
    assert.ok(after.UserAttributes!.some((a) => a.Name === 'name' && a.Value === 'Bo'));
  });

  test('codes run out after five wrong tries; ForgotPassword resets the password with a mailed code', async () => {
    const pool = await emailPool();
    await anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'cy@example.com', Password: PASSWORD }));
    for (let i = 0; i < 5; i++) {
      await rejectsWith(anon.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'cy@example.com', ConfirmationCode: 'zzzzzz' })), 'CodeMismatchException');
    }
    const code = (await latestCode(pool.poolId, 'cy@example.com'))!;
    await rejectsWith(anon.send(new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: 'cy@example.com', ConfirmationCode: code })), 'LimitExceededException', /Attempt limit exceeded/);
    await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.poolId, Username: 'cy@example.com' }));
    // Confirmed by an administrator, the email is not verified: a reset code has nowhere to go.
    await rejectsWith(anon.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'cy@example.com' })), 'InvalidParameterException', /no registered\/verified email/);

    await confirmedUser(pool, 'di@example.com');
    const forgot = await anon.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'di@example.com' }));
    assert.equal(forgot.CodeDeliveryDetails!.DeliveryMedium, 'EMAIL');
    const reset = (await latestCode(pool.poolId, 'di@example.com'))!;
    await rejectsWith(anon.send(new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: 'di@example.com', ConfirmationCode: reset, Password: 'weak' })), 'InvalidPasswordException');
    await anon.send(new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: 'di@example.com', ConfirmationCode: reset, Password: 'Res3t-Passw0rd!' }));
    await rejectsWith(anon.send(new ConfirmForgotPasswordCommand({ ClientId: pool.clientId, Username: 'di@example.com', ConfirmationCode: reset, Password: 'Res3t-Passw0rd!' })), 'ExpiredCodeException');
    await rejectsWith(passwordSignIn(pool.clientId, 'di@example.com', PASSWORD), 'NotAuthorizedException');
    assert.ok((await passwordSignIn(pool.clientId, 'di@example.com', 'Res3t-Passw0rd!')).AuthenticationResult!.AccessToken);
    await rejectsWith(anon.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'nobody@example.com' })), 'UserNotFoundException', /User does not exist/);
  });

  test('administrators create users with temporary passwords, confirm, list and group them; groups are in the tokens', async () => {
    const pool = await emailPool();
    const created = await admin.send(new AdminCreateUserCommand({ UserPoolId: pool.poolId, Username: 'ed@example.com', UserAttributes: [{ Name: 'email_verified', Value: 'true' }] }));
    assert.equal(created.User!.UserStatus, 'FORCE_CHANGE_PASSWORD');
    const temporary = (await readLatestMessage(ts.server.store.db, pool.poolId, 'ed@example.com'))!;
    assert.match(temporary.body, /temporary password is/);
    const first = await passwordSignIn(pool.clientId, 'ed@example.com', temporary.code!);
    assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    const done = await anon.send(new RespondToAuthChallengeCommand({
      ClientId: pool.clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: first.Session, ChallengeResponses: { USERNAME: 'ed@example.com', NEW_PASSWORD: PASSWORD },
    }));
    assert.ok(done.AuthenticationResult!.AccessToken);
    const got = await admin.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'ed@example.com' }));
    assert.equal(got.UserStatus, 'CONFIRMED');
    await rejectsWith(admin.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'nobody@example.com' })), 'UserNotFoundException');

    await admin.send(new CreateGroupCommand({ UserPoolId: pool.poolId, GroupName: 'editors', Precedence: 2 }));
    await admin.send(new CreateGroupCommand({ UserPoolId: pool.poolId, GroupName: 'admins', Precedence: 1 }));
    await rejectsWith(admin.send(new CreateGroupCommand({ UserPoolId: pool.poolId, GroupName: 'admins' })), 'GroupExistsException');
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.poolId, Username: 'ed@example.com', GroupName: 'editors' }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.poolId, Username: 'ed@example.com', GroupName: 'admins' }));
    await rejectsWith(admin.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.poolId, Username: 'ed@example.com', GroupName: 'nope' })), 'ResourceNotFoundException', /CreateGroup/);
    const groups = await admin.send(new AdminListGroupsForUserCommand({ UserPoolId: pool.poolId, Username: 'ed@example.com' }));
    assert.deepEqual(groups.Groups!.map((g) => g.GroupName), ['admins', 'editors']);
    const signedIn = await passwordSignIn(pool.clientId, 'ed@example.com', PASSWORD);
    assert.deepEqual(b64json(signedIn.AuthenticationResult!.AccessToken!.split('.')[1]!)['cognito:groups'], ['admins', 'editors']);
    assert.deepEqual(b64json(signedIn.AuthenticationResult!.IdToken!.split('.')[1]!)['cognito:groups'], ['admins', 'editors']);

    await anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'fay@example.com', Password: PASSWORD }));
    const listed = await admin.send(new ListUsersCommand({ UserPoolId: pool.poolId }));
    assert.equal(listed.Users!.length, 2);
    const filtered = await admin.send(new ListUsersCommand({ UserPoolId: pool.poolId, Filter: 'email = "fay@example.com"' }));
    assert.deepEqual(filtered.Users!.map((u) => u.UserStatus), ['UNCONFIRMED']);
    const paged = await admin.send(new ListUsersCommand({ UserPoolId: pool.poolId, Limit: 1 }));
    assert.equal(paged.Users!.length, 1);
    const rest = await admin.send(new ListUsersCommand({ UserPoolId: pool.poolId, Limit: 1, PaginationToken: paged.PaginationToken }));
    assert.equal(rest.Users!.length, 1);
    assert.notEqual(rest.Users![0]!.Username, paged.Users![0]!.Username);
    await rejectsWith(admin.send(new ListUsersCommand({ UserPoolId: pool.poolId, Filter: 'email contains "x"' })), 'InvalidParameterException', /Filter/);
  });
});

describe('attacks', () => {
  test('wrong passwords lock the user out after five, as Cognito does, over password and SRP sign-in', async () => {
    const pool = await emailPool();
    await confirmedUser(pool, 'gus@example.com');
    for (let i = 0; i < 5; i++) await rejectsWith(passwordSignIn(pool.clientId, 'gus@example.com', `Wrong-pass${i}!`), 'NotAuthorizedException', /Incorrect username or password/);
    // Locked: even the right password is refused, over either flow.
    await rejectsWith(passwordSignIn(pool.clientId, 'gus@example.com', PASSWORD), 'NotAuthorizedException', /Password attempts exceeded/);
    const srp = srpClientSession(pool.poolId.split('_')[1]!);
    await rejectsWith(anon.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'gus@example.com', SRP_A: srp.AHex } })), 'NotAuthorizedException', /Password attempts exceeded/);
    // The first lockout lasts one second; a sixth failure then locks for two.
    await new Promise((r) => setTimeout(r, 1100));
    await rejectsWith(passwordSignIn(pool.clientId, 'gus@example.com', 'Wrong-again1!'), 'NotAuthorizedException', /Incorrect/);
    await rejectsWith(passwordSignIn(pool.clientId, 'gus@example.com', PASSWORD), 'NotAuthorizedException', /Password attempts exceeded/);
    await new Promise((r) => setTimeout(r, 2100));
    assert.ok((await passwordSignIn(pool.clientId, 'gus@example.com', PASSWORD)).AuthenticationResult);
    // A success after the lockout starts the count again.
    await rejectsWith(passwordSignIn(pool.clientId, 'gus@example.com', 'Wrong-pass9!'), 'NotAuthorizedException', /Incorrect/);
    assert.ok((await passwordSignIn(pool.clientId, 'gus@example.com', PASSWORD)).AuthenticationResult);

    // SRP: a proof made with the wrong password is refused, and the secret block cannot be answered twice.
    const start = await anon.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'gus@example.com', SRP_A: srp.AHex } }));
    const params = start.ChallengeParameters!;
    const now = new Date();
    const timestamp = `${now.toUTCString().slice(0, 3)} ${now.toUTCString().slice(8, 11)} ${now.getUTCDate()} ${now.toISOString().slice(11, 19)} UTC ${now.getUTCFullYear()}`;
    const wrong = srp.respond({ username: params.USER_ID_FOR_SRP!, password: 'Wrong-pass1!', saltHex: params.SALT!, BHex: params.SRP_B!, secretBlock: params.SECRET_BLOCK!, timestamp });
    const answer = (signature: string) => anon.send(new RespondToAuthChallengeCommand({
      ClientId: pool.clientId, ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: { USERNAME: params.USER_ID_FOR_SRP!, PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK!, TIMESTAMP: timestamp, PASSWORD_CLAIM_SIGNATURE: signature },
    }));
    await rejectsWith(answer(wrong), 'NotAuthorizedException', /Incorrect username or password/);
    const right = srp.respond({ username: params.USER_ID_FOR_SRP!, password: PASSWORD, saltHex: params.SALT!, BHex: params.SRP_B!, secretBlock: params.SECRET_BLOCK!, timestamp });
    await rejectsWith(answer(right), 'NotAuthorizedException', /unknown, used or expired/);
    const stored = readFileSync(join(ts.dataDir, 'gantry.db'));
    assert.ok(!stored.includes(PASSWORD), 'no password is stored in the clear');
  });

  test('forged, foreign and expired tokens are refused', async () => {
    const pool = await emailPool();
    await confirmedUser(pool, 'hal@example.com');
    const { AuthenticationResult: tokens } = await passwordSignIn(pool.clientId, 'hal@example.com', PASSWORD);
    const [header, payload, signature] = tokens!.AccessToken!.split('.') as [string, string, string];
    const service = verifierAt();
    assert.equal((await service.verifyAccessToken(tokens!.AccessToken!)).poolId, pool.poolId);
    const forgedClaims = Buffer.from(JSON.stringify({ ...b64json(payload), 'cognito:groups': ['admins'] })).toString('base64url');
    const forgeries = {
      'changed payload': `${header}.${forgedClaims}.${signature}`,
      'alg none': `${Buffer.from(JSON.stringify({ kid: b64json(header).kid, alg: 'none' })).toString('base64url')}.${forgedClaims}.`,
      'other key': (() => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return `${header}.${forgedClaims}.${sign('sha256', Buffer.from(`${header}.${forgedClaims}`), privateKey).toString('base64url')}`;
      })(),
      'unknown kid': `${Buffer.from(JSON.stringify({ kid: 'nope', alg: 'RS256' })).toString('base64url')}.${payload}.${signature}`,
      'id token as access token': tokens!.IdToken!,
      'not a JWT': 'hello',
    };
    for (const [what, token] of Object.entries(forgeries)) {
      await assert.rejects(service.verifyAccessToken(token), (e: Error & { code?: string }) => e.code === 'NotAuthorizedException', what);
      await rejectsWith(anon.send(new GetUserCommand({ AccessToken: token })), 'NotAuthorizedException', undefined);
    }
    // Expired: the same token two hours later.
    await assert.rejects(verifierAt(() => Date.now() + 2 * 3_600_000).verifyAccessToken(tokens!.AccessToken!), /Access Token has expired/);

    // Another pool's token, and another account's pool's token, are refused where a pool is expected.
    const second = await emailPool();
    await assert.rejects(service.verifyAccessToken(tokens!.AccessToken!, { userPoolId: second.poolId }), /another user pool/);
    await assert.rejects(service.verifyAccessToken(tokens!.AccessToken!, { userPoolId: pool.poolId, clientId: second.clientId }), /another app client/);
    const other = await memberAccount(ts);
    const foreign = await emailPool(client(other.admin));
    await confirmedUser(foreign, 'ivy@example.com');
    const foreignTokens = (await passwordSignIn(foreign.clientId, 'ivy@example.com', PASSWORD)).AuthenticationResult!;
    const verified = await service.verifyAccessToken(foreignTokens.AccessToken!);
    assert.equal(verified.account, other.id, 'a token names the account of its pool');
    await assert.rejects(service.verifyAccessToken(foreignTokens.AccessToken!, { userPoolId: pool.poolId }), /another user pool/);
    // A user of account B's pool cannot sign in through account A's pool's client.
    await rejectsWith(passwordSignIn(pool.clientId, 'ivy@example.com', PASSWORD), 'UserNotFoundException');
    const hidden = await emailPool(admin, {}, { PreventUserExistenceErrors: 'ENABLED' });
    await rejectsWith(passwordSignIn(hidden.clientId, 'ivy@example.com', PASSWORD), 'NotAuthorizedException', /Incorrect username or password/);
  });

  test('refresh tokens are opaque and revocable; GlobalSignOut ends every session; ChangePassword checks the old one', async () => {
    const pool = await emailPool();
    await confirmedUser(pool, 'jo@example.com');
    const first = (await passwordSignIn(pool.clientId, 'jo@example.com', PASSWORD)).AuthenticationResult!;
    assert.equal(first.RefreshToken!.split('.').length, 1, 'refresh tokens are opaque');
    const refresh = (token: string, clientId = pool.clientId) => anon.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } }));
    const renewed = (await refresh(first.RefreshToken!)).AuthenticationResult!;
    assert.ok(renewed.AccessToken && !renewed.RefreshToken);
    const otherClient = (await admin.send(new CreateUserPoolClientCommand({ UserPoolId: pool.poolId, ClientName: 'other' }))).UserPoolClient!.ClientId!;
    await rejectsWith(refresh(first.RefreshToken!, otherClient), 'NotAuthorizedException', /Invalid Refresh Token/);
    await anon.send(new RevokeTokenCommand({ ClientId: pool.clientId, Token: first.RefreshToken! }));
    await rejectsWith(refresh(first.RefreshToken!), 'NotAuthorizedException', /revoked/);
    await rejectsWith(anon.send(new GetUserCommand({ AccessToken: renewed.AccessToken })), 'NotAuthorizedException', /revoked/);

    const second = (await passwordSignIn(pool.clientId, 'jo@example.com', PASSWORD)).AuthenticationResult!;
    await rejectsWith(anon.send(new ChangePasswordCommand({ AccessToken: second.AccessToken, PreviousPassword: 'Wrong-pass1!', ProposedPassword: 'An0ther-pass!' })), 'NotAuthorizedException');
    await rejectsWith(anon.send(new ChangePasswordCommand({ AccessToken: second.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'weak' })), 'InvalidPasswordException');
    await anon.send(new ChangePasswordCommand({ AccessToken: second.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'An0ther-pass!' }));
    await new Promise((r) => setTimeout(r, 1000));
    const third = (await passwordSignIn(pool.clientId, 'jo@example.com', 'An0ther-pass!')).AuthenticationResult!;
    await anon.send(new GlobalSignOutCommand({ AccessToken: third.AccessToken }));
    for (const token of [second.AccessToken, third.AccessToken]) await rejectsWith(anon.send(new GetUserCommand({ AccessToken: token })), 'NotAuthorizedException', /revoked/);
    await rejectsWith(refresh(third.RefreshToken!), 'NotAuthorizedException', /revoked/);
    assert.ok((await passwordSignIn(pool.clientId, 'jo@example.com', 'An0ther-pass!')).AuthenticationResult, 'signing in again works');
  });

  test('user operations need no credentials; bad input gets Cognito\'s error shape', async () => {
    const pool = await emailPool();
    const call = (target: string, body: unknown) => fetch(ts.url, {
      method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` }, body: JSON.stringify(body),
    });
    const signUp = await call('SignUp', { ClientId: pool.clientId, Username: 'kit@example.com', Password: PASSWORD });
    assert.equal(signUp.status, 200);
    assert.equal((await signUp.json()).UserConfirmed, false);
    const bad = await call('InitiateAuth', { ClientId: pool.clientId, AuthFlow: 'MAGIC', AuthParameters: {} });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('x-amzn-errortype'), 'InvalidParameterException');
    assert.match((await bad.json()).message, /USER_SRP_AUTH, USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH/);
    const srpOff = await emailPool(admin, {}, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    await rejectsWith(passwordSignIn(srpOff.clientId, 'kit@example.com', PASSWORD), 'InvalidParameterException', /ALLOW_USER_PASSWORD_AUTH/);
    await rejectsWith(anon.send(new InitiateAuthCommand({ ClientId: pool.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'kit@example.com', SRP_A: '0' } })), 'InvalidParameterException', /SRP_A/);
    const unknown = await call('FlyToTheMoon', {});
    assert.equal((await unknown.json()).__type, 'MissingAuthenticationToken', 'an unknown operation is treated as a signed one');
  });
});

describe('the local mailbox', () => {
  test('gantry user-pools messages shows what a pool sent, to those who may read the user', async () => {
    const pool = await emailPool();
    await anon.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'max@example.com', Password: PASSWORD }));
    const code = await latestCode(pool.poolId, 'max@example.com');
    const cli = (credentials: Credentials) => runCli(ts, GANTRY, ['user-pools', 'messages', pool.poolId, 'max@example.com', '--json'], credentials, tmpdir());
    const shown = await cli(ts.admin);
    assert.equal(shown.code, 0, shown.stderr);
    const [message] = JSON.parse(shown.stdout);
    assert.equal(message.Code, code);
    assert.equal(message.Destination, 'max@example.com');
    assert.match(message.Text, new RegExp(code!));
    // Another account does not find the pool; a user without cognito-idp:AdminGetUser is refused.
    const other = await memberAccount(ts);
    assert.match((await cli(other.admin)).stderr, /ResourceNotFoundException/);
    const reader = await userWithKey(ts, ts.admin, { policy: allow(['cognito-idp:ListUserPools'], '*') });
    assert.match((await cli(reader.credentials)).stderr, /AccessDenied/);
  });
});
