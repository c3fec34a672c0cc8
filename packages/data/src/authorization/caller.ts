/** AppSync's authorization types, as an API enables them and as a request is made with one of them. */
export type AuthorizationType = 'API_KEY' | 'AMAZON_COGNITO_USER_POOLS' | 'AWS_IAM' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

/** A signed-in user of the API's user pool, from a verified id or access token. */
export interface UserPoolCaller {
  type: 'AMAZON_COGNITO_USER_POOLS';
  sub: string;
  username: string;
  groups: string[];
  /** Every claim of the token (`identityClaim` of an owner rule may name any of them). */
  claims: Record<string, unknown>;
}

/** Who a request (or a subscription) is made by, once its credentials were checked. */
export type Caller = { type: 'API_KEY' } | UserPoolCaller;

/** The user a token of the API's user pool names; throws when the token is not valid for that pool. */
export type UserPoolTokenVerifier = (token: string, userPoolId: string) => Promise<Omit<UserPoolCaller, 'type'>>;

/**
 * The values an owner field may hold for this caller. Gen 2's default claim, `sub::username`, is stored as
 * `<sub>::<username>`; items written under the older claims (`sub`, or `username` as Gen 1 did) stay the owner's.
 */
export function ownerIdentities(caller: UserPoolCaller, identityClaim = 'sub::username'): string[] {
  if (identityClaim === 'sub::username') return [`${caller.sub}::${caller.username}`, caller.sub, caller.username];
  if (identityClaim === 'username' || identityClaim === 'cognito:username') return [caller.username];
  const claim = caller.claims[identityClaim];
  return typeof claim === 'string' ? [claim] : [];
}

/** What a create writes into an owner field the input left empty. */
export const ownerValue = (caller: UserPoolCaller, identityClaim?: string): string | undefined => ownerIdentities(caller, identityClaim)[0];
