import type { Kysely } from 'kysely';
import type { Route } from '@gantry/edge';
import type { HostingTables } from '../api/hosting-tables.ts';
import { branchSecrets, secretVariables, type SecretParameters } from '../api/app-secrets.ts';
import { basicAuthAllows } from './basic-auth.ts';
import { sandboxPathForm } from './path-form-sandbox.ts';
import { branchSubdomain, parseSiteRequest } from './host-routing.ts';
import type { CustomRule } from './rewrite-rules.ts';
import { applyRulesBeforeRoutes, serveSite, type SiteToServe } from './serve-site.ts';
import type { LiveSite, SiteStore } from './site-store.ts';
import type { ComputeDeployment } from '../compute/compute-pool.ts';
import { serveDeployment } from '../compute/serve-deployment.ts';
import type { ComputeSites } from './compute-sites.ts';

/** How long a site's app settings (branches, custom rules) are reused before being read again. */
const SETTINGS_TTL_MS = 1000;

interface AppSettings {
  branches: string[];
  customRules: CustomRule[];
  /** Branches whose site asks for a password, with the stored credentials ('' when enabled without any: no one gets in). */
  protectedBranches: Map<string, string>;
  /** Each branch's variables (the app's, overlaid with the branch's): what its compute servers run with. */
  environments: Map<string, Record<string, string>>;
  account: string;
  region: string;
  loadedAt: number;
}

/**
 * Branch sites: `http://<branch>.<appId>.<siteDomain>/…` and `/_sites/<appId>/<branch>/…`, served from the
 * branch's live version. App settings are cached for a second so serving needs no database read per request.
 */
export function siteRoute(db: Kysely<HostingTables>, sites: SiteStore, siteDomain: () => string, compute: ComputeSites, secrets?: SecretParameters): Route {
  const settings = new Map<string, AppSettings>();
  // serveSite caches what it compiles per site object: hand it the same object while version and rules hold.
  // `files` is the site without the app's rules, for the static routes of a compute site (the rules ran before).
  const siteObjects = new WeakMap<LiveSite, { rules: CustomRule[]; site: SiteToServe; files: SiteToServe; deployment?: ComputeDeployment }>();
  const load = async (appId: string): Promise<AppSettings | undefined> => {
    const hit = settings.get(appId);
    if (hit && Date.now() - hit.loadedAt < SETTINGS_TTL_MS) return hit;
    const app = await db.selectFrom('hosting_apps').select(['account_id', 'region', 'custom_rules', 'enable_basic_auth', 'basic_auth_credentials', 'environment_variables']).where('app_id', '=', appId).executeTakeFirst();
    if (!app) return undefined;
    const rows = await db.selectFrom('hosting_branches').select(['branch_name', 'enable_basic_auth', 'basic_auth_credentials', 'environment_variables']).where('app_id', '=', appId).execute();
    const appEnvironment = JSON.parse(app.environment_variables) as Record<string, string>;
    const environments = new Map(rows.map((b) => [b.branch_name, { ...appEnvironment, ...(JSON.parse(b.environment_variables) as Record<string, string>) }]));
    // A branch's own protection wins over the app's, as on Amplify Hosting.
    const protectedBranches = new Map<string, string>();
    for (const b of rows) {
      if (b.enable_basic_auth) protectedBranches.set(b.branch_name, b.basic_auth_credentials ?? app.basic_auth_credentials ?? '');
      else if (app.enable_basic_auth) protectedBranches.set(b.branch_name, app.basic_auth_credentials ?? '');
    }
    const value = { branches: rows.map((b) => b.branch_name), customRules: JSON.parse(app.custom_rules) as CustomRule[], protectedBranches, environments, account: app.account_id, region: app.region, loadedAt: Date.now() };
    if (settings.size > 10_000) settings.clear();
    settings.set(appId, value);
    return value;
  };
  const domain = () => siteDomain().replace(/:\d+$/, '');
  const notFound = (res: Parameters<Route['handle']>[1], what: string) => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${what}\n`);
  };
  return {
    name: 'sites',
    matches: (req, url) => url.pathname.startsWith('/_sites/') || parseSiteRequest(req.headers.host, '/', { siteDomain: domain() }) !== undefined,
    async handle(req, res) {
      const address = parseSiteRequest(req.headers.host, req.url ?? '/', { siteDomain: domain() });
      if (!address) return notFound(res, 'No site at this address.');
      if (address.redirectTo) {
        res.writeHead(301, { location: address.redirectTo });
        return void res.end();
      }
      if (address.via === 'path') sandboxPathForm(res);
      const app = await load(address.appId);
      const candidates = app?.branches.filter((b) => (address.via === 'path' ? b === address.branch : branchSubdomain(b) === address.branchLabel)) ?? [];
      const branch = candidates.length === 1 ? candidates[0] : candidates.find((b) => b === address.branch);
      if (!app || !branch) return notFound(res, `No branch site for ${address.branch} of app ${address.appId}.`);
      const credentials = app.protectedBranches.get(branch);
      if (credentials !== undefined && !basicAuthAllows(credentials, req.headers.authorization)) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="Branch site", charset="UTF-8"', 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        return void res.end('This site is password protected: sign in with the username and password set in its access control settings.\n');
      }
      const live = await sites.live(`${address.appId}/${branch}`);
      if (!live) return notFound(res, `Branch ${branch} has no deployed site yet: run a build (StartJob, a push with auto build, or its webhook).`);
      let entry = siteObjects.get(live);
      if (entry?.rules !== app.customRules) {
        // A compute version's servers get the branch's variables and its environment secrets (read when they start).
        const env = live.manifest.deployment
          ? { ...app.environments.get(branch), ...secretVariables(await branchSecrets(secrets, { account: app.account, region: app.region }, address.appId, branch)) }
          : {};
        const deployment = compute.deployment(live.branchKey, live, env, app.account);
        entry = { rules: app.customRules, site: { ...live, customRules: app.customRules }, files: { ...live, customRules: [] }, ...(deployment && { deployment }) };
        siteObjects.set(live, entry);
      }
      const site = entry.site;
      // Rewrites to other hosts are not proxied: a site must not make the server reach addresses for it.
      if (!entry.deployment) return serveSite(req, res, site, { path: address.path, basePath: address.basePath, proxy: false });
      // On a compute site the rules come before the manifest's routes (a rewrite changes the path they route),
      // and are not applied again to the static files a route serves.
      const path = applyRulesBeforeRoutes(req, res, site, { path: address.path, basePath: address.basePath });
      if (path === undefined) return;
      const { files } = entry;
      serveDeployment(req, res, {
        host: compute.host, deployment: entry.deployment, path,
        serveStatic: ({ target, onNotFound }) => serveSite(req, res, files, { path, basePath: address.basePath, proxy: false, onNotFound, cacheControl: target.cacheControl }),
      });
    },
  };
}
