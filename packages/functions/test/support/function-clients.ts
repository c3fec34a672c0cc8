import { LambdaClient } from '@aws-sdk/client-lambda';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials, TestServer } from '../../../gantry/test/support/test-server.ts';

/** The real Lambda client against the server, no retries (a test sees the first answer). */
export const lambdaClient = (ts: TestServer, credentials: Credentials, region = 'us-east-1'): LambdaClient =>
  new LambdaClient({ endpoint: ts.url, region, credentials, maxAttempts: 1 });

/** `GET /_gantry/functions/<name>/logs`, signed for `logs` as the `gantry` CLI signs it. */
export async function functionLogs(ts: TestServer, credentials: Credentials, name: string, options: { region?: string; query?: Record<string, string>; signal?: AbortSignal } = {}) {
  const url = new URL(`${ts.url}/_gantry/functions/${name}/logs`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const signer = new SignatureV4({ credentials, region: options.region ?? 'us-east-1', service: 'logs', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'GET', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname,
    query: Object.fromEntries(url.searchParams), headers: { host: url.host },
  });
  return fetch(url, { headers: signed.headers as Record<string, string>, signal: options.signal });
}

/** A request signed here for any service (what the SDK would never send), answered as a fetch Response. */
export async function signedRequest(ts: TestServer, credentials: Credentials, options: { method: string; path: string; service: string; body?: string; region?: string }) {
  const url = new URL(`${ts.url}${options.path}`);
  const signer = new SignatureV4({ credentials, region: options.region ?? 'us-east-1', service: options.service, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({ method: options.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host }, body: options.body });
  return fetch(url, { method: options.method, headers: signed.headers as Record<string, string>, body: options.body });
}
