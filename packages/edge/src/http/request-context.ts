import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ContextKeys } from '@gantry/iam';

export interface RequestContextOptions {
  /**
   * Addresses of reverse proxies whose `X-Forwarded-Proto` is believed (exact match on the socket's peer
   * address, IPv4-mapped prefix removed). Any other client's header is ignored: only a real TLS socket, or a
   * trusted proxy saying it terminated TLS, makes `aws:SecureTransport` true.
   * @default [] (no proxy is trusted)
   * @example ['127.0.0.1']
   */
  trustedProxies?: readonly string[];
}

/** Condition keys that describe the HTTP request itself, for every policy evaluation it causes. */
export function requestContextKeys(req: IncomingMessage, region: string, options: RequestContextOptions = {}): ContextKeys {
  const keys: ContextKeys = {
    'aws:SecureTransport': secureTransport(req, options) ? 'true' : 'false',
    'aws:RequestedRegion': region,
    'aws:SourceIp': clientIp(req),
  };
  const agent = req.headers['user-agent'];
  if (agent) keys['aws:UserAgent'] = agent;
  return keys;
}

/**
 * Whether the request arrived over TLS: the socket is a TLS socket, or the peer is a configured trusted proxy
 * whose (last) `X-Forwarded-Proto` is `https`. A client's own `X-Forwarded-Proto` never counts.
 */
export function secureTransport(req: IncomingMessage, options: RequestContextOptions = {}): boolean {
  if ((req.socket as TLSSocket).encrypted === true) return true;
  const trusted = options.trustedProxies ?? [];
  if (trusted.length === 0 || !trusted.includes(clientIp(req))) return false;
  const header = req.headers['x-forwarded-proto'];
  const value = Array.isArray(header) ? header[header.length - 1] : header;
  // A proxy appends its own value; the last one is the one the trusted proxy saw.
  const last = value?.split(',').pop()?.trim().toLowerCase();
  return last === 'https';
}

/** The client address, without the IPv4-mapped IPv6 prefix Node reports on dual-stack sockets. */
export function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
