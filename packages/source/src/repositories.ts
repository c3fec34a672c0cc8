import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GantryError } from '@gantry/core';
import { sourced } from '@gantry/iam';
import { isUniqueViolation } from '@gantry/store';
import { runGit } from './git-command.ts';
import { nameKey, requireValidName } from './names.ts';
import type { SourceContext } from './source-context.ts';
import type { SourceTables } from './source-tables.ts';

/** A hosted git repository. */
export interface Repository {
  space: string;
  project: string;
  name: string;
  /** The account that owns the repository (12 digits): the account of its ARN. */
  account: string;
  /** The region of its ARN: the owner account's first region when the repository was created. */
  region: string;
  /** `arn:aws:codecommit:<region>:<account>:<name>`, what IAM policies name (`codecommit:GitPull`, `codecommit:GitPush`). */
  arn: string;
  /**
   * `<publicUrl>/git/<space>/<project>/<name>`; a `.git` suffix on the last segment is accepted too.
   * @example 'http://127.0.0.1:4750/git/default/default/my-app'
   */
  cloneUrl: string;
  createdAt: Date;
  /** Its resource-based policy (JSON as written), which may grant other accounts `codecommit:GitPull`; null when none. */
  policy: string | null;
}

export interface CreateRepositoryArgs {
  /** 1 to 100 letters, digits, `.`, `_` or `-`; not starting with `.`, no `..`, not ending in `.git`. */
  name: string;
  /** The space to create it in; created (owned by `account`) when missing. @default 'default' */
  space?: string;
  /** The project of the space to create it in; created when missing. @default 'default' */
  project?: string;
  /** The owning account (12-digit id). */
  account: string;
}

export const DEFAULT_SPACE = 'default';
export const DEFAULT_PROJECT = 'default';
/** The branch HEAD of a new repository points at. */
export const DEFAULT_BRANCH = 'main';

export const repositoryArn = (region: string, account: string, name: string): string => `arn:aws:codecommit:${region}:${account}:${name}`;

/** The bare repository's directory: `<dataDir>/git/<space>/<project>/<name>.git`. */
export const gitDirOf = (ctx: SourceContext, repo: Pick<Repository, 'space' | 'project' | 'name'>): string =>
  join(ctx.gitRoot, repo.space, repo.project, `${repo.name}.git`);

/** The repository's policy as IAM's evaluator takes it, when it has one. */
export const repositoryPolicyOf = (repo: Pick<Repository, 'arn' | 'policy'>) => (repo.policy ? sourced(`${repo.arn}/policy`, repo.policy) : undefined);

function toRepository(ctx: SourceContext, row: SourceTables['repositories']): Repository {
  return {
    space: row.space, project: row.project, name: row.name, account: row.account_id, region: row.region,
    arn: repositoryArn(row.region, row.account_id, row.name),
    cloneUrl: `${ctx.publicUrl()}/git/${row.space}/${row.project}/${row.name}`,
    createdAt: new Date(row.created_at),
    policy: row.policy ?? null,
  };
}

/** The space named `name` (any case), created and owned by `account` when missing. Returns its stored name. */
export async function ensureSpace(ctx: SourceContext, name: string, account: string): Promise<string> {
  requireValidName('space', name);
  await ctx.db.insertInto('spaces').values({ name, name_key: nameKey(name), account_id: account, created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.doNothing()).execute();
  const row = await ctx.db.selectFrom('spaces').select('name').where('name_key', '=', nameKey(name)).executeTakeFirstOrThrow();
  return row.name;
}

/** The space named `name` (any case), created and owned by `account` when missing; its owner is whoever created it first. */
export async function ensureSpaceRecord(ctx: SourceContext, name: string, account: string): Promise<{ name: string; account: string; createdAt: Date }> {
  const stored = await ensureSpace(ctx, name, account);
  const row = await ctx.db.selectFrom('spaces').selectAll().where('name', '=', stored).executeTakeFirstOrThrow();
  return { name: row.name, account: row.account_id, createdAt: new Date(row.created_at) };
}

/** The project `name` of `space` (any case), created when missing. Returns the stored names of both. */
export async function ensureProject(ctx: SourceContext, args: { space?: string; project?: string; account: string }): Promise<{ space: string; project: string }> {
  const space = await ensureSpace(ctx, args.space ?? DEFAULT_SPACE, args.account);
  const name = requireValidName('project', args.project ?? DEFAULT_PROJECT);
  await ctx.db.insertInto('projects').values({ space, name, name_key: nameKey(name), account_id: args.account, created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.doNothing()).execute();
  const row = await ctx.db.selectFrom('projects').select('name').where('space', '=', space).where('name_key', '=', nameKey(name)).executeTakeFirstOrThrow();
  return { space, project: row.name };
}

/**
 * A named space belongs to the account that created it (whoever created it first): only that account
 * creates repositories in it, so account B cannot put a repository (and its pushes, which trigger A's
 * workflows) inside A's space. The `default` space is the one shared by all accounts. A missing space is
 * created, owned by `account`.
 */
async function requireSpaceOwner(ctx: SourceContext, name: string, account: string): Promise<void> {
  if (nameKey(name) === nameKey(DEFAULT_SPACE)) return;
  const space = await ensureSpaceRecord(ctx, name, account);
  if (space.account !== account)
    throw new GantryError('AccessDenied', `Space ${space.name} belongs to another account: only its owner account creates repositories in it. Use credentials of the account that owns ${space.name}, or create the repository in a space of your own account (${account}).`);
}

/**
 * Creates a repository: its row first (so a concurrent create of the same name fails on the unique index),
 * then the bare repository on disk. A failure on disk removes the row again.
 */
export async function createRepository(ctx: SourceContext, args: CreateRepositoryArgs): Promise<Repository> {
  const name = requireValidName('repository', args.name);
  if (args.space !== undefined) requireValidName('space', args.space);
  if (args.project !== undefined) requireValidName('project', args.project);
  const account = await ctx.iam.getAccount(args.account);
  if (!account) throw new GantryError('NoSuchEntity', `The account ${args.account} does not exist.`);
  await requireSpaceOwner(ctx, args.space ?? DEFAULT_SPACE, account.id);
  const { space, project } = await ensureProject(ctx, { space: args.space, project: args.project, account: account.id });

  const row: SourceTables['repositories'] = {
    space, project, name, name_key: nameKey(name), account_id: account.id, region: account.defaultRegion,
    created_at: ctx.now().toISOString(), policy: null,
  };
  try {
    await ctx.db.insertInto('repositories').values(row).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const samePath = await findRepository(ctx, space, project, name);
    throw new GantryError('EntityAlreadyExists', samePath
      ? `A repository named ${samePath.name} already exists in ${space}/${project}. Choose another name, or use its clone URL ${samePath.cloneUrl}.`
      : `Account ${account.id} already owns a repository named ${name} (in another project). Repository names are unique per account, because the ARN arn:aws:codecommit:${row.region}:${account.id}:${name} names only the repository.`);
  }

  const repository = toRepository(ctx, row);
  try {
    await initBareRepository(ctx, gitDirOf(ctx, repository));
  } catch (error) {
    await ctx.db.deleteFrom('repositories').where('space', '=', space).where('project', '=', project).where('name_key', '=', row.name_key).execute();
    throw error;
  }
  return repository;
}

async function initBareRepository(ctx: SourceContext, dir: string): Promise<void> {
  // A directory left behind (a deleted row, a restored backup) is not silently adopted as the new repository.
  if (existsSync(dir)) throw new GantryError('Conflict', `The directory ${dir} already exists but belongs to no repository. Move it away, then create the repository again.`);
  await mkdir(join(dir, '..'), { recursive: true });
  try {
    await runGit(ctx.gitBinary, ['init', '--quiet', '--bare', `--initial-branch=${DEFAULT_BRANCH}`, dir]);
    // Check every pushed object: a broken or hostile pack is refused instead of stored.
    await runGit(ctx.gitBinary, ['config', 'receive.fsckObjects', 'true'], { cwd: dir });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof GantryError) throw error;
    throw new GantryError('InternalFailure', `Could not create the bare repository ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

/** The repository at `space/project/name`, matched ignoring case, as clone URLs name it. */
export async function findRepository(ctx: SourceContext, space: string, project: string, name: string): Promise<Repository | undefined> {
  const row = await ctx.db.selectFrom('repositories').selectAll('repositories')
    .innerJoin('spaces', 'spaces.name', 'repositories.space')
    .innerJoin('projects', (j) => j.onRef('projects.space', '=', 'repositories.space').onRef('projects.name', '=', 'repositories.project'))
    .where('spaces.name_key', '=', nameKey(space))
    .where('projects.name_key', '=', nameKey(project))
    .where('repositories.name_key', '=', nameKey(name))
    .executeTakeFirst();
  return row && toRepository(ctx, row);
}

export interface RepositoryFilter {
  account?: string;
  space?: string;
  project?: string;
}

export async function listRepositories(ctx: SourceContext, filter: RepositoryFilter = {}): Promise<Repository[]> {
  let query = ctx.db.selectFrom('repositories').selectAll();
  if (filter.account) query = query.where('account_id', '=', filter.account);
  if (filter.space) query = query.where('space', '=', filter.space);
  if (filter.project) query = query.where('project', '=', filter.project);
  const rows = await query.orderBy('space').orderBy('project').orderBy('name_key').execute();
  return rows.map((row) => toRepository(ctx, row));
}

/** Deletes the repository's row, then its directory (the row first: a half-deleted repository is unreachable). */
export async function deleteRepository(ctx: SourceContext, repo: Pick<Repository, 'space' | 'project' | 'name'>): Promise<void> {
  const result = await ctx.db.deleteFrom('repositories').where('space', '=', repo.space).where('project', '=', repo.project)
    .where('name_key', '=', nameKey(repo.name)).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new GantryError('NoSuchEntity', `There is no repository ${repo.space}/${repo.project}/${repo.name}.`);
  await rm(gitDirOf(ctx, repo), { recursive: true, force: true });
}

export async function listSpaces(ctx: SourceContext): Promise<Array<{ name: string; account: string; createdAt: Date }>> {
  const rows = await ctx.db.selectFrom('spaces').selectAll().orderBy('name_key').execute();
  return rows.map((r) => ({ name: r.name, account: r.account_id, createdAt: new Date(r.created_at) }));
}

export async function listProjects(ctx: SourceContext, space: string): Promise<Array<{ space: string; name: string; account: string; createdAt: Date }>> {
  const rows = await ctx.db.selectFrom('projects').innerJoin('spaces', 'spaces.name', 'projects.space')
    .selectAll('projects').where('spaces.name_key', '=', nameKey(space)).orderBy('projects.name_key').execute();
  return rows.map((r) => ({ space: r.space, name: r.name, account: r.account_id, createdAt: new Date(r.created_at) }));
}
