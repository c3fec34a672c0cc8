/**
 * SigV4 canonicalisation, hand-written rather than taken from @smithy/signature-v4 because the server starts
 * from wire bytes (a raw path and query string) while smithy starts from the SDK's decoded HttpRequest, and
 * because its helpers are async. Every rule below mirrors what smithy's signer (and aws-c-auth) produce; the
 * conformance suite and the SDK round-trip tests in sigv4.test.ts pin that down byte for byte.
 */

/** RFC 3986 unreserved characters: the only bytes SigV4 leaves unescaped. */
const UNRESERVED = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[c.charCodeAt(0)] = 1;

/** '%XX' with upper-case hex for every byte value. */
const PCT: string[] = Array.from({ length: 256 }, (_, b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'));

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-encodes a string's UTF-8 bytes the SigV4 way. With `decodeFirst`, valid '%XX' escapes are decoded
 * before re-encoding, which turns any client's encoding of a value into the one canonical spelling (used for
 * query parameters and S3 paths). Without it, '%' itself is escaped: that is the "double encoding" non-S3
 * services apply to a path the client had already encoded once.
 */
export function uriEncode(s: string, decodeFirst: boolean): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || UNRESERVED[c] === 0) break;
  }
  if (i === s.length) return s; // the common case: nothing to do
  // The prefix is ASCII, so its char and byte offsets agree.
  const bytes = Buffer.from(s, 'utf8');
  let out = s.slice(0, i);
  for (let j = i; j < bytes.length; j++) {
    let b = bytes[j];
    if (decodeFirst && b === 0x25 && j + 2 < bytes.length) {
      const hi = hexValue(bytes[j + 1]);
      const lo = hexValue(bytes[j + 2]);
      if (hi >= 0 && lo >= 0) {
        b = (hi << 4) | lo;
        j += 2;
      }
    }
    out += b < 128 && UNRESERVED[b] === 1 ? String.fromCharCode(b) : PCT[b];
  }
  return out;
}

/**
 * CanonicalURI. `normalize` drops empty and '.' segments and resolves '..' (non-S3 services; smithy's
 * getCanonicalPath). `doubleEncode` re-escapes the already-encoded wire path (non-S3); otherwise the path is
 * brought to its single canonical encoding (S3).
 */
export function canonicalPath(rawPath: string, normalize: boolean, doubleEncode: boolean): string {
  if (rawPath === '/' || rawPath === '') return '/';
  const segments = rawPath.split('/');
  let kept: string[];
  if (normalize) {
    kept = [];
    for (const seg of segments) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') kept.pop();
      else kept.push(seg);
    }
  } else {
    kept = segments;
  }
  for (let k = 0; k < kept.length; k++) kept[k] = uriEncode(kept[k], !doubleEncode);
  if (!normalize) return kept.join('/');
  const lead = rawPath.startsWith('/') ? '/' : '';
  const trail = kept.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return lead + kept.join('/') + trail;
}

/**
 * CanonicalQueryString: each name and value brought to canonical encoding, sorted by name then value, a bare
 * name becomes `name=`. X-Amz-Signature is never part of it (smithy's getCanonicalQuery drops it in any
 * case), and `omit` lets presigned verification leave out a parameter added after signing.
 */
export function canonicalQuery(rawQuery: string, omit?: string): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = uriEncode(eq === -1 ? part : part.slice(0, eq), true);
    if (key.length === 15 && key.toLowerCase() === 'x-amz-signature') continue;
    if (omit !== undefined && key === omit) continue;
    pairs.push([key, eq === -1 ? '' : uriEncode(part.slice(eq + 1), true)]);
  }
  if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let out = '';
  for (let k = 0; k < pairs.length; k++) out += (k === 0 ? '' : '&') + pairs[k][0] + '=' + pairs[k][1];
  return out;
}

/** Anything the value rule would change: CR/LF/TAB, a run of spaces, or a space at either end. */
const NEEDS_CLEANING = /[\t\r\n]| {2}|^ | $/;

/** Header value rule, as smithy's getCanonicalHeaders applies it: fold line breaks, squeeze blanks, trim. */
function canonicalValue(v: string): string {
  if (!NEEDS_CLEANING.test(v)) return v;
  return v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/**
 * The CanonicalHeaders block (each line ends in '\n') for the given sorted lowercase names. A repeated header
 * joins its values with ','. A signed header that is absent counts as empty, which can only fail to match.
 */
export function canonicalHeaders(headers: Record<string, string | string[] | undefined>, signed: readonly string[]): string {
  let out = '';
  for (const name of signed) {
    let v = headers[name];
    // HTTP/2 carries the host in ':authority'; the client signed it as 'host'.
    if (v === undefined && name === 'host') v = headers[':authority'];
    let value: string;
    if (v === undefined) value = '';
    else if (typeof v === 'string') value = canonicalValue(v);
    else value = v.map(canonicalValue).join(',');
    out += name + ':' + value + '\n';
  }
  return out;
}
