import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './test-server.ts';

export interface RawResponse { status: number; body: string; headers: Headers }

/** Sends a Query request signed as the SDK would, with knobs the SDK does not expose (clock, body, secret). */
export async function signedQuery(endpoint: string, credentials: Credentials, body: string, options: { service?: string; region?: string; signingDate?: Date; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials, region: options.region ?? 'us-east-1', service: options.service ?? 'iam', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...options.headers },
    body,
  }, { signingDate: options.signingDate });
  const response = await fetch(`${endpoint}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

export const errorCode = (xml: string): string | undefined => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
