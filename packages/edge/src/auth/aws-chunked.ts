import { createHash, createHmac, timingSafeEqual, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { GantryError } from '@gantry/core';

/**
 * What checking the chunk signatures of an aws-chunked S3 body takes: the request's signing key and scope,
 * and its own signature, which seeds the chain (each chunk signs over the signature of the one before).
 */
export interface ChunkSigningSeed {
  signingKey: Buffer;
  /** X-Amz-Date of the request, basic ISO-8601. */
  amzDate: string;
  /** `<yyyymmdd>/<region>/s3/aws4_request`. */
  scope: string;
  seedSignature: string;
}

export interface AwsChunkedOptions {
  /** Check every chunk's `chunk-signature` (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); absent: the chunks are unsigned. */
  signing?: ChunkSigningSeed;
  /** The trailing headers carry `x-amz-trailer-signature` (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER). @default false */
  signedTrailer?: boolean;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Far longer than any chunk header or trailer line a client sends; stops a client that never ends a line. */
const MAX_LINE = 4096;
const CRLF = Buffer.from('\r\n');

const malformed = (message: string) =>
  new GantryError('InvalidParameterValue', `The aws-chunked request body is malformed: ${message}. Send it as the AWS SDKs do: '<hex size>[;chunk-signature=<sig>]\\r\\n<bytes>\\r\\n' chunks, a zero-size chunk, then trailing headers and an empty line.`);
const badSignature = (what: string) =>
  new GantryError('SignatureDoesNotMatch', `The ${what} signature we calculated does not match the one you provided. Sign each chunk over the previous chunk's signature with the request's signing key.`);

/**
 * Decodes an S3 body in `aws-chunked` content encoding into the object's bytes, as S3 does for the
 * `STREAMING-*` values of x-amz-content-sha256: unsigned chunks with a checksum trailer (what the AWS SDKs send
 * for PutObject and UploadPart), or chunks each signed over the one before. The trailing headers
 * (`x-amz-checksum-crc32: …`) are collected in `trailers`; verifying the checksum they name is the reader's.
 * A chunk whose signature fails, or a body that ends early, fails the stream before its end, so a consumer
 * writing the bytes somewhere never mistakes a tampered or truncated body for a complete one.
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailing headers by lowercase name; complete once the stream has ended. */
  readonly trailers = new Map<string, string>();
  /** Bytes of the object decoded so far. */
  decodedLength = 0;

  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private pending: Buffer | undefined;
  private remaining = 0;
  private chunkSignature: string | undefined;
  private chunkHash: Hash | undefined;
  private previousSignature: string;
  private trailerCanonical = '';
  private trailerSignature: string | undefined;

  constructor(private readonly options: AwsChunkedOptions = {}) {
    super();
    this.previousSignature = options.signing?.seedSignature ?? '';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(this.pending ? Buffer.concat([this.pending, chunk]) : chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    // A body may end right after the last chunk's line when it has no trailing headers.
    const ended = this.state === 'done' || (this.state === 'trailer' && !this.pending?.length && this.trailers.size === 0);
    if (!ended) return done(malformed('the body ended before its last (zero-size) chunk and trailing headers'));
    if (this.state === 'trailer') this.checkTrailerSignature();
    done();
  }

  private consume(buf: Buffer): void {
    this.pending = undefined;
    let pos = 0;
    while (pos < buf.length) {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, buf.length - pos);
        const data = buf.subarray(pos, pos + n);
        this.chunkHash?.update(data);
        this.decodedLength += n;
        this.push(data);
        this.remaining -= n;
        pos += n;
        if (this.remaining === 0) {
          this.checkChunkSignature(this.chunkHash?.digest('hex') ?? EMPTY_SHA256);
          this.state = 'data-end';
        }
        continue;
      }
      if (this.state === 'data-end') {
        if (buf.length - pos < 2) break;
        if (buf[pos] !== CRLF[0] || buf[pos + 1] !== CRLF[1]) throw malformed('a chunk is longer than its declared size');
        pos += 2;
        this.state = 'size';
        continue;
      }
      const end = buf.indexOf(CRLF, pos);
      if (end === -1) break;
      if (end - pos > MAX_LINE) throw malformed(`a line is longer than ${MAX_LINE} bytes`);
      const line = buf.toString('latin1', pos, end);
      pos = end + 2;
      if (this.state === 'size') this.startChunk(line);
      else if (this.state === 'trailer') this.trailerLine(line);
      else if (line !== '') throw malformed('bytes follow the trailing headers');
    }
    if (pos < buf.length) {
      if (this.state !== 'data' && buf.length - pos > MAX_LINE) throw malformed(`a line is longer than ${MAX_LINE} bytes`);
      this.pending = buf.subarray(pos);
    }
  }

  /** `<hex size>[;chunk-signature=<64 hex>]` */
  private startChunk(line: string): void {
    const [sizeText, ...extensions] = line.split(';');
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText!)) throw malformed(`'${line.slice(0, 80)}' is not a chunk size`);
    const size = Number.parseInt(sizeText!, 16);
    this.chunkSignature = extensions.map((e) => /^chunk-signature=([0-9a-f]{64})$/.exec(e.trim())?.[1]).find(Boolean);
    if (this.options.signing && !this.chunkSignature) throw malformed('a chunk has no chunk-signature, but the request was signed as STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    if (size === 0) {
      this.checkChunkSignature(EMPTY_SHA256);
      this.state = 'trailer';
      return;
    }
    this.remaining = size;
    this.chunkHash = this.options.signing ? createHash('sha256') : undefined;
    this.state = 'data';
  }

  private trailerLine(line: string): void {
    if (line === '') {
      this.checkTrailerSignature();
      this.state = 'done';
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`trailing header '${line.slice(0, 80)}' has no name`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.trailerSignature = value;
      return;
    }
    this.trailers.set(name, value);
    this.trailerCanonical += `${name}:${value}\n`;
  }

  /** AWS4-HMAC-SHA256-PAYLOAD: each chunk signs the previous signature, the empty hash and its own bytes' hash. */
  private checkChunkSignature(dataHash: string): void {
    const seed = this.options.signing;
    if (!seed) return;
    const stringToSign = `AWS4-HMAC-SHA256-PAYLOAD\n${seed.amzDate}\n${seed.scope}\n${this.previousSignature}\n${EMPTY_SHA256}\n${dataHash}`;
    if (!matches(seed.signingKey, stringToSign, this.chunkSignature!)) throw badSignature('chunk');
    this.previousSignature = this.chunkSignature!;
  }

  /** AWS4-HMAC-SHA256-TRAILER: the trailing headers sign over the last chunk's signature. */
  private checkTrailerSignature(): void {
    const seed = this.options.signing;
    if (!seed || !this.options.signedTrailer) return;
    if (!this.trailerSignature) throw malformed('the trailing headers have no x-amz-trailer-signature');
    const hash = createHash('sha256').update(this.trailerCanonical).digest('hex');
    const stringToSign = `AWS4-HMAC-SHA256-TRAILER\n${seed.amzDate}\n${seed.scope}\n${this.previousSignature}\n${hash}`;
    if (!matches(seed.signingKey, stringToSign, this.trailerSignature)) throw badSignature('trailer');
  }
}

function matches(key: Buffer, stringToSign: string, given: string): boolean {
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return given.length === expected.length && timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'));
}
