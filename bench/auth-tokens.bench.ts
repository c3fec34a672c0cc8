// The cost of checking a user pool's access token on every request (what the data API does for userPool
// auth), against its baseline: `crypto.verify` of the same RS256 signature alone, the one step no
// implementation can skip. The verifier adds parsing, the cached key lookup and the claim checks. Then the
// server's share of an SRP sign-in (two 3072-bit exponentiations and the proof), next to one full exchange.
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUserPoolsService, srpClientSession, DEFAULT_PASSWORD_POLICY, type PoolSettings } from '@gantry/auth';
import { SecretBox } from '@gantry/core';
import { openStore } from '@gantry/store';
import { fmt, microseconds, report } from './support.ts';

const store = openStore({ dataDir: mkdtempSync(join(tmpdir(), 'gantry-bench-')) });
const service = createUserPoolsService({ db: store.db, box: SecretBox.ephemeral(), baseUrl: () => 'http://127.0.0.1:4750' });
await store.migrate(service.migrations);
const pools = service.pools;
const settings: PoolSettings = {
  UsernameAttributes: ['email'], AliasAttributes: [], AutoVerifiedAttributes: ['email'], PasswordPolicy: DEFAULT_PASSWORD_POLICY, MfaConfiguration: 'OFF',
  UsernameCaseSensitive: false, Schema: [], DeletionProtection: 'INACTIVE', AdminCreateUserOnly: false,
};
const pool = await pools.store.createPool({ account: '111122223333', region: 'us-west-2' }, 'bench', settings);
const { row: client } = await pools.store.createClient(pool.id, 'web', {
  ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], PreventUserExistenceErrors: 'ENABLED', AccessTokenValidity: 1, IdTokenValidity: 1,
  RefreshTokenValidity: 30, TokenValidityUnits: { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' }, EnableTokenRevocation: true,
}, false);
const ctx = await pools.clientContext(client.id);
const password = 'Bench-passw0rd!';
const user = await pools.createUser(ctx, { username: 'bench@example.com', password, attributes: {}, status: 'CONFIRMED' });
const tokens = await pools.signIn(ctx, user);
const token = tokens.AccessToken;

const [header, payload, signature] = token.split('.') as [string, string, string];
const publicKey = createPublicKey(pool.public_key);
const signed = Buffer.from(`${header}.${payload}`);
const signatureBytes = Buffer.from(signature, 'base64url');
if (!verify('sha256', signed, publicKey, signatureBytes)) throw new Error('bench setup: the token does not verify');
await service.verifyAccessToken(token, { userPoolId: pool.id, clientId: client.id }); // fills the key cache

const baseline = await microseconds(() => verify('sha256', signed, publicKey, signatureBytes), 20_000);
const cached = await microseconds(() => service.verifyAccessToken(token, { userPoolId: pool.id, clientId: client.id }), 20_000);
// A token never seen before: its signature is checked (the pool's key is cached).
const fresh: string[] = [];
for (let i = 0; i < 2400; i++) fresh.push((await pools.issueTokens(ctx, user, { originJti: `o${i}`, authTime: 0, withRefresh: false })).AccessToken);
let nextFresh = 0;
const firstSight = await microseconds(() => service.verifyAccessToken(fresh[nextFresh++]!, { userPoolId: pool.id, clientId: client.id }), 400);

// SRP: the server's work per sign-in, and a whole exchange (the client's exponentiations included).
const poolName = pool.id.split('_')[1]!;
const timestamp = () => {
  const d = new Date();
  const [day, , month] = d.toUTCString().split(' ');
  return `${day!.slice(0, 3)} ${month} ${d.getUTCDate()} ${d.toISOString().slice(11, 19)} UTC ${d.getUTCFullYear()}`;
};
const exchanges: Array<{ client: ReturnType<typeof srpClientSession>; challenge: Record<string, string>; ts: string; signature: string }> = [];
for (let i = 0; i < 40; i++) {
  const session = srpClientSession(poolName);
  const challenge = await pools.startSrp(ctx, user, session.AHex);
  const ts = timestamp();
  const sig = session.respond({ username: user.username, password, saltHex: challenge.SALT, BHex: challenge.SRP_B, secretBlock: challenge.SECRET_BLOCK, timestamp: ts });
  exchanges.push({ client: session, challenge, ts, signature: sig });
}
let next = 0;
const serverFinish = await microseconds(async () => {
  const e = exchanges[next++]!;
  await pools.finishSrp(ctx, { USERNAME: user.username, PASSWORD_CLAIM_SECRET_BLOCK: e.challenge.SECRET_BLOCK, TIMESTAMP: e.ts, PASSWORD_CLAIM_SIGNATURE: e.signature });
}, 5);
const fixedA = srpClientSession(poolName).AHex;
const serverStart = await microseconds(() => pools.startSrp(ctx, user, fixedA), 10);
const whole = await microseconds(async () => {
  const session = srpClientSession(poolName);
  const challenge = await pools.startSrp(ctx, user, session.AHex);
  const ts = timestamp();
  const sig = session.respond({ username: user.username, password, saltHex: challenge.SALT, BHex: challenge.SRP_B, secretBlock: challenge.SECRET_BLOCK, timestamp: ts });
  await pools.finishSrp(ctx, { USERNAME: user.username, PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK, TIMESTAMP: ts, PASSWORD_CLAIM_SIGNATURE: sig });
}, 5);

report([
  ['baseline: crypto.verify (RS256, 2048-bit) alone', `${fmt(baseline)} µs`],
  ['verifyAccessToken, a token seen before (cached)', `${fmt(cached)} µs  (${fmt(cached / baseline, 3)}× baseline)`],
  ['verifyAccessToken, a new token (key cached, signature checked)', `${fmt(firstSight)} µs  (${fmt(firstSight / baseline, 2)}× baseline, +${fmt(firstSight - baseline)} µs)`],
  ['goal', '< 20 µs per request with the token cached'],
  ['SRP: InitiateAuth server work (B = kv + g^b)', `${fmt(serverStart / 1000, 2)} ms`],
  ['SRP: RespondToAuthChallenge server work (S, key, proof, tokens)', `${fmt(serverFinish / 1000, 2)} ms`],
  ['SRP: whole exchange, client side included (no HTTP)', `${fmt(whole / 1000, 2)} ms`],
]);
await store.close();
