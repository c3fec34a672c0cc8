// A backend with defineAuth and user-pool rules, deployed by the real `ampx pipeline-deploy`: the deploy makes a
// working user pool (web client, groups), and the data API enforces owner, group, authenticated and
// field-level rules on queries, mutations and subscriptions, for users signed in with SRP. Then what a hostile
// user, or another account, would try: other users' items, ownership handed over, forged and foreign tokens.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  AdminAddUserToGroupCommand, AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient, CreateUserPoolClientCommand,
  CreateUserPoolCommand, DescribeUserPoolClientCommand, DescribeUserPoolCommand, InitiateAuthCommand, ListGroupsCommand, RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { srpClientSession } from '@gantry/auth';
import WebSocket from 'ws';
import { AMPX, prepareTodoApp, runCli } from './support/backend-app.ts';
import { memberAccount } from './support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

const exec = promisify(execFile);
const REGION = 'us-west-2';
const PASSWORD = 'Corr3ct-Horse!';

let ts: TestServer;
let outputs: any;
let graphqlUrl: string;
interface User { email: string; sub: string; username: string; token: string; owner: string }
const users: Record<'alice' | 'bob' | 'root' | 'ed', User> = {} as never;

const cognito = (credentials?: Credentials) => new CognitoIdentityProviderClient({
  endpoint: ts.url, region: REGION, maxAttempts: 1,
  credentials: credentials ?? (async () => {
    throw new Error('user operations are unsigned');
  }),
});

/** A confirmed user of the pool, signed in with SRP through the web client as aws-amplify does; its access token. */
async function signedInUser(email: string, groups: string[] = []): Promise<User> {
  const admin = cognito(ts.admin);
  const poolId = outputs.auth.user_pool_id as string;
  await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email, TemporaryPassword: 'Temp-Passw0rd!', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: email, Password: PASSWORD, Permanent: true }));
  for (const group of groups) await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: email, GroupName: group }));
  return signIn(poolId, outputs.auth.user_pool_client_id, email);
}

async function signIn(poolId: string, clientId: string, email: string): Promise<User> {
  const anon = cognito();
  const srp = srpClientSession(poolId.split('_')[1]!);
  const started = await anon.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: email, SRP_A: srp.AHex } }));
  const p = started.ChallengeParameters!;
  // Cognito's form: `Mon Dec 7 17:52:43 UTC 2026`.
  const now = new Date();
  const timestamp = `${now.toUTCString().slice(0, 3)} ${now.toUTCString().slice(8, 11)} ${now.getUTCDate()} ${now.toISOString().slice(11, 19)} UTC ${now.getUTCFullYear()}`;
  const signature = srp.respond({ username: p.USER_ID_FOR_SRP!, password: PASSWORD, saltHex: p.SALT!, BHex: p.SRP_B!, secretBlock: p.SECRET_BLOCK!, timestamp });
  const done = await anon.send(new RespondToAuthChallengeCommand({
    ClientId: clientId, ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP!, PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK!, PASSWORD_CLAIM_SIGNATURE: signature, TIMESTAMP: timestamp },
  }));
  const token = done.AuthenticationResult!.AccessToken!;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  return { email, sub: claims.sub, username: claims.username, token, owner: `${claims.sub}::${claims.username}` };
}

/** A GraphQL request as a client makes it: the user's token in Authorization, or the API key. */
async function gql(as: User | 'apiKey' | Record<string, string>, query: string, variables: Record<string, unknown> = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (as === 'apiKey') headers['x-api-key'] = outputs.data.api_key;
  else if ('token' in as) headers.authorization = as.token as string;
  else Object.assign(headers, as);
  const res = await fetch(graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as any };
}
const errorTypes = (body: any): string[] => (body.errors ?? []).map((e: any) => e.errorType);

const CREATE_NOTE = 'mutation ($input: CreateNoteInput!) { createNote(input: $input) { id body owner } }';
const GET_NOTE = 'query ($id: ID!) { getNote(id: $id) { id body owner } }';
const LIST_NOTES = '{ listNotes { items { id body owner } } }';

before(async () => {
  ts = await startTestServer();
  const { appDir, deployer } = await prepareTodoApp(ts, 'notes-app');
  const deployed = await runCli(ts, AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'notes1'], deployer, appDir, { CI: '1' });
  assert.equal(deployed.code, 0, deployed.stderr);
  outputs = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
  // The data API answers on both listeners; plain HTTP spares the test the local CA.
  graphqlUrl = outputs.data.url.replace(ts.server.httpsUrl, ts.url);
  users.alice = await signedInUser('alice@example.com');
  users.bob = await signedInUser('bob@example.com');
  users.root = await signedInUser('root@example.com', ['Admins']);
  users.ed = await signedInUser('ed@example.com', ['Editors']);
});
after(() => ts.stop());

describe('defineAuth deploys a working user pool', () => {
  test('the outputs name a real pool with Amplify\'s web client and the declared groups', async () => {
    const admin = cognito(ts.admin);
    const { UserPool } = await admin.send(new DescribeUserPoolCommand({ UserPoolId: outputs.auth.user_pool_id }));
    assert.deepEqual(UserPool!.UsernameAttributes, ['email']);
    assert.deepEqual(UserPool!.AutoVerifiedAttributes, ['email']);
    assert.equal(UserPool!.UsernameConfiguration!.CaseSensitive, false);
    const { UserPoolClient } = await admin.send(new DescribeUserPoolClientCommand({ UserPoolId: outputs.auth.user_pool_id, ClientId: outputs.auth.user_pool_client_id }));
    assert.deepEqual(UserPoolClient!.ExplicitAuthFlows!.sort(), ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
    assert.equal(UserPoolClient!.ClientSecret, undefined);
    const { Groups } = await admin.send(new ListGroupsCommand({ UserPoolId: outputs.auth.user_pool_id }));
    assert.deepEqual(Groups!.map((g) => [g.GroupName, g.Precedence]), [['Admins', 0], ['Editors', 1]]);
    assert.deepEqual(outputs.auth.groups, [{ Admins: { precedence: 0 } }, { Editors: { precedence: 1 } }]);
    assert.equal(outputs.data.default_authorization_type, 'AMAZON_COGNITO_USER_POOLS');
    assert.ok(outputs.data.authorization_types.includes('API_KEY'));
  });

  test('a second deploy keeps the pool and its users', async () => {
    const { appDir, deployer } = await prepareTodoApp(ts, 'notes-app');
    const again = await runCli(ts, AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'notes1'], deployer, appDir, { CI: '1' });
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(readFileSync(join(appDir, 'amplify_outputs.json'), 'utf8'));
    assert.equal(second.auth.user_pool_id, outputs.auth.user_pool_id);
    assert.equal(second.auth.user_pool_client_id, outputs.auth.user_pool_client_id);
    assert.ok((await signIn(outputs.auth.user_pool_id, outputs.auth.user_pool_client_id, 'alice@example.com')).token);
  });
});

describe('owner rules', () => {
  test('a create is owned by its author, and others neither list, read, change nor delete it', async () => {
    const { alice, bob } = users;
    const created = await gql(alice, CREATE_NOTE, { input: { body: 'alice private' } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const note = created.body.data.createNote;
    assert.equal(note.owner, alice.owner, 'the owner is <sub>::<username>, as Gen 2 writes it');

    assert.equal((await gql(alice, GET_NOTE, { id: note.id })).body.data.getNote.body, 'alice private');
    assert.ok((await gql(alice, LIST_NOTES)).body.data.listNotes.items.some((n: any) => n.id === note.id));
    assert.ok(!(await gql(bob, LIST_NOTES)).body.data.listNotes.items.some((n: any) => n.id === note.id), 'bob\'s list is his own notes');

    const read = await gql(bob, GET_NOTE, { id: note.id });
    assert.equal(read.body.data.getNote, null);
    assert.deepEqual(errorTypes(read.body), ['Unauthorized']);
    const changed = await gql(bob, 'mutation ($input: UpdateNoteInput!) { updateNote(input: $input) { id } }', { input: { id: note.id, body: 'bob was here' } });
    assert.deepEqual(errorTypes(changed.body), ['Unauthorized']);
    const deleted = await gql(bob, 'mutation ($input: DeleteNoteInput!) { deleteNote(input: $input) { id } }', { input: { id: note.id } });
    assert.deepEqual(errorTypes(deleted.body), ['Unauthorized']);
    assert.equal((await gql(alice, GET_NOTE, { id: note.id })).body.data.getNote.body, 'alice private', 'nothing changed');
  });

  test('nobody writes in another user\'s name or hands an item over', async () => {
    const { alice, bob } = users;
    const forged = await gql(bob, CREATE_NOTE, { input: { body: 'framed', owner: alice.owner } });
    assert.deepEqual(errorTypes(forged.body), ['Unauthorized']);
    const mine = (await gql(alice, CREATE_NOTE, { input: { body: 'keep' } })).body.data.createNote;
    const handOver = await gql(alice, 'mutation ($input: UpdateNoteInput!) { updateNote(input: $input) { id owner } }', { input: { id: mine.id, owner: bob.owner } });
    assert.deepEqual(errorTypes(handOver.body), ['Unauthorized']);
    assert.equal((await gql(alice, GET_NOTE, { id: mine.id })).body.data.getNote.owner, alice.owner);
  });

  test('a group rule grants its operations on every item, and no others', async () => {
    const { bob, root } = users;
    const note = (await gql(bob, CREATE_NOTE, { input: { body: 'bob\'s' } })).body.data.createNote;
    assert.equal((await gql(root, GET_NOTE, { id: note.id })).body.data.getNote.body, 'bob\'s');
    assert.ok((await gql(root, LIST_NOTES)).body.data.listNotes.items.length >= 3, 'an admin lists everyone\'s notes');
    const update = await gql(root, 'mutation ($input: UpdateNoteInput!) { updateNote(input: $input) { id } }', { input: { id: note.id, body: 'edited by admin' } });
    assert.deepEqual(errorTypes(update.body), ['Unauthorized'], 'Admins may read and delete, not update');
    const removed = await gql(root, 'mutation ($input: DeleteNoteInput!) { deleteNote(input: $input) { id } }', { input: { id: note.id } });
    assert.equal(removed.body.data.deleteNote.id, note.id);
  });

  test('a field with its own owner rule is hidden from everyone else, even readers of the item', async () => {
    const { alice, root } = users;
    const note = (await gql(alice, 'mutation ($input: CreateNoteInput!) { createNote(input: $input) { id draft } }', { input: { body: 'b', draft: 'not yet' } })).body.data.createNote;
    assert.equal(note.draft, 'not yet');
    const asAdmin = await gql(root, 'query ($id: ID!) { getNote(id: $id) { id body draft } }', { id: note.id });
    assert.equal(asAdmin.body.data.getNote.body, 'b');
    assert.equal(asAdmin.body.data.getNote.draft, null);
    assert.deepEqual(errorTypes(asAdmin.body), ['Unauthorized']);
    assert.match(asAdmin.body.errors[0].message, /Not Authorized to access draft on type Note/);
  });

  test('ownersDefinedIn shares an item between the users its field lists', async () => {
    const { alice, bob, ed } = users;
    const doc = (await gql(alice, 'mutation ($input: CreateDocInput!) { createDoc(input: $input) { id authors } }', { input: { title: 'shared', authors: [alice.owner, bob.owner] } })).body.data.createDoc;
    assert.equal((await gql(bob, 'query ($id: ID!) { getDoc(id: $id) { title } }', { id: doc.id })).body.data.getDoc.title, 'shared');
    assert.equal((await gql(bob, 'mutation ($input: UpdateDocInput!) { updateDoc(input: $input) { title } }', { input: { id: doc.id, title: 'edited' } })).body.data.updateDoc.title, 'edited');
    assert.deepEqual(errorTypes((await gql(ed, 'query ($id: ID!) { getDoc(id: $id) { title } }', { id: doc.id })).body), ['Unauthorized']);
    const own = (await gql(ed, 'mutation ($input: CreateDocInput!) { createDoc(input: $input) { authors } }', { input: { title: 'mine' } })).body.data.createDoc;
    assert.deepEqual(own.authors, [ed.owner], 'an empty owners field gets the author');
  });
});

describe('authenticated and group rules, and several authorization modes', () => {
  test('every signed-in user reads boards; only editors write them', async () => {
    const { alice, ed } = users;
    const made = await gql(ed, 'mutation { createBoard(input: { title: "news" }) { id title } }');
    assert.equal(made.body.data.createBoard.title, 'news');
    assert.ok((await gql(alice, '{ listBoards { items { title } } }')).body.data.listBoards.items.some((b: any) => b.title === 'news'));
    assert.deepEqual(errorTypes((await gql(alice, 'mutation { createBoard(input: { title: "mine" }) { id } }')).body), ['Unauthorized']);
  });

  test('each model answers only the modes its rules name', async () => {
    const todo = await gql('apiKey', 'mutation { createTodo(input: { content: "public" }) { id content } }');
    assert.equal(todo.body.data.createTodo.content, 'public');
    assert.deepEqual(errorTypes((await gql('apiKey', LIST_NOTES)).body), ['Unauthorized'], 'no API-key rule on Note');
    assert.deepEqual(errorTypes((await gql(users.alice, '{ listTodos { items { id } } }')).body), ['Unauthorized'], 'no user-pool rule on Todo');
  });
});

describe('what an attacker tries', () => {
  test('no token, a forged token, a SigV4 header and a token of another account\'s pool are all refused', async () => {
    const none = await gql({}, LIST_NOTES);
    assert.equal(none.status, 401);
    assert.deepEqual(none.body.errors, [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }]);

    // Alice's claims, signed with a key of the attacker's own.
    const [header, payload] = users.alice.token.split('.');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url')}`;
    assert.equal((await gql({ authorization: forged }, LIST_NOTES)).status, 401);
    assert.equal((await gql({ authorization: `${header}.${payload}.` }, LIST_NOTES)).status, 401);
    assert.equal((await gql({ authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/20261207/us-west-2/appsync/aws4_request, SignedHeaders=host, Signature=00' }, LIST_NOTES)).status, 401);

    // A user of a pool in another account, with a token that is valid there.
    const other = await memberAccount(ts);
    const admin = cognito(other.admin);
    const { UserPool } = await admin.send(new CreateUserPoolCommand({ PoolName: 'elsewhere', UsernameAttributes: ['email'] }));
    const { UserPoolClient } = await admin.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
    await admin.send(new AdminCreateUserCommand({ UserPoolId: UserPool!.Id!, Username: 'mallory@example.com', TemporaryPassword: 'Temp-Passw0rd!' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: UserPool!.Id!, Username: 'mallory@example.com', Password: PASSWORD, Permanent: true }));
    const mallory = await signIn(UserPool!.Id!, UserPoolClient!.ClientId!, 'mallory@example.com');
    const foreign = await gql(mallory, LIST_NOTES);
    assert.equal(foreign.status, 401);
    assert.equal(foreign.body.errors[0].errorType, 'UnauthorizedException');
  });
});

/** A realtime client as aws-amplify opens one: the token in the `header-` subprotocol and in each start. */
async function subscriber(user: User, query: string) {
  const url = new URL(`${graphqlUrl}/realtime`.replace(/^http/, 'ws'));
  const auth = { host: url.host, authorization: user.token };
  const ws = new WebSocket(url, ['graphql-ws', `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`]);
  const messages: any[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waitFor = async (match: (m: any) => boolean, ms = 5000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
      const found = messages.find(match);
      if (found) return found;
    }
    throw new Error(`no such message within ${ms} ms: ${JSON.stringify(messages)}`);
  };
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await waitFor((m) => m.type === 'connection_ack');
  ws.send(JSON.stringify({ id: 's1', type: 'start', payload: { data: JSON.stringify({ query, variables: {} }), extensions: { authorization: auth } } }));
  await waitFor((m) => m.id === 's1' && (m.type === 'start_ack' || m.type === 'error'));
  return { ws, messages, waitFor, events: () => messages.filter((m) => m.type === 'data').map((m) => Object.values(m.payload.data)[0] as any) };
}

describe('subscriptions are filtered per subscriber', () => {
  test('owners hear their own items, group readers everyone\'s, others nothing', async () => {
    const query = 'subscription { onCreateNote { id body owner } }';
    const alice = await subscriber(users.alice, query);
    const bob = await subscriber(users.bob, query);
    const root = await subscriber(users.root, query);
    try {
      await gql(users.alice, CREATE_NOTE, { input: { body: 'live from alice' } });
      await alice.waitFor((m) => m.type === 'data');
      await root.waitFor((m) => m.type === 'data');
      await gql(users.bob, CREATE_NOTE, { input: { body: 'live from bob' } });
      await bob.waitFor((m) => m.type === 'data');
      await root.waitFor((m) => m.type === 'data' && m.payload.data.onCreateNote.body === 'live from bob');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(alice.events().map((n) => n.body), ['live from alice']);
      assert.deepEqual(bob.events().map((n) => n.body), ['live from bob']);
      assert.deepEqual(root.events().map((n) => n.body), ['live from alice', 'live from bob']);
    } finally {
      for (const s of [alice, bob, root]) s.ws.close();
    }
  });

  test('a subscription to a model the user may not read is refused', async () => {
    const sub = await subscriber(users.alice, 'subscription { onCreateTodo { id } }');
    const error = await sub.waitFor((m) => m.type === 'error');
    sub.ws.close();
    assert.equal(error.payload.errors[0].errorType, 'Unauthorized');
  });
});

test('the unmodified aws-amplify client signs in and works with its own notes (userPool mode, observeQuery)', async () => {
  await signedInUser('carol@example.com');
  const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/amplify-owner-script.ts'),
    JSON.stringify({ outputs, endpoint: ts.url, email: 'carol@example.com', password: PASSWORD })], {
    env: { PATH: process.env.PATH!, NODE_EXTRA_CA_CERTS: ts.server.caCertFile }, timeout: 90_000, maxBuffer: 16 * 1024 * 1024,
  }).catch((error) => ({ stdout: String(error.stdout), stderr: `${error.stderr}\n${error.message}` }));
  const last = stdout.trim().split('\n').pop();
  assert.ok(last, `no result:\n${stderr}`);
  const result = JSON.parse(last!);
  assert.equal(result.signedIn, true);
  assert.equal(result.created.owner, result.owner);
  assert.deepEqual(result.listed, ['from carol']);
  assert.equal(result.observed, 'carol live');
});
