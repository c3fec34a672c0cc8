import { GantryError } from '@gantry/core';
import type { JsonService } from '@gantry/edge';
import { assumeRoleForIdentityPool, callerAccount, type CallContext, type Iam, type Operation } from '@gantry/iam';
import { providerUserPoolId, type IdentityPoolRoles, type IdentityPoolRow, type IdentityPoolStore, type IdentityProvider, type IdentityRow } from './identity-pool-store.ts';
import type { VerifiedToken } from './tokens.ts';
import type { UserPools } from './user-pools.ts';

type Params = Record<string, any>;
type UnsignedOperation = NonNullable<JsonService['unsignedOperations']>[string];
type UnsignedCallContext = Parameters<UnsignedOperation['run']>[1];

const POOL_ID = /^[\w-]+:[0-9a-f-]+$/;
const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;
const invalid = (message: string) => new GantryError('InvalidParameterException', message);
const poolArn = (pool: Pick<IdentityPoolRow, 'id' | 'region' | 'account_id'>) => `arn:aws:cognito-identity:${pool.region}:${pool.account_id}:identitypool/${pool.id}`;
const seconds = (ms: number) => Math.floor(ms / 1000);

function str(value: unknown, field: string, max = 128): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid(`${field} is required: a string of 1 to ${max} characters.`);
  return value;
}

function providersOf(value: unknown): IdentityProvider[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('CognitoIdentityProviders must be a list of { ProviderName, ClientId }.');
  return value.map((p: Params, i) => ({
    ProviderName: str(p?.ProviderName, `CognitoIdentityProviders[${i}].ProviderName`, 128),
    ClientId: str(p?.ClientId, `CognitoIdentityProviders[${i}].ClientId`, 128),
    ServerSideTokenCheck: p.ServerSideTokenCheck === true,
  }));
}

/** Role mappings as SetIdentityPoolRoles takes them: only `Token` (the user pool groups' roles) is honoured. */
interface StoredRoles extends IdentityPoolRoles {
  mappings?: Record<string, { Type: string; AmbiguousRoleResolution?: string }>;
}

/**
 * Cognito identity pools' API (JSON 1.1, `AWSCognitoIdentityService.*`). GetId and GetCredentialsForIdentity
 * are unsigned, as on AWS: a guest asks with nothing, a user with the id token of a user pool the identity pool
 * trusts (`Logins: { '<issuer without scheme>': idToken }`). The pool administration is SigV4-signed and
 * authorised as `cognito-identity:<Operation>` on the pool's ARN.
 */
export function identityPoolsJsonService(store: IdentityPoolStore, pools: UserPools, iam: Iam): JsonService {
  const shape = (pool: IdentityPoolRow) => ({
    IdentityPoolId: pool.id, IdentityPoolName: pool.name, AllowUnauthenticatedIdentities: pool.allow_unauthenticated === 1,
    AllowClassicFlow: false, CognitoIdentityProviders: JSON.parse(pool.providers) as IdentityProvider[],
  });
  const scopeOf = (call: CallContext) => ({ account: callerAccount(call), region: call.region });
  /** The pool of a signed call: in the caller's account and the request's region, or ResourceNotFoundException. */
  const poolOf = async (p: Params, call: CallContext): Promise<IdentityPoolRow> => {
    const id = str(p.IdentityPoolId, 'IdentityPoolId', 55);
    const pool = await store.pool(id);
    const scope = scopeOf(call);
    if (!pool || pool.account_id !== scope.account || pool.region !== scope.region) throw new GantryError('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
    return pool;
  };
  const onPool = (action: string): Pick<Operation<Params>, 'action' | 'resource'> => ({
    action: `cognito-identity:${action}`,
    resource: (p, call) => {
      const id = typeof p.IdentityPoolId === 'string' && POOL_ID.test(p.IdentityPoolId) ? p.IdentityPoolId : '*';
      return { arn: `arn:aws:cognito-identity:${call.region}:${callerAccount(call)}:identitypool/${id}` };
    },
  });

  const signed: Record<string, Operation<Params>> = {
    CreateIdentityPool: {
      action: 'cognito-identity:CreateIdentityPool',
      resource: (_p, call) => ({ arn: `arn:aws:cognito-identity:${call.region}:${callerAccount(call)}:identitypool/*` }),
      async run(p, call) {
        const name = str(p.IdentityPoolName, 'IdentityPoolName');
        if (!/^[\w ]+$/.test(name)) throw invalid('IdentityPoolName may hold letters, digits, spaces and underscores only.');
        if (typeof p.AllowUnauthenticatedIdentities !== 'boolean') throw invalid('AllowUnauthenticatedIdentities is required: true or false.');
        return shape(await store.create(scopeOf(call), { name, allowUnauthenticated: p.AllowUnauthenticatedIdentities, providers: providersOf(p.CognitoIdentityProviders) }));
      },
    },
    DescribeIdentityPool: { ...onPool('DescribeIdentityPool'), run: async (p, call) => shape(await poolOf(p, call)) },
    ListIdentityPools: {
      action: 'cognito-identity:ListIdentityPools',
      async run(p, call) {
        const limit = p.MaxResults;
        if (!Number.isInteger(limit) || limit < 1 || limit > 60) throw invalid('MaxResults must be an integer from 1 to 60.');
        const after = typeof p.NextToken === 'string' ? Buffer.from(p.NextToken, 'base64url').toString('utf8') : undefined;
        const rows = await store.list(scopeOf(call), after, limit + 1);
        const page = rows.slice(0, limit);
        return {
          IdentityPools: page.map((pool) => ({ IdentityPoolId: pool.id, IdentityPoolName: pool.name })),
          ...(rows.length > limit && { NextToken: Buffer.from(page.at(-1)!.id).toString('base64url') }),
        };
      },
    },
    DeleteIdentityPool: {
      ...onPool('DeleteIdentityPool'),
      async run(p, call) {
        await store.delete((await poolOf(p, call)).id);
        return {};
      },
    },
    SetIdentityPoolRoles: {
      ...onPool('SetIdentityPoolRoles'),
      async run(p, call) {
        const pool = await poolOf(p, call);
        const roles: StoredRoles = {};
        for (const kind of ['authenticated', 'unauthenticated'] as const) {
          const arn = p.Roles?.[kind];
          if (arn === undefined) continue;
          const role = await iam.findRoleByArn(str(arn, `Roles.${kind}`, 2048));
          if (!role || role.account !== pool.account_id) throw invalid(`Roles.${kind} must be a role of account ${pool.account_id}: ${arn} is not.`);
          // Handing a role to the service is passing it, as on AWS.
          await iam.authorizer.require({ principal: call.principal, action: 'iam:PassRole', resource: role.arn, context: call.requestContext });
          roles[kind] = role.arn;
        }
        if (p.RoleMappings !== undefined) {
          roles.mappings = {};
          for (const [provider, mapping] of Object.entries(p.RoleMappings as Record<string, Params>)) {
            if (mapping?.Type !== 'Token') throw invalid(`RoleMappings.${provider}.Type must be Token (the user pool groups' roles); Rules mappings are not supported.`);
            roles.mappings[provider] = { Type: 'Token', AmbiguousRoleResolution: mapping.AmbiguousRoleResolution ?? 'AuthenticatedRole' };
          }
        }
        await store.update(pool.id, { roles });
        return {};
      },
    },
    GetIdentityPoolRoles: {
      ...onPool('GetIdentityPoolRoles'),
      async run(p, call) {
        const pool = await poolOf(p, call);
        const { mappings, ...roles } = JSON.parse(pool.roles) as StoredRoles;
        return { IdentityPoolId: pool.id, Roles: roles, ...(mappings && { RoleMappings: mappings }) };
      },
    },
  };

  // ---- identities (unsigned) ----
  const unauthorized = (message: string) => new GantryError('NotAuthorizedException', message);

  const unsignedPool = async (id: unknown): Promise<IdentityPoolRow> => {
    const poolId = str(id, 'IdentityPoolId', 55);
    const pool = POOL_ID.test(poolId) ? await store.pool(poolId) : undefined;
    if (!pool) throw new GantryError('ResourceNotFoundException', `IdentityPool '${poolId}' not found.`);
    return pool;
  };

  /**
   * The one login of a request, checked: the provider is one the pool trusts, the token is an id token that
   * provider's user pool signed, unexpired, issued to the configured app client, and its issuer is the key.
   */
  const checkedLogin = async (pool: IdentityPoolRow, logins: unknown): Promise<{ key: string; login: string; token: VerifiedToken } | undefined> => {
    if (logins === undefined || logins === null) return undefined;
    if (typeof logins !== 'object' || Array.isArray(logins)) throw invalid('Logins must be a map of provider name to token.');
    const entries = Object.entries(logins as Record<string, unknown>);
    if (entries.length === 0) return undefined;
    if (entries.length > 1) throw invalid('Logins may name one provider here: the id token of a user pool this identity pool trusts.');
    const [key, token] = entries[0]!;
    const providers = JSON.parse(pool.providers) as IdentityProvider[];
    const userPoolId = providerUserPoolId(key);
    const provider = providers.find((p) => providerUserPoolId(p.ProviderName) === userPoolId);
    if (!provider) throw unauthorized(`Invalid login token. ${key} is not a provider of identity pool ${pool.id}: add its user pool to CognitoIdentityProviders.`);
    const verified = await pools.verifyIdToken(token as string, { userPoolId, clientId: provider.ClientId }).catch((error: GantryError) => {
      throw unauthorized(`Invalid login token. ${error.message}`);
    });
    if (String(verified.claims.iss).replace(/^\w+:\/\//, '') !== key) throw unauthorized(`Invalid login token. Issuer doesn't match providerName: the key must be the token's iss without its scheme.`);
    return { key, login: `${userPoolId}:${verified.claims.sub}`, token: verified };
  };

  /** The role a user gets: the preferred group role when the pool maps roles from tokens, else the authenticated role. */
  const authenticatedRole = async (pool: IdentityPoolRow, roles: StoredRoles, login: { key: string; token: VerifiedToken }): Promise<string | undefined> => {
    const mapping = roles.mappings?.[login.key] ?? Object.entries(roles.mappings ?? {}).find(([name]) => providerUserPoolId(name) === login.token.poolId)?.[1];
    const groups = login.token.claims['cognito:groups'] ?? [];
    if (mapping?.Type === 'Token' && groups.length) {
      const rows = (await pools.store.listGroups(login.token.poolId)).filter((g) => g.role_arn && groups.includes(g.name));
      rows.sort((a, b) => (a.precedence ?? Infinity) - (b.precedence ?? Infinity));
      if (rows[0]) return rows[0].role_arn!;
      if (mapping.AmbiguousRoleResolution === 'Deny') return undefined;
    }
    return roles.authenticated;
  };

  const unsigned = (run: (p: Params, call: UnsignedCallContext) => Promise<unknown>): UnsignedOperation => ({ unsigned: true, run });
  const unsignedOperations: Record<string, UnsignedOperation> = {
    GetId: unsigned(async (p) => {
      const pool = await unsignedPool(p.IdentityPoolId);
      if (p.AccountId !== undefined && p.AccountId !== pool.account_id) throw new GantryError('ResourceNotFoundException', `IdentityPool '${pool.id}' not found.`);
      const login = await checkedLogin(pool, p.Logins);
      if (!login) {
        if (pool.allow_unauthenticated !== 1) throw unauthorized('Unauthenticated access is not supported for this identity pool.');
        return { IdentityId: (await store.newIdentity(pool, null)).id };
      }
      return { IdentityId: (await store.identityOfLogin(pool, login.login)).id };
    }),
    GetCredentialsForIdentity: unsigned(async (p) => {
      const id = str(p.IdentityId, 'IdentityId', 55);
      if (p.CustomRoleArn !== undefined) throw invalid('CustomRoleArn is not supported: the identity pool chooses the role.');
      let identity: IdentityRow | undefined = IDENTITY_ID.test(id) ? await store.identity(id) : undefined;
      if (!identity) throw new GantryError('ResourceNotFoundException', `Identity '${id}' not found.`);
      const pool = await store.pool(identity.pool_id);
      if (!pool) throw new GantryError('ResourceNotFoundException', `Identity '${id}' not found.`);
      const login = await checkedLogin(pool, p.Logins);
      const roles = JSON.parse(pool.roles) as StoredRoles;
      let roleArn: string | undefined;
      if (login) {
        if (identity.login === null && !(await store.link(identity, login.login))) throw unauthorized(`Access to Identity '${id}' is forbidden: this login already has another identity (ask GetId for it).`);
        identity = (await store.identity(id))!;
        if (identity.login !== login.login) throw unauthorized(`Access to Identity '${id}' is forbidden.`);
        roleArn = await authenticatedRole(pool, roles, login);
      } else {
        if (identity.login !== null) throw unauthorized(`Access to Identity '${id}' is forbidden: it belongs to a signed-in user, whose id token must be in Logins.`);
        if (pool.allow_unauthenticated !== 1) throw unauthorized('Unauthenticated access is not supported for this identity pool.');
        roleArn = roles.unauthenticated;
      }
      if (!roleArn) throw invalid(`Invalid identity pool configuration: identity pool ${pool.id} has no ${login ? 'authenticated' : 'unauthenticated'} role. Set one with SetIdentityPoolRoles.`);
      const session = await assumeRoleForIdentityPool(iam.ctx, iam.authorizer, {
        roleArn, identityPoolId: pool.id, identityId: identity.id, authenticated: !!login, providers: login ? [login.key] : undefined,
      }).catch((error: GantryError) => {
        throw invalid(`Invalid identity pool configuration. Check assigned IAM roles for this pool: ${error.message}`);
      });
      return {
        IdentityId: identity.id,
        Credentials: { AccessKeyId: session.accessKeyId, SecretKey: session.secretAccessKey, SessionToken: session.sessionToken, Expiration: seconds(session.expiration.getTime()) },
      };
    }),
  };

  return { targetPrefix: 'AWSCognitoIdentityService', signingName: 'cognito-identity', version: '1.1', operations: signed, unsignedOperations };
}

export { poolArn as identityPoolArn };
