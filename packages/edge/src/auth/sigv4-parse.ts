import { GantryError } from '@gantry/core';
import { headerValue, type SignedRequest } from './sigv4-request.ts';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** Longest lifetime a presigned URL may claim (7 days), as AWS and smithy's MAX_PRESIGNED_TTL enforce. */
export const MAX_PRESIGNED_EXPIRES = 604_800;

/** What a request claims about its signature, before anything is verified. */
export interface SigV4Claim {
  accessKeyId: string;
  scope: { date: string; region: string; service: string };
  /** Lowercase, sorted, de-duplicated: the order the canonical request uses. */
  signedHeaders: string[];
  signature: string;
  /** The request time as signed, ISO-8601 basic ('20150830T123600Z'). */
  amzDate: string;
  signedAt: Date;
  /** X-Amz-Security-Token (header, or query parameter when presigned). Not necessarily signed. */
  sessionToken?: string;
  presigned: boolean;
  /** X-Amz-Expires of a presigned request, when given. */
  expiresInSeconds?: number;
}

const incomplete = (message: string) => new GantryError('IncompleteSignature', message);

/**
 * Reads the SigV4 claim from the Authorization header or the X-Amz-* query parameters. Returns undefined when
 * the request carries no SigV4 at all (the caller decides between anonymous access and
 * MissingAuthenticationToken); throws IncompleteSignature when it tries and gets the form wrong.
 */
export function parseSigV4(req: SignedRequest): SigV4Claim | undefined {
  const auth = headerValue(req.headers, 'authorization');
  const query = req.query.includes('X-Amz-') ? authQueryParams(req.query) : undefined;
  const inHeader = auth !== undefined && auth.startsWith('AWS4-');
  const inQuery = query?.has('X-Amz-Algorithm') ?? false;
  if (inHeader && inQuery)
    throw incomplete('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.');
  if (inHeader) return fromHeader(req, auth);
  if (inQuery) return fromQuery(query!);
  return undefined;
}

function fromHeader(req: SignedRequest, auth: string): SigV4Claim {
  const space = auth.indexOf(' ');
  const algorithm = space === -1 ? auth : auth.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'. Only '${SIGV4_ALGORITHM}' is supported.`);
  const fields = new Map<string, string>();
  for (const raw of space === -1 ? [] : auth.slice(space + 1).split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) throw incomplete(`'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  const signedHeaders = fields.get('SignedHeaders');
  // x-amz-date wins over Date when both are present.
  const date = headerValue(req.headers, 'x-amz-date') ?? headerValue(req.headers, 'date');

  // AWS lists every missing part at once, then echoes the header.
  let missing = '';
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signedHeaders) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!date) missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (missing) throw incomplete(`${missing}Authorization=${auth}`);

  const sessionToken = headerValue(req.headers, 'x-amz-security-token');
  return build(credential!, signedHeaders!, signature!, date!, sessionToken, false, undefined);
}

function fromQuery(q: Map<string, string>): SigV4Claim {
  const algorithm = q.get('X-Amz-Algorithm')!;
  if (algorithm !== SIGV4_ALGORITHM) throw incomplete(`X-Amz-Algorithm only supports '${SIGV4_ALGORITHM}', not '${algorithm}'.`);
  let missing = '';
  for (const name of ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'])
    if (!q.get(name)) missing += `AWS query-string parameters must include '${name}'. `;
  if (missing) throw incomplete(`${missing}Re-examine the query-string parameters.`);

  let expires: number | undefined;
  const rawExpires = q.get('X-Amz-Expires');
  if (rawExpires !== undefined) {
    if (!/^\d{1,9}$/.test(rawExpires)) throw incomplete(`X-Amz-Expires should be a number of seconds, not '${rawExpires}'.`);
    expires = Number(rawExpires);
    if (expires > MAX_PRESIGNED_EXPIRES)
      throw incomplete(`X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_PRESIGNED_EXPIRES} seconds.`);
  }
  return build(q.get('X-Amz-Credential')!, q.get('X-Amz-SignedHeaders')!, q.get('X-Amz-Signature')!, q.get('X-Amz-Date')!,
    q.get('X-Amz-Security-Token'), true, expires);
}

function build(credential: string, signedHeaderList: string, signature: string, amzDate: string,
  sessionToken: string | undefined, presigned: boolean, expiresInSeconds: number | undefined): SigV4Claim {
  // The access key id is everything before the four scope parts.
  const parts = credential.split('/');
  if (parts.length < 5 || parts.slice(-5).some((p) => p === ''))
    throw incomplete(`The Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request", got '${credential}'.`);
  const [scopeDate, region, service, terminator] = parts.slice(-4);
  const accessKeyId = parts.slice(0, -4).join('/');
  if (terminator !== 'aws4_request')
    throw incomplete(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);

  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  const basic = amzDate.length === 16 ? amzDate : toAmzDate(signedAt); // only an HTTP Date header needs reformatting
  if (scopeDate !== basic.slice(0, 8))
    throw incomplete(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${basic.slice(0, 8)}', from '${amzDate}'.`);

  const signedHeaders = signedHeaderNames(signedHeaderList);
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority'))
    throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  const claim: SigV4Claim = { accessKeyId, scope: { date: scopeDate, region, service }, signedHeaders, signature, amzDate: basic, signedAt, presigned };
  if (sessionToken !== undefined) claim.sessionToken = sessionToken;
  if (expiresInSeconds !== undefined) claim.expiresInSeconds = expiresInSeconds;
  return claim;
}

/**
 * SignedHeaders as the canonical request lists them: lowercase, sorted, unique. Signers already send it that
 * way, so that case is checked in one pass before falling back to cleaning it up.
 */
function signedHeaderNames(list: string): string[] {
  const names = list.split(';');
  let clean = true;
  for (let i = 0; i < names.length && clean; i++) {
    const n = names[i];
    clean = n !== '' && (i === 0 || names[i - 1] < n) && !/[A-Z\s]/.test(n);
  }
  if (clean) return names;
  return [...new Set(names.map((h) => h.trim().toLowerCase()).filter((h) => h !== ''))].sort();
}

const AUTH_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date',
  'X-Amz-Expires', 'X-Amz-Security-Token']);

/**
 * The X-Amz-* parameters of a query string, decoded. Only these matter for parsing; the canonical query is
 * built separately from the raw string. A repeated auth parameter is ambiguous, so it is refused.
 */
function authQueryParams(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (!part.startsWith('X-Amz-')) continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    let value: string;
    try {
      value = eq === -1 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw incomplete(`The query-string parameter '${name}' is not validly percent-encoded.`);
    }
    if (out.has(name) && AUTH_PARAMS.has(name)) throw incomplete(`The query-string parameter '${name}' must not be repeated.`);
    out.set(name, value);
  }
  return out;
}

const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * X-Amz-Date is ISO-8601 basic. A `Date` header may instead carry an HTTP date (RFC 7231); both are accepted
 * and the time that goes into the string to sign is always re-expressed in basic form.
 */
export function parseAmzDate(value: string): Date | undefined {
  const m = BASIC.exec(value);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    // Reject rollovers such as month 13 or 25 o'clock rather than silently shifting the date.
    if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || t.getUTCHours() !== h || t.getUTCMinutes() !== mi) return undefined;
    return t;
  }
  if (!/GMT$/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Date → '20150830T123600Z'. */
export function toAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
