/**
 * Password protection of branch sites (`enableBasicAuth` + `basicAuthCredentials`, as on Amplify Hosting). The
 * API takes the credentials as Amplify does — base64 of `user:password` — and keeps only a salted scrypt hash of
 * them, never returning them again. A site request must then carry `Authorization: Basic` with the same pair.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { GantryError } from '@gantry/core';

const PREFIX = 'scrypt1$';
/** scrypt's cost: ~10 ms per check here; verified headers are remembered, so a site pays it once per visitor. */
const COST = { N: 8192, r: 8, p: 1 };

/** What is stored for `basicAuthCredentials` (base64 `user:password`): a salted hash. */
export function hashBasicAuthCredentials(base64: string): string {
  const pair = Buffer.from(base64, 'base64').toString('utf8');
  if (!/^[^:]+:.+$/s.test(pair) || Buffer.from(pair, 'utf8').toString('base64') !== base64.replace(/\s/g, '')) {
    throw new GantryError('BadRequestException', 'basicAuthCredentials must be the base64 encoding of "username:password" (e.g. `printf %s user:pass | base64`).');
  }
  const salt = randomBytes(16);
  return `${PREFIX}${salt.toString('base64')}$${scryptSync(pair, salt, 32, COST).toString('base64')}`;
}

/** The site's protection: whichever of branch and app enables it (the branch's own credentials first). */
export interface BasicAuthSetting { stored: string }

const verified = new Map<string, boolean>();

/** Whether an `Authorization` header opens a site protected by `stored` credentials. */
export function basicAuthAllows(stored: string, authorization: string | undefined): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match) return false;
  const key = createHash('sha256').update(stored).update('\0').update(match[1]!).digest('base64');
  const known = verified.get(key);
  if (known !== undefined) return known;
  const pair = Buffer.from(match[1]!, 'base64');
  let ok = false;
  if (stored.startsWith(PREFIX)) {
    const [salt, hash] = stored.slice(PREFIX.length).split('$');
    const expected = Buffer.from(hash ?? '', 'base64');
    const actual = scryptSync(pair, Buffer.from(salt ?? '', 'base64'), expected.length || 32, COST);
    ok = expected.length === actual.length && timingSafeEqual(expected, actual);
  } else {
    // Stored before credentials were hashed: the base64 text itself.
    const expected = Buffer.from(stored, 'base64');
    ok = expected.length === pair.length && timingSafeEqual(expected, pair);
  }
  if (verified.size > 10_000) verified.clear();
  verified.set(key, ok);
  return ok;
}
