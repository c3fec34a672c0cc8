import type { IncomingMessage } from 'node:http';
import { GantryError } from '@gantry/core';

/** The header the console's own scripts add to every state-changing request. */
export const CONSOLE_HEADER = 'x-gantry-console';

/**
 * Cross-site request forgery defence for the console's state-changing endpoints, on top of SameSite=Strict:
 * - the custom header is required: an HTML form cannot set it, and a cross-origin script can only set it after
 *   a CORS preflight that this server never approves;
 * - an `Origin` (browsers send it on every POST) must be this server's own origin.
 */
export function requireConsoleRequest(req: IncomingMessage, secure: boolean): void {
  if (req.headers[CONSOLE_HEADER] !== '1')
    throw new GantryError('AccessDenied', `Console requests must carry the ${CONSOLE_HEADER}: 1 header; this request did not come from the console's own page.`);
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== ownOrigin(req, secure))
    throw new GantryError('AccessDenied', `Console requests are accepted from the console's own origin only, not from ${origin}.`);
}

/** The origin the browser reached this server at (scheme and Host header). */
export function ownOrigin(req: IncomingMessage, secure: boolean): string {
  return `${secure ? 'https' : 'http'}://${req.headers.host ?? ''}`;
}
