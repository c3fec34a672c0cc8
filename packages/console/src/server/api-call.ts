import { GantryError } from '@gantry/core';

/**
 * One ordinary API request as the console's page describes it to the signing proxy: which service signs it, and
 * the method, path, query, headers and body the API itself expects (REST-JSON, Query/XML, …).
 */
export interface ApiCall {
  /** SigV4 signing name. @example 'amplify' */
  service: string;
  /** Region the call is signed for. @example 'us-west-2' */
  region: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path as sent on the wire (segments already percent-encoded). @example '/apps/d1abc/branches' */
  path: string;
  query?: Record<string, string>;
  /** Only `content-type`, `accept` and `x-amz-target` (JSON 1.1 APIs) pass: everything else is the signer's or the proxy's to set. */
  headers?: Record<string, string>;
  body?: string;
}

/** The signing names of the APIs this server speaks; the proxy signs for these only. */
export const CONSOLE_SERVICES = new Set(['amplify', 'sts', 'iam', 'codecommit', 'account', 'organizations', 'codecatalyst', 'cloudformation', 'cloudtrail', 'ssm']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
const PASSED_HEADERS = new Set(['content-type', 'accept', 'x-amz-target']);
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const invalid = (why: string) => new GantryError('ValidationError', `Invalid console API call: ${why}`);

/** Checks what the page sent; the proxy never forwards anything it did not check. */
export function parseApiCall(value: unknown): ApiCall {
  if (typeof value !== 'object' || value === null) throw invalid('expected a JSON object { service, region, method, path, query?, headers?, body? }.');
  const v = value as Record<string, unknown>;
  if (typeof v.service !== 'string' || !CONSOLE_SERVICES.has(v.service)) throw invalid(`service must be one of ${[...CONSOLE_SERVICES].join(', ')}.`);
  if (typeof v.region !== 'string' || !REGION.test(v.region)) throw invalid('region must be a region name such as us-west-2.');
  if (typeof v.method !== 'string' || !METHODS.has(v.method)) throw invalid(`method must be one of ${[...METHODS].join(', ')}.`);
  // Only paths of this server: no scheme or authority, no way back into the console's own endpoints.
  if (typeof v.path !== 'string' || !v.path.startsWith('/') || v.path.startsWith('//') || v.path.includes('?') || v.path.includes('#') || /^\/_console(\/|$)/.test(v.path))
    throw invalid('path must be an absolute path of an API (no query, no /_console).');
  const query = stringRecord(v.query, 'query');
  const headers = Object.fromEntries(Object.entries(stringRecord(v.headers, 'headers') ?? {}).map(([k, h]) => [k.toLowerCase(), h]).filter(([k]) => PASSED_HEADERS.has(k!)));
  if (v.body !== undefined && typeof v.body !== 'string') throw invalid('body must be a string (the request body as the API expects it).');
  return { service: v.service, region: v.region, method: v.method as ApiCall['method'], path: v.path, query, headers, body: v.body };
}

function stringRecord(value: unknown, name: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((x) => typeof x !== 'string'))
    throw invalid(`${name} must be an object of strings.`);
  return value as Record<string, string>;
}

/** RFC 3986 encoding, as AWS SDKs put query strings on the wire (and SigV4 canonicalises them). */
export const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const queryString = (query: Record<string, string> | undefined): string =>
  Object.entries(query ?? {}).map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join('&');
