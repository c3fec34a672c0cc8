import { badRequest } from './amplify-validation.ts';

/** Page size from the `maxResults` query parameter: 0 or absent means the maximum, as Amplify does. */
export function pageSize(value: unknown, max: number): number {
  if (value === undefined || value === null || value === '') return max;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw badRequest(`1 validation error detected: Value '${String(value)}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and ${max}`);
  return n === 0 ? max : n;
}

/** Opaque continuation tokens: the sort key of the last item returned. */
export const encodeToken = (key: string): string => Buffer.from(JSON.stringify({ k: key })).toString('base64url');

export function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string') return parsed.k;
  } catch {
    // falls through to the error below
  }
  throw badRequest('Invalid nextToken: pass the nextToken of the previous response unchanged, or omit it to start from the beginning.');
}

/** Takes one more row than the page to know whether another page follows. */
export function page<T>(rows: T[], size: number, keyOf: (row: T) => string): { items: T[]; nextToken?: string } {
  if (rows.length <= size) return { items: rows };
  const items = rows.slice(0, size);
  return { items, nextToken: encodeToken(keyOf(items[items.length - 1]!)) };
}
