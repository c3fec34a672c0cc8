import { S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials, TestServer } from '../../../gantry/test/support/test-server.ts';

/** The real S3 client against the server: path-style under `/s3`, no retries (a test sees the first answer). */
export const s3Client = (ts: TestServer, credentials: Credentials, region = 'us-west-2'): S3Client =>
  new S3Client({ endpoint: `${ts.url}/s3`, forcePathStyle: true, region, credentials, maxAttempts: 1 });

/** What the SDK finally sent (after signing and checksums), recorded per request. */
export function recordSentHeaders(client: S3Client): Array<Record<string, string>> {
  const sent: Array<Record<string, string>> = [];
  client.middlewareStack.add((next) => async (args) => {
    sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
    return next(args);
  }, { step: 'deserialize', name: 'recordSentHeaders' });
  return sent;
}

export const signer = (credentials: Credentials, region = 'us-west-2') =>
  new SignatureV4({ credentials, region, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });

/** A presigned URL for `method` on `<server>/s3/<bucket>/<key>`, valid `expiresIn` seconds from `signingDate`. */
export async function presignedUrl(ts: TestServer, credentials: Credentials, method: string, bucket: string, key: string, options: { expiresIn?: number; signingDate?: Date } = {}): Promise<string> {
  const url = new URL(`${ts.url}/s3/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`);
  const presigned = await signer(credentials).presign(
    // S3 presigned URLs leave the body unsigned; the SDK's presigner says so in the same header, hoisted into the query.
    { method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' } },
    { expiresIn: options.expiresIn ?? 60, signingDate: options.signingDate },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>);
  return `${url.origin}${url.pathname}?${query.toString()}`;
}

/** A request signed here (not by the SDK), for what the SDK would never send. Returns status, headers and body. */
export async function signedRequest(ts: TestServer, credentials: Credentials, options: {
  method: string; path: string; headers?: Record<string, string>; body?: Buffer; tamper?: (headers: Record<string, string>) => void;
}) {
  const url = new URL(`${ts.url}${options.path}`);
  const signed = await signer(credentials).sign({
    method: options.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname,
    query: Object.fromEntries(url.searchParams), headers: { host: url.host, ...options.headers }, body: options.body,
  });
  const headers = { ...(signed.headers as Record<string, string>) };
  options.tamper?.(headers);
  delete headers.host;
  const response = await fetch(url, { method: options.method, headers, body: options.body && new Uint8Array(options.body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The `<Code>` of an S3 error document. */
export const errorCode = (xml: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
