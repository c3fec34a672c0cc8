import { createHash, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { GantryError, type SecretBox } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import type { Kysely } from 'kysely';
import type { PasswordPolicy } from './passwords.ts';
import type { UserPoolTables } from './user-pool-tables.ts';

export type PoolRow = UserPoolTables['cognito_user_pools'];
export type ClientRow = UserPoolTables['cognito_user_pool_clients'];
export type UserRow = UserPoolTables['cognito_users'];
export type GroupRow = UserPoolTables['cognito_groups'];
export type MailboxMessage = UserPoolTables['cognito_mailbox'];
export type RefreshTokenRow = UserPoolTables['cognito_refresh_tokens'];
export type SrpSessionRow = UserPoolTables['cognito_srp_sessions'];
export type TotpRow = UserPoolTables['cognito_totp'];

/** Where pools live: each account and region has its own. */
export interface PoolScope {
  account: string;
  region: string;
}

/** What a pool was created with (CreateUserPool's input, with Cognito's defaults filled in). */
export interface PoolSettings {
  /** Sign in with these instead of a username (the username is then a generated id). */
  UsernameAttributes: Array<'email' | 'phone_number'>;
  /** Sign in with these as well as the username. */
  AliasAttributes: Array<'email' | 'phone_number' | 'preferred_username'>;
  AutoVerifiedAttributes: Array<'email' | 'phone_number'>;
  PasswordPolicy: PasswordPolicy;
  MfaConfiguration: 'OFF' | 'OPTIONAL' | 'ON';
  /** @default true, as the API creates pools (the console and Amplify pass false) */
  UsernameCaseSensitive: boolean;
  /** Custom and required attributes of the schema. */
  Schema: Array<{ Name: string; AttributeDataType: string; Mutable: boolean; Required: boolean }>;
  DeletionProtection: 'ACTIVE' | 'INACTIVE';
  AdminCreateUserOnly: boolean;
}

export interface ClientSettings {
  ExplicitAuthFlows: string[];
  PreventUserExistenceErrors: 'ENABLED' | 'LEGACY';
  /** In minutes, days for refresh tokens, as `TokenValidityUnits` defaults them. */
  AccessTokenValidity: number;
  IdTokenValidity: number;
  RefreshTokenValidity: number;
  TokenValidityUnits: { AccessToken: string; IdToken: string; RefreshToken: string };
  EnableTokenRevocation: boolean;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomChars(length: number, alphabet = ID_CHARS): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  for (const byte of bytes) {
    if (byte < 256 - (256 % alphabet.length)) out += alphabet[byte % alphabet.length];
    if (out.length === length) return out;
  }
  return out + randomChars(length - out.length, alphabet);
}

/** `<region>_<9 letters and digits>`, as Cognito names pools. */
export const newPoolId = (region: string): string => `${region}_${randomChars(9)}`;
/** 26 lower-case letters and digits, as Cognito's app client ids. */
export const newClientId = (): string => randomChars(26, 'abcdefghijklmnopqrstuvwxyz0123456789');
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

const generateRsa = promisify(generateKeyPair);

/** The tables of user pools: every query the service makes, nothing more. */
export class UserPoolStore {
  private readonly db: Kysely<UserPoolTables>;

  constructor(db: Kysely<any>, private readonly box: SecretBox, readonly now: () => number = Date.now) {
    this.db = db as Kysely<UserPoolTables>;
  }

  async createPool(scope: PoolScope, name: string, settings: PoolSettings): Promise<PoolRow> {
    const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
    const now = this.now();
    const row: PoolRow = {
      id: newPoolId(scope.region), account_id: scope.account, region: scope.region, name, settings: JSON.stringify(settings),
      key_id: randomBytes(24).toString('base64url'),
      private_key: this.box.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string),
      public_key: publicKey.export({ format: 'pem', type: 'spki' }) as string,
      created_at: now, modified_at: now,
    };
    await this.db.insertInto('cognito_user_pools').values(row).execute();
    return row;
  }

  pool(id: string): Promise<PoolRow | undefined> {
    return this.db.selectFrom('cognito_user_pools').selectAll().where('id', '=', id).executeTakeFirst();
  }

  poolByKeyId(kid: string): Promise<PoolRow | undefined> {
    return this.db.selectFrom('cognito_user_pools').selectAll().where('key_id', '=', kid).executeTakeFirst();
  }

  /** The pool's signing key in the clear. */
  privateKeyOf(pool: PoolRow): string {
    return this.box.open(pool.private_key);
  }

  listPools(scope: PoolScope, after: string | undefined, limit: number): Promise<PoolRow[]> {
    let q = this.db.selectFrom('cognito_user_pools').selectAll().where('account_id', '=', scope.account).where('region', '=', scope.region);
    if (after !== undefined) q = q.where('id', '>', after);
    return q.orderBy('id').limit(limit).execute();
  }

  async updatePoolSettings(id: string, settings: PoolSettings): Promise<void> {
    await this.db.updateTable('cognito_user_pools').set({ settings: JSON.stringify(settings), modified_at: this.now() }).where('id', '=', id).execute();
  }

  async deletePool(id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const table of ['cognito_user_pool_clients', 'cognito_users', 'cognito_groups', 'cognito_user_groups', 'cognito_codes', 'cognito_mailbox', 'cognito_refresh_tokens', 'cognito_srp_sessions', 'cognito_totp'] as const) {
        await tx.deleteFrom(table).where('pool_id', '=', id).execute();
      }
      await tx.deleteFrom('cognito_user_pools').where('id', '=', id).execute();
    });
  }

  async createClient(poolId: string, name: string, settings: ClientSettings, withSecret: boolean): Promise<{ row: ClientRow; secret?: string }> {
    const now = this.now();
    const secret = withSecret ? randomChars(51, 'abcdefghijklmnopqrstuvwxyz0123456789') : undefined;
    const row: ClientRow = {
      id: newClientId(), pool_id: poolId, name, secret: secret ? this.box.seal(secret) : null, settings: JSON.stringify(settings), created_at: now, modified_at: now,
    };
    await this.db.insertInto('cognito_user_pool_clients').values(row).execute();
    return { row, secret };
  }

  client(id: string): Promise<ClientRow | undefined> {
    return this.db.selectFrom('cognito_user_pool_clients').selectAll().where('id', '=', id).executeTakeFirst();
  }

  clientSecret(client: ClientRow): string | undefined {
    return client.secret === null ? undefined : this.box.open(client.secret);
  }

  listClients(poolId: string): Promise<ClientRow[]> {
    return this.db.selectFrom('cognito_user_pool_clients').selectAll().where('pool_id', '=', poolId).orderBy('id').execute();
  }

  /** Inserts a user; UsernameExistsException when the name, or an alias another user holds, is taken. */
  async insertUser(row: UserRow): Promise<void> {
    try {
      await this.db.insertInto('cognito_users').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new GantryError('UsernameExistsException', 'An account with the given username already exists.');
      throw error;
    }
  }

  user(poolId: string, username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('cognito_users').selectAll().where('pool_id', '=', poolId).where('username', '=', username).executeTakeFirst();
  }

  /** Users of the pool whose email or phone number is `value` (for sign-in by alias and uniqueness checks). */
  usersWith(poolId: string, attribute: 'email' | 'phone_number', value: string): Promise<UserRow[]> {
    return this.db.selectFrom('cognito_users').selectAll().where('pool_id', '=', poolId).where(attribute, '=', value).execute();
  }

  usersWithSub(poolId: string, sub: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('cognito_users').selectAll().where('pool_id', '=', poolId).where('sub', '=', sub).executeTakeFirst();
  }

  async updateUser(poolId: string, username: string, patch: Partial<Omit<UserRow, 'pool_id' | 'username' | 'sub'>>): Promise<void> {
    await this.db.updateTable('cognito_users').set({ ...patch, modified_at: this.now() }).where('pool_id', '=', poolId).where('username', '=', username).execute();
  }

  async deleteUser(poolId: string, username: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const table of ['cognito_users', 'cognito_user_groups', 'cognito_codes', 'cognito_srp_sessions', 'cognito_totp'] as const) {
        await tx.deleteFrom(table).where('pool_id', '=', poolId).where('username', '=', username).execute();
      }
    });
  }

  listUsers(poolId: string, after: string | undefined, limit: number): Promise<UserRow[]> {
    let q = this.db.selectFrom('cognito_users').selectAll().where('pool_id', '=', poolId);
    if (after !== undefined) q = q.where('username', '>', after);
    return q.orderBy('username').limit(limit).execute();
  }

  totp(poolId: string, username: string): Promise<TotpRow | undefined> {
    return this.db.selectFrom('cognito_totp').selectAll().where('pool_id', '=', poolId).where('username', '=', username).executeTakeFirst();
  }

  async putTotp(row: TotpRow): Promise<void> {
    const { pool_id, username, ...rest } = row;
    await this.db.insertInto('cognito_totp').values(row).onConflict((oc) => oc.columns(['pool_id', 'username']).doUpdateSet(rest)).execute();
  }

  /** Records the time step a code was accepted for, unless a later or equal one was (a replayed code). */
  async useTotpStep(poolId: string, username: string, step: number): Promise<boolean> {
    const result = await this.db.updateTable('cognito_totp').set({ last_step: step })
      .where('pool_id', '=', poolId).where('username', '=', username).where('last_step', '<', step).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async createGroup(row: GroupRow): Promise<void> {
    try {
      await this.db.insertInto('cognito_groups').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new GantryError('GroupExistsException', `A group named ${row.name} already exists in this user pool.`);
      throw error;
    }
  }

  async setGroupPrecedence(poolId: string, name: string, precedence: number): Promise<void> {
    await this.db.updateTable('cognito_groups').set({ precedence, modified_at: this.now() }).where('pool_id', '=', poolId).where('name', '=', name).execute();
  }

  /** Deletes a group and its memberships (the users stay). */
  async deleteGroup(poolId: string, name: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('cognito_user_groups').where('pool_id', '=', poolId).where('group_name', '=', name).execute();
      await tx.deleteFrom('cognito_groups').where('pool_id', '=', poolId).where('name', '=', name).execute();
    });
  }

  group(poolId: string, name: string): Promise<GroupRow | undefined> {
    return this.db.selectFrom('cognito_groups').selectAll().where('pool_id', '=', poolId).where('name', '=', name).executeTakeFirst();
  }

  listGroups(poolId: string): Promise<GroupRow[]> {
    return this.db.selectFrom('cognito_groups').selectAll().where('pool_id', '=', poolId).orderBy('name').execute();
  }

  async addToGroup(poolId: string, username: string, group: string): Promise<void> {
    await this.db.insertInto('cognito_user_groups').values({ pool_id: poolId, username, group_name: group })
      .onConflict((oc) => oc.doNothing()).execute();
  }

  async removeFromGroup(poolId: string, username: string, group: string): Promise<void> {
    await this.db.deleteFrom('cognito_user_groups').where('pool_id', '=', poolId).where('username', '=', username).where('group_name', '=', group).execute();
  }

  /** The user's groups, by precedence (lowest first, unset last) then name, as Cognito lists them in tokens. */
  async groupsOf(poolId: string, username: string): Promise<GroupRow[]> {
    const rows = await this.db.selectFrom('cognito_user_groups as m').innerJoin('cognito_groups as g', (j) => j.onRef('g.pool_id', '=', 'm.pool_id').onRef('g.name', '=', 'm.group_name'))
      .selectAll('g').where('m.pool_id', '=', poolId).where('m.username', '=', username).execute();
    return rows.sort((a, b) => (a.precedence ?? Infinity) - (b.precedence ?? Infinity) || a.name.localeCompare(b.name));
  }

  /** Replaces the user's code for `purpose`: only the newest code counts. */
  async putCode(poolId: string, username: string, purpose: string, code: string, ttlMs: number): Promise<void> {
    const values = { pool_id: poolId, username, purpose, code_hash: sha256(`${poolId}:${username}:${code}`), expires_at: this.now() + ttlMs, attempts: 0 };
    await this.db.insertInto('cognito_codes').values(values)
      .onConflict((oc) => oc.columns(['pool_id', 'username', 'purpose']).doUpdateSet({ code_hash: values.code_hash, expires_at: values.expires_at, attempts: 0 })).execute();
  }

  code(poolId: string, username: string, purpose: string) {
    return this.db.selectFrom('cognito_codes').selectAll().where('pool_id', '=', poolId).where('username', '=', username).where('purpose', '=', purpose).executeTakeFirst();
  }

  async countCodeAttempt(poolId: string, username: string, purpose: string): Promise<void> {
    await this.db.updateTable('cognito_codes').set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('pool_id', '=', poolId).where('username', '=', username).where('purpose', '=', purpose).execute();
  }

  async deleteCode(poolId: string, username: string, purpose: string): Promise<void> {
    await this.db.deleteFrom('cognito_codes').where('pool_id', '=', poolId).where('username', '=', username).where('purpose', '=', purpose).execute();
  }

  async deliver(message: Omit<MailboxMessage, 'id' | 'created_at'>): Promise<MailboxMessage> {
    const now = this.now();
    const row: MailboxMessage = { ...message, id: `${now.toString(36).padStart(10, '0')}-${randomBytes(6).toString('hex')}`, created_at: now };
    await this.db.insertInto('cognito_mailbox').values(row).execute();
    return row;
  }

  /** Messages sent to a user, newest first. */
  messages(poolId: string, username: string, limit = 20): Promise<MailboxMessage[]> {
    return this.db.selectFrom('cognito_mailbox').selectAll().where('pool_id', '=', poolId).where('username', '=', username)
      .orderBy('id', 'desc').limit(limit).execute();
  }

  async addRefreshToken(row: RefreshTokenRow): Promise<void> {
    await this.db.insertInto('cognito_refresh_tokens').values(row).execute();
  }

  refreshToken(token: string): Promise<RefreshTokenRow | undefined> {
    return this.db.selectFrom('cognito_refresh_tokens').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
  }

  async revokeRefreshToken(token: string): Promise<void> {
    await this.db.updateTable('cognito_refresh_tokens').set({ revoked: 1 }).where('token_hash', '=', sha256(token)).execute();
  }

  async revokeRefreshTokensOf(poolId: string, username: string): Promise<void> {
    await this.db.updateTable('cognito_refresh_tokens').set({ revoked: 1 }).where('pool_id', '=', poolId).where('username', '=', username).execute();
  }

  /** Whether the sign-in this origin_jti names was revoked (its refresh token revoked). */
  async originRevoked(poolId: string, originJti: string): Promise<boolean> {
    const row = await this.db.selectFrom('cognito_refresh_tokens').select('revoked').where('pool_id', '=', poolId).where('origin_jti', '=', originJti).executeTakeFirst();
    return row?.revoked === 1;
  }

  async putSrpSession(row: SrpSessionRow): Promise<void> {
    await this.db.deleteFrom('cognito_srp_sessions').where('expires_at', '<', this.now()).execute();
    await this.db.insertInto('cognito_srp_sessions').values(row).execute();
  }

  /** Takes (and removes) the sign-in a secret block belongs to: each can be answered once. */
  async takeSrpSession(secretBlock: string): Promise<SrpSessionRow | undefined> {
    const hash = sha256(secretBlock);
    const row = await this.db.selectFrom('cognito_srp_sessions').selectAll().where('secret_block_hash', '=', hash).executeTakeFirst();
    if (!row) return undefined;
    const deleted = await this.db.deleteFrom('cognito_srp_sessions').where('secret_block_hash', '=', hash).executeTakeFirst();
    return Number(deleted.numDeletedRows) === 1 ? row : undefined;
  }

  sealSecret(value: string): string {
    return this.box.seal(value);
  }

  openSecret(value: string): string {
    return this.box.open(value);
  }
}
