import { SecretBox } from '@gantry/core';
import type { JsonService, Route } from '@gantry/edge';
import type { Migration } from '@gantry/store';
import type { Kysely } from 'kysely';
import { jwksRoute } from './jwks-route.ts';
import type { VerifiedToken, VerifyOptions } from './tokens.ts';
import { UserPoolStore, type MailboxMessage } from './user-pool-store.ts';
import { userPoolMigrations } from './user-pool-tables.ts';
import { UserPools } from './user-pools.ts';
import { userPoolsJsonService } from './user-pools-api.ts';
import { userPoolDeployer } from './user-pool-deployer.ts';

export { userPoolMigrations, type UserPoolTables } from './user-pool-tables.ts';
export { UserPoolStore, newPoolId, type PoolSettings, type ClientSettings, type MailboxMessage, type PoolScope } from './user-pool-store.ts';
export { UserPools, LOCKOUT, CODES, maskDestination, type Tokens } from './user-pools.ts';
export { TokenVerifier, publicJwk, type TokenClaims, type TokenUse, type VerifiedToken, type VerifyOptions } from './tokens.ts';
export { userPoolsJsonService } from './user-pools-api.ts';
export { jwksRoute } from './jwks-route.ts';
export { userPoolDeployer, type DeclaredUserPool, type DeployedUserPool } from './user-pool-deployer.ts';
export { clientSession as srpClientSession, makeVerifier as srpVerifier } from './srp.ts';
export { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from './passwords.ts';

export interface UserPoolsServiceOptions {
  db: Kysely<any>;
  /** Seals the pools' signing keys, client secrets and SRP secrets. */
  box: SecretBox;
  /** The server's base URL, which issuers are made from: `<baseUrl>/cognito-idp/<poolId>`. */
  baseUrl: () => string;
  now?: () => number;
}

export interface UserPoolsService {
  migrations: Migration[];
  /** `AWSCognitoIdentityProviderService.*` for the edge's `jsonServices`. */
  jsonService: JsonService;
  /** The JWKS (and OpenID configuration) of each pool, for the edge's `routes`. */
  routes: Route[];
  /** Checks an access token of one of the pools (signature, issuer, expiry; pool and client when given). */
  verifyAccessToken(token: string, options?: VerifyOptions): Promise<VerifiedToken>;
  verifyIdToken(token: string, options?: VerifyOptions): Promise<VerifiedToken>;
  /** The user an access or id token of the pool names, as the data API's user-pool authorization needs it. */
  tokenUser(token: string, userPoolId: string): Promise<{ sub: string; username: string; groups: string[]; claims: Record<string, unknown> }>;
  /** Makes the pools backends declare (the deploy engine's auth plane). */
  deployer: ReturnType<typeof userPoolDeployer>;
  /** The newest message a pool sent a user (verification code, reset code, temporary password), by username, email or phone. */
  latestMessage(userPoolId: string, username: string): Promise<MailboxMessage | undefined>;
  pools: UserPools;
}

/** Cognito-compatible user pools, ready to be wired into the server. */
export function createUserPoolsService(options: UserPoolsServiceOptions): UserPoolsService {
  const pools = new UserPools(new UserPoolStore(options.db, options.box, options.now), options.baseUrl);
  return {
    migrations: userPoolMigrations,
    jsonService: userPoolsJsonService(pools),
    routes: [jwksRoute(pools)],
    verifyAccessToken: (token, o) => pools.verifyAccessToken(token, o),
    verifyIdToken: (token, o) => pools.verifyIdToken(token, o),
    latestMessage: (poolId, username) => pools.latestMessage(poolId, username),
    async tokenUser(token, userPoolId) {
      // AppSync takes either token; clients send the access token.
      const verified = await pools.verifyAccessToken(token, { userPoolId }).catch((error: Error) =>
        pools.verifyIdToken(token, { userPoolId }).catch(() => Promise.reject(error)));
      const claims = verified.claims as unknown as Record<string, unknown>;
      const username = (claims.username ?? claims['cognito:username']) as string;
      return { sub: verified.claims.sub, username, groups: verified.claims['cognito:groups'] ?? [], claims };
    },
    deployer: userPoolDeployer(pools),
    pools,
  };
}

/**
 * The newest message a pool sent a user (by username, email or phone), read straight from the store: for
 * tests, the CLI and the console, which have the database but not the running service.
 */
export function readLatestMessage(db: Kysely<any>, userPoolId: string, username: string): Promise<MailboxMessage | undefined> {
  // Reading the mailbox opens nothing sealed, so any key will do.
  return new UserPools(new UserPoolStore(db, SecretBox.ephemeral()), () => '').latestMessage(userPoolId, username);
}

export { identityPoolMigrations, type IdentityPoolTables } from './identity-pool-tables.ts';
export { IdentityPoolStore, type IdentityProvider, type IdentityPoolRoles } from './identity-pool-store.ts';
export { identityPoolsJsonService } from './identity-pools-api.ts';
export { identityPoolDeployer, type DeclaredIdentityPool, type DeployedIdentityPool } from './identity-pool-deployer.ts';
export { createIdentityPoolsService, type IdentityPoolsService } from './identity-pools.ts';
