import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { AwsChunkedDecoder, STREAMING_PAYLOADS, UNSIGNED_PAYLOAD, type Authenticated } from '@gantry/edge';
import { checksumAlgorithmOfHeader, checksumHeader, CHECKSUM_ALGORITHMS, runningChecksum, type ChecksumAlgorithm, type RunningChecksum } from './payload-checksums.ts';
import { S3Error } from './s3-errors.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A request body on its way in: the object's bytes, checked as they pass, and the checksum they were held to. */
export interface RequestBody {
  /** The decoded bytes. It fails, before it ends, when they do not match what the request claimed. */
  stream: Readable;
  /** The length the request declares for the decoded bytes, when it declares one. */
  declaredLength: number | undefined;
  /** After the stream ended: the checksum the client sent (header or trailer) and the bytes matched. */
  verifiedChecksum(): { algorithm: ChecksumAlgorithm; value: string } | undefined;
}

/**
 * How the request says its body is signed: the x-amz-content-sha256 header, or the X-Amz-Content-Sha256
 * parameter of a presigned URL (a presigned URL without it is UNSIGNED-PAYLOAD). A header-signed request
 * without it signed the hash of an empty body, which is what the edge verified.
 */
export function payloadClaim(req: IncomingMessage, query: URLSearchParams): string {
  const header = req.headers['x-amz-content-sha256'];
  if (typeof header === 'string') return header;
  if (query.has('X-Amz-Signature')) return query.get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
  return EMPTY_SHA256;
}

/**
 * Opens a request body for streaming to its destination, never buffering it: aws-chunked bodies are decoded
 * (their chunk signatures checked when signed), and the bytes are held to everything the request claims of
 * them: the signed SHA-256, Content-MD5, an `x-amz-checksum-*` header or trailer, the declared length, and
 * `maxBytes`. A body larger than `maxBytes` by its declared length is refused before a byte is read.
 */
export function openRequestBody(req: IncomingMessage, query: URLSearchParams, auth: Authenticated, maxBytes: number): RequestBody {
  const payload = payloadClaim(req, query);
  const chunked = STREAMING_PAYLOADS.has(payload);
  const declaredLength = chunked ? lengthHeader(req, 'x-amz-decoded-content-length') : lengthHeader(req, 'content-length');
  if (chunked && declaredLength === undefined) {
    throw new S3Error('MissingContentLength', 'An aws-chunked body must declare its decoded length in x-amz-decoded-content-length.');
  }
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    throw new S3Error('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size: ${declaredLength} bytes, where at most ${maxBytes} are accepted here (a single PUT takes up to 5 GiB; use a multipart upload for more).`);
  }

  const checksum = expectedChecksum(req);
  const decoder = chunked
    ? new AwsChunkedDecoder({ signing: auth.chunkSigning, signedTrailer: payload === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' })
    : undefined;
  if (decoder && payload.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD') && !auth.chunkSigning) {
    throw new S3Error('InvalidRequest', 'A signed aws-chunked body needs a header-signed request.');
  }
  const check = new BodyCheck({
    sha256: /^[0-9a-f]{64}$/.test(payload) ? payload : undefined,
    md5Base64: typeof req.headers['content-md5'] === 'string' ? req.headers['content-md5'] : undefined,
    checksum,
    trailerValue: (name) => decoder?.trailers.get(name),
    declaredLength,
    maxBytes,
  });
  const stream = decoder ? pipeline(req, decoder, check, noop) : pipeline(req, check, noop);
  return { stream, declaredLength, verifiedChecksum: () => check.verified };
}

/** Reads a small body (an XML request document) whole, with the same checks. */
export async function readRequestBody(req: IncomingMessage, query: URLSearchParams, auth: Authenticated, maxBytes: number): Promise<Buffer> {
  const body = openRequestBody(req, query, auth, maxBytes);
  const chunks: Buffer[] = [];
  for await (const chunk of body.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Drains a body the operation does not read, so the connection can carry the next request. */
export function discardRequestBody(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}

const noop = () => {};

function lengthHeader(req: IncomingMessage, name: string): number | undefined {
  const value = req.headers[name];
  if (typeof value !== 'string') return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new S3Error('InvalidArgument', `${name} must be a number of bytes, not '${value}'.`);
  return Number(value);
}

/** The checksum the client will be held to: named by an `x-amz-checksum-*` header, or by `x-amz-trailer`. */
function expectedChecksum(req: IncomingMessage): BodyCheckOptions['checksum'] {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = req.headers[checksumHeader(algorithm)];
    if (typeof value === 'string') return { algorithm, header: checksumHeader(algorithm), value };
  }
  const trailer = req.headers['x-amz-trailer'];
  if (typeof trailer === 'string') {
    const algorithm = checksumAlgorithmOfHeader(trailer.trim());
    if (!algorithm) throw new S3Error('InvalidRequest', `x-amz-trailer names '${trailer}'; the trailers S3 accepts are ${CHECKSUM_ALGORITHMS.map(checksumHeader).join(', ')}.`);
    return { algorithm, header: checksumHeader(algorithm) };
  }
  return undefined;
}

interface BodyCheckOptions {
  sha256: string | undefined;
  md5Base64: string | undefined;
  /** `value` is absent when it arrives as a trailer. */
  checksum: { algorithm: ChecksumAlgorithm; header: string; value?: string } | undefined;
  trailerValue(name: string): string | undefined;
  declaredLength: number | undefined;
  maxBytes: number;
}

/**
 * Passes the bytes through while hashing them, and fails at the end (before the stream ends for its reader)
 * when a digest or the length differs from what the request claimed.
 */
class BodyCheck extends Transform {
  verified: { algorithm: ChecksumAlgorithm; value: string } | undefined;
  private size = 0;
  private readonly sha256: Hash | undefined;
  private readonly md5: Hash | undefined;
  private readonly checksum: RunningChecksum | undefined;

  constructor(private readonly options: BodyCheckOptions) {
    super();
    this.sha256 = options.sha256 && options.sha256 !== EMPTY_SHA256 ? createHash('sha256') : undefined;
    this.md5 = options.md5Base64 ? createHash('md5') : undefined;
    this.checksum = options.checksum ? runningChecksum(options.checksum.algorithm) : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.options.maxBytes) {
      return done(new S3Error('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${this.options.maxBytes} bytes.`));
    }
    if (this.options.sha256 === EMPTY_SHA256) {
      return done(new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed: it is the hash of an empty body, and the body is not empty."));
    }
    this.sha256?.update(chunk);
    this.md5?.update(chunk);
    this.checksum?.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.finish().then(() => done(), (error: Error) => done(error));
  }

  private async finish(): Promise<void> {
    const { declaredLength, sha256, md5Base64, checksum } = this.options;
    if (declaredLength !== undefined && this.size !== declaredLength) {
      throw new S3Error('IncompleteBody', `You did not provide the number of bytes specified by the Content-Length HTTP header: ${this.size} of ${declaredLength} arrived.`);
    }
    if (this.sha256 && this.sha256.digest('hex') !== sha256) {
      throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed: the body's SHA-256 differs from the one signed.");
    }
    if (this.md5 && this.md5.digest('base64') !== md5Base64) {
      throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    if (checksum && this.checksum) {
      const expected = checksum.value ?? this.options.trailerValue(checksum.header);
      if (expected === undefined) throw new S3Error('IncompleteBody', `The body ended without the ${checksum.header} trailer that x-amz-trailer announced.`);
      const actual = await this.checksum.base64();
      if (actual !== expected) throw new S3Error('BadDigest', `The ${checksum.algorithm} you specified did not match the calculated checksum.`);
      this.verified = { algorithm: checksum.algorithm, value: actual };
    }
  }
}
