/**
 * Per-account directories of the build sandbox: a directory every build of one account may write and no other
 * account's build sees. A session of account A finds `<dir>/account-<A>` mounted at `<dir>` itself, so the
 * builds' settings (`npm_config_cache=<dir>`) are the same for every account while the contents are not.
 *
 * Why npm's download cache must be one of these rather than shared by every build: npm's cache (cacache) is
 * content-addressed, but only its content is. A content file is read back through the integrity its index
 * entry names, so rewriting a cached tarball in place is caught (EINTEGRITY; npm drops the entry and fetches
 * again). The index is not protected: an entry is a line `<sha1 of the JSON>\t<JSON>` in a bucket named by the
 * request URL, the sha1 only detects torn writes and anyone who can write the bucket can compute it, and the
 * JSON holds the integrity to read and the response headers that decide freshness. A build can therefore store
 * its own content under its own (valid) integrity and point the entry for
 * `https://registry.npmjs.org/<package>` at it, fresh for a year. npm never checks packuments against an
 * integrity (pacote fetches them with `integrity: null`), so the next `npm install`, `npx` or `npm update` of
 * ANOTHER account that resolves that package reads the forged packument, picks the version, tarball URL and
 * `dist.integrity` it names, and runs the forger's install scripts with that account's credentials. Only
 * tarballs pinned by a lockfile's `integrity` are safe (a substitute fails the check). Within one account the
 * cache crosses no trust boundary, so per-account caches keep the download savings where they are safe.
 */
import { join } from 'node:path';
import { GantryError } from '@gantry/core';

/** Longest account name accepted: directory names stay far below the 255-byte limit once encoded. */
const MAX_ACCOUNT_LENGTH = 128;

/**
 * The directory of `account` under `base`: `account-` and the name percent-encoded, so every account gets a
 * different directory, none can be `.`, `..` or contain `/`, and none collides with what else `base` holds
 * (an older cache shared by all builds, which then stays out of every build's sight).
 */
export function accountDirectory(base: string, account: string): string {
  if (account.length === 0 || account.length > MAX_ACCOUNT_LENGTH) {
    throw new GantryError('ValidationError', `A build sandbox account must be 1 to ${MAX_ACCOUNT_LENGTH} characters long, not ${account.length}: pass the account ID the build acts for.`);
  }
  return join(base, `account-${encodeURIComponent(account)}`);
}
