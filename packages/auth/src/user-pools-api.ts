import { GantryError } from '@gantry/core';
import type { JsonService } from '@gantry/edge';
import { callerAccount, type CallContext, type Operation } from '@gantry/iam';
import { DEFAULT_PASSWORD_POLICY, temporaryPassword, type PasswordPolicy } from './passwords.ts';
import { newTotpSecret, totpStep } from './totp.ts';
import type { ClientRow, ClientSettings, PoolRow, PoolScope, PoolSettings, UserRow } from './user-pool-store.ts';
import { type Attributes, type PoolContext, type UserPools } from './user-pools.ts';

type Params = Record<string, any>;
type UnsignedOperation = NonNullable<JsonService['unsignedOperations']>[string];
type UnsignedCall = Parameters<UnsignedOperation['run']>[1];

const scopeOf = (call: CallContext): PoolScope => ({ account: callerAccount(call), region: call.region });
const seconds = (ms: number) => ms / 1000;
const poolArn = (pool: Pick<PoolRow, 'id' | 'region' | 'account_id'>) => `arn:aws:cognito-idp:${pool.region}:${pool.account_id}:userpool/${pool.id}`;
const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;

const invalid = (message: string) => new GantryError('InvalidParameterException', message);
function str(value: unknown, field: string, max = 128): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid(`${field} is required: a string of 1 to ${max} characters.`);
  return value;
}
function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(`${field} must be true or false.`);
  return value;
}
function int(value: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw invalid(`${field} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  return value as number;
}
function list<T extends string>(value: unknown, field: string, allowed: readonly T[]): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => !allowed.includes(v))) throw invalid(`${field} must be a list of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`);
  return [...new Set(value as T[])];
}
const encodeToken = (key: string) => Buffer.from(key).toString('base64url');
function decodeToken(token: unknown, field = 'NextToken'): string | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token !== 'string' || token === '') throw invalid(`${field} is not one this API returned: list again without it.`);
  return Buffer.from(token, 'base64url').toString('utf8');
}

function poolSettings(p: Params): PoolSettings {
  const given = p.Policies?.PasswordPolicy ?? {};
  const policy: PasswordPolicy = {
    MinimumLength: int(given.MinimumLength, 'Policies.PasswordPolicy.MinimumLength', 6, 99, DEFAULT_PASSWORD_POLICY.MinimumLength),
    RequireUppercase: bool(given.RequireUppercase, 'RequireUppercase', p.Policies ? false : true),
    RequireLowercase: bool(given.RequireLowercase, 'RequireLowercase', p.Policies ? false : true),
    RequireNumbers: bool(given.RequireNumbers, 'RequireNumbers', p.Policies ? false : true),
    RequireSymbols: bool(given.RequireSymbols, 'RequireSymbols', p.Policies ? false : true),
    TemporaryPasswordValidityDays: int(given.TemporaryPasswordValidityDays, 'TemporaryPasswordValidityDays', 0, 365, 7),
  };
  const usernameAttributes = list(p.UsernameAttributes, 'UsernameAttributes', ['email', 'phone_number'] as const);
  const aliasAttributes = list(p.AliasAttributes, 'AliasAttributes', ['email', 'phone_number', 'preferred_username'] as const);
  if (usernameAttributes.length && aliasAttributes.length) throw invalid('UsernameAttributes and AliasAttributes cannot both be set: choose sign-in by email/phone instead of a username, or as an alias of it.');
  const mfa = p.MfaConfiguration ?? 'OFF';
  if (!['OFF', 'OPTIONAL', 'ON'].includes(mfa)) throw invalid(`MfaConfiguration must be OFF, OPTIONAL or ON; got ${JSON.stringify(mfa)}.`);
  if (mfa === 'ON') throw invalid('MfaConfiguration ON (MFA required) is not supported here: use OFF or OPTIONAL.');
  if (p.Schema !== undefined && !Array.isArray(p.Schema)) throw invalid('Schema must be a list of attribute definitions.');
  const schema = (p.Schema ?? []).map((a: Params) => ({
    Name: str(a?.Name, 'Schema[].Name', 20), AttributeDataType: a.AttributeDataType ?? 'String', Mutable: a.Mutable !== false, Required: a.Required === true,
  }));
  const deletion = p.DeletionProtection ?? 'INACTIVE';
  if (!['ACTIVE', 'INACTIVE'].includes(deletion)) throw invalid('DeletionProtection must be ACTIVE or INACTIVE.');
  return {
    UsernameAttributes: usernameAttributes, AliasAttributes: aliasAttributes,
    AutoVerifiedAttributes: list(p.AutoVerifiedAttributes, 'AutoVerifiedAttributes', ['email', 'phone_number'] as const),
    PasswordPolicy: policy, MfaConfiguration: mfa, UsernameCaseSensitive: bool(p.UsernameConfiguration?.CaseSensitive, 'UsernameConfiguration.CaseSensitive', true),
    Schema: schema, DeletionProtection: deletion, AdminCreateUserOnly: bool(p.AdminCreateUserConfig?.AllowAdminCreateUserOnly, 'AllowAdminCreateUserOnly', false),
  };
}

const AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_AUTH'] as const;
function clientSettings(p: Params): ClientSettings {
  const units = { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days', ...(p.TokenValidityUnits ?? {}) };
  for (const [k, v] of Object.entries(units)) if (!['seconds', 'minutes', 'hours', 'days'].includes(v as string)) throw invalid(`TokenValidityUnits.${k} must be seconds, minutes, hours or days.`);
  const flows = p.ExplicitAuthFlows === undefined ? ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_CUSTOM_AUTH'] : list(p.ExplicitAuthFlows, 'ExplicitAuthFlows', AUTH_FLOWS);
  const prevent = p.PreventUserExistenceErrors ?? 'LEGACY';
  if (!['ENABLED', 'LEGACY'].includes(prevent)) throw invalid('PreventUserExistenceErrors must be ENABLED or LEGACY.');
  return {
    ExplicitAuthFlows: flows, PreventUserExistenceErrors: prevent,
    AccessTokenValidity: int(p.AccessTokenValidity, 'AccessTokenValidity', 1, 86_400, 1),
    IdTokenValidity: int(p.IdTokenValidity, 'IdTokenValidity', 1, 86_400, 1),
    RefreshTokenValidity: int(p.RefreshTokenValidity, 'RefreshTokenValidity', 1, 315_360_000, 30),
    TokenValidityUnits: units, EnableTokenRevocation: bool(p.EnableTokenRevocation, 'EnableTokenRevocation', true),
  };
}

const attributeList = (attributes: Attributes) => Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));

/**
 * Cognito user pools' API (JSON 1.1, `AWSCognitoIdentityProviderService.*`). Administration (pools, clients,
 * groups, Admin* and ListUsers) is SigV4-signed and authorised as `cognito-idp:<Operation>` on the pool's ARN;
 * the operations users call themselves (SignUp, InitiateAuth, GetUser…) are unsigned, as on AWS, and authorise
 * themselves with the app client id, the password proof or the access token.
 */
export function userPoolsJsonService(pools: UserPools): JsonService {
  const store = pools.store;

  // ---- shapes ----
  const poolShape = async (pool: PoolRow) => {
    const s = JSON.parse(pool.settings) as PoolSettings;
    const { TemporaryPasswordValidityDays, ...policy } = s.PasswordPolicy;
    return {
      Id: pool.id, Name: pool.name, Arn: poolArn(pool), CreationDate: seconds(pool.created_at), LastModifiedDate: seconds(pool.modified_at),
      Policies: { PasswordPolicy: { ...policy, TemporaryPasswordValidityDays } },
      ...(s.UsernameAttributes.length && { UsernameAttributes: s.UsernameAttributes }),
      ...(s.AliasAttributes.length && { AliasAttributes: s.AliasAttributes }),
      AutoVerifiedAttributes: s.AutoVerifiedAttributes, MfaConfiguration: s.MfaConfiguration,
      UsernameConfiguration: { CaseSensitive: s.UsernameCaseSensitive }, DeletionProtection: s.DeletionProtection,
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: s.AdminCreateUserOnly },
      SchemaAttributes: s.Schema.map((a) => ({ ...a, Name: a.Name.includes(':') || a.Name === 'email' || a.Name === 'phone_number' ? a.Name : `custom:${a.Name}` })),
      EstimatedNumberOfUsers: (await store.listUsers(pool.id, undefined, 100_000)).length,
    };
  };
  const clientShape = (client: ClientRow, secret?: string) => {
    const s = JSON.parse(client.settings) as ClientSettings;
    const stored = secret ?? store.clientSecret(client);
    return {
      UserPoolId: client.pool_id, ClientName: client.name, ClientId: client.id, ...(stored && { ClientSecret: stored }),
      CreationDate: seconds(client.created_at), LastModifiedDate: seconds(client.modified_at), ...s, AuthSessionValidity: 3,
    };
  };
  const userShape = (user: UserRow, attributesField: 'Attributes' | 'UserAttributes') => ({
    Username: user.username, [attributesField]: attributeList(JSON.parse(user.attributes)), UserCreateDate: seconds(user.created_at),
    UserLastModifiedDate: seconds(user.modified_at), Enabled: user.enabled === 1, UserStatus: user.status,
  });

  // ---- admin operations (signed) ----
  /** The pool of an admin call: in the caller's account and the request's region, or ResourceNotFoundException. */
  const poolOf = async (p: Params, call: CallContext) => {
    const id = str(p.UserPoolId, 'UserPoolId', 55);
    const pool = await store.pool(id);
    const scope = scopeOf(call);
    if (!pool || pool.account_id !== scope.account || pool.region !== scope.region) throw new GantryError('ResourceNotFoundException', `User pool ${id} does not exist.`);
    return { pool, settings: JSON.parse(pool.settings) as PoolSettings };
  };
  const onPool = (action: string): Pick<Operation<Params>, 'action' | 'resource'> => ({
    action: `cognito-idp:${action}`,
    resource: (p, call) => {
      const id = typeof p.UserPoolId === 'string' && POOL_ID.test(p.UserPoolId) ? p.UserPoolId : '*';
      return { arn: `arn:aws:cognito-idp:${call.region}:${callerAccount(call)}:userpool/${id}` };
    },
  });
  const adminUser = async (p: Params, call: CallContext) => {
    const { pool, settings } = await poolOf(p, call);
    const user = await pools.findUser({ pool, settings }, p.Username);
    if (!user) throw new GantryError('UserNotFoundException', 'User does not exist.');
    return { pool, settings, user };
  };

  const signed: Record<string, Operation<Params>> = {
    CreateUserPool: {
      action: 'cognito-idp:CreateUserPool',
      resource: (_p, call) => ({ arn: `arn:aws:cognito-idp:${call.region}:${callerAccount(call)}:userpool/*` }),
      async run(p, call) {
        const name = str(p.PoolName, 'PoolName');
        if (!/^[\w\s+=,.@-]+$/.test(name)) throw invalid('PoolName may hold letters, digits, spaces and + = , . @ - _ only.');
        return { UserPool: await poolShape(await store.createPool(scopeOf(call), name, poolSettings(p))) };
      },
    },
    DescribeUserPool: { ...onPool('DescribeUserPool'), run: async (p, call) => ({ UserPool: await poolShape((await poolOf(p, call)).pool) }) },
    ListUserPools: {
      action: 'cognito-idp:ListUserPools',
      async run(p, call) {
        const limit = int(p.MaxResults, 'MaxResults', 1, 60);
        const rows = await store.listPools(scopeOf(call), decodeToken(p.NextToken), limit + 1);
        const page = rows.slice(0, limit);
        return {
          UserPools: page.map((pool) => ({ Id: pool.id, Name: pool.name, CreationDate: seconds(pool.created_at), LastModifiedDate: seconds(pool.modified_at) })),
          ...(rows.length > limit && { NextToken: encodeToken(page.at(-1)!.id) }),
        };
      },
    },
    DeleteUserPool: {
      ...onPool('DeleteUserPool'),
      async run(p, call) {
        const { pool, settings } = await poolOf(p, call);
        if (settings.DeletionProtection === 'ACTIVE') throw invalid(`User pool ${pool.id} has deletion protection: set DeletionProtection to INACTIVE (UpdateUserPool) first.`);
        await store.deletePool(pool.id);
        pools.verifier.forget(pool.key_id);
        return {};
      },
    },
    CreateUserPoolClient: {
      ...onPool('CreateUserPoolClient'),
      async run(p, call) {
        const { pool } = await poolOf(p, call);
        const { row, secret } = await store.createClient(pool.id, str(p.ClientName, 'ClientName'), clientSettings(p), bool(p.GenerateSecret, 'GenerateSecret', false));
        return { UserPoolClient: clientShape(row, secret) };
      },
    },
    DescribeUserPoolClient: {
      ...onPool('DescribeUserPoolClient'),
      async run(p, call) {
        const { pool } = await poolOf(p, call);
        const client = await store.client(str(p.ClientId, 'ClientId'));
        if (!client || client.pool_id !== pool.id) throw new GantryError('ResourceNotFoundException', `User pool client ${p.ClientId} does not exist.`);
        return { UserPoolClient: clientShape(client) };
      },
    },
    ListUserPoolClients: {
      ...onPool('ListUserPoolClients'),
      async run(p, call) {
        const { pool } = await poolOf(p, call);
        return { UserPoolClients: (await store.listClients(pool.id)).map((c) => ({ ClientId: c.id, UserPoolId: c.pool_id, ClientName: c.name })) };
      },
    },
    CreateGroup: {
      ...onPool('CreateGroup'),
      async run(p, call) {
        const { pool } = await poolOf(p, call);
        const name = str(p.GroupName, 'GroupName');
        const now = store.now();
        const row = {
          pool_id: pool.id, name, description: p.Description ?? null, role_arn: p.RoleArn ?? null, created_at: now, modified_at: now,
          precedence: p.Precedence === undefined ? null : int(p.Precedence, 'Precedence', 0, 2 ** 31 - 1),
        };
        await store.createGroup(row);
        return { Group: groupShape(row) };
      },
    },
    ListGroups: {
      ...onPool('ListGroups'),
      async run(p, call) {
        const { pool } = await poolOf(p, call);
        return { Groups: (await store.listGroups(pool.id)).map(groupShape) };
      },
    },
    AdminAddUserToGroup: {
      ...onPool('AdminAddUserToGroup'),
      async run(p, call) {
        const { pool, user } = await adminUser(p, call);
        const group = await store.group(pool.id, str(p.GroupName, 'GroupName'));
        if (!group) throw new GantryError('ResourceNotFoundException', `Group ${p.GroupName} not found: create it with CreateGroup first.`);
        await store.addToGroup(pool.id, user.username, group.name);
        return {};
      },
    },
    AdminRemoveUserFromGroup: {
      ...onPool('AdminRemoveUserFromGroup'),
      async run(p, call) {
        const { pool, user } = await adminUser(p, call);
        await store.removeFromGroup(pool.id, user.username, str(p.GroupName, 'GroupName'));
        return {};
      },
    },
    AdminListGroupsForUser: {
      ...onPool('AdminListGroupsForUser'),
      async run(p, call) {
        const { pool, user } = await adminUser(p, call);
        return { Groups: (await store.groupsOf(pool.id, user.username)).map(groupShape) };
      },
    },
    AdminCreateUser: {
      ...onPool('AdminCreateUser'),
      async run(p, call) {
        const { pool, settings } = await poolOf(p, call);
        const attributes = pools.checkAttributes(settings, p.UserAttributes);
        const password = p.TemporaryPassword === undefined ? temporaryPassword() : pools.checkPassword(settings, p.TemporaryPassword, 'TemporaryPassword');
        if (p.MessageAction !== undefined && !['SUPPRESS', 'RESEND'].includes(p.MessageAction)) throw invalid('MessageAction must be SUPPRESS or RESEND.');
        if (p.MessageAction === 'RESEND') throw invalid('MessageAction RESEND needs an existing user: this one is new; omit MessageAction.');
        const user = await pools.createUser({ pool, settings }, { username: p.Username, password, attributes, status: 'FORCE_CHANGE_PASSWORD' });
        if (p.MessageAction !== 'SUPPRESS') {
          const held = JSON.parse(user.attributes) as Attributes;
          const to = held.email ?? held.phone_number;
          if (to) {
            await store.deliver({
              pool_id: pool.id, username: user.username, medium: held.email ? 'EMAIL' : 'SMS', destination: to, subject: 'Your temporary password',
              body: `Your username is ${p.Username} and temporary password is ${password}.`, code: password,
            });
          }
        }
        return { User: userShape(user, 'Attributes') };
      },
    },
    AdminConfirmSignUp: {
      ...onPool('AdminConfirmSignUp'),
      async run(p, call) {
        const { pool, user } = await adminUser(p, call);
        if (user.status !== 'UNCONFIRMED') throw new GantryError('NotAuthorizedException', `User cannot be confirmed. Current status is ${user.status}`);
        await store.updateUser(pool.id, user.username, { status: 'CONFIRMED' });
        await store.deleteCode(pool.id, user.username, 'signup');
        return {};
      },
    },
    AdminGetUser: {
      ...onPool('AdminGetUser'),
      async run(p, call) {
        const { pool, user } = await adminUser(p, call);
        return { ...userShape(user, 'UserAttributes'), ...(await mfaSettings(pool, user)) };
      },
    },
    // Gantry's own: the local mailbox that stands in for email and SMS (codes, temporary passwords). Whoever may
    // read a user's administrative record may read what the pool sent it.
    ListMailboxMessages: {
      ...onPool('AdminGetUser'),
      async run(p, call) {
        const { pool, user } = await adminUser(p, call);
        const messages = await store.messages(pool.id, user.username);
        return {
          Messages: messages.map((m) => ({
            Destination: m.destination, Medium: m.medium, Subject: m.subject, Text: m.body, ...(m.code && { Code: m.code }), SentDate: seconds(m.created_at),
          })),
        };
      },
    },
    AdminSetUserMFAPreference: {
      ...onPool('AdminSetUserMFAPreference'),
      async run(p, call) {
        const { pool, settings, user } = await adminUser(p, call);
        await setMfaPreference(pool, settings, user, p);
        return {};
      },
    },
    AdminSetUserPassword: {
      ...onPool('AdminSetUserPassword'),
      async run(p, call) {
        const { pool, settings, user } = await adminUser(p, call);
        const password = pools.checkPassword(settings, p.Password);
        const permanent = bool(p.Permanent, 'Permanent', false);
        await pools.setPassword(pool, user, password, { status: permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD' });
        return {};
      },
    },
    AdminDeleteUser: {
      ...onPool('AdminDeleteUser'),
      async run(p, call) {
        const { pool, user } = await adminUser(p, call);
        await store.revokeRefreshTokensOf(pool.id, user.username);
        await store.deleteUser(pool.id, user.username);
        return {};
      },
    },
    ListUsers: {
      ...onPool('ListUsers'),
      async run(p, call) {
        const { pool } = await poolOf(p, call);
        const limit = int(p.Limit, 'Limit', 1, 60, 60);
        const filter = parseFilter(p.Filter);
        const found: UserRow[] = [];
        let after = decodeToken(p.PaginationToken, 'PaginationToken');
        let more = false;
        // A filter may skip rows: read on until the page is full.
        for (;;) {
          const rows = await store.listUsers(pool.id, after, 200);
          for (const row of rows) {
            after = row.username;
            if (filter && !filter(row)) continue;
            if (found.length === limit) {
              more = true;
              break;
            }
            found.push(row);
          }
          if (more || rows.length < 200) break;
        }
        return { Users: found.map((u) => userShape(u, 'Attributes')), ...(more && { PaginationToken: encodeToken(found.at(-1)!.username) }) };
      },
    },
  };

  // ---- user operations (unsigned) ----
  const clientOf = (p: Params, call: UnsignedCall) => pools.clientContext(p.ClientId, call.hostRegion);
  const requireFlow = (ctx: PoolContext, flow: string) => {
    if (!ctx.clientSettings.ExplicitAuthFlows.includes(`ALLOW_${flow}`)) throw invalid(`${flow} flow not enabled for this client: add ALLOW_${flow} to the app client's ExplicitAuthFlows.`);
  };
  /** A challenge's `Session`: sealed, bound to the pool, client, user and challenge, good for three minutes. */
  const challengeSession = (ctx: PoolContext, user: UserRow, challenge: string) =>
    store.sealSecret(JSON.stringify({ pool: ctx.pool.id, client: ctx.client.id, username: user.username, challenge, exp: store.now() + 3 * 60_000 }));
  const openChallengeSession = async (ctx: PoolContext, token: unknown, challenge: string): Promise<UserRow> => {
    const expired = () => new GantryError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    let session: { pool: string; client: string; username: string; challenge: string; exp: number };
    try {
      session = JSON.parse(store.openSecret(String(token)));
    } catch {
      throw expired();
    }
    if (session.pool !== ctx.pool.id || session.client !== ctx.client.id || session.challenge !== challenge || session.exp <= store.now()) throw expired();
    const user = await store.user(ctx.pool.id, session.username);
    if (!user || !user.enabled) throw new GantryError('NotAuthorizedException', 'Invalid session for the user.');
    return user;
  };
  /** Is sign-in to ask this user for an authenticator-app code? */
  const totpRequired = async (ctx: PoolContext, user: UserRow) => ctx.settings.MfaConfiguration !== 'OFF' && (await store.totp(ctx.pool.id, user.username))?.enabled === 1;
  /** After the password is proven: the user's state decides between tokens, a challenge and an error. */
  const afterPassword = async (ctx: PoolContext, user: UserRow) => {
    if (!user.enabled) throw new GantryError('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'UNCONFIRMED') throw new GantryError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'RESET_REQUIRED') throw new GantryError('PasswordResetRequiredException', 'Password reset required for the user');
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const session = challengeSession(ctx, user, 'NEW_PASSWORD_REQUIRED');
      const attributes = JSON.parse(user.attributes) as Attributes;
      delete attributes.sub;
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: session,
        ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(attributes) },
      };
    }
    if (await totpRequired(ctx, user)) {
      return { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: challengeSession(ctx, user, 'SOFTWARE_TOKEN_MFA'), ChallengeParameters: { USER_ID_FOR_SRP: user.username } };
    }
    return { ChallengeParameters: {}, AuthenticationResult: await pools.signIn(ctx, user) };
  };
  /** Checks an authenticator-app code against a secret; each code is good once. */
  const checkTotp = async (pool: PoolRow, user: UserRow, secret: string, code: unknown, mismatch: GantryError) => {
    pools.requireNotLocked(user);
    const step = totpStep(store.openSecret(secret), code, store.now());
    if (step === undefined || !(await store.useTotpStep(pool.id, user.username, step))) await pools.recordFailure(user, mismatch);
    await pools.recordSuccess(user);
  };
  const mfaSettings = async (pool: PoolRow, user: UserRow) => {
    const totp = await store.totp(pool.id, user.username);
    return {
      MFAOptions: [], UserMFASettingList: totp?.enabled ? ['SOFTWARE_TOKEN_MFA'] : [],
      ...(totp?.enabled && totp.preferred && { PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' }),
    };
  };
  /** SetUserMFAPreference / AdminSetUserMFAPreference: only the authenticator app is offered. */
  const setMfaPreference = async (pool: PoolRow, settings: PoolSettings, user: UserRow, p: Params) => {
    if (p.SMSMfaSettings?.Enabled || p.EmailMfaSettings?.Enabled) throw invalid('Only SoftwareTokenMfaSettings (an authenticator app) is supported: SMS and email MFA are not.');
    const wanted = p.SoftwareTokenMfaSettings as { Enabled?: boolean; PreferredMfa?: boolean } | undefined;
    if (!wanted) return;
    const totp = await store.totp(pool.id, user.username);
    if (wanted.Enabled && settings.MfaConfiguration === 'OFF') throw invalid('MFA is turned off for this user pool: set MfaConfiguration to OPTIONAL first.');
    if (wanted.Enabled && !totp?.secret) throw invalid('User has not verified software token mfa: call AssociateSoftwareToken and VerifySoftwareToken first.');
    if (!totp) return;
    await store.putTotp({ ...totp, enabled: wanted.Enabled ? 1 : 0, preferred: wanted.Enabled && wanted.PreferredMfa ? 1 : 0 });
  };
  const unsigned = (run: (p: Params, call: UnsignedCall) => Promise<unknown>): UnsignedOperation => ({ unsigned: true, run });
  const tokenUser = (p: Params) => pools.userOfAccessToken(p.AccessToken);

  const unsignedOperations: Record<string, UnsignedOperation> = {
    SignUp: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      if (ctx.settings.AdminCreateUserOnly) throw new GantryError('NotAuthorizedException', 'SignUp is not permitted for this user pool');
      const username = str(p.Username, 'Username');
      pools.checkSecretHash(ctx, username, p.SecretHash);
      const password = pools.checkPassword(ctx.settings, p.Password);
      const attributes = pools.checkAttributes(ctx.settings, p.UserAttributes);
      delete attributes.email_verified;
      delete attributes.phone_number_verified;
      const user = await pools.createUser(ctx, { username, password, attributes, status: 'UNCONFIRMED' });
      const verify = ctx.settings.AutoVerifiedAttributes.find((a) => JSON.parse(user.attributes)[a]);
      const delivery = verify ? await pools.sendCode(ctx.pool, user, 'signup', verify) : undefined;
      return { UserConfirmed: false, UserSub: user.sub, ...(delivery && { CodeDeliveryDetails: delivery }) };
    }),
    ConfirmSignUp: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      const user = await pools.requireUser(ctx, p.Username);
      pools.checkSecretHash(ctx, String(p.Username), p.SecretHash);
      if (user.status !== 'UNCONFIRMED') throw new GantryError('NotAuthorizedException', `User cannot be confirmed. Current status is ${user.status}`);
      await pools.useCode(ctx.pool, user, 'signup', p.ConfirmationCode);
      const attributes = JSON.parse(user.attributes) as Attributes;
      for (const a of ctx.settings.AutoVerifiedAttributes) if (attributes[a]) attributes[`${a}_verified`] = 'true';
      await store.updateUser(ctx.pool.id, user.username, { status: 'CONFIRMED', attributes: JSON.stringify(attributes) });
      return {};
    }),
    ResendConfirmationCode: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      const user = await pools.requireUser(ctx, p.Username);
      pools.checkSecretHash(ctx, String(p.Username), p.SecretHash);
      if (user.status !== 'UNCONFIRMED') throw invalid('User is already confirmed.');
      const verify = ctx.settings.AutoVerifiedAttributes.find((a) => JSON.parse(user.attributes)[a]);
      return { CodeDeliveryDetails: await pools.sendCode(ctx.pool, user, 'signup', verify) };
    }),
    InitiateAuth: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      const parameters = (p.AuthParameters ?? {}) as Record<string, unknown>;
      switch (p.AuthFlow) {
        case 'USER_SRP_AUTH': {
          requireFlow(ctx, 'USER_SRP_AUTH');
          const user = await pools.requireUser(ctx, parameters.USERNAME);
          pools.checkSecretHash(ctx, String(parameters.USERNAME), parameters.SECRET_HASH);
          return { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: await pools.startSrp(ctx, user, parameters.SRP_A) };
        }
        case 'USER_PASSWORD_AUTH': {
          requireFlow(ctx, 'USER_PASSWORD_AUTH');
          const user = await pools.requireUser(ctx, parameters.USERNAME);
          pools.checkSecretHash(ctx, String(parameters.USERNAME), parameters.SECRET_HASH);
          await pools.checkUserPassword(user, parameters.PASSWORD);
          return afterPassword(ctx, user);
        }
        case 'REFRESH_TOKEN_AUTH':
        case 'REFRESH_TOKEN':
          return { ChallengeParameters: {}, AuthenticationResult: await pools.refresh(ctx, parameters.REFRESH_TOKEN) };
        default:
          throw invalid(`AuthFlow ${JSON.stringify(p.AuthFlow)} is not supported: use USER_SRP_AUTH, USER_PASSWORD_AUTH or REFRESH_TOKEN_AUTH.`);
      }
    }),
    // What aws-amplify 6.22 refreshes its session with (older clients use InitiateAuth REFRESH_TOKEN_AUTH).
    GetTokensFromRefreshToken: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      pools.checkClientSecret(ctx, p.ClientSecret);
      return { AuthenticationResult: await pools.refresh(ctx, p.RefreshToken) };
    }),
    RespondToAuthChallenge: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      const responses = (p.ChallengeResponses ?? {}) as Record<string, unknown>;
      if (p.ChallengeName === 'PASSWORD_VERIFIER') {
        const user = await pools.finishSrp(ctx, responses);
        return afterPassword(ctx, user);
      }
      if (p.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        const user = await openChallengeSession(ctx, p.Session, 'NEW_PASSWORD_REQUIRED');
        if (user.status !== 'FORCE_CHANGE_PASSWORD') throw new GantryError('NotAuthorizedException', 'Invalid session for the user.');
        const password = pools.checkPassword(ctx.settings, responses.NEW_PASSWORD, 'NEW_PASSWORD');
        await pools.setPassword(ctx.pool, user, password, { status: 'CONFIRMED' });
        return { ChallengeParameters: {}, AuthenticationResult: await pools.signIn(ctx, { ...user, status: 'CONFIRMED' }) };
      }
      if (p.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
        const user = await openChallengeSession(ctx, p.Session, 'SOFTWARE_TOKEN_MFA');
        const totp = await store.totp(ctx.pool.id, user.username);
        if (!totp?.secret || !totp.enabled) throw new GantryError('NotAuthorizedException', 'Invalid session for the user.');
        await checkTotp(ctx.pool, user, totp.secret, responses.SOFTWARE_TOKEN_MFA_CODE, new GantryError('CodeMismatchException', 'Invalid code received for user'));
        return { ChallengeParameters: {}, AuthenticationResult: await pools.signIn(ctx, user) };
      }
      throw invalid(`ChallengeName ${JSON.stringify(p.ChallengeName)} is not supported: PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED and SOFTWARE_TOKEN_MFA are.`);
    }),
    AssociateSoftwareToken: unsigned(async (p) => {
      if (p.AccessToken === undefined && p.Session !== undefined) throw invalid('Setting up an authenticator app during sign-in (MFA_SETUP) is not supported: sign in, then call AssociateSoftwareToken with the access token.');
      const { user, pool } = await tokenUser(p);
      const secret = newTotpSecret();
      const existing = await store.totp(pool.id, user.username);
      await store.putTotp({ pool_id: pool.id, username: user.username, secret: existing?.secret ?? null, enabled: existing?.enabled ?? 0, preferred: existing?.preferred ?? 0, last_step: existing?.last_step ?? 0, pending_secret: store.sealSecret(secret) });
      return { SecretCode: secret };
    }),
    VerifySoftwareToken: unsigned(async (p) => {
      const { user, pool } = await tokenUser(p);
      const totp = await store.totp(pool.id, user.username);
      if (!totp?.pending_secret) throw invalid('No authenticator app is being set up: call AssociateSoftwareToken first.');
      await checkTotp(pool, user, totp.pending_secret, p.UserCode, new GantryError('EnableSoftwareTokenMFAException', 'Code mismatch'));
      await store.putTotp({ ...(await store.totp(pool.id, user.username))!, secret: totp.pending_secret, pending_secret: null });
      return { Status: 'SUCCESS' };
    }),
    SetUserMFAPreference: unsigned(async (p) => {
      const { user, pool, settings } = await tokenUser(p);
      await setMfaPreference(pool, settings, user, p);
      return {};
    }),
    GetUser: unsigned(async (p) => {
      const { user, pool } = await tokenUser(p);
      return { Username: user.username, UserAttributes: attributeList(JSON.parse(user.attributes)), ...(await mfaSettings(pool, user)) };
    }),
    UpdateUserAttributes: unsigned(async (p) => {
      const { user, pool, settings } = await tokenUser(p);
      const changes = pools.checkAttributes(settings, p.UserAttributes);
      const attributes = { ...(JSON.parse(user.attributes) as Attributes), ...changes };
      const deliveries = [];
      for (const a of ['email', 'phone_number'] as const) {
        if (changes[a] === undefined) continue;
        if (settings.UsernameAttributes.includes(a) && (await store.usersWith(pool.id, a, changes[a]!)).some((u) => u.username !== user.username)) {
          throw new GantryError('AliasExistsException', `An account with the given ${a} already exists.`);
        }
        attributes[`${a}_verified`] = 'false';
      }
      await store.updateUser(pool.id, user.username, { attributes: JSON.stringify(attributes), email: attributes.email ?? null, phone_number: attributes.phone_number ?? null });
      for (const a of settings.AutoVerifiedAttributes) {
        if (changes[a] !== undefined) deliveries.push(await pools.sendCode(pool, { ...user, attributes: JSON.stringify(attributes) }, 'signup', a));
      }
      return { CodeDeliveryDetailsList: deliveries };
    }),
    ChangePassword: unsigned(async (p) => {
      const { user, pool, settings } = await tokenUser(p);
      const proposed = pools.checkPassword(settings, p.ProposedPassword, 'ProposedPassword');
      await pools.checkUserPassword(user, p.PreviousPassword);
      await pools.setPassword(pool, user, proposed);
      return {};
    }),
    ForgotPassword: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      const user = await pools.requireUser(ctx, p.Username);
      pools.checkSecretHash(ctx, String(p.Username), p.SecretHash);
      const attributes = JSON.parse(user.attributes) as Attributes;
      const verified = attributes.email_verified === 'true' ? 'email' : attributes.phone_number_verified === 'true' ? 'phone_number' : undefined;
      if (!verified) throw invalid('Cannot reset password for the user as there is no registered/verified email or phone_number');
      return { CodeDeliveryDetails: await pools.sendCode(ctx.pool, user, 'forgot-password', verified) };
    }),
    ConfirmForgotPassword: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      const user = await pools.requireUser(ctx, p.Username);
      pools.checkSecretHash(ctx, String(p.Username), p.SecretHash);
      const password = pools.checkPassword(ctx.settings, p.Password);
      await pools.useCode(ctx.pool, user, 'forgot-password', p.ConfirmationCode);
      await pools.setPassword(ctx.pool, user, password, { status: user.status === 'RESET_REQUIRED' ? 'CONFIRMED' : user.status, failed_attempts: 0, locked_until: 0 });
      return {};
    }),
    GlobalSignOut: unsigned(async (p) => {
      const { user, pool } = await tokenUser(p);
      // Tokens carry whole seconds: everything issued up to this second is signed out.
      await store.updateUser(pool.id, user.username, { tokens_valid_after: Math.floor(store.now() / 1000) * 1000 + 1000 });
      await store.revokeRefreshTokensOf(pool.id, user.username);
      return {};
    }),
    RevokeToken: unsigned(async (p, call) => {
      const ctx = await clientOf(p, call);
      const token = str(p.Token, 'Token', 16_384);
      const row = await store.refreshToken(token);
      if (row && row.client_id !== ctx.client.id) throw new GantryError('NotAuthorizedException', 'The refresh token was issued to another app client.');
      if (row) await store.revokeRefreshToken(token);
      return {};
    }),
  };

  return { targetPrefix: 'AWSCognitoIdentityProviderService', signingName: 'cognito-idp', version: '1.1', operations: signed, unsignedOperations };
}

const groupShape = (g: { pool_id: string; name: string; description: string | null; precedence: number | null; role_arn: string | null; created_at: number; modified_at: number }) => ({
  GroupName: g.name, UserPoolId: g.pool_id, ...(g.description !== null && { Description: g.description }), ...(g.precedence !== null && { Precedence: g.precedence }),
  ...(g.role_arn !== null && { RoleArn: g.role_arn }), CreationDate: seconds(g.created_at), LastModifiedDate: seconds(g.modified_at),
});

/** ListUsers' Filter: `attribute = "value"` or `attribute ^= "prefix"` on username, email, phone_number, sub, status and the standard attributes. */
function parseFilter(filter: unknown): ((user: UserRow) => boolean) | undefined {
  if (filter === undefined || filter === '') return undefined;
  const m = typeof filter === 'string' ? /^\s*([\w:]+)\s*(\^?=)\s*"([^"]*)"\s*$/.exec(filter) : null;
  if (!m) throw invalid('Filter must look like attribute = "value" or attribute ^= "prefix", e.g. email = "jane@example.com".');
  const [, name, op, value] = m as unknown as [string, string, string, string];
  const read = (user: UserRow): string | undefined => {
    if (name === 'username') return user.username;
    if (name === 'status' || name === 'cognito:user_status') return user.status;
    return (JSON.parse(user.attributes) as Attributes)[name];
  };
  return (user) => {
    const actual = read(user);
    return actual !== undefined && (op === '=' ? actual === value : actual.startsWith(value));
  };
}
