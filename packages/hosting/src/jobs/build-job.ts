import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { toGantryError } from '@gantry/core';
import { BUILD_LIMITS, keepToolNodeOptions, removeTree, restoreCache, runShell, saveCache, type BuildSandbox, type PhaseResult } from '@gantry/runner';
import type { AppRow } from '../api/apps.ts';
import { branchSecrets, secretVariables, type SecretParameters } from '../api/app-secrets.ts';
import type { RepositoryAccess } from '../api/repository-access.ts';
import { branchArn } from '../api/amplify-shapes.ts';
import type { BranchRow } from '../api/branches.ts';
import { collectArtifacts, parseBuildSpec, planBuild, type BuildPlan } from '../build-spec/index.ts';
import { siteUrl } from '../sites/host-routing.ts';
import { DRAIN_MS, type ComputeSites } from '../sites/compute-sites.ts';
import type { SiteStore, SiteVersion } from '../sites/site-store.ts';
import { detectFramework, nextjsBuildEnvironment } from '../frameworks/index.ts';
import { prepareDeployment } from './publish-deployment.ts';
import type { JobLogs } from './job-logs.ts';
import { paddedJobId } from './job-shapes.ts';
import { updateJob, updateStep, type JobDb, type JobRow, type StepName } from './jobs.ts';

const exec = promisify(execFile);

export interface BuildJobDeps {
  db: JobDb;
  logs: JobLogs;
  sites: SiteStore;
  /** The servers of compute apps' versions (WEB_COMPUTE). */
  compute: ComputeSites;
  /** Scratch space; each job gets its own directory below, removed when it ends. */
  workRoot: string;
  /** Build caches, one file per branch. */
  cacheRoot: string;
  /** The repositories apps connect to; a checkout is authorised for the app's account. */
  repositories: RepositoryAccess;
  /** Directories put first on the build's PATH (Gantry's own CLIs, e.g. `ampx`). */
  toolPaths: string[];
  /** Variables every build gets (npm's prefix, cache and global config, so `npx ampx` finds Gantry's ampx). */
  toolEnvironment: Record<string, string>;
  /** Where the build's commands run; the job's directory is the only one of the server's it sees. */
  sandbox?: BuildSandbox;
  /** The account's Parameter Store: the app's environment secrets. */
  secrets?: SecretParameters;
  /** Base URL branch sites are reached at. */
  siteBase(): string;
  /** The server's URL, given to builds as AWS_ENDPOINT_URL so AWS tools in them reach Gantry. */
  endpointUrl(): string;
  /**
   * Temporary credentials of the app's service role (`iamServiceRoleArn`), assumed by the Amplify service
   * principal, as Amplify builds run with them; undefined when the app has no service role.
   */
  serviceRoleCredentials(app: AppRow): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string } | undefined>;
  now(): number;
  /** @default 30 (Amplify's `_BUILD_TIMEOUT`, minutes; the app or branch may set it) */
  defaultTimeoutMinutes?: number;
}

/** Thrown for failures the build's own log already explains. */
class JobFailure extends Error {}

/**
 * One Amplify build job, as named steps: check out the commit, read the build spec, run its phases in one
 * shell session (BUILD), publish the artifacts as the branch's new site version (DEPLOY), and check the new
 * version is live (VERIFY). The job's row records each step; the log records what happened in it.
 */
export async function runBuildJob(deps: BuildJobDeps, job: JobRow, signal: AbortSignal): Promise<void> {
  const { db } = deps;
  const app = await db.selectFrom('hosting_apps').selectAll().where('app_id', '=', job.app_id).executeTakeFirst();
  const branch = await db.selectFrom('hosting_branches').selectAll().where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).executeTakeFirst();
  const jobDir = join(deps.workRoot, `${job.app_id}-${job.job_id}-${Date.now().toString(36)}`);
  const log = (step: StepName, text: string) => deps.logs.append(job, step, text.endsWith('\n') ? text : `${text}\n`);
  const fail = (step: StepName, message: string) => {
    log(step, message);
    return new JobFailure(message);
  };
  let step: StepName = 'BUILD';
  let secrets: Record<string, string> = {};
  const startStep = async (name: StepName) => {
    step = name;
    await updateStep(db, job, name, { status: 'RUNNING', start_time: deps.now() });
  };
  const endStep = (name: StepName, status: string, reason?: string) => updateStep(db, job, name, { status, end_time: deps.now(), status_reason: reason ?? null });
  /**
   * Makes a version the branch's live one. A compute version's servers start first: the previous version keeps
   * answering until the new one's have answered their first request, and finishes the requests it already has.
   */
  const goLive = async (version: SiteVersion) => {
    const key = siteKey(job);
    const previous = await deps.sites.pointer(key);
    const deployment = deps.compute.deployment(key, version, { ...environmentOf(app!, branch!), ...secretVariables(secrets) }, app!.account_id);
    if (deployment) {
      log('DEPLOY', '# Starting the new version\'s compute servers');
      await deps.compute.warm(deployment).catch(async (error: Error) => {
        if (previous?.versionId !== version.versionId) await deps.compute.retire(key, version.versionId);
        throw fail('DEPLOY', `# The new version's server did not start: ${error.message.replace(/\.+$/, '')}. The live version is unchanged; see its output in the app's compute log.`);
      });
    }
    await deps.sites.activate(key, version.versionId);
    if (previous && previous.versionId !== version.versionId) await deps.compute.retire(key, previous.versionId, { drainMs: DRAIN_MS });
  };
  const verify = async (versionId: string) => {
    await startStep('VERIFY');
    const live = await deps.sites.live(siteKey(job));
    if (live?.versionId !== versionId) throw fail('VERIFY', 'The new version did not become live.');
    log('VERIFY', `Live at ${siteUrl(job.app_id, job.branch_name, deps.siteBase())}`);
    await endStep('VERIFY', 'SUCCEED');
    await updateJob(db, job, { status: 'SUCCEED', end_time: deps.now() });
    await db.updateTable('hosting_branches').set({ active_job_id: String(job.job_id) }).where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).execute();
  };

  try {
    await updateJob(db, job, { status: 'RUNNING' });
    await startStep('BUILD');
    if (!app || !branch) throw fail('BUILD', 'The app or branch was deleted before the job started.');
    secrets = await branchSecrets(deps.secrets, { account: job.account_id, region: job.region }, job.app_id, job.branch_name);
    // A redeploy (a rollback) names its version when it is queued: nothing is checked out or built.
    if (job.version_id) {
      const version = await deps.sites.version(job.version_id).catch(() => undefined);
      if (!version) throw fail('BUILD', `# Version ${job.version_id.slice(0, 12)} is no longer kept on this server: it cannot be redeployed. Start a RETRY job to rebuild its commit instead.`);
      log('BUILD', `# Redeploying version ${version.versionId.slice(0, 12)} (job ${job.retry_of}, commit ${job.commit_id}): nothing to build.`);
      await endStep('BUILD', 'SUCCEED');
      await startStep('DEPLOY');
      await goLive(version);
      log('DEPLOY', `Version ${version.versionId.slice(0, 12)} is live again.`);
      await endStep('DEPLOY', 'SUCCEED');
      await verify(version.versionId);
      return;
    }
    const src = join(jobDir, 'src');
    const home = join(jobDir, 'home');
    mkdirSync(home, { recursive: true });
    await checkout(deps, job, app, src, (t) => log('BUILD', t));
    const plan = loadPlan(app, branch, src, (t) => log('BUILD', t));
    const env = buildEnvironment(deps, job, app, branch, plan, home, await frameworkEnvironment(app, join(src, plan.appRoot)));
    if (Object.keys(secrets).length) {
      // As on Amplify: one JSON variable, `secrets`; the values are masked wherever the log would show them.
      env.secrets = JSON.stringify(secrets);
      log('BUILD', `# Environment secrets: ${Object.keys(secrets).join(', ')} (in the variable secrets, as JSON)`);
    }
    const credentials = await deps.serviceRoleCredentials(app).catch((error: Error) => {
      throw fail('BUILD', `# Could not assume the app's service role ${app.iam_service_role_arn}: ${error.message}. Its trust policy must allow amplify.amazonaws.com to call sts:AssumeRole.`);
    });
    if (credentials) {
      Object.assign(env, { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken });
      log('BUILD', `# Running with the credentials of the app's service role ${app.iam_service_role_arn}`);
    }
    const cacheFile = join(deps.cacheRoot, job.app_id, `${encodeURIComponent(job.branch_name)}.tar`);
    const cacheDirs = plan.cachePaths.map((c) => (c.root === 'home' ? join('home', c.directory) : join('src', c.directory)));
    if (cacheDirs.length) await restoreCache(cacheFile, jobDir, { onLog: (t: string) => log('BUILD', t) });
    const timeoutMinutes = Number(env._BUILD_TIMEOUT) || deps.defaultTimeoutMinutes || 30;
    const result = await runShell({
      workDir: join(src, plan.workingDirectory),
      env,
      phases: plan.phases.map((p) => ({ name: p.id, commands: p.commands, cwd: relativeTo(plan.workingDirectory, p.workingDirectory) })),
      timeoutMs: timeoutMinutes * 60_000,
      limits: BUILD_LIMITS,
      signal,
      secrets: [...(credentials ? [credentials.secretAccessKey, credentials.sessionToken] : []), ...Object.values(secrets), ...(env.secrets ? [env.secrets] : [])],
      // Each account has its own npm cache: one account's build must not plant packages for another's.
      ...(deps.sandbox && { sandbox: { sandbox: deps.sandbox.forAccount(job.account_id), root: jobDir } }),
      onLog: (text) => deps.logs.append(job, 'BUILD', text),
    });
    if (result.status === 'CANCELLED') throw new Cancelled();
    if (result.status === 'TIMED_OUT') throw fail('BUILD', `# The build exceeded its ${timeoutMinutes}-minute timeout and was stopped. Set _BUILD_TIMEOUT (minutes) on the app or branch to allow longer builds.`);
    // The runner has logged the failing command and its exit code.
    if (result.status === 'FAILED') throw new JobFailure(`exit code ${result.exitCode} in ${result.failedPhase}`);
    log('BUILD', `# Phase durations: ${durations(result.phases)}`);
    await endStep('BUILD', 'SUCCEED');

    await startStep('DEPLOY');
    if (!plan.artifacts) throw fail('DEPLOY', 'The build spec declares no frontend artifacts: add frontend.artifacts with baseDirectory and files to publish a site.');
    const baseDirectory = existsSync(join(src, plan.artifacts.baseDirectory)) || !plan.artifacts.alternateBaseDirectory ? plan.artifacts.baseDirectory : plan.artifacts.alternateBaseDirectory;
    // A compute app (WEB_COMPUTE) publishes its deployment bundle; a static one (WEB) its artifacts as they are.
    const compute = app.platform === 'WEB' ? undefined : await prepareDeployment({
      src, appRoot: plan.appRoot, artifactsDir: join(src, baseDirectory), workDir: jobDir, bundles: deps.compute.bundles, log: (t) => log('DEPLOY', t),
    }).catch((error: Error) => {
      throw fail('DEPLOY', `# ${error.message}`);
    });
    const files = compute?.files ?? (await collectArtifacts(src, plan.artifacts));
    if (!compute && files.length === 0) throw fail('DEPLOY', `No files matched ${plan.artifacts.files.join(', ')} in ${plan.artifacts.baseDirectory}: check frontend.artifacts.baseDirectory.`);
    const version = await deps.sites.createVersion(files, {
      sourceRoot: compute?.staticDir ?? join(src, baseDirectory), customHeaders: plan.customHeaders, ...(compute && { deployment: compute.deployment }),
    });
    await updateJob(db, job, { version_id: version.versionId });
    await goLive(await deps.sites.version(version.versionId));
    if (compute) await db.updateTable('hosting_branches').set({ framework: compute.framework }).where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).execute();
    log('DEPLOY', `Published ${version.fileCount} files (${version.totalBytes} bytes) as version ${version.versionId.slice(0, 12)}.`);
    // The cache is saved once the site is live: archiving node_modules need not delay the new version.
    if (cacheDirs.length) await saveCache(cacheFile, jobDir, cacheDirs, { onLog: (t: string) => log('DEPLOY', t) }).catch((e: Error) => log('DEPLOY', `# Cache not saved: ${e.message}`));
    await endStep('DEPLOY', 'SUCCEED');
    await verify(version.versionId);
  } catch (thrown) {
    const cancelled = thrown instanceof Cancelled;
    if (!cancelled && !(thrown instanceof JobFailure)) log(step, `# Internal error: ${toGantryError(thrown).message}`);
    const status = cancelled ? 'CANCELLED' : 'FAILED';
    if (cancelled) log(step, '# The job was stopped.');
    await endStep(step, status);
    await db.updateTable('hosting_job_steps').set({ status: 'CANCELLED' })
      .where('app_id', '=', job.app_id).where('branch_name', '=', job.branch_name).where('job_id', '=', job.job_id).where('status', '=', 'PENDING').execute();
    await updateJob(db, job, { status, end_time: deps.now() });
  } finally {
    // In the background: the job is over, and the next one need not wait for a node_modules tree to go.
    void removeTree(jobDir);
  }
}

class Cancelled extends Error {}

/** `backend.build 1.2 s, frontend.build 8.0 s`: what each phase of the build spec took. */
const durations = (phases: PhaseResult[]): string =>
  phases.filter((p) => p.durationMs !== undefined).map((p) => `${p.name} ${(p.durationMs! / 1000).toFixed(2)} s`).join(', ');

/** The key a branch's site versions are kept under. */
export const siteKey = (job: Pick<JobRow, 'app_id' | 'branch_name'>): string => `${job.app_id}/${job.branch_name}`;

async function checkout(deps: BuildJobDeps, job: JobRow, app: AppRow, src: string, log: (t: string) => void): Promise<void> {
  if (!app.repository) {
    log("# The app has no repository: set the app's repository to a clone URL from 'gantry repos create'.");
    throw new JobFailure();
  }
  // Asked again at every checkout, as the app's account: a repository policy that no longer grants it stops the builds.
  const access = await deps.repositories.pullAccess(app.repository, { account: app.account_id });
  if ('refused' in access) {
    log(`# ${access.refused}`);
    throw new JobFailure();
  }
  const { gitDir } = access;
  const git = (args: string[], cwd?: string) => exec('git', args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_TERMINAL_PROMPT: '0', HOME: dirname(src) } });
  log(`# Cloning ${app.repository} (${job.branch_name})`);
  try {
    await git(['clone', '--quiet', '--no-checkout', gitDir, src]);
    const commit = job.commit_id === 'HEAD' ? `origin/${job.branch_name}` : job.commit_id;
    // The clone's refs no longer move: the commit's details are read while its files are checked out.
    const [{ stdout }] = await Promise.all([
      git(['log', '-1', '--format=%H%n%ct%n%s', commit, '--'], src),
      git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', commit], src),
    ]);
    const [sha, time, message] = stdout.split('\n');
    await updateJob(deps.db, job, { commit_id: sha!, commit_time: Number(time) * 1000, commit_message: job.commit_message || (message ?? '') });
    log(`# Checked out ${sha} ${message ?? ''}`);
  } catch (error) {
    log(`# Could not check out ${job.commit_id === 'HEAD' ? `branch ${job.branch_name}` : `commit ${job.commit_id}`}: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`);
    throw new JobFailure();
  }
}

/** The build spec: `amplify.yml` at the repository root, else the branch's, else the app's. */
function loadPlan(app: AppRow, branch: BranchRow, src: string, log: (t: string) => void): BuildPlan {
  const inRepo = ['amplify.yml', 'amplify.yaml'].find((f) => existsSync(join(src, f)));
  const [text, file] = inRepo
    ? [readFileSync(join(src, inRepo), 'utf8'), inRepo]
    : branch.build_spec ? [branch.build_spec, `buildSpec of branch ${branch.branch_name}`]
    : app.build_spec ? [app.build_spec, `buildSpec of app ${app.app_id}`] : [undefined, undefined];
  if (text === undefined) {
    log('# No build spec: add amplify.yml at the repository root, or set buildSpec on the branch or app.');
    throw new JobFailure();
  }
  try {
    const { spec, warnings } = parseBuildSpec(text, file);
    for (const w of warnings) log(`# Warning: ${w.message}`);
    const env = { ...JSON.parse(app.environment_variables), ...JSON.parse(branch.environment_variables) };
    log(`# Build spec: ${file}`);
    return planBuild(spec, { env });
  } catch (error) {
    log(`# ${toGantryError(error).message}`);
    throw new JobFailure();
  }
}

/** The environment Amplify gives a build, built from scratch: nothing of the server's own leaks in. */
/**
 * What a compute app's framework needs set for its build, before the app's own variables (which may override it):
 * Next.js writes its standalone server output, which the deploy step bundles.
 */
async function frameworkEnvironment(app: AppRow, appDir: string): Promise<Record<string, string>> {
  if (app.platform === 'WEB') return {};
  const detected = await detectFramework({ appDir }).catch(() => undefined);
  return detected?.deployment === 'nextjs' ? nextjsBuildEnvironment() : {};
}

function buildEnvironment(deps: BuildJobDeps, job: JobRow, app: AppRow, branch: BranchRow, plan: BuildPlan, home: string, frameworkEnv: Record<string, string>): Record<string, string> {
  const basePath = [...deps.toolPaths, dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return keepToolNodeOptions({
    PATH: [...new Set(basePath)].join(':'),
    HOME: home,
    LANG: 'C.UTF-8',
    CI: 'true',
    AWS_APP_ID: job.app_id,
    AWS_BRANCH: job.branch_name,
    AWS_BRANCH_ARN: branchArn({ account: job.account_id, region: job.region }, job.app_id, job.branch_name),
    AWS_JOB_ID: paddedJobId(job.job_id),
    AWS_COMMIT_ID: job.commit_id,
    AWS_CLONE_URL: app.repository,
    AWS_REGION: job.region,
    AWS_DEFAULT_REGION: job.region,
    AWS_ENDPOINT_URL: deps.endpointUrl(),
    ...deps.toolEnvironment,
    ...frameworkEnv,
    ...JSON.parse(app.environment_variables),
    ...JSON.parse(branch.environment_variables),
    ...plan.env,
  }, deps.toolEnvironment.NODE_OPTIONS);
}

/** A branch's variables as its compute servers get them: the app's, overlaid with the branch's. */
const environmentOf = (app: AppRow, branch: BranchRow): Record<string, string> =>
  ({ ...JSON.parse(app.environment_variables), ...JSON.parse(branch.environment_variables) });

function relativeTo(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  const depth = from === '.' ? 0 : from.split('/').length;
  return join('../'.repeat(depth) || '.', to);
}
