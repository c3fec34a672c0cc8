/**
 * Amplify `customHeaders` (amplify.yml / customHttp.yml):
 *
 * ```yaml
 * customHeaders:
 *   - pattern: '**\/*'
 *     headers:
 *       - key: 'Strict-Transport-Security'
 *         value: 'max-age=31536000; includeSubDomains'
 *   - pattern: '*.json'
 *     headers: [{ key: 'Cache-Control', value: 'no-store' }]
 * ```
 *
 * "Custom headers are applied to all URL file paths that match the pattern" (custom-header-YAML-format.html).
 * Gantry's reading of the patterns (INFERRED where the docs only show examples):
 * - globs (picomatch), matched against the path without its leading `/`, dotfiles included;
 * - a pattern without `/` matches the file name at any depth (`*.js` matches `/assets/app.js`), a pattern with
 *   `/` matches from the site root (`/path/*`, `/assets/**`), `**` and `**\/*` match everything;
 * - a response gets a rule's headers when the pattern matches the request path or the path of the file served
 *   for it (so `*.html` applies to `/about` served from `/about.html`, and to SPA routes rewritten to
 *   `/index.html`);
 * - rules apply in order and a later rule's value for the same header replaces an earlier one; custom headers
 *   replace Gantry's defaults (e.g. `Cache-Control`) but never the framing headers Gantry owns
 *   (`Content-Length`, `Content-Range`, `Content-Encoding`, `Transfer-Encoding`, `Connection`).
 */
import picomatch from 'picomatch';
import { GantryError } from '@gantry/core';
import type { CustomHeaderRule } from '../build-spec/build-spec-types.ts';

/** One `customHeaders` entry. */
/** One `customHeaders` entry of a build spec: the same shape the parser produces. */
export type { CustomHeaderRule };

/** Header name (lowercase) and value pairs, in application order. */
export type HeaderPairs = ReadonlyArray<readonly [name: string, value: string]>;

export interface CompiledHeaders {
  /** Headers for a response to `requestPath` served from `filePath` (both decoded, leading `/`). */
  resolve(requestPath: string, filePath?: string): HeaderPairs;
  readonly empty: boolean;
}

const PROTECTED = new Set(['content-length', 'content-range', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const NO_HEADERS: HeaderPairs = Object.freeze([]) as HeaderPairs;
const MEMO_LIMIT = 10_000;

export interface CompileHeadersOptions {
  /** Throw a `ValidationError` on the first invalid entry instead of skipping it. @default false */
  strict?: boolean;
}

/** Compiles a `customHeaders` list once; `resolve` is then a few precompiled regex tests (memoised per path). */
export function compileCustomHeaders(rules: readonly CustomHeaderRule[] | null | undefined, options: CompileHeadersOptions = {}): CompiledHeaders {
  const compiled: Array<{ test: (path: string) => boolean; headers: Array<readonly [string, string]> }> = [];
  (rules ?? []).forEach((rule, index) => {
    try {
      compiled.push(compileOne(rule, index));
    } catch (error) {
      if (options.strict) throw error;
    }
  });
  if (compiled.length === 0) return { resolve: () => NO_HEADERS, empty: true };

  const memo = new Map<string, HeaderPairs>();
  return {
    empty: false,
    resolve(requestPath, filePath) {
      const key = filePath === undefined || filePath === requestPath ? requestPath : `${requestPath}\0${filePath}`;
      const hit = memo.get(key);
      if (hit !== undefined) return hit;
      const req = requestPath.startsWith('/') ? requestPath.slice(1) : requestPath;
      const file = filePath === undefined ? undefined : filePath.startsWith('/') ? filePath.slice(1) : filePath;
      const merged = new Map<string, readonly [string, string]>();
      for (const rule of compiled) {
        if (!rule.test(req) && (file === undefined || !rule.test(file))) continue;
        for (const pair of rule.headers) {
          merged.delete(pair[0]);
          merged.set(pair[0], pair);
        }
      }
      const result: HeaderPairs = merged.size === 0 ? NO_HEADERS : [...merged.values()];
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, result);
      return result;
    },
  };
}

/** Validates a `customHeaders` list (for API / build-spec input). */
export function validateCustomHeaders(rules: readonly CustomHeaderRule[] | null | undefined): void {
  compileCustomHeaders(rules, { strict: true });
}

function compileOne(rule: CustomHeaderRule, index: number) {
  const where = `customHeaders[${index}]`;
  if (rule === null || typeof rule !== 'object') throw invalid(`${where} must be an object with pattern and headers.`);
  if (typeof rule.pattern !== 'string' || rule.pattern.trim() === '') throw invalid(`${where}.pattern must be a non-empty glob such as "**/*".`);
  if (!Array.isArray(rule.headers)) throw invalid(`${where}.headers must be a list of {key, value}.`);
  const headers = rule.headers.map((h, i) => {
    if (h === null || typeof h !== 'object' || typeof h.key !== 'string' || !TOKEN.test(h.key)) {
      throw invalid(`${where}.headers[${i}].key must be a valid HTTP header name.`);
    }
    const value = h.value === undefined || h.value === null ? '' : String(h.value);
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) throw invalid(`${where}.headers[${i}].value must be printable Latin-1 text without line breaks.`);
    const name = h.key.toLowerCase();
    if (PROTECTED.has(name)) throw invalid(`${where}.headers[${i}].key "${h.key}" is set by the server and cannot be overridden.`);
    return [name, value] as const;
  });
  const pattern = rule.pattern.trim().replace(/^\/+/, '');
  const everything = pattern === '' || pattern === '**' || pattern === '**/*' || pattern === '*';
  const matcher = everything ? () => true : picomatch(pattern, { dot: true, basename: !pattern.includes('/') });
  return { test: matcher, headers };
}

function invalid(message: string): GantryError {
  return new GantryError('ValidationError', `Invalid custom header: ${message}`);
}
