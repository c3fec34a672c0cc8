/**
 * Amplify `customRules` (redirects and rewrites): compiled once per rule list, evaluated per request.
 *
 * Semantics (docs.aws.amazon.com/amplify/latest/userguide/redirects.html, redirect-rewrite-examples.html,
 * API_CustomRule.html; INFERRED where the docs are silent, marked so):
 * - Rules are evaluated **top to bottom; the first rule that applies wins**.
 * - `status`: `200` rewrite (serve the target's content at the original address), `301`/`302` redirect
 *   (`Location: target`), `404` (serve the target with status 404 when the requested address does not exist),
 *   `404-200` (serve the target with status 200 when the requested address does not exist). A missing status is
 *   a 301 (the AWS CDK default, and the docs' examples without a type).
 * - `404` and `404-200` rules only apply when the request does not resolve to a file of the site; when it does,
 *   the rule is skipped and evaluation continues with the next rule (INFERRED). `200`, `301` and `302` apply
 *   whether or not a file exists (so `/<*>` → `/index.html` 200 also rewrites `/app.js`, exactly as on Amplify;
 *   that is why the SPA regex rule exists).
 * - Source forms:
 *   - a path with placeholders: `<*>` matches anything including `/` (possibly empty), `<name>` matches one
 *     non-empty path segment; `/docs/<year>/<month>` → `/documents/<year>/<month>`. Everything else is literal
 *     and case-sensitive.
 *   - a path with a query: `/docs?id=<id>` matches `/docs` when the query has `id`, binding `<id>` to its value
 *     (other query parameters are allowed).
 *   - a regular expression `</…/>` (JavaScript syntax) tested against the decoded path, e.g. the SPA rule
 *     `</^[^.]+$|\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|woff2|ttf|map|json|webp)$)([^.]+$)/>`. Regex targets
 *     are literal (Amplify has no capture-group substitution).
 *   - a domain `https://example.com`: matches requests whose `Host` is that domain (case-insensitive); the
 *     request path is appended to the target ("paths automatically appended").
 * - Targets: a site path (a missing leading `/` is added, as in the docs' `"target": "index.html"`) or an
 *   absolute `http(s)://` URL. A site-path target never leaves the site: leading `//` or `/\` (protocol-relative,
 *   as written or produced by a substituted placeholder) is collapsed to one `/`. Placeholders bound by the source are substituted (percent-encoded); unknown
 *   placeholders are left as written. A `200` rule whose target is an absolute URL is a reverse proxy.
 * - Query strings: a redirect forwards the request's query string unless the target has its own query
 *   ("If the destination address for the matching rule has query parameters, query parameters aren't
 *   forwarded"). Proxies forward it the same way. Rewrites to a site file keep the browser's URL, so the query
 *   stays visible to the page.
 * - `condition` is a two-letter country code (`<US>` or `US`). Gantry has no geo-IP: it compares with the
 *   request's `CloudFront-Viewer-Country` header (set by a CDN or proxy in front of Gantry) or the country the
 *   caller passes; a rule whose condition cannot be decided does not apply.
 */
import { GantryError } from '@gantry/core';

/** One redirect/rewrite rule, as stored on an Amplify app (`App.customRules`). */
export interface CustomRule {
  /** Original address: a path pattern (`/docs/<*>`), a regex `</…/>`, or a domain `https://example.com`. */
  source: string;
  /** Destination: a site path (`/index.html`) or an absolute URL. @example "/documents/<*>" */
  target: string;
  /**
   * `200` | `301` | `302` | `404` | `404-200`.
   * @default "301"
   */
  status?: string | number | null;
  /** Two-letter country code, `<US>` or `US`. @default null (no condition) */
  condition?: string | null;
}

export type CustomRuleStatus = '200' | '301' | '302' | '404' | '404-200';

/** What a request resolves to after the rules. `undefined` from {@link evaluateRules}: no rule applied. */
export type RuleOutcome =
  | { type: 'redirect'; status: 301 | 302; location: string }
  /** Serve the site file at `path` with `status` (200 for rewrites and `404-200`, 404 for `404`). */
  | { type: 'rewrite'; status: 200 | 404; path: string }
  /** Reverse-proxy the request to `url` (a `200` rule with an absolute target). */
  | { type: 'proxy'; url: string };

/** The parts of a request the rules look at. */
export interface RuleRequest {
  /** Decoded path, starting with `/`. */
  path: string;
  /** Raw query string without the `?` (empty when none). */
  query: string;
  /** Request host without port, lowercase. Only domain rules use it. */
  host?: string;
  /** Two-letter country code of the viewer, when known. */
  country?: string;
  /** Whether `path` resolves to a file of the site (used by `404` and `404-200` rules only). */
  exists(path: string): boolean;
}

type Captures = Record<string, string>;

interface CompiledRule {
  readonly rule: CustomRule;
  readonly status: CustomRuleStatus;
  readonly condition: string | undefined;
  readonly match: (req: RuleRequest) => Captures | undefined;
  readonly render: (captures: Captures, req: RuleRequest) => string;
  readonly absoluteTarget: boolean;
}

/** A rule list compiled for evaluation; build once (see {@link compileRules}), use for every request. */
export interface CompiledRules {
  readonly rules: readonly CompiledRule[];
  /** Rules that were invalid and skipped (non-strict compilation), with the reason. */
  readonly skipped: ReadonlyArray<{ index: number; rule: unknown; reason: string }>;
}

const STATUSES: ReadonlySet<string> = new Set(['200', '301', '302', '404', '404-200']);
const PLACEHOLDER = /<(\*|[A-Za-z0-9_-]+)>/g;
const ABSOLUTE_URL = /^https?:\/\//i;
const EMPTY: Captures = Object.freeze({}) as Captures;

export interface CompileRulesOptions {
  /**
   * Throw a `ValidationError` on the first invalid rule instead of skipping it. Use it when rules are written
   * (UpdateApp); serving compiles non-strictly so one bad rule never takes a site down.
   * @default false
   */
  strict?: boolean;
}

/** Compiles an Amplify rule list. Invalid rules throw (strict) or are skipped and reported in `skipped`. */
export function compileRules(rules: readonly CustomRule[] | null | undefined, options: CompileRulesOptions = {}): CompiledRules {
  const compiled: CompiledRule[] = [];
  const skipped: Array<{ index: number; rule: unknown; reason: string }> = [];
  (rules ?? []).forEach((rule, index) => {
    try {
      compiled.push(compileRule(rule, index));
    } catch (error) {
      if (options.strict) throw error;
      skipped.push({ index, rule, reason: (error as Error).message });
    }
  });
  return { rules: compiled, skipped };
}

/** Validates a rule list the way `compileRules(…, {strict: true})` does, for API input. */
export function validateCustomRules(rules: readonly CustomRule[] | null | undefined): void {
  compileRules(rules, { strict: true });
}

/**
 * Applies the rules to a request. Returns the first applicable outcome, or `undefined` when no rule applies
 * (the request is then served from the site as is).
 */
export function evaluateRules(compiled: CompiledRules, req: RuleRequest): RuleOutcome | undefined {
  for (const rule of compiled.rules) {
    if (rule.condition !== undefined && (req.country === undefined || req.country.toUpperCase() !== rule.condition)) continue;
    const captures = rule.match(req);
    if (captures === undefined) continue;
    const status = rule.status;
    if ((status === '404' || status === '404-200') && req.exists(req.path)) continue;
    const rendered = rule.render(captures, req);
    const target = rule.absoluteTarget ? rendered : sameSitePath(rendered);
    switch (status) {
      case '301':
      case '302':
        return { type: 'redirect', status: status === '301' ? 301 : 302, location: withForwardedQuery(target, req.query) };
      case '200':
        if (rule.absoluteTarget) return { type: 'proxy', url: withForwardedQuery(target, req.query) };
        return { type: 'rewrite', status: 200, path: stripQuery(target) };
      case '404':
        if (rule.absoluteTarget) return { type: 'redirect', status: 302, location: target };
        return { type: 'rewrite', status: 404, path: stripQuery(target) };
      case '404-200':
        if (rule.absoluteTarget) return { type: 'proxy', url: withForwardedQuery(target, req.query) };
        return { type: 'rewrite', status: 200, path: stripQuery(target) };
    }
  }
  return undefined;
}

function compileRule(rule: CustomRule, index: number): CompiledRule {
  const where = `customRules[${index}]`;
  if (rule === null || typeof rule !== 'object') throw invalid(`${where} must be an object with source, target and status.`);
  const { source, target } = rule;
  if (typeof source !== 'string' || source.length === 0 || source.length > 2048) {
    throw invalid(`${where}.source must be a string of 1 to 2048 characters.`);
  }
  if (typeof target !== 'string' || target.length === 0 || target.length > 2048) {
    throw invalid(`${where}.target must be a string of 1 to 2048 characters.`);
  }
  const status = rule.status === undefined || rule.status === null || rule.status === '' ? '301' : String(rule.status).trim();
  if (!STATUSES.has(status)) {
    throw invalid(`${where}.status "${String(rule.status)}" is not one of 200, 301, 302, 404, 404-200.`);
  }
  const condition = parseCondition(rule.condition, where);
  const absoluteTarget = ABSOLUTE_URL.test(target);
  const normalisedTarget = absoluteTarget || target.startsWith('/') ? target : `/${target}`;

  if (source.length >= 4 && source.startsWith('</') && source.endsWith('/>')) {
    let regex: RegExp;
    try {
      regex = new RegExp(source.slice(2, -2));
    } catch (error) {
      throw invalid(`${where}.source is not a valid regular expression: ${(error as Error).message}`);
    }
    return {
      rule,
      status: status as CustomRuleStatus,
      condition,
      absoluteTarget,
      match: (req) => (regex.test(req.path) ? EMPTY : undefined),
      render: () => normalisedTarget,
    };
  }

  if (ABSOLUTE_URL.test(source)) {
    const url = new URL(source);
    if (url.pathname !== '/' || url.search !== '') {
      throw invalid(`${where}.source: domain rules cannot have a path ("${source}"); use a domain alone or a path alone.`);
    }
    const host = url.hostname.toLowerCase();
    const base = normalisedTarget.endsWith('/') ? normalisedTarget.slice(0, -1) : normalisedTarget;
    return {
      rule,
      status: status as CustomRuleStatus,
      condition,
      absoluteTarget,
      match: (req) => (req.host === host ? EMPTY : undefined),
      render: (_captures, req) => base + encodePath(req.path),
    };
  }

  if (!source.startsWith('/')) throw invalid(`${where}.source "${source}" must start with "/", be a regex "</…/>" or a URL.`);
  const queryAt = source.indexOf('?');
  const pathPattern = queryAt === -1 ? source : source.slice(0, queryAt);
  const queryPattern = queryAt === -1 ? '' : source.slice(queryAt + 1);
  const names: string[] = [];
  const pathRegex = new RegExp(`^${patternToRegex(pathPattern, names, where)}$`);
  const queryMatchers = parseQueryPattern(queryPattern, names, where);
  const literal = names.length === 0 && queryMatchers.length === 0 ? pathPattern : undefined;
  const render = compileTarget(normalisedTarget);

  return {
    rule,
    status: status as CustomRuleStatus,
    condition,
    absoluteTarget,
    match: (req) => {
      let captures: Captures;
      if (literal !== undefined) {
        if (req.path !== literal) return undefined;
        captures = EMPTY;
      } else {
        const m = pathRegex.exec(req.path);
        if (m === null) return undefined;
        captures = {};
        for (let i = 0; i < names.length && i + 1 < m.length; i++) captures[names[i]!] = m[i + 1] ?? '';
      }
      if (queryMatchers.length > 0) {
        const params = new URLSearchParams(req.query);
        if (captures === EMPTY) captures = {};
        for (const q of queryMatchers) {
          const value = params.get(q.key);
          if (value === null) return undefined;
          if (q.bind !== undefined) captures[q.bind] = value;
          else if (q.literal !== undefined && q.literal !== value) return undefined;
        }
      }
      return captures;
    },
    render: (captures) => render(captures),
  };
}

function patternToRegex(pattern: string, names: string[], where: string): string {
  let out = '';
  let last = 0;
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    out += escapeRegex(pattern.slice(last, m.index));
    const name = m[1]!;
    if (names.includes(name)) throw invalid(`${where}.source uses placeholder <${name}> twice.`);
    names.push(name);
    out += name === '*' ? '(.*)' : '([^/]+)';
    last = m.index + m[0].length;
  }
  return out + escapeRegex(pattern.slice(last));
}

interface QueryMatcher {
  key: string;
  bind?: string;
  literal?: string;
}

function parseQueryPattern(pattern: string, names: string[], where: string): QueryMatcher[] {
  if (pattern === '') return [];
  return pattern.split('&').filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    const key = decodeQueryComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? undefined : part.slice(eq + 1);
    if (value === undefined || value === '') return { key };
    const whole = /^<([A-Za-z0-9_-]+|\*)>$/.exec(value);
    if (whole) {
      const name = whole[1]!;
      if (names.includes(name)) throw invalid(`${where}.source uses placeholder <${name}> twice.`);
      names.push(name);
      return { key, bind: name };
    }
    return { key, literal: decodeQueryComponent(value) };
  });
}

/** Splits the target once into literal parts and placeholder names; rendering is then a join. */
function compileTarget(target: string): (captures: Captures) => string {
  const parts: string[] = [];
  const slots: string[] = [];
  let last = 0;
  for (const m of target.matchAll(PLACEHOLDER)) {
    parts.push(target.slice(last, m.index));
    slots.push(m[1]!);
    last = m.index + m[0].length;
  }
  parts.push(target.slice(last));
  if (slots.length === 0) return () => target;
  return (captures) => {
    let out = parts[0]!;
    for (let i = 0; i < slots.length; i++) {
      const value = captures[slots[i]!];
      out += (value === undefined ? `<${slots[i]}>` : encodePath(value)) + parts[i + 1]!;
    }
    return out;
  };
}

function parseCondition(condition: CustomRule['condition'], where: string): string | undefined {
  if (condition === undefined || condition === null) return undefined;
  if (typeof condition !== 'string') throw invalid(`${where}.condition must be a string such as "<US>".`);
  const trimmed = condition.trim();
  if (trimmed === '') return undefined;
  const m = /^<?([A-Za-z]{2})>?$/.exec(trimmed);
  if (!m) throw invalid(`${where}.condition "${condition}" is not a two-letter country code such as "<US>".`);
  return m[1]!.toUpperCase();
}

/** Appends the request's query to a redirect/proxy target unless the target carries its own query. */
function withForwardedQuery(target: string, query: string): string {
  if (query === '' || target.includes('?')) return target;
  const hash = target.indexOf('#');
  return hash === -1 ? `${target}?${query}` : `${target.slice(0, hash)}?${query}${target.slice(hash)}`;
}

/**
 * Keeps a rendered site-path target on the site. A target starting with `//` or `/\\` (browsers treat both,
 * and tabs or newlines between them, as a protocol-relative URL to another host) is collapsed to one leading
 * `/`, whether the rule wrote it so or a captured segment produced it (`/<*>` with the path `//evil.example`).
 * @example sameSitePath('//evil.example/x') // "/evil.example/x"
 */
export function sameSitePath(target: string): string {
  const leading = /^[\/\\][\/\\\t\n\r]*/.exec(target);
  if (leading === null) return `/${target}`;
  return leading[0] === '/' ? target : `/${target.slice(leading[0].length)}`;
}

function stripQuery(target: string): string {
  const q = target.indexOf('?');
  const h = target.indexOf('#');
  const end = q === -1 ? h : h === -1 ? q : Math.min(q, h);
  const path = end === -1 ? target : target.slice(0, end);
  return safeDecode(path);
}

/** Percent-encodes a decoded path for a URL, keeping `/` and the characters `encodeURI` keeps. */
export function encodePath(path: string): string {
  return encodeURI(path).replace(/[?#]/g, (c) => (c === '?' ? '%3F' : '%23'));
}

function safeDecode(path: string): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function decodeQueryComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function invalid(message: string): GantryError {
  return new GantryError('ValidationError', `Invalid redirect/rewrite rule: ${message}`);
}
