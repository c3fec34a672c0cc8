// Authenticator-app (TOTP) MFA on Cognito-compatible user pools: set up and verified with the real
// @aws-sdk/client-cognito-identity-provider and with the unmodified aws-amplify client, then asked for at sign-in
// (SOFTWARE_TOKEN_MFA). And the attacks: wrong, replayed and stale codes, a session of another challenge,
// a pool whose MFA is off.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand, AdminGetUserCommand, AdminSetUserMFAPreferenceCommand, AdminSetUserPasswordCommand, AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand, GetUserCommand, InitiateAuthCommand, RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand, VerifySoftwareTokenCommand, type CognitoIdentityProviderServiceException,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { startTestServer, type TestServer } from './support/test-server.ts';

const exec = promisify(execFile);
const REGION = 'us-west-2';
const PASSWORD = 'Corr3ct-Horse!';
let ts: TestServer;
let admin: CognitoIdentityProviderClient;
let anon: CognitoIdentityProviderClient;

const rejectsWith = (promise: Promise<unknown>, name: string) =>
  assert.rejects(promise, (error: CognitoIdentityProviderServiceException) => {
    assert.equal(error.name, name, `${error.name}: ${error.message}`);
    return true;
  });

async function pool(mfa: 'OFF' | 'OPTIONAL') {
  const { UserPool } = await admin.send(new CreateUserPoolCommand({ PoolName: `mfa-${mfa}`, UsernameAttributes: ['email'], MfaConfiguration: mfa }));
  const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: UserPool!.Id!, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  return { poolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
}

async function user(p: { poolId: string }, email: string) {
  await admin.send(new AdminCreateUserCommand({ UserPoolId: p.poolId, Username: email, TemporaryPassword: 'Temp-Passw0rd!' }));
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: p.poolId, Username: email, Password: PASSWORD, Permanent: true }));
}

const passwordSignIn = (clientId: string, email: string) =>
  anon.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }));

/** Sets up an authenticator app for a signed-in user; the app's code generator. */
async function enrol(accessToken: string): Promise<TOTP> {
  const { SecretCode } = await anon.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  assert.match(SecretCode!, /^[A-Z2-7]{32}$/, 'a 20-byte secret, base32');
  const app = new TOTP({ secret: Secret.fromBase32(SecretCode!), digits: 6, period: 30 });
  await rejectsWith(anon.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: '123456' })), 'EnableSoftwareTokenMFAException');
  assert.equal((await anon.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: app.generate(), FriendlyDeviceName: 'phone' }))).Status, 'SUCCESS');
  return app;
}

before(async () => {
  ts = await startTestServer();
  admin = new CognitoIdentityProviderClient({ endpoint: ts.url, region: REGION, credentials: ts.admin, maxAttempts: 1 });
  anon = new CognitoIdentityProviderClient({
    endpoint: ts.url, region: REGION, maxAttempts: 1,
    credentials: async () => {
      throw new Error('user operations are unsigned');
    },
  });
});
after(() => ts.stop());

describe('authenticator-app MFA', () => {
  test('is set up with a verified code, made preferred, and then asked for at every sign-in', async () => {
    const p = await pool('OPTIONAL');
    await user(p, 'tess@example.com');
    const { AuthenticationResult } = await passwordSignIn(p.clientId, 'tess@example.com');
    const app = await enrol(AuthenticationResult!.AccessToken!);
    await anon.send(new SetUserMFAPreferenceCommand({ AccessToken: AuthenticationResult!.AccessToken!, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
    const me = await anon.send(new GetUserCommand({ AccessToken: AuthenticationResult!.AccessToken! }));
    assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
    assert.equal(me.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');

    const challenged = await passwordSignIn(p.clientId, 'tess@example.com');
    assert.equal(challenged.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    assert.equal(challenged.AuthenticationResult, undefined, 'no tokens before the code');
    const answer = (code: string, session = challenged.Session!) => anon.send(new RespondToAuthChallengeCommand({
      ClientId: p.clientId, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: session, ChallengeResponses: { USERNAME: 'tess@example.com', SOFTWARE_TOKEN_MFA_CODE: code },
    }));
    await rejectsWith(answer('000000'), 'CodeMismatchException');
    // The code the setup used cannot sign in again (a replay), a stale one neither; the next step's can.
    await rejectsWith(answer(app.generate()), 'CodeMismatchException');
    await rejectsWith(answer(app.generate({ timestamp: Date.now() - 120_000 })), 'CodeMismatchException');
    const next = app.generate({ timestamp: Date.now() + 30_000 });
    const signedIn = await answer(next);
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
    await rejectsWith(answer(next), 'CodeMismatchException');

    // A session of another challenge, or a forged one, is not an MFA session.
    await rejectsWith(answer(app.generate(), 'not-a-session'), 'NotAuthorizedException');

    // An administrator turns it off; sign-in gives tokens straight away again.
    await admin.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: p.poolId, Username: 'tess@example.com', SoftwareTokenMfaSettings: { Enabled: false } }));
    assert.deepEqual((await admin.send(new AdminGetUserCommand({ UserPoolId: p.poolId, Username: 'tess@example.com' }))).UserMFASettingList, []);
    assert.ok((await passwordSignIn(p.clientId, 'tess@example.com')).AuthenticationResult);
  });

  test('cannot be turned on unverified, or in a pool whose MFA is off', async () => {
    const p = await pool('OPTIONAL');
    await user(p, 'una@example.com');
    const token = (await passwordSignIn(p.clientId, 'una@example.com')).AuthenticationResult!.AccessToken!;
    await anon.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
    await rejectsWith(anon.send(new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true } })), 'InvalidParameterException');

    const off = await pool('OFF');
    await user(off, 'otto@example.com');
    const offToken = (await passwordSignIn(off.clientId, 'otto@example.com')).AuthenticationResult!.AccessToken!;
    await enrol(offToken);
    await rejectsWith(anon.send(new SetUserMFAPreferenceCommand({ AccessToken: offToken, SoftwareTokenMfaSettings: { Enabled: true } })), 'InvalidParameterException');
    assert.ok((await passwordSignIn(off.clientId, 'otto@example.com')).AuthenticationResult, 'no MFA challenge in a pool without MFA');
  });

  test('the unmodified aws-amplify client sets it up and answers CONFIRM_SIGN_IN_WITH_TOTP_CODE', async () => {
    const p = await pool('OPTIONAL');
    await user(p, 'amy@example.com');
    const outputs = {
      version: '1.3',
      auth: {
        aws_region: REGION, user_pool_id: p.poolId, user_pool_client_id: p.clientId, username_attributes: ['email'], standard_required_attributes: ['email'],
        user_verification_types: ['email'], password_policy: { min_length: 8, require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true },
        mfa_configuration: 'OPTIONAL', mfa_methods: ['TOTP'], groups: [], unauthenticated_identities_enabled: false,
      },
    };
    const script = join(import.meta.dirname, '../../auth/test/support/amplify-totp-script.ts');
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', script, JSON.stringify({ outputs, endpoint: ts.url, email: 'amy@example.com', password: PASSWORD })], {
      env: { PATH: process.env.PATH! }, timeout: 60_000,
    }).catch((error) => ({ stdout: String(error.stdout), stderr: `${error.stderr}\n${error.message}` }));
    const last = stdout.trim().split('\n').pop();
    assert.ok(last, `no result:\n${stderr}`);
    const result = JSON.parse(last!);
    // aws-amplify names the account by the id token's cognito:username, JSON-quoted (its own habit).
    assert.match(result.setupUri, /^otpauth:\/\/totp\/GantryTest:%22[0-9a-f-]{36}%22\?secret=[A-Z2-7]{32}&issuer=GantryTest$/);
    assert.deepEqual(result.preference, { enabled: ['TOTP'], preferred: 'TOTP' });
    assert.equal(result.nextStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    assert.equal(result.wrongCode, 'CodeMismatchException');
    assert.deepEqual(result.confirmed, { isSignedIn: true, nextStep: 'DONE' });
  });
});
