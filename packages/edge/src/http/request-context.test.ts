import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { requestContextKeys } from './request-context.ts';

function request(options: { encrypted?: boolean; remoteAddress?: string; headers?: Record<string, string | string[]> }): IncomingMessage {
  return {
    socket: { encrypted: options.encrypted, remoteAddress: options.remoteAddress ?? '203.0.113.7' },
    headers: options.headers ?? {},
  } as unknown as IncomingMessage;
}

const secure = (req: IncomingMessage, trustedProxies?: string[]) =>
  requestContextKeys(req, 'us-east-1', trustedProxies ? { trustedProxies } : {})['aws:SecureTransport'];

describe('requestContextKeys aws:SecureTransport', () => {
  it('is true on a TLS socket and false on plain HTTP', () => {
    assert.equal(secure(request({ encrypted: true })), 'true');
    assert.equal(secure(request({})), 'false');
  });

  it('ignores a client-sent X-Forwarded-Proto by default', () => {
    assert.equal(secure(request({ headers: { 'x-forwarded-proto': 'https' } })), 'false');
    assert.equal(secure(request({ remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' } })), 'false');
  });

  it('believes X-Forwarded-Proto only from a configured trusted proxy', () => {
    const viaProxy = request({ remoteAddress: '::ffff:10.0.0.2', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(secure(viaProxy, ['10.0.0.2']), 'true');
    assert.equal(secure(viaProxy, ['10.0.0.3']), 'false');
    // The proxy appends what it saw; a client-forged earlier value does not count.
    assert.equal(secure(request({ remoteAddress: '10.0.0.2', headers: { 'x-forwarded-proto': 'https, http' } }), ['10.0.0.2']), 'false');
    assert.equal(secure(request({ remoteAddress: '10.0.0.2', headers: { 'x-forwarded-proto': 'http' } }), ['10.0.0.2']), 'false');
  });
});
