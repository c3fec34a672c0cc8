import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ContextKeys } from '@gantry/iam';

/** Condition keys that describe the HTTP request itself, for every policy evaluation it causes. */
export function requestContextKeys(req: IncomingMessage, region: string): ContextKeys {
  const secure = (req.socket as TLSSocket).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
  const keys: ContextKeys = {
    'aws:SecureTransport': secure ? 'true' : 'false',
    'aws:RequestedRegion': region,
    'aws:SourceIp': clientIp(req),
  };
  const agent = req.headers['user-agent'];
  if (agent) keys['aws:UserAgent'] = agent;
  return keys;
}

/** The client address, without the IPv4-mapped IPv6 prefix Node reports on dual-stack sockets. */
export function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
