import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { GantryError } from '@gantry/core';

/**
 * Cognito's JSON Web Tokens: RS256, `{ kid, alg }` headers, each pool signing with its own key. The JWKS of a
 * pool is at `<issuer>/.well-known/jwks.json`, where the issuer is `<server URL>/cognito-idp/<poolId>` (on AWS
 * `https://cognito-idp.<region>.amazonaws.com/<poolId>`).
 */
export type TokenUse = 'access' | 'id';

export interface TokenClaims {
  sub: string;
  iss: string;
  token_use: TokenUse;
  auth_time: number;
  exp: number;
  iat: number;
  jti: string;
  origin_jti: string;
  event_id: string;
  'cognito:groups'?: string[];
  /** Access tokens: the app client and the user's name. */
  client_id?: string;
  username?: string;
  scope?: string;
  /** Id tokens: the app client, the user's name and attributes. */
  aud?: string;
  'cognito:username'?: string;
  [attribute: string]: unknown;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signToken(claims: TokenClaims, key: { kid: string; privateKey: KeyObject }): string {
  const input = `${b64({ kid: key.kid, alg: 'RS256' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** One public key as a JWK entry of the pool's JWKS. */
export function publicJwk(kid: string, publicKeyPem: string): Record<string, string> {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' }) as { n: string; e: string };
  return { alg: 'RS256', e: jwk.e, kid, kty: 'RSA', n: jwk.n, use: 'sig' };
}

export interface VerificationKey {
  poolId: string;
  account: string;
  region: string;
  publicKey: KeyObject;
}

export interface VerifyOptions {
  /** Accept only tokens of this pool. */
  userPoolId?: string;
  /** Accept only tokens issued to this app client (`client_id` of access tokens, `aud` of id tokens). */
  clientId?: string;
}

export interface VerifiedToken {
  claims: TokenClaims;
  poolId: string;
  account: string;
  region: string;
}

const invalid = (use: TokenUse, why: string) => new GantryError('NotAuthorizedException', `Invalid ${use === 'access' ? 'Access' : 'ID'} Token: ${why}.`);

/**
 * Checks tokens the pools issued: the signature with the key its `kid` names (keys looked up once, then
 * cached; a token seen before is not checked again, only its expiry and audience),
 * `alg` RS256 only, the issuer, the use, the expiry and, when asked, the pool and the client. It does not ask
 * whether the user signed out since: `UserPools` does that for its own operations.
 */
export class TokenVerifier {
  private readonly keys = new Map<string, VerificationKey>();
  /**
   * Tokens whose signature was already checked, by their exact text (a changed byte is another key), oldest
   * first: a client sends the same access token with every request until it expires.
   */
  private readonly checked = new Map<string, { use: TokenUse; kid: string; claims: TokenClaims; key: VerificationKey }>();
  private static readonly CHECKED_MAX = 10_000;

  constructor(
    private readonly loadKey: (kid: string) => Promise<VerificationKey | undefined>,
    private readonly issuer: (poolId: string) => string,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: unknown, use: TokenUse, options: VerifyOptions = {}): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length > 16_384) throw invalid(use, 'it is not a JWT');
    const seen = this.checked.get(token);
    if (seen && seen.use === use) return this.accept(seen.claims, seen.key, use, options);
    const { claims, key, kid } = await this.checkSignature(token, use);
    if (this.checked.size >= TokenVerifier.CHECKED_MAX) this.checked.delete(this.checked.keys().next().value!);
    // Shared by every later caller of the same token: nobody may change it.
    Object.freeze(claims['cognito:groups']);
    this.checked.set(token, { use, kid, claims: Object.freeze(claims), key });
    return this.accept(claims, key, use, options);
  }

  /** Parses the token and checks its header, signature, issuer and use. */
  private async checkSignature(token: string, use: TokenUse): Promise<{ claims: TokenClaims; key: VerificationKey; kid: string }> {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) throw invalid(use, 'it is not a JWT (three base64url parts separated by dots)');
    let header: { alg?: unknown; kid?: unknown };
    let claims: TokenClaims;
    try {
      header = JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
    } catch {
      throw invalid(use, 'its header or payload is not base64url JSON');
    }
    if (header?.alg !== 'RS256') throw invalid(use, `alg must be RS256, not ${JSON.stringify(header?.alg)}`);
    if (typeof header.kid !== 'string') throw invalid(use, 'it names no signing key (kid)');
    const key = this.keys.get(header.kid) ?? (await this.load(header.kid));
    if (!key) throw invalid(use, 'it was not signed by a user pool of this server');
    if (!verify('sha256', Buffer.from(token.slice(0, second)), key.publicKey, Buffer.from(token.slice(second + 1), 'base64url'))) {
      throw invalid(use, 'its signature does not match');
    }
    if (typeof claims !== 'object' || claims === null) throw invalid(use, 'its payload is not an object');
    if (claims.iss !== this.issuer(key.poolId)) throw invalid(use, `its issuer is not ${this.issuer(key.poolId)}`);
    if (claims.token_use !== use) throw invalid(use, `it is an ${claims.token_use} token`);
    return { claims, key, kid: header.kid };
  }

  /** The checks that depend on the moment and the caller: expiry, pool, client. */
  private accept(claims: TokenClaims, key: VerificationKey, use: TokenUse, options: VerifyOptions): VerifiedToken {
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) {
      throw new GantryError('NotAuthorizedException', `${use === 'access' ? 'Access' : 'ID'} Token has expired`);
    }
    if (options.userPoolId !== undefined && key.poolId !== options.userPoolId) throw invalid(use, `it belongs to another user pool than ${options.userPoolId}`);
    const client = use === 'access' ? claims.client_id : claims.aud;
    if (options.clientId !== undefined && client !== options.clientId) throw invalid(use, `it was issued to another app client than ${options.clientId}`);
    return { claims, poolId: key.poolId, account: key.account, region: key.region };
  }

  /** Forgets a pool's key (the pool was deleted). */
  forget(kid: string): void {
    this.keys.delete(kid);
    for (const [token, entry] of this.checked) if (entry.kid === kid) this.checked.delete(token);
  }

  private async load(kid: string): Promise<VerificationKey | undefined> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(kid)) return undefined;
    const key = await this.loadKey(kid);
    if (key) this.keys.set(kid, key);
    return key;
  }
}

export const newJti = (): string => randomUUID();
export { createPrivateKey };
