import { createHmac, createPrivateKey, createPublicKey, randomBytes, randomInt, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { GantryError } from '@gantry/core';
import { checkPassword, hashPassword, passwordMatches } from './passwords.ts';
import { claimSignature, makeVerifier, parseClaimTimestamp, serverEphemeral, sessionKey, signatureMatches, validClientValue } from './srp.ts';
import { newJti, signToken, TokenVerifier, type TokenClaims, type VerifiedToken, type VerifyOptions } from './tokens.ts';
import { sha256, type ClientRow, type ClientSettings, type MailboxMessage, type PoolRow, type PoolSettings, type UserPoolStore, type UserRow } from './user-pool-store.ts';

/**
 * Cognito's lockout: after 5 failed password attempts a user is locked out for 2^(n-5) seconds (n failures so
 * far), at most about 15 minutes; attempts during a lockout fail with "Password attempts exceeded" and are not
 * counted; a success after the lockout, or 15 minutes without attempts, starts again from 0.
 */
export const LOCKOUT = { freeAttempts: 5, maxSeconds: 900, resetAfterMs: 15 * 60_000 };
/** Confirmation and reset codes: valid 24 hours (Cognito's), 5 wrong tries before LimitExceededException. */
export const CODES = { ttlMs: 24 * 3_600_000, maxAttempts: 5 };
/** An SRP sign-in must be answered within 5 minutes, with a TIMESTAMP within 15 minutes of the server's clock. */
const SRP_TTL_MS = 5 * 60_000;
const CLOCK_SKEW_MS = 15 * 60_000;

const STANDARD_ATTRIBUTES = new Set([
  'address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name', 'nickname',
  'phone_number', 'phone_number_verified', 'picture', 'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
]);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+[0-9]{4,15}$/;

export type Attributes = Record<string, string>;

export interface Tokens {
  AccessToken: string;
  IdToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

export interface PoolContext {
  pool: PoolRow;
  settings: PoolSettings;
  client: ClientRow;
  clientSettings: ClientSettings;
}

const incorrect = () => new GantryError('NotAuthorizedException', 'Incorrect username or password.');
const seconds = (ms: number) => Math.floor(ms / 1000);
const validityMs = (value: number, unit: string) => value * ({ seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[unit] ?? 60_000);

/** `j***@e***`, `+*******1234`: how Cognito names where a code went. */
export function maskDestination(value: string): string {
  if (value.includes('@')) {
    const [local, domain] = value.split('@') as [string, string];
    return `${local[0]}***@${domain[0]}***`;
  }
  return `+${'*'.repeat(Math.max(value.length - 5, 0))}${value.slice(-4)}`;
}

/**
 * The user pools' behaviour, shared by the operations of the API: finding pools, clients and users, sign-up
 * and codes, password and SRP sign-in with lockout, and the tokens.
 */
export class UserPools {
  readonly verifier: TokenVerifier;
  private readonly signingKeys = new Map<string, KeyObject>();

  constructor(readonly store: UserPoolStore, private readonly baseUrl: () => string) {
    this.verifier = new TokenVerifier(async (kid) => {
      const pool = await store.poolByKeyId(kid);
      return pool && { poolId: pool.id, account: pool.account_id, region: pool.region, publicKey: createPublicKey(pool.public_key) };
    }, (poolId) => this.issuer(poolId), () => store.now());
  }

  /** The pool's issuer URL, the `iss` of its tokens: `<server URL>/cognito-idp/<poolId>`. */
  issuer(poolId: string): string {
    return `${this.baseUrl()}/cognito-idp/${poolId}`;
  }

  now(): number {
    return this.store.now();
  }

  // ---- pools, clients, users ----

  /** The app client and its pool; ResourceNotFoundException when there is none (or it is in another region than the endpoint's). */
  async clientContext(clientId: unknown, hostRegion?: string): Promise<PoolContext> {
    if (typeof clientId !== 'string' || !/^[\w+]{1,128}$/.test(clientId)) throw new GantryError('InvalidParameterException', 'ClientId is required: the id of the user pool\'s app client (user_pool_client_id in amplify_outputs.json).');
    const client = await this.store.client(clientId);
    const pool = client && (await this.store.pool(client.pool_id));
    if (!client || !pool || (hostRegion !== undefined && pool.region !== hostRegion)) throw new GantryError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return { pool, settings: JSON.parse(pool.settings), client, clientSettings: JSON.parse(client.settings) };
  }

  /** The stored username for what the user typed: the username itself, or an email or phone number the pool signs in with. */
  async findUser(ctx: Pick<PoolContext, 'pool' | 'settings'>, name: unknown): Promise<UserRow | undefined> {
    if (typeof name !== 'string' || name.length === 0 || name.length > 128) throw new GantryError('InvalidParameterException', 'Username is required (at most 128 characters).');
    const signInWith = new Set<string>([...ctx.settings.UsernameAttributes, ...ctx.settings.AliasAttributes]);
    if (signInWith.has('email') && name.includes('@')) {
      const found = await this.store.usersWith(ctx.pool.id, 'email', name.toLowerCase());
      // As an alias an email signs in only when verified; as the username attribute it is the user's name.
      const usable = found.filter((u) => ctx.settings.UsernameAttributes.includes('email') || JSON.parse(u.attributes).email_verified === 'true');
      if (usable.length === 1) return usable[0];
    }
    if (signInWith.has('phone_number') && name.startsWith('+')) {
      const found = await this.store.usersWith(ctx.pool.id, 'phone_number', name);
      if (found.length === 1) return found[0];
    }
    return this.store.user(ctx.pool.id, ctx.settings.UsernameCaseSensitive ? name : name.toLowerCase());
  }

  /** The user, or Cognito's answer for a missing one: UserNotFoundException, or NotAuthorizedException when the client hides it. */
  async requireUser(ctx: PoolContext, name: unknown): Promise<UserRow> {
    const user = await this.findUser(ctx, name);
    if (user) return user;
    if (ctx.clientSettings.PreventUserExistenceErrors === 'ENABLED') throw incorrect();
    throw new GantryError('UserNotFoundException', 'User does not exist.');
  }

  /** Checks attribute names and values against the pool's schema. */
  checkAttributes(settings: PoolSettings, attributes: unknown, field = 'UserAttributes'): Attributes {
    if (attributes === undefined) return {};
    if (!Array.isArray(attributes)) throw new GantryError('InvalidParameterException', `${field} must be a list of { Name, Value }.`);
    const custom = new Set(settings.Schema.map((a) => (a.Name.startsWith('custom:') || STANDARD_ATTRIBUTES.has(a.Name) ? a.Name : `custom:${a.Name}`)));
    const out: Attributes = {};
    for (const attribute of attributes) {
      const name = attribute?.Name;
      const value = attribute?.Value ?? '';
      if (typeof name !== 'string' || typeof value !== 'string') throw new GantryError('InvalidParameterException', `${field} entries need a Name and a string Value.`);
      if (name === 'sub') throw new GantryError('InvalidParameterException', 'Cannot modify the non-mutable attribute sub.');
      if (!STANDARD_ATTRIBUTES.has(name) && !custom.has(name)) {
        throw new GantryError('InvalidParameterException', `Attribute ${name} does not exist in the schema: use a standard attribute or a custom:<name> declared when the pool was created.`);
      }
      if (name === 'email' && !EMAIL.test(value)) throw new GantryError('InvalidParameterException', `Invalid email address format: ${value}.`);
      if (name === 'phone_number' && !PHONE.test(value)) throw new GantryError('InvalidParameterException', `Invalid phone number format: ${value} (use E.164, e.g. +14325551212).`);
      if (value.length > 2048) throw new GantryError('InvalidParameterException', `Attribute ${name} is longer than 2048 characters.`);
      out[name] = name === 'email' ? value.toLowerCase() : value;
    }
    return out;
  }

  /** Creates a user (SignUp, AdminCreateUser): the name, aliases and required attributes checked, the password hashed and its SRP verifier made. */
  async createUser(ctx: Pick<PoolContext, 'pool' | 'settings'>, args: { username: unknown; password: string; attributes: Attributes; status: string }): Promise<UserRow> {
    const { pool, settings } = ctx;
    if (typeof args.username !== 'string' || args.username.length === 0 || args.username.length > 128 || /\s/.test(args.username)) {
      throw new GantryError('InvalidParameterException', 'Username is required: 1 to 128 characters without spaces.');
    }
    const attributes = { ...args.attributes };
    let username: string;
    if (settings.UsernameAttributes.length > 0) {
      // The name typed is an email or phone number; the user's username is a generated id.
      const asEmail = settings.UsernameAttributes.includes('email') && EMAIL.test(args.username);
      const asPhone = settings.UsernameAttributes.includes('phone_number') && PHONE.test(args.username);
      if (!asEmail && !asPhone) {
        const kinds = settings.UsernameAttributes.map((a) => (a === 'email' ? 'an email' : 'a phone number')).join(' or ');
        throw new GantryError('InvalidParameterException', `Username should be ${kinds}: this user pool signs users in with ${settings.UsernameAttributes.join(' or ')}.`);
      }
      if (asEmail) attributes.email = args.username.toLowerCase();
      else attributes.phone_number = args.username;
      username = randomUUID();
    } else {
      username = settings.UsernameCaseSensitive ? args.username : args.username.toLowerCase();
      if (/^[^@]+@/.test(username) && EMAIL.test(username) && settings.AliasAttributes.includes('email')) {
        throw new GantryError('InvalidParameterException', 'Username cannot be of email format, since user pool is configured for email alias.');
      }
    }
    for (const required of settings.Schema.filter((a) => a.Required)) {
      if (!attributes[required.Name]) throw new GantryError('InvalidParameterException', `Attributes did not conform to the schema: ${required.Name}: The attribute ${required.Name} is required.`);
    }
    for (const unique of settings.UsernameAttributes) {
      const value = attributes[unique];
      if (value && (await this.store.usersWith(pool.id, unique, value)).length > 0) {
        throw new GantryError('UsernameExistsException', `An account with the given ${unique === 'email' ? 'email' : 'phone_number'} already exists.`);
      }
    }
    const sub = username.length === 36 && settings.UsernameAttributes.length > 0 ? username : randomUUID();
    const poolName = pool.id.split('_')[1]!;
    const { saltHex, verifierHex } = makeVerifier(poolName, username, args.password);
    const now = this.now();
    const row: UserRow = {
      pool_id: pool.id, username, sub, status: args.status, enabled: 1, attributes: JSON.stringify({ sub, ...attributes }),
      email: attributes.email ?? null, phone_number: attributes.phone_number ?? null,
      password_hash: await hashPassword(args.password), srp_salt: saltHex, srp_verifier: verifierHex,
      failed_attempts: 0, locked_until: 0, last_failure_at: 0, tokens_valid_after: 0, created_at: now, modified_at: now,
    };
    await this.store.insertUser(row);
    return row;
  }

  /** New password: a new hash and a new verifier. */
  async setPassword(pool: PoolRow, user: UserRow, password: string, patch: Partial<UserRow> = {}): Promise<void> {
    const { saltHex, verifierHex } = makeVerifier(pool.id.split('_')[1]!, user.username, password);
    await this.store.updateUser(pool.id, user.username, { password_hash: await hashPassword(password), srp_salt: saltHex, srp_verifier: verifierHex, ...patch });
  }

  // ---- codes and the mailbox ----

  /** Sends a code for `purpose` to the user's verified-or-given email (or phone), into the local mailbox. */
  async sendCode(pool: PoolRow, user: UserRow, purpose: 'signup' | 'forgot-password', preferred?: 'email' | 'phone_number') {
    const attributes = JSON.parse(user.attributes) as Attributes;
    const attribute = preferred && attributes[preferred] ? preferred : attributes.email ? 'email' : attributes.phone_number ? 'phone_number' : undefined;
    if (!attribute) {
      throw new GantryError('InvalidParameterException', 'Cannot send a code: the user has no registered email or phone_number.');
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.store.putCode(pool.id, user.username, purpose, code, CODES.ttlMs);
    const destination = attributes[attribute]!;
    const subject = purpose === 'signup' ? 'Your verification code' : 'Your password reset code';
    await this.store.deliver({
      pool_id: pool.id, username: user.username, medium: attribute === 'email' ? 'EMAIL' : 'SMS', destination, subject,
      body: purpose === 'signup' ? `Your verification code is ${code}.` : `Your password reset code is ${code}.`, code,
    });
    return { Destination: maskDestination(destination), DeliveryMedium: attribute === 'email' ? 'EMAIL' : 'SMS', AttributeName: attribute };
  }

  /** Checks a code the user typed: CodeMismatchException, ExpiredCodeException, LimitExceededException after 5 misses. */
  async useCode(pool: PoolRow, user: UserRow, purpose: string, code: unknown): Promise<void> {
    if (typeof code !== 'string' || !/^\S{1,2048}$/.test(code)) throw new GantryError('InvalidParameterException', 'ConfirmationCode is required: the code from the message the user received.');
    const stored = await this.store.code(pool.id, user.username, purpose);
    if (!stored) throw new GantryError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
    if (stored.attempts >= CODES.maxAttempts) throw new GantryError('LimitExceededException', 'Attempt limit exceeded, please try after some time.', { status: 400 });
    if (stored.expires_at <= this.now()) throw new GantryError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
    const expected = Buffer.from(stored.code_hash);
    const given = Buffer.from(sha256(`${pool.id}:${user.username}:${code}`));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await this.store.countCodeAttempt(pool.id, user.username, purpose);
      throw new GantryError('CodeMismatchException', 'Invalid verification code provided, please try again.');
    }
    await this.store.deleteCode(pool.id, user.username, purpose);
  }

  /** The newest message the pool sent a user (sign-up code, reset code, temporary password), for tests, the CLI and the console. */
  async latestMessage(poolId: string, username: string): Promise<MailboxMessage | undefined> {
    const pool = await this.store.pool(poolId);
    if (!pool) return undefined;
    const user = await this.findUser({ pool, settings: JSON.parse(pool.settings) }, username);
    return user && (await this.store.messages(poolId, user.username, 1))[0];
  }

  // ---- lockout ----

  /** NotAuthorizedException "Password attempts exceeded" while the user is locked out. */
  requireNotLocked(user: UserRow): void {
    if (user.locked_until > this.now()) throw new GantryError('NotAuthorizedException', 'Password attempts exceeded');
  }

  /** Counts a failed proof (password or MFA code) toward the lockout, then throws `error`. */
  async recordFailure(user: UserRow, error: GantryError = incorrect()): Promise<never> {
    const now = this.now();
    const fresh = user.locked_until <= now && now - user.last_failure_at > LOCKOUT.resetAfterMs;
    const failures = (fresh ? 0 : user.failed_attempts) + 1;
    const locked = failures >= LOCKOUT.freeAttempts ? now + Math.min(2 ** (failures - LOCKOUT.freeAttempts), LOCKOUT.maxSeconds) * 1000 : 0;
    await this.store.updateUser(user.pool_id, user.username, { failed_attempts: failures, last_failure_at: now, locked_until: locked });
    throw error;
  }

  async recordSuccess(user: UserRow): Promise<void> {
    if (user.failed_attempts !== 0 || user.locked_until !== 0) await this.store.updateUser(user.pool_id, user.username, { failed_attempts: 0, locked_until: 0 });
  }

  /** Checks a password with the slow hash, counting failures toward the lockout. */
  async checkUserPassword(user: UserRow, password: unknown): Promise<void> {
    this.requireNotLocked(user);
    if (typeof password !== 'string' || !(await passwordMatches(password, user.password_hash))) await this.recordFailure(user);
    await this.recordSuccess(user);
  }

  // ---- SRP ----

  /** InitiateAuth USER_SRP_AUTH: the PASSWORD_VERIFIER challenge, its secret block good for one answer. */
  async startSrp(ctx: PoolContext, user: UserRow, AHex: unknown) {
    if (typeof AHex !== 'string' || !validClientValue(AHex)) throw new GantryError('InvalidParameterException', 'SRP_A is required: the client\'s public value A, in hex, with A mod N not 0.');
    this.requireNotLocked(user);
    const { bHex, BHex } = serverEphemeral(user.srp_verifier);
    const secretBlock = randomBytes(96).toString('base64');
    await this.store.putSrpSession({
      secret_block_hash: sha256(secretBlock), pool_id: ctx.pool.id, client_id: ctx.client.id, username: user.username,
      b: this.store.sealSecret(bHex), server_b: BHex, client_a: AHex, expires_at: this.now() + SRP_TTL_MS,
    });
    return { SALT: user.srp_salt, SECRET_BLOCK: secretBlock, SRP_B: BHex, USERNAME: user.username, USER_ID_FOR_SRP: user.username };
  }

  /** RespondToAuthChallenge PASSWORD_VERIFIER: the client's proof checked in constant time. */
  async finishSrp(ctx: PoolContext, responses: Record<string, unknown>): Promise<UserRow> {
    const secretBlock = responses.PASSWORD_CLAIM_SECRET_BLOCK;
    if (typeof secretBlock !== 'string' || typeof responses.PASSWORD_CLAIM_SIGNATURE !== 'string' || typeof responses.USERNAME !== 'string') {
      throw new GantryError('InvalidParameterException', 'ChallengeResponses needs USERNAME, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE.');
    }
    const session = await this.store.takeSrpSession(secretBlock);
    if (!session || session.pool_id !== ctx.pool.id || session.client_id !== ctx.client.id || session.expires_at <= this.now()) {
      throw new GantryError('NotAuthorizedException', 'Invalid session: the PASSWORD_CLAIM_SECRET_BLOCK is unknown, used or expired; start again with InitiateAuth.');
    }
    const user = await this.store.user(ctx.pool.id, session.username);
    if (!user) throw incorrect();
    const named = await this.findUser(ctx, responses.USERNAME);
    if (named?.username !== user.username) throw incorrect();
    this.requireNotLocked(user);
    const timestamp = parseClaimTimestamp(responses.TIMESTAMP);
    if (timestamp === undefined || Math.abs(timestamp - this.now()) > CLOCK_SKEW_MS) {
      throw new GantryError('InvalidParameterException', 'TIMESTAMP must be the current time as "ddd MMM D HH:mm:ss UTC YYYY" (e.g. "Mon Dec 7 13:05:09 UTC 2026").');
    }
    let expected: string;
    try {
      const key = sessionKey({ AHex: session.client_a, BHex: session.server_b, bHex: this.store.openSecret(session.b), verifierHex: user.srp_verifier });
      expected = claimSignature(key, ctx.pool.id.split('_')[1]!, user.username, secretBlock, responses.TIMESTAMP as string);
    } catch {
      return this.recordFailure(user);
    }
    if (!signatureMatches(expected, responses.PASSWORD_CLAIM_SIGNATURE)) await this.recordFailure(user);
    await this.recordSuccess(user);
    return user;
  }

  // ---- client secrets ----

  /** SECRET_HASH = Base64(HMAC-SHA256(client secret, username + client id)), required when the client has a secret. */
  checkSecretHash(ctx: PoolContext, username: string, given: unknown): void {
    const secret = this.store.clientSecret(ctx.client);
    if (secret === undefined) return;
    if (typeof given !== 'string') throw new GantryError('NotAuthorizedException', `Client ${ctx.client.id} is configured with secret but SECRET_HASH was not received`);
    const expected = createHmac('sha256', secret).update(username + ctx.client.id).digest();
    const claimed = Buffer.from(given, 'base64');
    if (claimed.length !== expected.length || !timingSafeEqual(claimed, expected)) throw new GantryError('NotAuthorizedException', `Unable to verify secret hash for client ${ctx.client.id}`);
  }

  /** The client secret itself (GetTokensFromRefreshToken), when the client has one. */
  checkClientSecret(ctx: PoolContext, given: unknown): void {
    const secret = this.store.clientSecret(ctx.client);
    if (secret === undefined) return;
    const a = Buffer.from(sha256(secret));
    const b = Buffer.from(sha256(typeof given === 'string' ? given : ''));
    if (!timingSafeEqual(a, b)) throw new GantryError('NotAuthorizedException', `Client ${ctx.client.id} is configured with secret: give its ClientSecret.`);
  }

  // ---- tokens ----

  private signingKey(pool: PoolRow): { kid: string; privateKey: KeyObject } {
    let key = this.signingKeys.get(pool.key_id);
    if (!key) {
      key = createPrivateKey(this.store.privateKeyOf(pool));
      this.signingKeys.set(pool.key_id, key);
    }
    return { kid: pool.key_id, privateKey: key };
  }

  /** Access and id tokens for a sign-in (and a refresh token unless refreshing one). */
  async issueTokens(ctx: PoolContext, user: UserRow, sign: { originJti: string; authTime: number; withRefresh: boolean }): Promise<Tokens> {
    const now = this.now();
    const iat = seconds(now);
    const units = ctx.clientSettings.TokenValidityUnits;
    const accessMs = validityMs(ctx.clientSettings.AccessTokenValidity, units.AccessToken);
    const idMs = validityMs(ctx.clientSettings.IdTokenValidity, units.IdToken);
    const groups = (await this.store.groupsOf(ctx.pool.id, user.username)).map((g) => g.name);
    const eventId = randomUUID();
    const common = {
      sub: user.sub, iss: this.issuer(ctx.pool.id), ...(groups.length > 0 && { 'cognito:groups': groups }),
      origin_jti: sign.originJti, event_id: eventId, auth_time: sign.authTime, iat,
    };
    const key = this.signingKey(ctx.pool);
    const access: TokenClaims = {
      ...common, client_id: ctx.client.id, token_use: 'access', scope: 'aws.cognito.signin.user.admin', exp: iat + seconds(accessMs), jti: newJti(), username: user.username,
    };
    const attributes = JSON.parse(user.attributes) as Attributes;
    const idClaims: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'sub') continue;
      idClaims[name] = name.endsWith('_verified') ? value === 'true' : value;
    }
    const id: TokenClaims = {
      ...idClaims, ...common, aud: ctx.client.id, 'cognito:username': user.username, token_use: 'id', exp: iat + seconds(idMs), jti: newJti(),
    };
    const tokens: Tokens = { AccessToken: signToken(access, key), IdToken: signToken(id, key), ExpiresIn: seconds(accessMs), TokenType: 'Bearer' };
    if (sign.withRefresh) {
      const refresh = randomBytes(96).toString('base64url');
      await this.store.addRefreshToken({
        token_hash: sha256(refresh), pool_id: ctx.pool.id, client_id: ctx.client.id, username: user.username, origin_jti: sign.originJti,
        auth_time: sign.authTime, created_at: now, revoked: 0,
        expires_at: now + validityMs(ctx.clientSettings.RefreshTokenValidity, units.RefreshToken),
      });
      tokens.RefreshToken = refresh;
    }
    return tokens;
  }

  async signIn(ctx: PoolContext, user: UserRow): Promise<Tokens> {
    return this.issueTokens(ctx, user, { originJti: randomUUID(), authTime: seconds(this.now()), withRefresh: true });
  }

  /** REFRESH_TOKEN_AUTH: new access and id tokens while the refresh token is valid and not revoked. */
  async refresh(ctx: PoolContext, token: unknown): Promise<Tokens> {
    if (typeof token !== 'string' || token.length === 0) throw new GantryError('InvalidParameterException', 'AuthParameters.REFRESH_TOKEN is required for REFRESH_TOKEN_AUTH.');
    const row = await this.store.refreshToken(token);
    if (!row || row.client_id !== ctx.client.id) throw new GantryError('NotAuthorizedException', 'Invalid Refresh Token');
    if (row.revoked) throw new GantryError('NotAuthorizedException', 'Refresh Token has been revoked');
    if (row.expires_at <= this.now()) throw new GantryError('NotAuthorizedException', 'Refresh Token has expired');
    const user = await this.store.user(ctx.pool.id, row.username);
    if (!user || !user.enabled) throw new GantryError('NotAuthorizedException', user ? 'User is disabled.' : 'Invalid Refresh Token');
    if (row.created_at < user.tokens_valid_after) throw new GantryError('NotAuthorizedException', 'Refresh Token has been revoked');
    return this.issueTokens(ctx, user, { originJti: row.origin_jti, authTime: row.auth_time, withRefresh: false });
  }

  /** The user an access token is for, refusing tokens revoked by GlobalSignOut or RevokeToken. */
  async userOfAccessToken(token: unknown): Promise<{ user: UserRow; pool: PoolRow; settings: PoolSettings; verified: VerifiedToken }> {
    if (typeof token !== 'string' || token.length === 0) throw new GantryError('InvalidParameterException', 'AccessToken is required: the access token from sign-in.');
    const verified = await this.verifier.verify(token, 'access');
    const pool = await this.store.pool(verified.poolId);
    const user = pool && (await this.store.user(pool.id, String(verified.claims.username)));
    if (!pool || !user || user.sub !== verified.claims.sub) throw new GantryError('NotAuthorizedException', 'Invalid Access Token');
    if (verified.claims.iat * 1000 < user.tokens_valid_after || (await this.store.originRevoked(pool.id, verified.claims.origin_jti))) {
      throw new GantryError('NotAuthorizedException', 'Access Token has been revoked');
    }
    if (!user.enabled) throw new GantryError('NotAuthorizedException', 'User is disabled.');
    return { user, pool, settings: JSON.parse(pool.settings), verified };
  }

  verifyAccessToken(token: string, options?: VerifyOptions): Promise<VerifiedToken> {
    return this.verifier.verify(token, 'access', options);
  }

  verifyIdToken(token: string, options?: VerifyOptions): Promise<VerifiedToken> {
    return this.verifier.verify(token, 'id', options);
  }

  /** Cognito's password rules for a pool. */
  checkPassword(settings: PoolSettings, password: unknown, field?: string): string {
    return checkPassword(password, settings.PasswordPolicy, field);
  }
}
