import { runGit, splitNul } from './git-command.ts';
import { isZeroId, type RefUpdate } from './git-http/receive-commands.ts';

/** The repository a push went to, as push events describe it. */
export interface PushedRepository {
  space: string;
  project: string;
  name: string;
  /** The owning account. */
  account: string;
  arn: string;
  cloneUrl: string;
}

/**
 * One branch changed by a push, emitted as `push` on the source service's event bus after the push was
 * answered. A push of several branches emits one event per branch, in the order the client sent them; tags
 * emit none.
 */
export interface PushEvent {
  repository: PushedRepository;
  /** Branch name without `refs/heads/`. @example 'main' */
  branch: string;
  /** Full ref name. @example 'refs/heads/main' */
  ref: string;
  /** The commit the branch pointed at before; 40 zeros for a new branch. */
  before: string;
  /** The commit it points at now; 40 zeros when the push deleted the branch. */
  after: string;
  /**
   * Paths that differ between `before` and `after` (`git diff --name-only --no-renames`, so a rename lists
   * both paths); every file of `after` for a new branch; empty for a deleted one.
   */
  changedFiles: string[];
  /** ARN of the principal that pushed (user or assumed-role session). */
  pusher: string;
  /** When the push completed (ISO-8601). */
  at: string;
}

export const ZERO_ID = '0'.repeat(40);
const BRANCH_PREFIX = 'refs/heads/';

/** The push events for the updates that git applied. */
export async function pushEvents(args: {
  gitBinary: string; gitDir: string; repository: PushedRepository; applied: RefUpdate[]; pusher: string; at: Date;
}): Promise<PushEvent[]> {
  const events: PushEvent[] = [];
  for (const update of args.applied) {
    if (!update.ref.startsWith(BRANCH_PREFIX)) continue;
    events.push({
      repository: args.repository,
      branch: update.ref.slice(BRANCH_PREFIX.length),
      ref: update.ref,
      before: update.oldId,
      after: update.newId,
      changedFiles: await changedFiles(args.gitBinary, args.gitDir, update),
      pusher: args.pusher,
      at: args.at.toISOString(),
    });
  }
  return events;
}

async function changedFiles(gitBinary: string, gitDir: string, update: RefUpdate): Promise<string[]> {
  if (isZeroId(update.newId)) return [];
  const args = isZeroId(update.oldId)
    ? ['ls-tree', '-r', '--name-only', '-z', update.newId]
    : ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', update.oldId, update.newId, '--'];
  try {
    return splitNul((await runGit(gitBinary, ['--git-dir', gitDir, ...args])).stdout);
  } catch (error) {
    // The event still tells what moved; the file list is then empty and the failure is in the log.
    console.error(`source: could not list the files changed by ${update.ref} ${update.oldId}..${update.newId} in ${gitDir}:`, error);
    return [];
  }
}
