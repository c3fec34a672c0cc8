import type { ContextKeys, Principal } from '@gantry/iam';

/**
 * How hosting reaches the git repositories apps connect to (the source service, wired by the server). Every
 * use is authorised as a `git fetch` by the same party would be: the caller at CreateApp/UpdateApp, the app's
 * account when a build checks the repository out or a push would start one.
 */
export interface RepositoryAccess {
  /** The bare repository behind a clone URL if `puller` may pull it; otherwise why not (missing and refused read alike). */
  pullAccess(cloneUrl: string, puller: { principal: Principal; context?: ContextKeys } | { account: string }): Promise<{ gitDir: string } | { refused: string }>;
}
