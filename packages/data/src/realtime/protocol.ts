/**
 * Wire-level helpers of AppSync's real-time WebSocket protocol (`graphql-ws` subprotocol, AppSync dialect),
 * as `aws-amplify` ≥ 6.6 speaks it. See `realtime-server.ts` for the message flow.
 */
import type { IncomingMessage } from 'node:http';

/** The only subprotocol AppSync (and so this server) selects. */
export const GRAPHQL_WS = 'graphql-ws';
/** Prefix of the subprotocol that carries the connection's auth headers (base64url JSON, no padding). */
export const HEADER_PROTOCOL_PREFIX = 'header-';

/** Headers a client authenticates with: `{ host, 'x-amz-date', 'x-api-key' }` for API keys. */
export type AuthHeaders = Record<string, unknown>;

/** One entry of an error message's `payload.errors`. */
export interface RealtimeErrorEntry {
  errorType: string;
  message: string;
  /** AppSync sets it on `connection_error`; the client treats 400/401/403 as non-retryable. */
  errorCode?: number;
}

/** The subprotocols the client offered, in order (`Sec-WebSocket-Protocol` is a comma-separated list). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  const joined = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return joined
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Decodes base64 or base64url (padding optional) JSON into an object, or undefined. */
function decodeJsonObject(encoded: string): AuthHeaders | undefined {
  if (encoded.length === 0 || encoded.length > 16_384 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as AuthHeaders) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The connection's auth headers: from the `header-<base64url JSON>` subprotocol (aws-amplify ≥ 6.6) or, for
 * older clients, from the `?header=<base64 JSON>&payload=e30=` query string. Undefined when neither is given
 * or it does not decode to a JSON object.
 */
export function connectionAuthHeaders(req: IncomingMessage, protocols: string[]): AuthHeaders | undefined {
  const fromProtocol = protocols.find((p) => p.startsWith(HEADER_PROTOCOL_PREFIX));
  if (fromProtocol) return decodeJsonObject(fromProtocol.slice(HEADER_PROTOCOL_PREFIX.length));
  const query = (req.url ?? '').split('?')[1];
  if (!query) return undefined;
  const header = new URLSearchParams(query).get('header');
  return header ? decodeJsonObject(header.replace(/ /g, '+')) : undefined;
}

/** A header's value by case-insensitive name, when it is a string. */
export function headerString(headers: AuthHeaders | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && typeof v === 'string') return v;
  return undefined;
}

export const connectionAck = (connectionTimeoutMs: number): string => JSON.stringify({ type: 'connection_ack', payload: { connectionTimeoutMs } });
export const KA = JSON.stringify({ type: 'ka' });
export const startAck = (id: string): string => JSON.stringify({ type: 'start_ack', id });
export const complete = (id: string): string => JSON.stringify({ type: 'complete', id });

/** `{ type: 'error', id?, payload: { errors } }`, the per-operation error the client hands to `observer.error`. */
export function errorMessage(id: string | undefined, errors: RealtimeErrorEntry[]): string {
  return JSON.stringify(id === undefined ? { type: 'error', payload: { errors } } : { type: 'error', id, payload: { errors } });
}

/** `{ type: 'connection_error', payload: { errors } }`, answered to `connection_init` when the handshake is refused. */
export function connectionError(errors: RealtimeErrorEntry[]): string {
  return JSON.stringify({ type: 'connection_error', payload: { errors } });
}

/** `{ type: 'data', id, payload }` where `payloadJson` is already serialised (shared between subscribers). */
export function dataMessage(id: string, payloadJson: string): string {
  return `{"type":"data","id":${JSON.stringify(id)},"payload":${payloadJson}}`;
}
