import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { GantryError } from '@gantry/core';
import { canonicalHeaders, canonicalPath, canonicalQuery } from './sigv4-canonical.ts';
import { SIGV4_ALGORITHM, toAmzDate, type SigV4Claim } from './sigv4-parse.ts';
import type { SignedRequest } from './sigv4-request.ts';

export interface VerifyOptions {
  /** Resolve '.', '..' and empty path segments before signing. Default: true except for S3. */
  normalizePath?: boolean;
  /** Escape the received, already-encoded path once more ("double encoding"). Default: true except for S3. */
  doubleEncodePath?: boolean;
  /** Clock skew tolerated for header-signed requests, in minutes. Default 5, as STS and IAM use. */
  skewMinutes?: number;
  /**
   * S3 only. Object bodies are streamed to disk rather than read before authentication, so a hex
   * x-amz-content-sha256 is signed as given and the caller holds the bytes to it as they arrive; the
   * aws-chunked forms (`STREAMING-…`) are accepted, their framing and chunk signatures checked by
   * `AwsChunkedDecoder`. Ignored for every other service. @default false
   */
  streamedBody?: boolean;
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The x-amz-content-sha256 values of an aws-chunked S3 body, signed chunk by chunk or not at all. */
export const STREAMING_PAYLOADS: ReadonlySet<string> = new Set([
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Checks a parsed SigV4 claim against the request and the secret of its access key. Returns normally when the
 * signature holds; throws SignatureDoesNotMatch otherwise, including for a request outside its time window
 * (that is the code AWS uses there, and the one the SDK's clock-skew correction reacts to).
 *
 * Synchronous and allocation-light on purpose: it runs on every request.
 */
export function verifySigV4(req: SignedRequest, claim: SigV4Claim, secretAccessKey: string, now: Date = new Date(), options: VerifyOptions = {}): void {
  checkTime(claim, now, options.skewMinutes ?? 5);

  const { date, region, service } = claim.scope;
  const s3 = service === 's3';
  const payloadHash = payloadHashOf(req, claim, s3, s3 && options.streamedBody === true);
  const head = req.method + '\n' + canonicalPath(req.path, options.normalizePath ?? !s3, options.doubleEncodePath ?? !s3) + '\n';
  const tail = '\n' + canonicalHeaders(req.headers, claim.signedHeaders) + '\n' + claim.signedHeaders.join(';') + '\n' + payloadHash;
  const scope = date + '/' + region + '/' + service + '/aws4_request';
  const key = signingKey(secretAccessKey, date, region, service);

  const canonical = head + canonicalQuery(req.query) + tail;
  const stringToSign = SIGV4_ALGORITHM + '\n' + claim.amzDate + '\n' + scope + '\n' + sha256Hex(canonical);
  if (sameSignature(key, stringToSign, claim.signature)) return;

  // Some signers add the session token to a presigned URL after signing (aws-c-auth's omit_session_token,
  // the "post-sts-header-after" case). The token still has to match the key's session, checked by the caller.
  if (claim.presigned && claim.sessionToken !== undefined) {
    const withoutToken = head + canonicalQuery(req.query, 'X-Amz-Security-Token') + tail;
    const sts2 = SIGV4_ALGORITHM + '\n' + claim.amzDate + '\n' + scope + '\n' + sha256Hex(withoutToken);
    if (sameSignature(key, sts2, claim.signature)) return;
  }
  // Like AWS, say what we expected: it is derived from the request alone, and invaluable to a client author.
  throw new GantryError('SignatureDoesNotMatch', MISMATCH, { details: { canonicalRequest: canonical, stringToSign } });
}

const MINUTE = 60_000;

function checkTime(claim: SigV4Claim, now: Date, skewMinutes: number): void {
  const t = claim.signedAt.getTime();
  const n = now.getTime();
  const skew = skewMinutes * MINUTE;
  if (t > n + skew)
    throw timeError(`Signature not yet current: ${claim.amzDate} is still later than ${toAmzDate(new Date(n + skew))} (${toAmzDate(now)} + ${skewMinutes} min.)`);
  if (claim.presigned && claim.expiresInSeconds !== undefined) {
    // A presigned URL lives exactly X-Amz-Expires seconds from its X-Amz-Date (no skew allowance on that end).
    const life = claim.expiresInSeconds * 1000;
    if (t + life < n)
      throw timeError(`Signature expired: ${claim.amzDate} is now earlier than ${toAmzDate(new Date(n - life))} (${toAmzDate(now)} - ${claim.expiresInSeconds} sec.)`);
    return;
  }
  if (t < n - skew)
    throw timeError(`Signature expired: ${claim.amzDate} is now earlier than ${toAmzDate(new Date(n - skew))} (${toAmzDate(now)} - ${skewMinutes} min.)`);
}

const timeError = (message: string) => new GantryError('SignatureDoesNotMatch', message);

/**
 * HashedPayload. A client that sends x-amz-content-sha256 signs with that value (smithy's getPayloadHash), so
 * it is taken as given and then held to the body. UNSIGNED-PAYLOAD leaves the body unauthenticated, which
 * only S3 allows (other services accept it only on a presigned request without a body). An S3 presigned URL without the parameter is unsigned by definition.
 */
function payloadHashOf(req: SignedRequest, claim: SigV4Claim, s3: boolean, streamed: boolean): string {
  const header = req.headers['x-amz-content-sha256'];
  let given = Array.isArray(header) ? header[0] : header;
  if (given === undefined && claim.presigned) given = queryParam(req.query, 'X-Amz-Content-Sha256');
  if (given === undefined) return claim.presigned && s3 ? UNSIGNED_PAYLOAD : bodyHash(req.body);
  if (given === UNSIGNED_PAYLOAD) {
    if (s3) return given;
    // Outside S3 an unsigned payload is only harmless when there is no payload (a presigned GET): with a body,
    // anyone holding the URL could send any body under the signer's name.
    if (claim.presigned && req.body.length === 0) return given;
    throw new GantryError(
      'SignatureDoesNotMatch',
      claim.presigned
        ? `The payload must be signed: a presigned URL with X-Amz-Content-Sha256 '${UNSIGNED_PAYLOAD}' is only accepted by S3 when the request has a body; sign the body's SHA-256 instead.`
        : `The payload must be signed: x-amz-content-sha256 '${UNSIGNED_PAYLOAD}' is only accepted by S3; sign the body's SHA-256 instead.`,
    );
  }
  if (streamed && STREAMING_PAYLOADS.has(given)) return given;
  if (!/^[0-9a-f]{64}$/.test(given))
    throw new GantryError('IncompleteSignature', `x-amz-content-sha256 must be '${UNSIGNED_PAYLOAD}' or the hex SHA-256 of the body (streaming payloads are not supported), not '${given}'.`);
  if (!streamed && given !== bodyHash(req.body))
    throw new GantryError('SignatureDoesNotMatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  return given;
}

function bodyHash(body: Uint8Array): string {
  return body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex');
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** Decoded value of one query parameter, looked up without parsing the whole string. */
function queryParam(rawQuery: string, name: string): string | undefined {
  const prefix = name + '=';
  for (const part of rawQuery.split('&')) {
    if (!part.startsWith(prefix)) continue;
    try {
      return decodeURIComponent(part.slice(prefix.length));
    } catch {
      return part.slice(prefix.length);
    }
  }
  return undefined;
}

function sameSignature(key: Buffer, stringToSign: string, given: string): boolean {
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  // Length is public (always 64 for a real signature); only the content comparison must be constant-time.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'));
}

/**
 * The signing key depends only on secret, day, region and service, and costs four HMACs, so it is cached
 * (smithy's signer caches 50 the same way). A bounded Map in insertion order: the oldest key goes first.
 */
const MAX_KEYS = 512;
const keyCache = new Map<string, Buffer>();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = date + '\n' + region + '\n' + service + '\n' + secret;
  const hit = keyCache.get(id);
  if (hit) return hit;
  let k = createHmac('sha256', 'AWS4' + secret).update(date).digest();
  k = createHmac('sha256', k).update(region).digest();
  k = createHmac('sha256', k).update(service).digest();
  k = createHmac('sha256', k).update('aws4_request').digest();
  if (keyCache.size >= MAX_KEYS) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(id, k);
  return k;
}
