import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GantryError, type EventBus } from '@gantry/core';
import { runGit } from './git-command.ts';
import type { SourceEvents } from './git-http/git-route.ts';
import { pushEvents, ZERO_ID } from './push-event.ts';
import { findRepository, gitDirOf, type Repository } from './repositories.ts';
import type { SourceContext } from './source-context.ts';

/** A file to write (created or replaced) by a commit. */
export interface FileWrite {
  /** Relative to the repository root, `/`-separated. @example '.codecatalyst/workflows/deploy.yaml' */
  path: string;
  /** The file's bytes; a string is written as UTF-8. */
  content: string | Buffer;
  /** Mode 100755 instead of 100644. @default false */
  executable?: boolean;
}

/** A file to remove by a commit; it must exist on the branch. */
export interface FileDeletion {
  path: string;
  delete: true;
}

export interface CommitFilesArgs {
  repository: Pick<Repository, 'space' | 'project' | 'name'>;
  /** Branch name without `refs/heads/`; created when missing. @example 'main' */
  branch: string;
  /** The changes, applied on top of the branch's head (or on nothing for a new branch). */
  files: Array<FileWrite | FileDeletion>;
  message: string;
  /** Author and committer of the commit. */
  author: { name: string; email: string };
  /**
   * The commit the caller last saw on the branch: the commit is refused with `Conflict` when the branch
   * points elsewhere. `ZERO_ID` requires the branch not to exist yet. Without it, the commit goes on top of
   * whatever the branch points at when it is read (still refused if the branch moves before the update).
   */
  expectedHead?: string;
  /** ARN of the principal the push event names (user or assumed-role session), or a service principal name. */
  pusher: string;
}

export interface CommitFilesResult {
  /** The new commit; equal to `before` when the changes left the tree as it was (no commit is made then). */
  commitId: string;
  /** What the branch pointed at before; `ZERO_ID` for a new branch. */
  before: string;
}

const OBJECT_ID = /^[0-9a-f]{40}$/;
const MAX_PATH = 4096;

/**
 * Commits `files` to `branch` of a hosted repository without a working copy: blobs are written with
 * `hash-object`, a temporary index seeded from the branch's head is edited and turned into a tree, and the
 * branch is moved with `update-ref <new> <old>`, a compare-and-swap, so a push that lands in between makes
 * this commit fail with `Conflict` instead of being overwritten. Listeners then get the same `push` event a
 * `git push` gives. Callers authorise the change (`codecommit:GitPush`) before calling.
 */
export async function commitFiles(ctx: SourceContext, events: EventBus<SourceEvents>, args: CommitFilesArgs): Promise<CommitFilesResult> {
  validateArgs(args);
  const repo = await findRepository(ctx, args.repository.space, args.repository.project, args.repository.name);
  if (!repo) throw new GantryError('NotFound', `Repository ${args.repository.space}/${args.repository.project}/${args.repository.name} not found: create it before committing to it.`);
  const gitDir = gitDirOf(ctx, repo);
  const git = (gitArgs: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}) =>
    runGit(ctx.gitBinary, ['--git-dir', gitDir, ...gitArgs], options).then((r) => r.stdout.toString('utf8').trim());
  const ref = `refs/heads/${args.branch}`;
  try {
    await git(['check-ref-format', ref]);
  } catch {
    throw new GantryError('ValidationError', `'${args.branch}' is not a valid branch name (see git check-ref-format): no spaces, '..', '~', '^', ':', '?', '*', '[' or '\\', and no segment starting with '.'.`);
  }

  const current = await branchHead(git, ref);
  const head = current?.commit;
  const before = head ?? ZERO_ID;
  if (args.expectedHead !== undefined && args.expectedHead !== before)
    throw conflict(repo, args.branch, `it points at ${head ?? 'nothing (the branch does not exist)'}, not at the expected ${args.expectedHead}`);
  await requireFitsTree(git, head, args);

  const scratch = await mkdtemp(join(tmpdir(), 'gantry-commit-'));
  try {
    const index = { GIT_INDEX_FILE: join(scratch, 'index') };
    if (head) await git(['read-tree', head], { env: index });
    let entries = '';
    for (const file of args.files) {
      if ('delete' in file) {
        entries += `0 ${ZERO_ID}\t${file.path}\0`;
      } else {
        const blob = await git(['hash-object', '-w', '--stdin'], { input: file.content });
        entries += `${file.executable ? '100755' : '100644'} ${blob}\t${file.path}\0`;
      }
    }
    // `--index-info` takes every change in one process (mode 0 removes the path); requireFitsTree made sure
    // it has no file or directory in the way to replace.
    await git(['update-index', '-z', '--index-info'], { input: entries, env: index });
    const tree = await git(['write-tree'], { env: index });
    if (head && tree === current?.tree) return { commitId: head, before };

    const date = `${Math.floor(ctx.now().getTime() / 1000)} +0000`;
    const identity = {
      GIT_AUTHOR_NAME: args.author.name, GIT_AUTHOR_EMAIL: args.author.email, GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: args.author.name, GIT_COMMITTER_EMAIL: args.author.email, GIT_COMMITTER_DATE: date,
    };
    const commitId = await git(['commit-tree', tree, ...(head ? ['-p', head] : []), '-F', '-'], { input: args.message, env: identity });
    try {
      await git(['update-ref', '-m', `commit by ${args.pusher}`, ref, commitId, before]);
    } catch (error) {
      const now = (await branchHead(git, ref))?.commit;
      if (now !== head) throw conflict(repo, args.branch, `it moved from ${head ?? 'nothing'} to ${now ?? 'nothing (deleted)'} while the commit was being made`);
      throw error;
    }
    await emitPush(ctx, events, repo, gitDir, { ref, oldId: before, newId: commitId }, args.pusher);
    return { commitId, before };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The commit `ref` points at and its tree, or undefined when the branch does not exist. */
async function branchHead(git: (args: string[]) => Promise<string>, ref: string): Promise<{ commit: string; tree: string } | undefined> {
  // for-each-ref also lists refs below `ref/` when given `ref`: only the exact name counts.
  const out = await git(['for-each-ref', '--format=%(objectname) %(tree) %(refname)', ref]);
  for (const line of out.split('\n')) {
    const [commit, tree, name] = line.split(' ');
    if (name === ref && commit && tree) return { commit, tree };
  }
  return undefined;
}

/**
 * Checks the changes against the tree of the branch's head (or against each other for a new branch) before
 * anything is written: a deleted path must be a file there, and a written path must not turn a file into a
 * directory or the other way round unless the commit deletes the file too. git's `--index-info` would
 * silently drop the file in the way instead.
 */
async function requireFitsTree(git: (args: string[], o?: { input?: string }) => Promise<string>, head: string | undefined, args: CommitFilesArgs): Promise<void> {
  const deleted = new Set(args.files.filter((f) => 'delete' in f).map((f) => f.path));
  const written = args.files.filter((f) => !('delete' in f)).map((f) => f.path);
  const writtenSet = new Set(written);
  for (const path of written) {
    const parent = prefixesOf(path).find((p) => writtenSet.has(p));
    if (parent) throw new GantryError('ValidationError', `Cannot write both ${parent} and ${path}: ${parent} would have to be a file and a directory.`);
  }
  if (!head) {
    const first = deleted.values().next().value;
    if (first !== undefined) throw new GantryError('ValidationError', `Cannot delete ${first}: branch ${args.branch} does not exist yet.`);
    return;
  }
  const queries = [...new Set([...deleted, ...written, ...written.flatMap(prefixesOf)])];
  const answers = (await git(['cat-file', '--batch-check=%(objecttype)'], { input: queries.map((q) => `${head}:${q}\n`).join('') })).split('\n');
  const typeOf = new Map(queries.map((q, i) => [q, answers[i]?.trim().endsWith('missing') ? 'missing' : answers[i]?.trim()]));
  for (const path of deleted) {
    const type = typeOf.get(path);
    if (type === 'tree') throw new GantryError('ValidationError', `Cannot delete ${path} on ${args.branch}: it is a directory; delete the files in it one by one.`);
    if (type !== 'blob') throw new GantryError('ValidationError', `Cannot delete ${path}: there is no such file on ${args.branch} (at ${head}).`);
  }
  for (const path of written) {
    if (typeOf.get(path) === 'tree') throw new GantryError('ValidationError', `Cannot write ${path} on ${args.branch}: it is a directory there.`);
    const file = prefixesOf(path).find((p) => typeOf.get(p) === 'blob' && !deleted.has(p));
    if (file) throw new GantryError('ValidationError', `Cannot write ${path} on ${args.branch}: ${file} is a file there. Delete ${file} in the same commit to replace it with a directory.`);
  }
}

/** `a/b/c` → `['a', 'a/b']`. */
const prefixesOf = (path: string): string[] => path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'));

async function emitPush(ctx: SourceContext, events: EventBus<SourceEvents>, repo: Repository, gitDir: string, update: { ref: string; oldId: string; newId: string }, pusher: string): Promise<void> {
  const list = await pushEvents({
    gitBinary: ctx.gitBinary, gitDir, applied: [update], pusher, at: ctx.now(),
    repository: { space: repo.space, project: repo.project, name: repo.name, account: repo.account, arn: repo.arn, cloneUrl: repo.cloneUrl },
  });
  for (const event of list) await events.emit('push', event);
}

const conflict = (repo: Repository, branch: string, why: string) =>
  new GantryError('Conflict', `Branch ${branch} of ${repo.space}/${repo.project}/${repo.name} changed: ${why}. Nothing was committed; read the branch again and reapply the changes.`);

function validateArgs(args: CommitFilesArgs): void {
  if (typeof args.branch !== 'string' || args.branch.length === 0 || args.branch.startsWith('-') || args.branch.startsWith('refs/'))
    throw new GantryError('ValidationError', `'${String(args.branch)}' is not a branch name: give the name without refs/heads/, e.g. 'main'.`);
  if (!Array.isArray(args.files) || args.files.length === 0) throw new GantryError('ValidationError', 'A commit needs at least one file to write or delete.');
  const seen = new Set<string>();
  for (const file of args.files) {
    const problem = pathProblem(file?.path);
    if (problem) throw new GantryError('ValidationError', `The path '${String(file?.path)}' cannot be committed: ${problem}.`);
    if (seen.has(file.path)) throw new GantryError('ValidationError', `The path ${file.path} appears twice in one commit: give each file once.`);
    seen.add(file.path);
    if (!('delete' in file) && typeof file.content !== 'string' && !Buffer.isBuffer(file.content))
      throw new GantryError('ValidationError', `The file ${file.path} needs content (a string or a Buffer), or delete: true.`);
    if ('delete' in file && file.delete !== true) throw new GantryError('ValidationError', `The file ${file.path} has delete set to something other than true.`);
  }
  if (typeof args.message !== 'string' || args.message.trim().length === 0) throw new GantryError('ValidationError', 'A commit needs a message.');
  for (const [field, value] of Object.entries({ name: args.author?.name, email: args.author?.email })) {
    // git refuses these characters in identities, and an empty name makes commit-tree fall back to the host's user.
    if (typeof value !== 'string' || value.trim().length === 0 || /[<>\n\0]/.test(value))
      throw new GantryError('ValidationError', `The author ${field} '${String(value)}' is not valid: it is required and must not contain '<', '>' or line breaks.`);
  }
  if (args.expectedHead !== undefined && !OBJECT_ID.test(args.expectedHead))
    throw new GantryError('ValidationError', `expectedHead '${args.expectedHead}' is not a commit id: give the 40-character id the branch is expected at, or ${ZERO_ID} for a new branch.`);
  if (typeof args.pusher !== 'string' || args.pusher.length === 0) throw new GantryError('ValidationError', 'pusher (the ARN of the principal making the commit) is required.');
}

/** Why `path` is not a safe path inside a repository, or undefined when it is. */
export function pathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'a path is required';
  if (path.length > MAX_PATH) return `it is longer than ${MAX_PATH} characters`;
  if (path.startsWith('/')) return 'it is absolute; give it relative to the repository root';
  if (/[\0\\\n\r]/.test(path)) return 'it contains a NUL, a backslash or a line break';
  for (const segment of path.split('/')) {
    if (segment === '') return 'it has an empty segment (a doubled or trailing \'/\')';
    if (segment === '.' || segment === '..') return `it contains a '${segment}' segment`;
    // git itself refuses `.git` in any case (and its NTFS/HFS aliases) as a path component when checking out.
    if (segment.toLowerCase().replace(/[.\s]+$/, '') === '.git' || segment.toLowerCase() === 'git~1') return 'it names a .git directory';
  }
  return undefined;
}
