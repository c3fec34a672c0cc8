import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GantryError, type SecretBox } from '@gantry/core';
import type { RestJsonService } from '@gantry/edge';
import type { Iam } from '@gantry/iam';
import type { BuildSandbox } from '@gantry/runner';
import type { PushEvent, SourceService } from '@gantry/source';
import type { Migration, Store } from '@gantry/store';
import { workflowsRestService } from './api/workflows-api.ts';
import { branchHead, isWorkflowFile } from './catalog/git-reader.ts';
import { catalogMigrations, WorkflowCatalog, type WorkflowDefinition } from './catalog/workflow-catalog.ts';
import { AccountConnections } from './connections/account-connections.ts';
import { connectionMigrations, type ConnectionDb } from './connections/connection-tables.ts';
import { nextScheduleTime } from './definition/cron-expression.ts';
import { pushTriggersMatching, scheduledBranches } from './definition/trigger-matching.ts';
import type { ScheduleTrigger } from './definition/workflow-types.ts';
import { RunEngine, type Run } from './runs/run-engine.ts';
import { secretMigrations, WorkflowSecrets } from './secrets/workflow-secrets.ts';

const execFileAsync = promisify(execFile);

export interface WorkflowServiceOptions {
  store: Store;
  iam: Iam;
  box: SecretBox;
  source: SourceService;
  /** Runs keep work directories, artifacts, caches and logs under `<dataDir>/workflows`. */
  dataDir: string;
  /** Gantry's base URL: `AWS_ENDPOINT_URL` of actions with connection credentials. */
  publicUrl: () => string;
  /** Environment every action starts from (PATH with Gantry's tools, npm settings). */
  baseEnvironment?: Record<string, string>;
  /** Where action steps run: the server's build sandbox. Without one they run as the server's own user. */
  sandbox?: BuildSandbox;
  /** @default Date.now */
  now?: () => number;
}

export interface StartManualRunArgs {
  space: string;
  project: string;
  workflowName: string;
  /** @default the only repository of the project that has the workflow */
  repository?: string;
  /** @default 'main' */
  branch?: string;
}

/**
 * The workflow service: workflow definitions read from the projects' repositories, the triggers that start
 * runs (push, schedule, by hand), account connections and secrets, and the run engine executing them.
 */
export class WorkflowService {
  readonly migrations: readonly Migration[] = [...connectionMigrations, ...secretMigrations, ...catalogMigrations, ...RunEngine.migrations];
  readonly catalog: WorkflowCatalog;
  readonly connections: AccountConnections;
  readonly secrets: WorkflowSecrets;
  readonly engine: RunEngine;
  readonly restService: RestJsonService;
  private readonly now: () => number;
  private scheduleTimer?: NodeJS.Timeout;
  private pending = new Set<Promise<unknown>>();

  constructor(private readonly options: WorkflowServiceOptions) {
    const db = options.store.db;
    this.now = options.now ?? Date.now;
    this.catalog = new WorkflowCatalog(db, this.now);
    this.connections = new AccountConnections(db as ConnectionDb, options.iam, this.now);
    this.secrets = new WorkflowSecrets(db, options.box, this.now);
    const root = join(options.dataDir, 'workflows');
    this.engine = new RunEngine({
      store: options.store,
      workRoot: join(root, 'work'),
      artifactRoot: join(root, 'artifacts'),
      cacheRoot: join(root, 'caches'),
      logRoot: join(root, 'logs'),
      baseEnvironment: options.baseEnvironment,
      sandbox: options.sandbox,
      spaceAccount: async (space) => (await options.source.listSpaces()).find((s) => s.name === space)?.account,
      checkout: (args) => this.checkout(args),
      assumeConnectionRole: async (args) => {
        const session = `${args.actionName}-${args.runId.slice(0, 8)}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
        return this.connections.credentialsFor({ space: args.space, project: args.project, connection: args.connection, role: args.role, sessionName: session });
      },
      // Read when an action starts: the server's URL is only known once it listens.
      get awsEndpointUrl() { return options.publicUrl(); },
      getSecret: ({ space, project, name }) => this.secrets.value(space, project, name),
      now: this.now,
    });
    this.restService = workflowsRestService(this, options.iam, options.source);
  }

  /** After migrations: loads secrets, resumes runs, starts the schedule clock. */
  async start(): Promise<void> {
    await this.secrets.load();
    await this.engine.start();
    this.scheduleNextTick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.scheduleTimer);
    await Promise.allSettled([...this.pending]);
    await this.engine.close();
  }

  /**
   * A push to a project's repository: refreshes the branch's workflows when their files changed (or the branch
   * is new) and starts a run of every valid workflow whose PUSH trigger matches the branch and changed files.
   */
  onPush(push: PushEvent): Promise<Run[]> {
    return this.track(this.handlePush(push));
  }

  /** Starts the schedule triggers due at `minute` (a minute boundary, UTC). Called by the clock every minute. */
  async runSchedules(minute: Date): Promise<Run[]> {
    const started: Run[] = [];
    for (const definition of await this.catalog.scheduled()) {
      const due = definition.workflow!.triggers.filter((t): t is ScheduleTrigger => t.type === 'SCHEDULE' && isDue(t.expression, minute)
        && scheduledBranches(t, [definition.branch]).length > 0);
      if (due.length === 0) continue;
      const gitDir = await this.gitDirOf(definition);
      const head = gitDir && (await branchHead(gitDir, definition.branch));
      if (!head) continue;
      started.push(await this.engine.startRun(definition.workflow!, { ...runScope(definition), commitId: head, trigger: 'SCHEDULE' }));
    }
    return started;
  }

  /** Starts a run by hand on the head of a branch. INVALID workflows are refused with their errors. */
  async startManualRun(args: StartManualRunArgs): Promise<Run> {
    const branch = args.branch ?? 'main';
    const found = await this.catalog.list({ space: args.space, project: args.project, name: args.workflowName, branch, ...(args.repository ? { repository: args.repository } : {}) });
    if (found.length === 0) throw new GantryError('NotFound', `Project ${args.space}/${args.project} has no workflow named ${args.workflowName} on branch ${branch}${args.repository ? ` of ${args.repository}` : ''}: workflows are the files in .codecatalyst/workflows/ of the branch.`);
    if (found.length > 1) throw new GantryError('ValidationError', `Workflow ${args.workflowName} exists in several repositories of the project (${found.map((d) => d.repository).join(', ')}): name the repository.`);
    const definition = found[0]!;
    if (definition.status !== 'ACTIVE') {
      throw new GantryError('ValidationError', `Workflow ${args.workflowName} (${definition.path} on ${branch}) is INVALID and cannot run: ${definition.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`).join('; ')}`);
    }
    const gitDir = await this.gitDirOf(definition);
    const head = gitDir && (await branchHead(gitDir, branch));
    if (!head) throw new GantryError('NotFound', `Branch ${branch} of ${definition.repository} has no commits.`);
    return this.engine.startRun(definition.workflow!, { ...runScope(definition), commitId: head, trigger: 'MANUAL' });
  }

  private async handlePush(push: PushEvent): Promise<Run[]> {
    const ref = { space: push.repository.space, project: push.repository.project, repository: push.repository.name };
    if (/^0+$/.test(push.after)) {
      const dropped = await this.catalog.dropBranch(ref, push.branch);
      await this.cancelRunsOf(dropped, `Branch ${push.branch} was deleted`);
      return [];
    }
    if (!(await this.runsInItsSpace(push.repository))) return [];
    const isNewBranch = /^0+$/.test(push.before);
    const known = await this.catalog.listBranch(ref, push.branch);
    let definitions = known;
    if (isNewBranch || known.length === 0 || push.changedFiles.some(isWorkflowFile)) {
      const gitDir = this.options.source.gitDir({ space: ref.space, project: ref.project, name: ref.repository });
      const synced = await this.catalog.syncBranch(ref, gitDir, push.branch, push.after);
      definitions = synced.definitions;
      await this.cancelRunsOf(synced.removed, `Its workflow file ${synced.removed.map((d) => d.path).join(', ')} was deleted`);
    }
    const runs: Run[] = [];
    const event = { branch: push.branch, ...(isNewBranch ? {} : { changedFiles: push.changedFiles }) };
    for (const definition of definitions) {
      if (definition.status !== 'ACTIVE' || pushTriggersMatching(definition.workflow!.triggers, event).length === 0) continue;
      runs.push(await this.engine.startRun(definition.workflow!, { ...runScope(definition), commitId: push.after, trigger: 'PUSH' }));
    }
    return runs;
  }

  /**
   * A run acts for the space's owner account: its connections, their roles and the space's secrets. So only
   * that account's repositories run workflows there. The shared `default` space also holds other accounts'
   * repositories; their workflow files are code of another account and start nothing (such an account uses a
   * space of its own).
   */
  private async runsInItsSpace(repository: { space: string; account: string; name: string }): Promise<boolean> {
    const space = (await this.options.source.listSpaces()).find((s) => s.name === repository.space);
    if (space?.account === repository.account) return true;
    console.warn(`workflows: pushes to ${repository.space}/${repository.name} (account ${repository.account}) start no runs: space ${repository.space} belongs to another account, whose connections and secrets its runs would use.`);
    return false;
  }

  private async cancelRunsOf(definitions: WorkflowDefinition[], reason: string): Promise<void> {
    for (const d of definitions) {
      await this.engine.cancelRuns({ space: d.space, project: d.project, workflowName: d.name }, reason);
    }
  }

  private async checkout(args: { space: string; project: string; repository: string; commitId: string; dir: string }): Promise<void> {
    // As a git fetch by the space's owner account would be: a repository policy's Deny holds here too.
    const repository = await this.options.source.getRepository(args.space, args.project, args.repository);
    const owner = (await this.options.source.listSpaces()).find((s) => s.name === args.space)?.account;
    if (!repository || !owner || !(await this.options.source.mayPull(repository, { account: owner })))
      throw new GantryError('AccessDenied', `Repository ${args.space}/${args.project}/${args.repository} not found, or account ${owner ?? '(none)'} is not authorized to perform: codecommit:GitPull on it.`);
    const gitDir = this.options.source.gitDir(repository);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: args.dir, GIT_CONFIG_NOSYSTEM: '1' };
    await execFileAsync('git', ['clone', '-q', '--no-checkout', gitDir, '.'], { cwd: args.dir, env });
    await execFileAsync('git', ['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', args.commitId], { cwd: args.dir, env });
  }

  private async gitDirOf(d: { space: string; project: string; repository: string }): Promise<string | undefined> {
    const repository = await this.options.source.getRepository(d.space, d.project, d.repository);
    return repository && this.options.source.gitDir(repository);
  }

  private scheduleNextTick(): void {
    const now = this.now();
    const next = Math.floor(now / 60_000) * 60_000 + 60_000;
    this.scheduleTimer = setTimeout(() => {
      void this.track(this.runSchedules(new Date(next))).catch((error) => console.error('workflow schedules failed:', error));
      this.scheduleNextTick();
    }, next - now);
    this.scheduleTimer.unref();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => {});
    return work;
  }
}

const runScope = (d: WorkflowDefinition) => ({ space: d.space, project: d.project, repository: d.repository, branch: d.branch });

/** Whether a cron expression names the minute starting at `minute`. */
function isDue(expression: string, minute: Date): boolean {
  return nextScheduleTime(expression, new Date(minute.getTime() - 60_000))?.getTime() === minute.getTime();
}
