import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GantryError } from '@gantry/core';

/**
 * The body of a git request as a stream of chunks, decompressed and capped.
 *
 * git gzips request bodies (`Content-Encoding: gzip`, fetch negotiation mostly). git http-backend could
 * inflate them itself (HTTP_CONTENT_ENCODING), but inflating here lets the size cap apply to the inflated
 * bytes (a small gzip body can inflate to gigabytes) and lets the receive-pack commands be read before git
 * runs. The cap counts inflated bytes, so the declared Content-Length only refuses early the bodies that are
 * too large even before inflating.
 */
export function requestBody(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let source: Readable;
  if (encoding === 'identity' || encoding === '') source = req;
  else if (encoding === 'gzip' || encoding === 'x-gzip') {
    const gunzip = createGunzip();
    // Not pipeline(): it would destroy the request, and with it the socket the answer still has to use.
    req.pipe(gunzip);
    source = gunzip;
  } else throw new GantryError('ValidationError', `Content-Encoding ${encoding} is not supported for git requests: send gzip or no encoding.`, { status: 415 });
  return capped(req, source, limit);
}

async function* capped(req: IncomingMessage, source: Readable, limit: number): AsyncGenerator<Buffer> {
  let size = 0;
  try {
    for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof GantryError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED')
      throw new GantryError('ValidationError', 'The gzip-encoded request body is corrupt.', { cause: error });
    throw new GantryError('ValidationError', `The request body could not be read: ${(error as Error).message}`, { cause: error });
  } finally {
    // Stopped before the end (too large, or git stopped reading): discard the rest rather than leave it in
    // the socket, so the answer still goes out and the connection stays usable.
    if (!req.complete) {
      req.unpipe();
      req.resume();
    }
  }
}

const tooLarge = (limit: number) =>
  new GantryError('RequestEntityTooLarge', `This git request is larger than the ${limit} bytes Gantry accepts (after decompression). Push in smaller steps, or raise the server's limit.`);
