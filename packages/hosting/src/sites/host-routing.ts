/**
 * Which branch site a request is for.
 *
 * Two addressing forms:
 * - **Host**: `http://<branch-label>.<appId>.<siteDomain>:<port>/…` — Amplify's `https://<branch>.<appId>.amplifyapp.com`
 *   with `siteDomain` `localhost` by default (browsers and curl resolve `*.localhost` to loopback) or the
 *   configured public site domain (`apps.example.com`). The port is ignored.
 * - **Path**: `/_sites/<appId>/<branch>/…` for clients without wildcard `localhost` resolution. The branch is
 *   one path segment, percent-encoded when needed (`feature%2Flogin`), so it carries the exact branch name.
 *
 * Branch labels: a DNS label cannot hold `/` (Amplify branch names can: `feature/login`), uppercase is folded by
 * DNS, and labels are at most 63 characters. Gantry's label for a branch ({@link branchSubdomain}) is the branch
 * name lowercased with every character outside `[a-z0-9-]` (notably `/`, `_`, `.`) replaced by `-`, leading and
 * trailing `-` trimmed, cut to 63 characters; `feature/login` → `feature-login`, as Amplify's default domains
 * do. The mapping is not reversible (`feature/login` and `feature-login` share a label), so the host form yields
 * the *label*: the resolver picks the app's branch whose `branchSubdomain(branchName)` equals it, preferring an
 * exact branch-name match, and answers 404 when none or several match. The path form yields the exact name.
 */

export interface SiteAddress {
  /** App id, lowercase. @example "d1abc2def3" */
  appId: string;
  /**
   * Host form: the branch label from the subdomain (match it with {@link branchSubdomain}); path form: the exact,
   * decoded branch name.
   */
  branch: string;
  /** Always the DNS label form, for matching. */
  branchLabel: string;
  /** Path and query inside the site, starting with `/`. @example "/about?tab=2" */
  path: string;
  via: 'host' | 'path';
  /** Prefix under which the site is mounted: `""` for the host form, `/_sites/<appId>/<branch>` for the path form. */
  basePath: string;
  /**
   * Path form without the trailing slash (`/_sites/d1/main`): answer `301` to this location so relative links
   * in the site resolve under the prefix.
   */
  redirectTo?: string;
}

export interface HostRoutingOptions {
  /** Domain under which branch sites live. @default "localhost" @example "apps.example.com" */
  siteDomain?: string;
  /** Path prefix of the path form. @default "/_sites" */
  pathPrefix?: string;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const APP_ID = /^[a-z0-9]{1,20}$/;

/** The DNS label Gantry uses for a branch in site hosts (see the module comment). */
export function branchSubdomain(branchName: string): string {
  const label = branchName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? 'branch' : label;
}

/** The public URL of a branch site (host form). @example siteUrl("d1abc", "feature/x", "http://localhost:4750") → "http://feature-x.d1abc.localhost:4750/" */
export function siteUrl(appId: string, branchName: string, base = 'http://localhost'): string {
  const url = new URL(base);
  url.hostname = `${branchSubdomain(branchName)}.${appId.toLowerCase()}.${url.hostname}`;
  url.pathname = '/';
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** The path-form URL path of a branch site. */
export function sitePath(appId: string, branchName: string, pathPrefix = '/_sites'): string {
  return `${pathPrefix}/${encodeURIComponent(appId)}/${encodeURIComponent(branchName)}/`;
}

/**
 * Finds the site a request addresses, from its `Host` header and URL (`req.url`). Returns `undefined` when the
 * request is not for a site (API, console, git… traffic).
 */
export function parseSiteRequest(host: string | undefined, url: string, options: HostRoutingOptions = {}): SiteAddress | undefined {
  return parseSiteHost(host, url, options) ?? parseSitePath(url, options);
}

/** The host form only. */
export function parseSiteHost(host: string | undefined, url: string, options: HostRoutingOptions = {}): SiteAddress | undefined {
  if (host === undefined || host === '') return undefined;
  const domain = (options.siteDomain ?? 'localhost').toLowerCase().replace(/^\.+|\.+$/g, '');
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) return undefined; // IPv6 literal
  const colon = name.lastIndexOf(':');
  if (colon !== -1) {
    if (!/^\d{1,5}$/.test(name.slice(colon + 1))) return undefined;
    name = name.slice(0, colon);
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  const suffix = `.${domain}`;
  if (!name.endsWith(suffix)) return undefined;
  const labels = name.slice(0, -suffix.length).split('.');
  if (labels.length !== 2) return undefined;
  const [branchLabel, appId] = labels as [string, string];
  if (!LABEL.test(branchLabel) || !APP_ID.test(appId)) return undefined;
  const path = url.startsWith('/') ? url : `/${url}`;
  return { appId, branch: branchLabel, branchLabel, path, via: 'host', basePath: '' };
}

/** The path form only. */
export function parseSitePath(url: string, options: HostRoutingOptions = {}): SiteAddress | undefined {
  const prefix = (options.pathPrefix ?? '/_sites').replace(/\/+$/, '');
  if (!url.startsWith(`${prefix}/`)) return undefined;
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const rest = rawPath.slice(prefix.length + 1);
  const firstSlash = rest.indexOf('/');
  if (firstSlash <= 0) return undefined;
  const appId = safeDecode(rest.slice(0, firstSlash))?.toLowerCase();
  if (appId === undefined || !APP_ID.test(appId)) return undefined;
  const afterApp = rest.slice(firstSlash + 1);
  const secondSlash = afterApp.indexOf('/');
  const rawBranch = secondSlash === -1 ? afterApp : afterApp.slice(0, secondSlash);
  const branch = safeDecode(rawBranch);
  if (branch === undefined || branch === '' || branch.length > 255 || branch.includes('\0')) return undefined;
  const basePath = `${prefix}/${rest.slice(0, firstSlash)}/${rawBranch}`;
  const address: SiteAddress = {
    appId,
    branch,
    branchLabel: branchSubdomain(branch),
    path: secondSlash === -1 ? `/${query}` : `${afterApp.slice(secondSlash)}${query}`,
    via: 'path',
    basePath,
  };
  if (secondSlash === -1) address.redirectTo = `${basePath}/${query}`;
  return address;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
