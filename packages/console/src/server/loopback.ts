import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { queryString, type ApiCall } from './api-call.ts';

/** Where this server's own listeners are, for calls the console makes to its APIs. */
export interface LoopbackTarget {
  /** @example 'http://127.0.0.1:4750' */
  http: string;
  /** @example 'https://127.0.0.1:4751' */
  https: string;
  /** PEM of the local CA that signed the HTTPS listener's certificate. */
  caCert: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Sends an API call to this server's own listener, SigV4-signed with the given credentials, exactly as an AWS
 * SDK would: the edge authenticates it and IAM authorises it like any other client's. Over https when the
 * console itself was reached over https, so `aws:SecureTransport` reads the same as for the page.
 */
export async function sendSigned(target: LoopbackTarget, secure: boolean, credentials: Credentials, call: ApiCall): Promise<IncomingMessage> {
  const base = new URL(secure ? target.https : target.http);
  const headers: Record<string, string> = { host: base.host, ...call.headers };
  if (call.body !== undefined) headers['content-length'] = String(Buffer.byteLength(call.body));
  const signer = new SignatureV4({ credentials, region: call.region, service: call.service, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: call.method, protocol: base.protocol, hostname: base.hostname, port: Number(base.port), path: call.path,
    query: call.query ?? {}, headers, body: call.body,
  });
  const search = queryString(call.query);
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const upstream = send({
      protocol: base.protocol, hostname: base.hostname, port: base.port, method: call.method,
      path: call.path + (search ? `?${search}` : ''), headers: signed.headers as Record<string, string>,
      ...(base.protocol === 'https:' ? { ca: target.caCert } : {}),
    }, resolve);
    upstream.on('error', reject);
    upstream.end(call.body);
  });
}

/** Reads a whole (small) response. */
export async function readResponse(response: IncomingMessage): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') };
}
