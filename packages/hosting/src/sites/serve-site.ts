/**
 * Serves one version of a branch's site on node:http: static files from the version's manifest, Amplify
 * redirects/rewrites and custom headers.
 *
 * Per request the work is: split the URL, decode and check the path, (rules, if any: precompiled regex tests),
 * one Map lookup, header assembly, then the body from the in-memory LRU or a file stream. Everything derived
 * from the site (lookup table with clean-URL aliases, ETags, Last-Modified strings, Cache-Control, compiled
 * rules and header matchers) is computed once per manifest / rule list and cached.
 *
 * Behaviour:
 * - GET and HEAD only (`405` + `Allow` otherwise; other methods only reach reverse-proxy rules).
 * - Paths: percent-decoded once; `\`, NUL, `.`/`..` segments and malformed escapes → `400`; repeated `/`
 *   collapse. Only files listed in the manifest can ever be served, so nothing outside the version directory is
 *   reachable whatever the path.
 * - Clean URLs as on Amplify: `/about` → `about.html`, else `about/index.html` via a `301` to `/about/` (query
 *   kept); `/about/` → `about/index.html`; `/` → `index.html`.
 * - `ETag` (strong, content hash; `-br`/`-gz` suffix for compressed representations) with `If-None-Match` →
 *   `304` (weak comparison, any representation of the same content matches); `Last-Modified` with
 *   `If-Modified-Since` when there is no `If-None-Match`.
 * - `Accept-Encoding`: the precompressed brotli, else gzip, variant when accepted (q-values honoured), with
 *   `Vary: Accept-Encoding` on every file that has variants.
 * - `Range`: one `bytes=` range → `206` (or `416`), of the identity representation; `If-Range` honoured; several
 *   ranges → the whole file (`200`).
 * - `Cache-Control`: HTML `no-cache`; hashed files under `/assets/` `public, max-age=31536000, immutable`;
 *   others `public, max-age=0, must-revalidate`. A custom header replaces it.
 * - Not found: the site's `/404.html` with status 404 if it has one, else a small built-in page.
 */
import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import type { SiteManifest, ManifestFile } from './site-store.ts';
import { compileRules, evaluateRules, encodePath, type CompiledRules, type CustomRule } from './rewrite-rules.ts';
import { compileCustomHeaders, type CompiledHeaders, type CustomHeaderRule } from './custom-headers.ts';
import { FileCache, defaultFileCache } from './file-cache.ts';

/** What `serveSite` serves: a version (root + manifest) and the app's rules. */
export interface SiteToServe {
  /** The version directory; manifest paths are relative to it. */
  root: string;
  versionId: string;
  manifest: SiteManifest;
  /** The app's redirects/rewrites (`App.customRules`). @default [] */
  customRules?: readonly CustomRule[] | null;
  /** Custom headers; when absent, those stored with the version (`manifest.customHeaders`) apply. */
  customHeaders?: readonly CustomHeaderRule[] | null;
}

export interface ServeSiteOptions {
  /**
   * Path and query to serve instead of `req.url` (the part after a `/_sites/<appId>/<branch>` prefix).
   * @example "/about?tab=2"
   */
  path?: string;
  /** Prefix for site-relative `Location` headers, when the site is mounted under a path. @example "/_sites/d1abc/main" */
  basePath?: string;
  /** Request host (for domain rules); defaults to the `Host` header without port. */
  host?: string;
  /** Viewer country for rule conditions; defaults to the `CloudFront-Viewer-Country` header. */
  country?: string;
  /** In-memory cache of small files. @default the shared {@link defaultFileCache} */
  fileCache?: FileCache;
  /** Allow `200` rules with absolute targets to reverse-proxy. @default true */
  proxy?: boolean;
  /** Upstream timeout of reverse-proxied requests, in ms. @default 30000 */
  proxyTimeoutMs?: number;
  /** Called instead of answering 404 (a deploy manifest route's fallback takes the request). */
  onNotFound?: () => void;
  /** `Cache-Control` of 200 answers in place of the default (a deploy manifest route's `cacheControl`); custom headers still win. */
  cacheControl?: string;
}

interface Representation {
  abs: string;
  size: number;
  etag: string;
  encoding: 'br' | 'gzip' | undefined;
}

interface Entry extends Representation {
  /** URL path of the file (for custom header patterns). */
  filePath: string;
  contentType: string;
  /** Content hash as it appears inside the ETag quotes. */
  tag: string;
  mtimeMs: number;
  lastModified: string;
  cacheControl: string;
  br: Representation | undefined;
  gzip: Representation | undefined;
}

interface Lookup {
  entry: Entry;
  /** `/dir` of a `/dir/index.html`: answered with a 301 to `/dir/`. */
  slashRedirect: boolean;
}

interface FileTable {
  root: string;
  table: Map<string, Lookup>;
  notFound: Entry | undefined;
  exists: (path: string) => boolean;
}

interface CompiledSite {
  files: FileTable;
  rules: CompiledRules;
  hasProxyRules: boolean;
  headers: CompiledHeaders;
}

const ALLOW = 'GET, HEAD';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'public, max-age=0, must-revalidate';
const HASHED_STEM = /[.-][A-Za-z0-9_-]{8,}$/;
/** Characters that cannot appear raw in a Location header (controls, space, non-ASCII). */
const UNSAFE_LOCATION = /[^\x21-\x7e]/;
const UNSAFE_LOCATION_ALL = /[^\x21-\x7e]/gu;
const NOT_FOUND_BODY = Buffer.from(
  '<!doctype html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>' +
    '<body><h1>404 Not Found</h1><p>There is no page at this address.</p></body></html>\n',
);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/**
 * Answers one request from a site version. Never throws: failures become a 500 (or a destroyed socket once
 * headers are out).
 */
export function serveSite(req: IncomingMessage, res: ServerResponse, site: SiteToServe, options: ServeSiteOptions = {}): void {
  try {
    handle(req, res, site, options);
  } catch (error) {
    fail(res, error);
  }
}

/** Builds (and caches) everything `serveSite` derives from a site, e.g. right after activating a version. */
export function prepareSite(site: SiteToServe): void {
  compiledSite(site);
}

/**
 * The app's rules in front of a compute site's routes: a redirect is answered here; a rewrite to a path of the
 * site gives the path (and query) the deploy manifest then routes; no rule leaves the path as it is. Rules that
 * cannot hold on a compute site are passed over: `404`/`404-200` ask whether a file exists, which only the app's
 * server knows, and proxy rules are never followed by the server. Returns undefined when it has answered.
 */
export function applyRulesBeforeRoutes(req: IncomingMessage, res: ServerResponse, site: SiteToServe, options: Pick<ServeSiteOptions, 'path' | 'basePath' | 'host' | 'country'>): string | undefined {
  const raw = options.path ?? req.url ?? '/';
  const cs = compiledSite(site);
  const rules = routableRules(cs.rules);
  if (rules.rules.length === 0) return raw;
  const q = raw.indexOf('?');
  const query = q === -1 ? '' : raw.slice(q + 1);
  const path = sanitisePath(q === -1 ? raw : raw.slice(0, q));
  if (path === undefined) return raw;
  const outcome = evaluateRules(rules, {
    path, query, host: options.host ?? hostOf(req), country: options.country ?? headerValue(req.headers['cloudfront-viewer-country']), exists: () => false,
  });
  if (outcome?.type === 'redirect') return void redirect(res, cs, outcome.status, outcome.location, path, options.basePath);
  if (outcome?.type === 'rewrite') return `${encodePath(outcome.path)}${query === '' ? '' : `?${query}`}`;
  return raw;
}

const routableByRules = new WeakMap<CompiledRules, CompiledRules>();
function routableRules(compiled: CompiledRules): CompiledRules {
  let routable = routableByRules.get(compiled);
  if (routable === undefined) {
    routable = { rules: compiled.rules.filter((r) => !r.absoluteTarget && r.status !== '404' && r.status !== '404-200'), skipped: compiled.skipped };
    routableByRules.set(compiled, routable);
  }
  return routable;
}

function handle(req: IncomingMessage, res: ServerResponse, site: SiteToServe, options: ServeSiteOptions): void {
  const method = req.method;
  const isRead = method === 'GET' || method === 'HEAD';
  const cs = compiledSite(site);
  if (!isRead && !cs.hasProxyRules) return methodNotAllowed(res);

  const raw = options.path ?? req.url ?? '/';
  const q = raw.indexOf('?');
  const rawPath = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? '' : raw.slice(q + 1);
  const path = sanitisePath(rawPath);
  if (path === undefined) return badRequest(res, method === 'HEAD');
  const head = method === 'HEAD';

  if (cs.rules.rules.length > 0) {
    const outcome = evaluateRules(cs.rules, {
      path,
      query,
      host: options.host ?? hostOf(req),
      country: options.country ?? headerValue(req.headers['cloudfront-viewer-country']),
      exists: cs.files.exists,
    });
    if (outcome !== undefined) {
      if (outcome.type === 'proxy' && options.proxy !== false) return proxyTo(req, res, outcome.url, options.proxyTimeoutMs ?? 30_000);
      if (!isRead) return methodNotAllowed(res);
      if (outcome.type === 'redirect') return redirect(res, cs, outcome.status, outcome.location, path, options.basePath);
      if (outcome.type === 'rewrite') {
        const hit = cs.files.table.get(outcome.path);
        if (hit === undefined) return notFound(req, res, cs, path, options, head);
        return sendEntry(req, res, cs, hit.entry, outcome.status, path, options, head);
      }
      return notFound(req, res, cs, path, options, head);
    }
  }
  if (!isRead) return methodNotAllowed(res);

  const hit = cs.files.table.get(path);
  if (hit === undefined) return notFound(req, res, cs, path, options, head);
  if (hit.slashRedirect) {
    return redirect(res, cs, 301, `${encodePath(path)}/${query === '' ? '' : `?${query}`}`, path, options.basePath);
  }
  return sendEntry(req, res, cs, hit.entry, 200, path, options, head);
}

// ---------------------------------------------------------------------------------------------------------------
// Responses

function sendEntry(
  req: IncomingMessage,
  res: ServerResponse,
  cs: CompiledSite,
  entry: Entry,
  status: 200 | 404,
  requestPath: string,
  options: ServeSiteOptions,
  head: boolean,
): void {
  const h = req.headers;
  const headers: OutgoingHttpHeaders = {
    'content-type': entry.contentType,
    'cache-control': status === 200 && options.cacheControl ? options.cacheControl : entry.cacheControl,
    'last-modified': entry.lastModified,
    'accept-ranges': 'bytes',
  };
  const range = status === 200 ? h.range : undefined;
  let rep: Representation = entry;
  if (entry.br !== undefined || entry.gzip !== undefined) {
    headers.vary = 'Accept-Encoding';
    const accept = h['accept-encoding'];
    if (range === undefined && accept !== undefined) {
      const flags = acceptedEncodings(accept);
      if (entry.gzip !== undefined && (flags & PREFER_GZIP) !== 0) rep = entry.gzip;
      else if (entry.br !== undefined && (flags & BR) !== 0) rep = entry.br;
      else if (entry.gzip !== undefined && (flags & GZIP) !== 0) rep = entry.gzip;
    }
  }
  headers.etag = rep.etag;
  if (rep.encoding !== undefined) headers['content-encoding'] = rep.encoding;
  if (!cs.headers.empty) for (const [name, value] of cs.headers.resolve(requestPath, entry.filePath)) headers[name] = value;

  if (status === 200 && isNotModified(h['if-none-match'], h['if-modified-since'], entry)) {
    delete headers['content-type'];
    delete headers['content-encoding'];
    res.writeHead(304, headers);
    res.end();
    return;
  }

  let start = 0;
  let end = rep.size - 1;
  let code: number = status;
  if (range !== undefined && ifRangeMatches(headerValue(h['if-range']), entry)) {
    const parsed = parseRange(range, rep.size);
    if (parsed === UNSATISFIABLE) {
      headers['content-range'] = `bytes */${rep.size}`;
      headers['content-length'] = 0;
      delete headers['content-type'];
      res.writeHead(416, headers);
      res.end();
      return;
    }
    if (parsed !== undefined) {
      start = parsed[0];
      end = parsed[1];
      code = 206;
      headers['content-range'] = `bytes ${start}-${end}/${rep.size}`;
    }
  }
  const length = end - start + 1;
  headers['content-length'] = length;
  res.writeHead(code, headers);
  if (head || length === 0) {
    res.end();
    return;
  }
  sendBody(res, rep, start, end, options.fileCache ?? defaultFileCache);
}

function sendBody(res: ServerResponse, rep: Representation, start: number, end: number, cache: FileCache): void {
  if (cache.accepts(rep.size)) {
    const cached = cache.get(rep.abs);
    if (cached !== undefined) {
      res.end(start === 0 && end === cached.length - 1 ? cached : cached.subarray(start, end + 1));
      return;
    }
    cache.load(rep.abs).then(
      (data) => {
        if (data.length !== rep.size) return res.destroy(new Error(`site file ${rep.abs} changed size`));
        res.end(start === 0 && end === data.length - 1 ? data : data.subarray(start, end + 1));
      },
      (error: unknown) => res.destroy(error as Error),
    );
    return;
  }
  const stream = createReadStream(rep.abs, { start, end, highWaterMark: 64 * 1024 });
  pipeline(stream, res, () => {
    // Errors (client gone, file removed) end the response; nothing else to do.
  });
}

function notFound(req: IncomingMessage, res: ServerResponse, cs: CompiledSite, path: string, options: ServeSiteOptions, head: boolean): void {
  if (options.onNotFound) return options.onNotFound();
  if (cs.files.notFound !== undefined) return sendEntry(req, res, cs, cs.files.notFound, 404, path, options, head);
  const headers: OutgoingHttpHeaders = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    'content-length': NOT_FOUND_BODY.length,
  };
  if (!cs.headers.empty) for (const [name, value] of cs.headers.resolve(path)) headers[name] = value;
  res.writeHead(404, headers);
  res.end(head ? undefined : NOT_FOUND_BODY);
}

function redirect(res: ServerResponse, cs: CompiledSite, status: 301 | 302, location: string, path: string, basePath: string | undefined): void {
  const target = basePath !== undefined && location.startsWith('/') ? basePath.replace(/\/+$/, '') + location : location;
  const headers: OutgoingHttpHeaders = {
    location: UNSAFE_LOCATION.test(target) ? target.replace(UNSAFE_LOCATION_ALL, percentEncodeChar) : target,
    'content-length': 0,
  };
  if (!cs.headers.empty) for (const [name, value] of cs.headers.resolve(path)) headers[name] = value;
  res.writeHead(status, headers);
  res.end();
}

function percentEncodeChar(c: string): string {
  try {
    return encodeURIComponent(c);
  } catch {
    return ''; // a lone surrogate has no encoding
  }
}

function methodNotAllowed(res: ServerResponse): void {
  const body = 'Method Not Allowed: sites answer GET and HEAD only.\n';
  res.writeHead(405, { allow: ALLOW, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function badRequest(res: ServerResponse, head: boolean): void {
  const body = 'Bad Request: the path has invalid escapes, backslashes or "." / ".." segments.\n';
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function fail(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const body = 'Internal Server Error\n';
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function proxyTo(req: IncomingMessage, res: ServerResponse, target: string, timeoutMs: number): void {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return fail(res, new Error(`invalid proxy target ${target}`));
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  headers.host = url.host;
  const remote = req.socket.remoteAddress;
  const forwarded = headerValue(req.headers['x-forwarded-for']);
  if (remote) headers['x-forwarded-for'] = forwarded ? `${forwarded}, ${remote}` : remote;
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(url, { method: req.method, headers }, (up) => {
    const out: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
    res.writeHead(up.statusCode ?? 502, out);
    pipeline(up, res, () => {});
  });
  upstream.setTimeout(timeoutMs, () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('error', () => {
    if (res.headersSent) return void res.destroy();
    const body = 'Bad Gateway: the rewrite target did not answer.\n';
    res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  req.pipe(upstream);
}

// ---------------------------------------------------------------------------------------------------------------
// Request parsing

/** Decodes and checks a request path; `undefined` means 400. */
export function sanitisePath(rawPath: string): string | undefined {
  if (rawPath.charCodeAt(0) !== 47 /* / */) return undefined;
  let path = rawPath;
  if (path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
  }
  if (path.includes('\\') || path.includes('\0')) return undefined;
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  if (path.includes('/.')) {
    for (const segment of path.split('/')) if (segment === '.' || segment === '..') return undefined;
  }
  return path;
}

function hostOf(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (host === undefined) return undefined;
  const colon = host.lastIndexOf(':');
  const bare = colon !== -1 && !host.endsWith(']') ? host.slice(0, colon) : host;
  return bare.toLowerCase();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const BR = 1;
const GZIP = 2;
const PREFER_GZIP = 4;
const encodingCache = new Map<string, number>();

/**
 * Which precompressed encodings an `Accept-Encoding` allows, as bit flags (`PREFER_GZIP` when gzip has a
 * higher q than br; otherwise br wins ties), cached per distinct header value.
 */
function acceptedEncodings(header: string): number {
  const cached = encodingCache.get(header);
  if (cached !== undefined) return cached;
  let br: number | undefined;
  let gzip: number | undefined;
  let star: number | undefined;
  for (const part of header.split(',')) {
    const params = part.split(';');
    const name = params[0]!.trim().toLowerCase();
    let q = 1;
    for (let i = 1; i < params.length; i++) {
      const eq = params[i]!.indexOf('=');
      if (eq !== -1 && params[i]!.slice(0, eq).trim().toLowerCase() === 'q') q = Number(params[i]!.slice(eq + 1).trim());
    }
    if (!(q >= 0)) q = 0;
    if (name === 'br') br = q;
    else if (name === 'gzip' || name === 'x-gzip') gzip = q;
    else if (name === '*') star = q;
  }
  const brQ = br ?? star ?? 0;
  const gzQ = gzip ?? star ?? 0;
  let flags = (brQ > 0 ? BR : 0) | (gzQ > 0 ? GZIP : 0);
  if (gzQ > brQ) flags |= PREFER_GZIP;
  if (encodingCache.size >= 512) encodingCache.clear();
  encodingCache.set(header, flags);
  return flags;
}

function isNotModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, entry: Entry): boolean {
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    if (!ifNoneMatch.includes(entry.tag)) return false;
    for (const candidate of ifNoneMatch.split(',')) {
      let tag = candidate.trim();
      if (tag.startsWith('W/')) tag = tag.slice(2);
      if (tag.length < 2 || tag[0] !== '"' || tag[tag.length - 1] !== '"') continue;
      const inner = tag.slice(1, -1);
      if (inner === entry.tag || inner === `${entry.tag}-br` || inner === `${entry.tag}-gz`) return true;
    }
    return false;
  }
  if (ifModifiedSince !== undefined) {
    if (ifModifiedSince === entry.lastModified) return true;
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && entry.mtimeMs <= since;
  }
  return false;
}

function ifRangeMatches(ifRange: string | undefined, entry: Entry): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"')) return value === entry.etag;
  if (value.startsWith('W/')) return false;
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === entry.mtimeMs;
}

const UNSATISFIABLE = Symbol('unsatisfiable');

/** One `bytes=` range → [start, end] inclusive; `undefined` = ignore the header; UNSATISFIABLE = 416. */
function parseRange(header: string, size: number): [number, number] | undefined | typeof UNSATISFIABLE {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return undefined;
  const [, from, to] = m;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Number(to);
  if (to !== '' && end < start) return undefined;
  if (start >= size) return UNSATISFIABLE;
  return [start, Math.min(end, size - 1)];
}

// ---------------------------------------------------------------------------------------------------------------
// Per-site compilation (cached)

const bySite = new WeakMap<SiteToServe, CompiledSite>();
const tablesByManifest = new WeakMap<SiteManifest, FileTable>();
const rulesByList = new WeakMap<readonly CustomRule[], CompiledRules>();
const rulesByJson = new Map<string, CompiledRules>();
const headersByList = new WeakMap<readonly CustomHeaderRule[], CompiledHeaders>();
const headersByJson = new Map<string, CompiledHeaders>();
const NO_RULES: CompiledRules = compileRules([]);
const NO_HEADERS: CompiledHeaders = compileCustomHeaders([]);
const JSON_CACHE_LIMIT = 256;

function compiledSite(site: SiteToServe): CompiledSite {
  const hit = bySite.get(site);
  if (hit !== undefined && hit.files.root === site.root) return hit;
  const rules = rulesFor(site.customRules);
  const compiled: CompiledSite = {
    files: tableFor(site.manifest, site.root),
    rules,
    hasProxyRules: rules.rules.some((r) => r.absoluteTarget && (r.status === '200' || r.status === '404-200')),
    headers: headersFor(site.customHeaders ?? site.manifest.customHeaders),
  };
  bySite.set(site, compiled);
  return compiled;
}

function rulesFor(list: readonly CustomRule[] | null | undefined): CompiledRules {
  if (!list || list.length === 0) return NO_RULES;
  let compiled = rulesByList.get(list);
  if (compiled !== undefined) return compiled;
  const key = JSON.stringify(list);
  compiled = rulesByJson.get(key);
  if (compiled === undefined) {
    compiled = compileRules(list);
    if (rulesByJson.size >= JSON_CACHE_LIMIT) rulesByJson.clear();
    rulesByJson.set(key, compiled);
  }
  rulesByList.set(list, compiled);
  return compiled;
}

function headersFor(list: readonly CustomHeaderRule[] | null | undefined): CompiledHeaders {
  if (!list || list.length === 0) return NO_HEADERS;
  let compiled = headersByList.get(list);
  if (compiled !== undefined) return compiled;
  const key = JSON.stringify(list);
  compiled = headersByJson.get(key);
  if (compiled === undefined) {
    compiled = compileCustomHeaders(list);
    if (headersByJson.size >= JSON_CACHE_LIMIT) headersByJson.clear();
    headersByJson.set(key, compiled);
  }
  headersByList.set(list, compiled);
  return compiled;
}

function tableFor(manifest: SiteManifest, root: string): FileTable {
  const cached = tablesByManifest.get(manifest);
  if (cached !== undefined && cached.root === root) return cached;
  const table = new Map<string, Lookup>();
  const entries: Entry[] = [];
  for (const [urlPath, file] of Object.entries(manifest.files)) {
    const entry = toEntry(urlPath, file, root);
    entries.push(entry);
    table.set(urlPath, { entry, slashRedirect: false });
  }
  // Clean URLs: "/about" → about.html first, then "/about/" → about/index.html (and "/about" → 301 "/about/").
  for (const entry of entries) {
    const p = entry.filePath;
    if (p.endsWith('.html') && !p.endsWith('/index.html')) {
      const bare = p.slice(0, -5);
      if (bare !== '' && !table.has(bare)) table.set(bare, { entry, slashRedirect: false });
    }
  }
  for (const entry of entries) {
    const p = entry.filePath;
    if (!p.endsWith('/index.html')) continue;
    const dir = p.slice(0, -'index.html'.length);
    if (!table.has(dir)) table.set(dir, { entry, slashRedirect: false });
    const bare = dir.slice(0, -1);
    if (bare !== '' && !table.has(bare)) table.set(bare, { entry, slashRedirect: true });
  }
  const files: FileTable = {
    root,
    table,
    notFound: table.get('/404.html')?.entry,
    exists: (path) => table.has(path),
  };
  tablesByManifest.set(manifest, files);
  return files;
}

function toEntry(urlPath: string, file: ManifestFile, root: string): Entry {
  const tag = file.etag.slice(1, -1);
  const abs = (rel: string) => join(root, ...rel.split('/').filter((s) => s !== '' && s !== '.' && s !== '..'));
  return {
    filePath: urlPath,
    abs: abs(file.path),
    size: file.size,
    etag: file.etag,
    encoding: undefined,
    tag,
    contentType: file.contentType,
    mtimeMs: file.mtimeMs,
    lastModified: new Date(file.mtimeMs).toUTCString(),
    cacheControl: cacheControlFor(urlPath, file.contentType),
    br: file.br ? { abs: abs(file.br.path), size: file.br.size, etag: `"${tag}-br"`, encoding: 'br' } : undefined,
    gzip: file.gzip ? { abs: abs(file.gzip.path), size: file.gzip.size, etag: `"${tag}-gz"`, encoding: 'gzip' } : undefined,
  };
}

/** Default Cache-Control for a file of the site. */
export function cacheControlFor(urlPath: string, contentType: string): string {
  if (contentType.startsWith('text/html')) return 'no-cache';
  if (urlPath.startsWith('/assets/')) {
    const name = urlPath.slice(urlPath.lastIndexOf('/') + 1);
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    if (HASHED_STEM.test(stem) && /[0-9A-Z]/.test(stem.slice(-8))) return IMMUTABLE;
  }
  return REVALIDATE;
}
