import type { IncomingMessage } from 'node:http';

/**
 * The parts of an HTTP request that SigV4 covers, exactly as they arrived. Nothing here may be decoded or
 * re-serialised: the signature is over the client's bytes, so any normalisation the edge applies for routing
 * must not leak into this view.
 */
export interface SignedRequest {
  method: string;
  /** Raw path as received, before '?' (still percent-encoded). */
  path: string;
  /** Raw query string without '?' (still percent-encoded); '' when absent. */
  query: string;
  /**
   * Lowercase header names. Prefer `IncomingMessage.headersDistinct` (arrays): `IncomingMessage.headers` joins
   * repeated headers with ', ' and drops repeats of some names, which changes the canonical value when a client
   * signs a repeated header. The AWS SDKs never repeat a signed header, so plain `headers` also works for them.
   */
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes (empty for none). */
  body: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Builds a SignedRequest from a Node request whose body has already been read. */
export function signedRequestFromNode(req: IncomingMessage, body: Uint8Array = EMPTY): SignedRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    headers: req.headersDistinct,
    body,
  };
}

/** First value of a header, whichever shape Node gave it in. */
export function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
