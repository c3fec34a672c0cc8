import { createHash, createHmac } from 'node:crypto';

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * An S3 body in aws-chunked encoding with chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), built as the
 * SigV4 documentation describes it: each chunk signs the previous signature, starting from the request's own.
 */
export function signedChunkedBody(chunks: Buffer[], seed: { secretAccessKey: string; amzDate: string; region: string; seedSignature: string }, trailer?: { name: string; value: string }): Buffer {
  const date = seed.amzDate.slice(0, 8);
  const key = ['aws4_request'].reduce((k, part) => hmac(k, part), ['s3'].reduce((k, part) => hmac(k, part), hmac(hmac(`AWS4${seed.secretAccessKey}`, date), seed.region)));
  const scope = `${date}/${seed.region}/s3/aws4_request`;
  let previous = seed.seedSignature;
  const out: Buffer[] = [];
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const stringToSign = `AWS4-HMAC-SHA256-PAYLOAD\n${seed.amzDate}\n${scope}\n${previous}\n${EMPTY_SHA256}\n${sha256(chunk)}`;
    previous = createHmac('sha256', key).update(stringToSign).digest('hex');
    out.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk);
    if (chunk.length > 0) out.push(Buffer.from('\r\n'));
  }
  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the trailing headers sign over the last chunk's signature.
  if (trailer) {
    const line = `${trailer.name}:${trailer.value}\n`;
    const signature = createHmac('sha256', key).update(`AWS4-HMAC-SHA256-TRAILER\n${seed.amzDate}\n${scope}\n${previous}\n${sha256(line)}`).digest('hex');
    out.push(Buffer.from(`${trailer.name}:${trailer.value}\r\nx-amz-trailer-signature:${signature}\r\n`));
  }
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}
