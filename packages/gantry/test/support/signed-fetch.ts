import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './test-server.ts';

/** A SigV4-signed JSON request to one of Gantry's own REST endpoints (as the `gantry` CLI sends them). */
export async function signedFetch(endpoint: string, credentials: Credentials, method: string, path: string, options: { service: string; body?: unknown; region?: string }) {
  const url = new URL(endpoint + path);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const signer = new SignatureV4({ credentials, region: options.region ?? 'us-west-2', service: options.service, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...(body ? { 'content-type': 'application/json' } : {}) }, body,
  });
  const response = await fetch(url, { method, headers: signed.headers as Record<string, string>, body });
  return { status: response.status, json: await response.json().catch(() => undefined) as any };
}
