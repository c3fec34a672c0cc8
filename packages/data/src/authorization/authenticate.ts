/**
 * Which authorization type a request uses, and who makes it, from its headers, as AppSync tells them apart:
 * an `Authorization` header that is not a SigV4 signature is a user-pool (JWT) token, else `x-api-key` is an
 * API key. A type the API has not enabled is refused like bad credentials: nothing about the API is revealed.
 */
import type { AuthorizationType, Caller, UserPoolTokenVerifier } from './caller.ts';

/** How an API is authorized: its default type, the others it accepts, and the user pool its tokens come from. */
export interface ApiAuthorization {
  defaultType: AuthorizationType;
  additionalTypes: AuthorizationType[];
  userPoolId?: string;
}

export interface AuthenticationFailure {
  status: 401;
  errorType: 'UnauthorizedException';
  message: string;
}

export interface AuthenticationInput {
  authorization: ApiAuthorization;
  /** The request's `Authorization` and `x-api-key` headers. */
  authorizationHeader: string | undefined;
  apiKey: string | undefined;
  keyIsValid(key: string): boolean;
  verifyUserPoolToken: UserPoolTokenVerifier | undefined;
}

const refused = (message: string): AuthenticationFailure => ({ status: 401, errorType: 'UnauthorizedException', message });
const NO_HEADER = 'Valid authorization header not provided.';
const NOT_AUTHORIZED = 'You are not authorized to make this call.';

export async function authenticate(input: AuthenticationInput): Promise<Caller | AuthenticationFailure> {
  const { authorization, authorizationHeader, apiKey } = input;
  const enabled = (type: AuthorizationType) => authorization.defaultType === type || authorization.additionalTypes.includes(type);
  if (authorizationHeader && !authorizationHeader.startsWith('AWS4-HMAC-SHA256')) {
    if (!enabled('AMAZON_COGNITO_USER_POOLS') || !authorization.userPoolId || !input.verifyUserPoolToken) return refused(NOT_AUTHORIZED);
    // Clients send the bare token; a `Bearer ` prefix is tolerated.
    const token = authorizationHeader.replace(/^Bearer\s+/i, '');
    try {
      return { type: 'AMAZON_COGNITO_USER_POOLS', ...(await input.verifyUserPoolToken(token, authorization.userPoolId)) };
    } catch (error) {
      return refused(/expired/i.test((error as Error).message) ? 'Token has expired.' : NOT_AUTHORIZED);
    }
  }
  if (authorizationHeader) return refused(`${NOT_AUTHORIZED} IAM (SigV4) authorization is not served by this data API: use an API key or a user pool token.`);
  if (apiKey) return enabled('API_KEY') && input.keyIsValid(apiKey) ? { type: 'API_KEY' } : refused(NOT_AUTHORIZED);
  return refused(NO_HEADER);
}

export const isFailure = (result: Caller | AuthenticationFailure): result is AuthenticationFailure => 'status' in result;
