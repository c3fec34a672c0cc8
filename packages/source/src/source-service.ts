import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { EventBus } from '@gantry/core';
import type { Route, RestJsonService } from '@gantry/edge';
import type { Iam } from '@gantry/iam';
import type { Migration, Store } from '@gantry/store';
import { commitFiles, type CommitFilesArgs, type CommitFilesResult } from './commit-files.ts';
import { DEFAULT_GIT_HTTP_LIMITS, gitRoute, type GitHttpLimits, type SourceEvents } from './git-http/git-route.ts';
import {
  createRepository, deleteRepository, ensureProject, ensureSpaceRecord, findRepository, gitDirOf, listProjects, listRepositories, listSpaces,
  type CreateRepositoryArgs, type Repository, type RepositoryFilter,
} from './repositories.ts';
import { mayPull, pullAccess, setRepositoryPolicy, type Puller, type PullAccess } from './repository-access.ts';
import { sourceRestService } from './source-api.ts';
import type { SourceContext } from './source-context.ts';
import { sourceMigrations, type SourceTables } from './source-tables.ts';

export interface SourceServiceOptions {
  store: Store;
  iam: Iam;
  /** Gantry's data directory; repositories live under `<dataDir>/git`. */
  dataDir: string;
  /**
   * Base URL clone URLs are built from. A function when the port is only known after listening.
   * @example 'http://127.0.0.1:4750'
   * @example () => server.url
   */
  publicUrl: string | (() => string);
  /** @default 'git' (from PATH; git 2.28 or later) */
  gitBinary?: string;
  /** Size and time limits of git requests. @default DEFAULT_GIT_HTTP_LIMITS (512 MiB, 10 minutes) */
  limits?: Partial<GitHttpLimits>;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface SourceService {
  /** Run with the store's other migrations before serving: `store.migrate([...Iam.migrations, ...source.migrations])`. */
  migrations: readonly Migration[];
  /** git smart HTTP under `/git/`: add to the edge's routes. */
  route: Route;
  /** The repository API (`POST`/`GET /_gantry/repos`): `restJsonRoute(iam, source.restService)`. */
  restService: RestJsonService;
  /** `push` after every push, one event per updated branch (see PushEvent). */
  events: EventBus<SourceEvents>;
  createRepository(args: CreateRepositoryArgs): Promise<Repository>;
  /** The repository at `space/project/name` (ignoring case), as its clone URL names it. */
  getRepository(space: string, project: string, name: string): Promise<Repository | undefined>;
  listRepositories(filter?: RepositoryFilter): Promise<Repository[]>;
  deleteRepository(repo: Pick<Repository, 'space' | 'project' | 'name'>): Promise<void>;
  /** Creates the space (owned by `account`) when missing; an existing space keeps its owner, which the result names. */
  ensureSpace(args: { space: string; account: string }): Promise<{ name: string; account: string; createdAt: Date }>;
  /** Creates the space and project when missing (the workflows service keeps its definitions per project). */
  ensureProject(args: { space?: string; project?: string; account: string }): Promise<{ space: string; project: string }>;
  listSpaces(): ReturnType<typeof listSpaces>;
  listProjects(space: string): ReturnType<typeof listProjects>;
  /**
   * The repository behind one of this server's clone URLs and its directory, for a checkout on `puller`'s
   * behalf: allowed exactly when a `git fetch` by the puller would be (`codecommit:GitPull`, the repository's
   * policy deciding for other accounts); otherwise the reason, the same whether the repository is missing or refused.
   */
  pullAccess(cloneUrl: string, puller: Puller): Promise<PullAccess>;
  /** Whether `puller` may fetch the repository (see pullAccess). */
  mayPull(repo: Repository, puller: Puller): Promise<boolean>;
  /** Validates and stores the repository's resource-based policy (`null` removes it). The caller authorises. */
  setRepositoryPolicy(repo: Repository, policy: string | null): Promise<Repository>;
  /** The bare repository's directory, for in-process readers (e.g. `git clone --bare <gitDir>` in a build). */
  gitDir(repo: Pick<Repository, 'space' | 'project' | 'name'>): string;
  /**
   * Commits files to a branch on the server (saving a workflow from the API or console): one commit on top
   * of the branch's head, moved only if nobody pushed in between (`Conflict` otherwise), followed by the
   * same `push` event a `git push` emits. The caller authorises the pusher (`codecommit:GitPush`) first.
   */
  commitFiles(args: CommitFilesArgs): Promise<CommitFilesResult>;
}

/**
 * The source service: hosted git repositories in spaces and projects, served over git's smart HTTP with
 * IAM-authorised access, and a `push` event per updated branch for hosting and workflows to react to.
 */
export function createSourceService(options: SourceServiceOptions): SourceService {
  const publicUrl = options.publicUrl;
  const ctx: SourceContext = {
    db: options.store.db as Kysely<SourceTables>,
    iam: options.iam,
    gitRoot: join(resolve(options.dataDir), 'git'),
    publicUrl: () => (typeof publicUrl === 'function' ? publicUrl() : publicUrl).replace(/\/+$/, ''),
    gitBinary: options.gitBinary ?? 'git',
    now: options.now ?? (() => new Date()),
  };
  const events = new EventBus<SourceEvents>();
  return {
    migrations: sourceMigrations,
    route: gitRoute(ctx, events, { ...DEFAULT_GIT_HTTP_LIMITS, ...options.limits }),
    restService: sourceRestService(ctx),
    events,
    createRepository: (args) => createRepository(ctx, args),
    getRepository: (space, project, name) => findRepository(ctx, space, project, name),
    listRepositories: (filter) => listRepositories(ctx, filter),
    deleteRepository: (repo) => deleteRepository(ctx, repo),
    ensureSpace: (args) => ensureSpaceRecord(ctx, args.space, args.account),
    ensureProject: (args) => ensureProject(ctx, args),
    listSpaces: () => listSpaces(ctx),
    listProjects: (space) => listProjects(ctx, space),
    pullAccess: (cloneUrl, puller) => pullAccess(ctx, cloneUrl, puller),
    mayPull: (repo, puller) => mayPull(ctx, repo, puller),
    setRepositoryPolicy: (repo, policy) => setRepositoryPolicy(ctx, repo, policy),
    gitDir: (repo) => gitDirOf(ctx, repo),
    commitFiles: (args) => commitFiles(ctx, events, args),
  };
}
