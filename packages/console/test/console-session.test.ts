import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AmplifyClient, ListAppsCommand } from '@aws-sdk/client-amplify';
import { CreateLoginProfileCommand, UpdateLoginProfileCommand } from '@aws-sdk/client-iam';
import { allow, memberAccount, unique, userWithKey } from '../../gantry/test/support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from '../../gantry/test/support/test-server.ts';
import { ConsoleUser } from './support/console-user.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.stop());

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const PASSWORD = 'Console-pass-42';

/** A member account with an administrator user holding a long-term key (what a person signs in with). */
async function accountWithAdminUser(name = unique('acct')) {
  const member = await memberAccount(ts, name);
  const user = await userWithKey(ts, member.admin, { attach: [ADMIN] });
  return { ...member, name, user };
}

async function signedIn(credentials: Credentials): Promise<ConsoleUser> {
  const user = new ConsoleUser(ts.url);
  const response = await user.signInWithKeys(credentials);
  assert.equal(response.status, 200, response.text);
  return user;
}

describe('the console page', () => {
  test('GET / serves the console, with a policy that keeps it to this server', async () => {
    const response = await fetch(ts.url + '/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /text\/html/);
    assert.match(response.headers.get('content-security-policy')!, /default-src 'self'/);
    assert.match(response.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    const html = await response.text();
    const script = /src="(\/_console\/assets\/app\.js\?v=[0-9a-f]+)"/.exec(html);
    assert.ok(script, html);
    const js = await fetch(ts.url + script[1]!, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control')!, /immutable/);
    assert.equal(js.headers.get('content-encoding'), 'gzip');
    // The whole app stays small: the budget for a first load is 300 KB compressed.
    const compressed = Number(js.headers.get('content-length'));
    assert.ok(compressed > 1000 && compressed < 100_000, `app.js is ${compressed} bytes gzipped`);
    // Deep links get the same page; the Query API at / is untouched.
    assert.equal((await fetch(ts.url + '/console/hosting/apps/abc')).status, 200);
    const query = await fetch(ts.url + '/?Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(query.status, 403);
    assert.match(await query.text(), /MissingAuthenticationToken/);
  });

  test('branch-site hosts never get the console', async () => {
    const port = new URL(ts.url).port;
    const response = await rawGet(ts.url, '/', `main.d0123456789.localhost:${port}`);
    assert.equal(response.status, 404);
    assert.doesNotMatch(response.body, /Gantry console/);
    const consoleApi = await rawGet(ts.url, '/_console/session', `main.d0123456789.localhost:${port}`);
    assert.doesNotMatch(consoleApi.body, /ConsoleSessionExpired/);
  });
});

describe('signing in with an access key', () => {
  test('sets an HttpOnly, SameSite=Strict session cookie and keeps the secret on the server', async () => {
    const a = await accountWithAdminUser();
    const user = new ConsoleUser(ts.url);
    const response = await user.signInWithKeys(a.user.credentials, 'us-west-2');
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.account, a.id);
    assert.equal(response.json.arn, a.user.arn);
    assert.equal(response.json.region, 'us-west-2');
    const cookie = user.lastSetCookie!;
    assert.match(cookie, /^gantry-console=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'plain http cannot carry Secure cookies');
    // Nothing the page receives holds a credential.
    assert.doesNotMatch(response.text, /ASIA|AKIA|secret/i);
    const me = await user.request('GET', '/_console/session');
    assert.equal(me.status, 200);
    assert.equal(me.json.account, a.id);
  });

  test('over https the cookie is Secure', async () => {
    const a = await accountWithAdminUser();
    const ca = readFileSync(join(ts.dataDir, 'tls', 'ca.pem'), 'utf8');
    const { status, headers } = await httpsJson(ts.server.httpsUrl, '/_console/session', ca, { method: 'access-key', ...a.user.credentials });
    assert.equal(status, 200);
    assert.match(String(headers['set-cookie']), /; Secure/);
  });

  test('a wrong secret and a wrong key id get the same answer, which does not say which part was wrong', async () => {
    const a = await accountWithAdminUser();
    const wrongSecret = await new ConsoleUser(ts.url).signInWithKeys({ ...a.user.credentials, secretAccessKey: 'x'.repeat(40) });
    const wrongKey = await new ConsoleUser(ts.url).signInWithKeys({ ...a.user.credentials, accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' });
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongSecret.json.message, wrongKey.json.message);
    assert.match(wrongSecret.json.message, /access key ID and secret access key do not match/);
    assert.equal(wrongSecret.headers.get('set-cookie'), null);
  });

  test('temporary credentials cannot start a session', async () => {
    const member = await memberAccount(ts);
    const response = await new ConsoleUser(ts.url).signInWithKeys(member.admin);
    assert.equal(response.status, 401);
    assert.match(response.json.message, /long-term access key/);
  });
});

describe('request forgery', () => {
  test('state-changing requests need the console header and the console’s own Origin', async () => {
    const a = await accountWithAdminUser();
    const noHeader = await new ConsoleUser(ts.url).request('POST', '/_console/session', { body: { method: 'access-key', ...a.user.credentials }, consoleHeader: false });
    assert.equal(noHeader.status, 403);
    assert.match(noHeader.json.message, /x-gantry-console/);
    const user = await signedIn(a.user.credentials);
    const create = { service: 'amplify', region: 'us-west-2', method: 'POST', path: '/apps', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'forged' }) };
    const forgedNoHeader = await user.request('POST', '/_console/call', { body: create, consoleHeader: false });
    assert.equal(forgedNoHeader.status, 403);
    const forgedOrigin = await user.request('POST', '/_console/call', { body: create, origin: 'http://evil.example' });
    assert.equal(forgedOrigin.status, 403);
    assert.match(forgedOrigin.json.message, /own origin/);
    // A hosted site is another origin too, even on the same machine.
    const fromSite = await user.request('POST', '/_console/call', { body: create, origin: `http://main.d0123456789.localhost:${new URL(ts.url).port}` });
    assert.equal(fromSite.status, 403);
    // A sandboxed document has an opaque origin.
    assert.equal((await user.request('POST', '/_console/call', { body: create, origin: 'null' })).status, 403);
    const signOutForged = await user.request('DELETE', '/_console/session', { origin: 'http://evil.example' });
    assert.equal(signOutForged.status, 403);
    // None of it happened: no app, still signed in.
    const apps = await user.call('amplify', 'GET', '/apps');
    assert.equal(apps.status, 200);
    assert.deepEqual(apps.json.apps, []);
  });

  test('the proxy only signs calls to this server’s APIs', async () => {
    const a = await accountWithAdminUser();
    const user = await signedIn(a.user.credentials);
    for (const body of [
      { service: 'amplify', region: 'us-west-2', method: 'GET', path: 'http://169.254.169.254/latest' },
      { service: 'amplify', region: 'us-west-2', method: 'GET', path: '//evil.example/apps' },
      { service: 'amplify', region: 'us-west-2', method: 'POST', path: '/_console/session' },
      { service: 's3', region: 'us-west-2', method: 'GET', path: '/' },
      { service: 'amplify', region: 'nowhere', method: 'GET', path: '/apps' },
    ]) {
      const response = await user.request('POST', '/_console/call', { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.json.code, 'ValidationError');
    }
  });
});

describe('calls through the console are the caller’s own', () => {
  test('account B’s console cannot see or change account A’s apps', async () => {
    const a = await accountWithAdminUser();
    const b = await accountWithAdminUser();
    const consoleA = await signedIn(a.user.credentials);
    const consoleB = await signedIn(b.user.credentials);
    const created = await consoleA.call('amplify', 'POST', '/apps', { body: { name: 'a-site' } });
    assert.equal(created.status, 200, created.text);
    const appId = created.json.app.appId;
    assert.match(created.json.app.appArn, new RegExp(`:${a.id}:apps/`));

    assert.deepEqual((await consoleB.call('amplify', 'GET', '/apps')).json.apps, []);
    const get = await consoleB.call('amplify', 'GET', `/apps/${appId}`);
    assert.equal(get.status, 404);
    assert.equal(get.headers.get('x-amzn-errortype'), 'NotFoundException');
    const update = await consoleB.call('amplify', 'POST', `/apps/${appId}`, { body: { name: 'taken' } });
    assert.equal(update.status, 404);
    const remove = await consoleB.call('amplify', 'DELETE', `/apps/${appId}`);
    assert.equal(remove.status, 404);
    assert.equal((await consoleA.call('amplify', 'GET', `/apps/${appId}`)).json.app.name, 'a-site');
  });

  test('STS answers for the signed-in user, over the Query protocol', async () => {
    const a = await accountWithAdminUser();
    const user = await signedIn(a.user.credentials);
    const identity = await user.call('sts', 'POST', '/', {
      raw: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' },
    });
    assert.equal(identity.status, 200);
    assert.match(identity.text, new RegExp(`<Arn>${a.user.arn}</Arn>`));
    assert.match(identity.headers.get('content-type')!, /xml/);
  });

  test('a user whose policy does not allow amplify:CreateApp gets the API’s AccessDenied', async () => {
    const member = await memberAccount(ts);
    const reader = await userWithKey(ts, member.admin, { policy: allow(['amplify:ListApps', 'amplify:GetApp']) });
    const user = await signedIn(reader.credentials);
    assert.equal((await user.call('amplify', 'GET', '/apps')).status, 200);
    const denied = await user.call('amplify', 'POST', '/apps', { body: { name: 'nope' } });
    assert.equal(denied.status, 403);
    assert.match(denied.json.message, /is not authorized to perform: amplify:CreateApp/);
    assert.match(denied.json.message, new RegExp(reader.arn));
    // An ordinary refusal leaves the session alone.
    assert.equal((await user.call('amplify', 'GET', '/apps')).status, 200);
  });
});

describe('switching role', () => {
  test('a user acts in another account through a role that trusts it, and back', async () => {
    const member = await memberAccount(ts);
    const user = await signedIn(ts.admin);
    const switched = await user.request('POST', '/_console/session/role', { body: { account: member.id, roleName: 'OrganizationAccountAccessRole' } });
    assert.equal(switched.status, 200, switched.text);
    assert.equal(switched.json.account, member.id);
    assert.match(switched.json.arn, new RegExp(`^arn:aws:sts::${member.id}:assumed-role/OrganizationAccountAccessRole/gantry-admin$`));
    assert.equal(switched.json.signedInAs.account, ts.managementAccount);
    assert.doesNotMatch(switched.text, /ASIA/);

    // Calls now land in the member account.
    const created = await user.call('amplify', 'POST', '/apps', { body: { name: 'in-member' } });
    assert.equal(created.status, 200, created.text);
    assert.match(created.json.app.appArn, new RegExp(`:${member.id}:apps/`));
    const memberAmplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: member.admin, maxAttempts: 1 });
    assert.deepEqual((await memberAmplify.send(new ListAppsCommand({}))).apps!.map((app) => app.name), ['in-member']);

    const back = await user.request('DELETE', '/_console/session/role');
    assert.equal(back.status, 200);
    assert.equal(back.json.account, ts.managementAccount);
    assert.equal(back.json.role, undefined);
    const own = await user.call('amplify', 'GET', '/apps');
    assert.equal(own.json.apps.some((a: { name: string }) => a.name === 'in-member'), false);
  });

  test('a role that does not trust the user is refused with STS’s AccessDenied, and the session stays as it was', async () => {
    const a = await accountWithAdminUser();
    const b = await accountWithAdminUser();
    const user = await signedIn(a.user.credentials);
    const refused = await user.request('POST', '/_console/session/role', { body: { account: b.id, roleName: 'OrganizationAccountAccessRole' } });
    assert.equal(refused.status, 403);
    assert.match(refused.json.message, /is not authorized to perform: sts:AssumeRole/);
    assert.equal((await user.request('GET', '/_console/session')).json.account, a.id);
    const noHeader = await user.request('POST', '/_console/session/role', { body: { account: b.id, roleName: 'x' }, consoleHeader: false });
    assert.equal(noHeader.status, 403);
  });
});

describe('sessions end', () => {
  test('signing out ends the session: its cookie is refused afterwards', async () => {
    const a = await accountWithAdminUser();
    const user = await signedIn(a.user.credentials);
    const cookie = user.cookie;
    const stsSessions = () => ts.server.store.db.withTables<{ user_sessions: { account_id: string } }>()
      .selectFrom('user_sessions').select('account_id').where('account_id', '=', a.id).execute();
    assert.equal((await stsSessions()).length, 1);
    const out = await user.signOut();
    // The session's STS credentials are revoked, not left to expire.
    assert.equal((await stsSessions()).length, 0);
    assert.equal(out.status, 204);
    assert.match(user.lastSetCookie!, /Max-Age=0/);
    user.cookie = cookie;
    const call = await user.call('amplify', 'GET', '/apps');
    assert.equal(call.status, 401);
    assert.equal(call.headers.get('x-gantry-console-session'), 'expired');
    assert.equal((await user.request('GET', '/_console/session')).status, 401);
  });

  test('when the STS credentials expire, the console asks to sign in again (REST-JSON and Query APIs alike)', async () => {
    const a = await accountWithAdminUser();
    const restUser = await signedIn(a.user.credentials);
    const queryUser = await signedIn(a.user.credentials);
    assert.equal((await restUser.call('amplify', 'GET', '/apps')).status, 200);
    // Time passes for the sessions' credentials: STS's own expiry is what the edge checks.
    await ts.server.store.db.withTables<{ user_sessions: { account_id: string; expires_at: string } }>()
      .updateTable('user_sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('account_id', '=', a.id).execute();
    ts.server.iam.ctx.changed();
    const expired = await restUser.call('amplify', 'GET', '/apps');
    const expiredQuery = await queryUser.call('sts', 'POST', '/', {
      raw: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' },
    });
    for (const [user, response] of [[restUser, expired], [queryUser, expiredQuery]] as const) {
      assert.equal(response.status, 401, response.text);
      assert.equal(response.headers.get('x-gantry-console-session'), 'expired');
      assert.match(response.json.message, /expired: sign in again/);
      assert.equal((await user.request('GET', '/_console/session')).status, 401);
    }
  });
});

describe('signing in with an IAM user’s password', () => {
  test('by account id or alias; every wrong part gets the same answer', async () => {
    const a = await accountWithAdminUser();
    const name = a.user.arn.split('/').pop()!;
    await ts.iam(a.admin).send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
    for (const account of [a.id, a.name]) {
      const user = new ConsoleUser(ts.url);
      const response = await user.signInWithPassword(account, name, PASSWORD);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.arn, a.user.arn);
      assert.equal(response.json.signInMethod, 'password');
      const apps = await user.call('amplify', 'GET', '/apps');
      assert.equal(apps.status, 200);
    }
    const failures = await Promise.all([
      new ConsoleUser(ts.url).signInWithPassword(a.id, name, 'Wrong-pass-42'),
      new ConsoleUser(ts.url).signInWithPassword(a.id, 'nobody-here', PASSWORD),
      new ConsoleUser(ts.url).signInWithPassword('999999999999', name, PASSWORD),
    ]);
    for (const failure of failures) {
      assert.equal(failure.status, 401);
      assert.equal(failure.json.message, failures[0]!.json.message);
      assert.equal(failure.headers.get('set-cookie'), null);
    }
    assert.match(failures[0]!.json.message, /authentication information is incorrect/);
  });

  test('repeated failures for one user are slowed down, without saying whether the password was right', async () => {
    const a = await accountWithAdminUser();
    const name = a.user.arn.split('/').pop()!;
    await ts.iam(a.admin).send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
    for (let i = 0; i < 5; i++) assert.equal((await new ConsoleUser(ts.url).signInWithPassword(a.id, name, `Wrong-pass-${i}`)).status, 401);
    const throttled = await new ConsoleUser(ts.url).signInWithPassword(a.id, name, PASSWORD);
    assert.equal(throttled.status, 429);
    assert.match(throttled.json.message, /Too many failed sign-in attempts: wait 15 minutes/);
    // Other users are not affected.
    const other = await accountWithAdminUser();
    assert.equal((await new ConsoleUser(ts.url).signInWithKeys(other.user.credentials)).status, 200);
  });

  test('a password that must be reset is refused with a message saying so', async () => {
    const a = await accountWithAdminUser();
    const name = a.user.arn.split('/').pop()!;
    await ts.iam(a.admin).send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD, PasswordResetRequired: true }));
    const response = await new ConsoleUser(ts.url).signInWithPassword(a.id, name, PASSWORD);
    assert.equal(response.status, 401);
    assert.match(response.json.message, /must be reset/);
    await ts.iam(a.admin).send(new UpdateLoginProfileCommand({ UserName: name, PasswordResetRequired: false }));
    assert.equal((await new ConsoleUser(ts.url).signInWithPassword(a.id, name, PASSWORD)).status, 200);
  });
});

function rawGet(base: string, path: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    import('node:http').then(({ request }) => {
      const req = request({ hostname: url.hostname, port: url.port, path, headers: { host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    }, reject);
  });
}

function httpsJson(base: string, path: string, ca: string, body: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(base);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      hostname: url.hostname, port: url.port, path, method: 'POST', ca,
      headers: { 'content-type': 'application/json', 'x-gantry-console': '1', origin: base, 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
