import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError } from '@gantry/core';
import { readBody } from '@gantry/edge';

const BODY_LIMIT = 6 * 1024 * 1024;

/** A JSON answer that no cache keeps (console answers are per session). */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** The request's JSON object body; anything else is refused with what to send instead. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) throw new GantryError('ValidationError', 'Console requests are JSON: send content-type: application/json.');
  const text = (await readBody(req, BODY_LIMIT)).toString('utf8');
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  throw new GantryError('ValidationError', 'The request body is not a JSON object.');
}

/** A required, non-empty string member; the error names the field so the page can show it there. */
export function stringField(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') throw new GantryError('ValidationError', `${name} is required.`, { details: { field: name } });
  return value;
}
