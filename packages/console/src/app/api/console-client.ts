/**
 * The page's only way to the APIs: every call goes to the console's signing proxy (`POST /_console/call`),
 * which signs it with the session's STS credentials on the server. The page never holds a secret.
 */

export interface ApiRequest {
  /** SigV4 signing name of the API. */
  service: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: string;
  /** @default the region picked in the top bar */
  region?: string;
}

/** An API's refusal, with its own code and message (shown to the user as the API wrote it). */
export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Called when the server says the session is gone, so the app can ask to sign in again. */
let onSessionEnded: (message: string) => void = () => {};
export const whenSessionEnds = (handler: (message: string) => void) => void (onSessionEnded = handler);
/** Called when a switched-to role's session ended and calls are the user's own again. */
let onRoleEnded: (message: string) => void = () => {};
export const whenRoleEnds = (handler: (message: string) => void) => void (onRoleEnded = handler);

/** The region calls are signed for unless they name one; the top bar's switcher sets it. */
let currentRegion = 'us-east-1';
export const setCallRegion = (region: string) => void (currentRegion = region);
export const callRegion = () => currentRegion;

const CONSOLE_HEADERS = { 'content-type': 'application/json', 'x-gantry-console': '1' };

/** Sends one API call through the proxy and returns the raw response (for the caller's protocol to decode). */
export async function send(request: ApiRequest, signal?: AbortSignal): Promise<Response> {
  const query = Object.fromEntries(Object.entries(request.query ?? {}).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
  const response = await fetch('/_console/call', {
    method: 'POST', headers: CONSOLE_HEADERS, credentials: 'same-origin', signal,
    body: JSON.stringify({ ...request, region: request.region ?? currentRegion, query }),
  });
  if (response.status === 401 && response.headers.get('x-gantry-console-session') === 'expired') {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    onSessionEnded(body.message ?? 'Your console session has ended: sign in again.');
    throw new ApiError('ConsoleSessionExpired', body.message ?? 'Your console session has ended.', 401);
  }
  if (response.status === 401 && response.headers.get('x-gantry-console-session') === 'role-ended') {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    onRoleEnded(body.message ?? 'Your role session has ended.');
    throw new ApiError('RoleSessionExpired', body.message ?? 'Your role session has ended.', 401);
  }
  return response;
}

/** A REST-JSON call (Amplify, Gantry's own APIs): JSON in, JSON out, errors as `{ message }` with `x-amzn-errortype`. */
export async function restJson<T>(service: string, method: ApiRequest['method'], path: string, options: { query?: ApiRequest['query']; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const response = await send({
    service, method, path, query: options.query,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } } : {}),
  }, options.signal);
  const text = await response.text();
  const value = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    const type = (response.headers.get('x-amzn-errortype') ?? String(value.code ?? value.__type ?? 'Error')).split(':')[0]!;
    throw new ApiError(type, String(value.message ?? value.Message ?? `${service} answered ${response.status}`), response.status);
  }
  return value as T;
}

export interface ConsoleSessionInfo {
  /** The account calls are made in: the switched-to role's, or the signed-in user's. */
  account: string;
  /** Who calls are made as. */
  arn: string;
  region: string;
  signInMethod: 'access-key' | 'password';
  expiresAt: string;
  signedInAs: { account: string; arn: string };
  role?: { arn: string; account: string; expiresAt: string };
}

async function sessionCall(method: 'GET' | 'POST' | 'DELETE', body?: unknown, path = '/_console/session'): Promise<Response> {
  return fetch(path, { method, headers: CONSOLE_HEADERS, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Who is signed in, or undefined. */
export async function currentSession(): Promise<ConsoleSessionInfo | undefined> {
  const response = await sessionCall('GET');
  return response.ok ? ((await response.json()) as ConsoleSessionInfo) : undefined;
}

export type SignInInput =
  | { method: 'access-key'; accessKeyId: string; secretAccessKey: string; region?: string }
  | { method: 'password'; account: string; userName: string; password: string; region?: string };

export async function signIn(input: SignInInput): Promise<ConsoleSessionInfo> {
  const response = await sessionCall('POST', input);
  const value = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new ApiError(String(value.code ?? 'Error'), String(value.message ?? `Sign-in failed (${response.status}).`), response.status);
  return value as unknown as ConsoleSessionInfo;
}

/** Switch role: calls are then signed with the role's credentials (AssumeRole, as the signed-in user). */
export async function switchRole(input: { account: string; roleName: string } | { roleArn: string }): Promise<ConsoleSessionInfo> {
  const response = await sessionCall('POST', input, '/_console/session/role');
  const value = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new ApiError(String(value.code ?? 'Error'), String(value.message ?? `Switching role failed (${response.status}).`), response.status);
  return value as unknown as ConsoleSessionInfo;
}

/** Back to the signed-in user's own identity. */
export async function leaveRole(): Promise<ConsoleSessionInfo> {
  const response = await sessionCall('DELETE', undefined, '/_console/session/role');
  return (await response.json()) as ConsoleSessionInfo;
}

export async function signOut(): Promise<void> {
  await sessionCall('DELETE');
}
