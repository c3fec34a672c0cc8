import type { IncomingMessage } from 'node:http';
import { GantryError } from '@gantry/core';

/**
 * Reads a request body up to `limit` bytes. A larger body is refused as soon as its declared or received
 * length passes the limit, without buffering the rest.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const tooLarge = (limit: number) =>
  new GantryError('RequestEntityTooLarge', `Request body is larger than the ${limit} bytes this endpoint accepts. Send a smaller request.`);
