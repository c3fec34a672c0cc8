import { createHash, timingSafeEqual } from 'node:crypto';
import { GantryError } from '@gantry/core';
import { CredentialResolver, type Iam, type Principal } from '@gantry/iam';

/**
 * HTTP Basic authentication for git, with AWS access keys:
 *
 * - username: the access key id (`AKIA…` or `ASIA…`);
 * - password: its secret access key, or for temporary credentials (`ASIA…`, from STS) the secret, a colon
 *   and the session token: `<secretAccessKey>:<sessionToken>`. Secrets never contain a colon, so the split
 *   is unambiguous, and long-term keys take the whole password as their secret.
 *
 * Put them in the remote URL (percent-encoded: secrets contain `/` and `+`) or let a credential helper
 * (`gantry git-credential`) answer git's prompt. Every failure is a 401 with a Basic challenge, which is
 * what makes git ask its credential helper and report "Authentication failed".
 */
export async function authenticateBasic(iam: Iam, authorization: string | undefined, now: Date): Promise<Principal> {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match) throw unauthorized('Authentication required: use an access key id as the git username and its secret access key as the password (or `gantry git-credential` as credential helper).');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const accessKeyId = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);

  const resolved = /^[A-Z0-9]{16,128}$/.test(accessKeyId) ? await iam.credentials.resolve(accessKeyId) : undefined;
  let secret = password;
  let sessionToken: string | undefined;
  if (resolved?.sessionTokenHash) {
    const split = password.indexOf(':');
    secret = split < 0 ? password : password.slice(0, split);
    sessionToken = split < 0 ? undefined : password.slice(split + 1);
  }
  // Compared whether or not the key exists, so the time taken does not tell which keys do.
  const secretMatches = sameSecret(secret, resolved?.secretAccessKey ?? '');
  if (!resolved || !secretMatches) throw unauthorized('Authentication failed: the access key id (git username) or its secret access key (git password) is not valid.');
  try {
    CredentialResolver.checkSessionToken(resolved, sessionToken, now);
  } catch (error) {
    const expired = (error as GantryError).code === 'ExpiredToken';
    throw unauthorized(expired
      ? 'Authentication failed: these temporary credentials have expired. Get new ones (e.g. assume the role again).'
      : 'Authentication failed: temporary credentials need the password `<secretAccessKey>:<sessionToken>`, and the session token given is not valid.');
  }
  return resolved.principal;
}

/** Constant-time comparison of two secrets of any length (their digests have the same length). */
function sameSecret(presented: string, actual: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(actual).digest();
  return timingSafeEqual(a, b) && actual.length > 0;
}

const unauthorized = (message: string) => new GantryError('UnauthorizedException', message);
