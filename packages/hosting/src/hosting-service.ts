import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretBox } from '@gantry/core';
import type { Route } from '@gantry/edge';
import { assumeRole, type Iam } from '@gantry/iam';
import { appArn } from './api/amplify-shapes.ts';
import type { AppRow } from './api/apps.ts';
import type { BuildSandbox } from '@gantry/runner';
import type { Migration, Store } from '@gantry/store';
import { createHostingApi } from './api/amplify-api.ts';
import { hostingMigrations } from './api/hosting-tables.ts';
import { sitePointerMigrations } from './sites/site-pointer-tables.ts';
import { runBuildJob } from './jobs/build-job.ts';
import { incomingWebhookRoute } from './jobs/incoming-webhook-route.ts';
import { JobLogs } from './jobs/job-logs.ts';
import { JobScheduler } from './jobs/job-scheduler.ts';
import { jobMigrations } from './jobs/job-tables.ts';
import { jobEndpoints } from './jobs/jobs-api.ts';
import { enqueueJob, type JobDb } from './jobs/jobs.ts';
import { logRoute } from './jobs/log-route.ts';
import type { SecretParameters } from './api/app-secrets.ts';
import type { RepositoryAccess } from './api/repository-access.ts';
import { ComputeBundleStore } from './compute/compute-bundles.ts';
import { ComputeHost } from './compute/compute-pool.ts';
import { directSpawner, sandboxSpawner } from './compute/compute-process.ts';
import { ComputeSites, computeLogWriter } from './sites/compute-sites.ts';
import { siteRoute } from './sites/site-route.ts';
import { SiteStore } from './sites/site-store.ts';

export interface HostingServiceOptions {
  store: Store;
  iam: Iam;
  box: SecretBox;
  /** Hosting keeps build logs, caches, work directories and site versions under `<dataDir>/hosting`. */
  dataDir: string;
  /** Base URL of the server (webhook and log URLs). */
  publicUrl: () => string;
  /** Domain of branch sites, with port when not 80/443. @example 'localhost:4750' */
  siteDomain: () => string;
  /** The repositories apps connect to, each use authorised as a `git fetch` (the source service). */
  repositories: RepositoryAccess;
  /** Directories put first on builds' PATH. */
  toolPaths?: string[];
  /**
   * Variables every build gets, for the tools on `toolPaths`: e.g. `npm_config_prefix`, so `npx ampx` finds Gantry's
   * ampx installed there.
   */
  toolEnvironment?: Record<string, string>;
  /** Where build commands run: the server's build sandbox. Without one they run as the server's own user. */
  sandbox?: BuildSandbox;
  /** Builds run at once by this server. @default 2 */
  concurrency?: number;
  /** Server processes per compute resource of a live compute app. @default 1 */
  computeProcesses?: number;
  /** The accounts' Parameter Store, for apps' environment secrets (`/amplify/<appId>/<branch>/…`). */
  secrets?: SecretParameters;
}

/** The service principal Amplify Hosting assumes app service roles as. */
export const AMPLIFY_SERVICE_PRINCIPAL = 'amplify.amazonaws.com';

/** A push, as the source service reports it (only what hosting needs). */
export interface BranchPush {
  /** The pushed repository: its clone URL and its owning account. */
  repository: { cloneUrl: string; account: string };
  branch: string;
  after: string;
}

export interface HostingService {
  migrations: Migration[];
  /** The incoming-webhook, log, Amplify API and site routes, for the edge. */
  routes: Route[];
  /** Starts the build scheduler (after migrations ran). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Queues RELEASE jobs for the branches with auto build that track the pushed branch. */
  onPush(push: BranchPush): Promise<void>;
  sites: SiteStore;
}

/** Amplify Hosting: the API, builds of branches into sites, incoming webhooks, and the sites themselves. */
export function createHostingService(options: HostingServiceOptions): HostingService {
  const root = join(options.dataDir, 'hosting');
  mkdirSync(root, { recursive: true });
  // Live pointers in the store: every replica serves the same version of a branch.
  const sites = new SiteStore({ root: join(root, 'sites'), store: options.store });
  const logs = new JobLogs(join(root, 'logs'), signingKey(join(root, 'log-url.key')), options.publicUrl);
  let scheduler: JobScheduler | undefined;
  const wake = () => scheduler?.wake();
  const api = createHostingApi({
    store: options.store, iam: options.iam, box: options.box, publicUrl: options.publicUrl, siteDomain: options.siteDomain, repositories: options.repositories,
    moreEndpoints: (ctx) => jobEndpoints({ ctx, logs, wake }),
  });
  const db = api.ctx.db as unknown as JobDb;
  const siteBase = () => `${new URL(options.publicUrl()).protocol}//${options.siteDomain()}`;
  // Compute apps' servers run in the build sandbox's isolation, idle ones stopped after Amplify-like quiet time.
  const compute = new ComputeSites(
    new ComputeHost({
      scratchRoot: join(root, 'compute-run'), spawner: options.sandbox ? sandboxSpawner(options.sandbox) : directSpawner(),
      processes: options.computeProcesses, idleStopMs: 15 * 60_000, onLog: computeLogWriter(join(root, 'logs', 'compute')),
    }),
    new ComputeBundleStore({ root: join(root, 'compute') }),
  );

  return {
    migrations: [...hostingMigrations, ...jobMigrations, ...sitePointerMigrations],
    routes: [incomingWebhookRoute(api.ctx, wake), logRoute(db, logs), api.route, siteRoute(api.ctx.db, sites, options.siteDomain, compute, options.secrets)],
    sites,
    async start() {
      scheduler = new JobScheduler({
        db,
        concurrency: options.concurrency,
        now: () => Date.now(),
        run: (job, signal) => runBuildJob({
          db, logs, sites, compute, workRoot: join(root, 'work'), cacheRoot: join(root, 'cache'),
          repositories: options.repositories, toolPaths: options.toolPaths ?? [], toolEnvironment: options.toolEnvironment ?? {}, sandbox: options.sandbox, secrets: options.secrets, siteBase, now: () => Date.now(),
          endpointUrl: options.publicUrl, serviceRoleCredentials: (app) => serviceRoleCredentials(options.iam, app),
        }, job, signal),
      });
      await scheduler.start();
    },
    async stop() {
      await scheduler?.stop();
      await compute.stopAll();
    },
    async onPush(push) {
      if (/^0+$/.test(push.after)) return;
      // A push builds only the apps whose account may pull the repository (its own account's, and accounts its
      // repository policy grants): another account merely naming the clone URL must not learn of the push (or
      // run its build spec on A's code).
      const candidates = await api.ctx.db.selectFrom('hosting_branches').innerJoin('hosting_apps', 'hosting_apps.app_id', 'hosting_branches.app_id')
        .selectAll('hosting_branches').where('hosting_apps.repository', '=', push.repository.cloneUrl)
        .where('hosting_branches.branch_name', '=', push.branch).where('hosting_branches.enable_auto_build', '=', 1).execute();
      const mayPull = new Map<string, Promise<boolean>>();
      const allowed = (account: string) => {
        if (account === push.repository.account) return Promise.resolve(true);
        let answer = mayPull.get(account);
        if (!answer) mayPull.set(account, answer = options.repositories.pullAccess(push.repository.cloneUrl, { account }).then((a) => 'gitDir' in a));
        return answer;
      };
      const branches = [];
      for (const branch of candidates) if (await allowed(branch.account_id)) branches.push(branch);
      for (const branch of branches) await enqueueJob(db, branch, { jobType: 'RELEASE', commitId: push.after }, Date.now());
      if (branches.length) wake();
    },
  };
}

/**
 * Builds run with the credentials of the app's service role, assumed by the Amplify service principal. The
 * role's trust policy decides (and may pin the app with aws:SourceArn / aws:SourceAccount).
 */
async function serviceRoleCredentials(iam: Iam, app: AppRow) {
  if (!app.iam_service_role_arn) return undefined;
  const result = await assumeRole(iam.ctx, iam.authorizer, { kind: 'service', service: AMPLIFY_SERVICE_PRINCIPAL }, {
    roleArn: app.iam_service_role_arn, roleSessionName: `amplify-build-${app.app_id}`, region: app.region,
    context: { 'aws:SourceArn': appArn({ account: app.account_id, region: app.region }, app.app_id), 'aws:SourceAccount': app.account_id },
  });
  return result.credentials;
}

/** The key log URLs are signed with, made once per data directory. */
function signingKey(file: string): Buffer {
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  return Buffer.from(readFileSync(file, 'utf8'), 'base64');
}
