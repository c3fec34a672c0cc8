/**
 * Whether an event starts a run, by CodeCatalyst's rules:
 * - `Branches` and `FilesChanged` entries are regular expressions matched against the **whole** branch name or
 *   file path (CodeCatalyst's guide: `Branches: [main]` fires for "the main branch—and only the main branch";
 *   patterns such as `main.*` or `src\/.*` are how a prefix is written). Any entry matching is enough.
 * - An empty or absent `Branches` matches every branch; an empty or absent `FilesChanged` matches any change.
 * - `PUSH` and `SCHEDULE` match the branch pushed to / the branch to run; `PULLREQUEST` matches the pull
 *   request's destination branch (the run then uses the source branch's files).
 *
 * Regexes are JavaScript regular expressions without flags (the `u` flag would reject escapes such as `\-` that
 * real files use); `compileTriggerPattern` is what the parser checks them with.
 */
import type { PullRequestEvent, PullRequestTrigger, PushTrigger, ScheduleTrigger, WorkflowTrigger } from './workflow-types.ts';

const compiled = new Map<string, RegExp>();

/**
 * The whole-string regex for a `Branches`/`FilesChanged` entry.
 * @throws SyntaxError when the pattern is not a valid regular expression
 */
export function compileTriggerPattern(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/** Whether `name` matches one of `patterns`; an empty list matches everything. */
export function matchesAnyPattern(patterns: readonly string[], name: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => compileTriggerPattern(pattern).test(name));
}

/** Branch names are matched without `refs/heads/`. */
function shortBranch(branch: string): string {
  return branch.startsWith('refs/heads/') ? branch.slice('refs/heads/'.length) : branch;
}

function filesMatch(patterns: readonly string[], changedFiles: readonly string[] | undefined): boolean {
  if (patterns.length === 0 || changedFiles === undefined) return true;
  return changedFiles.some((file) => matchesAnyPattern(patterns, file.replace(/^\.?\//, '')));
}

export interface PushEvent {
  /** The branch pushed to (`main` or `refs/heads/main`). */
  branch: string;
  /**
   * Repository-relative paths changed by the push. `undefined` when unknown (a new branch): `FilesChanged` is then
   * not applied.
   */
  changedFiles?: readonly string[];
}

/**
 * Whether a push starts a run of a `PUSH` trigger.
 * @example matchesPush({ type: 'PUSH', branches: ['main'], filesChanged: [] }, { branch: 'main' }) // true
 */
export function matchesPush(trigger: PushTrigger, event: PushEvent): boolean {
  return matchesAnyPattern(trigger.branches, shortBranch(event.branch)) && filesMatch(trigger.filesChanged, event.changedFiles);
}

export interface PullRequestEventInfo {
  event: PullRequestEvent;
  /** The branch the pull request merges into. */
  destinationBranch: string;
  changedFiles?: readonly string[];
}

/** Whether a pull request event starts a run of a `PULLREQUEST` trigger. */
export function matchesPullRequest(trigger: PullRequestTrigger, info: PullRequestEventInfo): boolean {
  return (
    trigger.events.includes(info.event) &&
    matchesAnyPattern(trigger.branches, shortBranch(info.destinationBranch)) &&
    filesMatch(trigger.filesChanged, info.changedFiles)
  );
}

/** The branches a `SCHEDULE` trigger runs on, out of the repository's branches. */
export function scheduledBranches(trigger: ScheduleTrigger, branches: readonly string[]): string[] {
  return branches.map(shortBranch).filter((branch) => matchesAnyPattern(trigger.branches, branch));
}

/** The triggers of a workflow a push starts (usually zero or one). */
export function pushTriggersMatching(triggers: readonly WorkflowTrigger[], event: PushEvent): PushTrigger[] {
  return triggers.filter((t): t is PushTrigger => t.type === 'PUSH' && matchesPush(t, event));
}
