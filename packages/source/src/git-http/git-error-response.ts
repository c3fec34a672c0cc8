import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GantryError } from '@gantry/core';

/**
 * Answers a git request with an error git shows its user: for `text/plain` bodies git prints each line as
 * `remote: …` before its own "The requested URL returned error: 403". A 401 carries the Basic challenge
 * that makes git ask its credential helper. When the request body was not read to the end, the connection
 * is closed after the answer instead of reading (possibly hundreds of megabytes of) pack data for nothing.
 */
export function sendGitError(req: IncomingMessage, res: ServerResponse, error: GantryError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${error.message}\n`;
  const headers: Record<string, string | number> = {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
    'x-amzn-errortype': error.code,
  };
  if (error.status === 401) headers['www-authenticate'] = 'Basic realm="Gantry", charset="UTF-8"';
  if (!req.complete) headers.connection = 'close';
  res.writeHead(error.status, headers);
  res.end(body);
}
