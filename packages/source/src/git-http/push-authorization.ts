import type { ServerResponse } from 'node:http';
import { accessDenied, type AccessRequest, type ContextKeys, type Iam, type Principal } from '@gantry/iam';
import { repositoryPolicyOf, type Repository } from '../repositories.ts';
import type { ReceiveCommands } from './receive-commands.ts';
import { rejectionReport, wantsReport } from './report-status.ts';

export const GIT_PULL = 'codecommit:GitPull';
export const GIT_PUSH = 'codecommit:GitPush';

/**
 * Authorises each ref of a push on its own, as CodeCommit does: `codecommit:GitPush` with the condition key
 * `codecommit:References` set to the full ref name, so the policies AWS documents for protecting branches
 * work verbatim (Deny GitPush with `StringEqualsIfExists {codecommit:References: [refs/heads/main]}` and
 * `Null {codecommit:References: false}`). Returns the denied refs with the reason.
 */
export async function deniedRefs(iam: Iam, principal: Principal, repo: Repository, commands: ReceiveCommands, context: ContextKeys): Promise<Map<string, string>> {
  const denied = new Map<string, string>();
  for (const ref of new Set(commands.updates.map((u) => u.ref))) {
    const request: AccessRequest = {
      principal, action: GIT_PUSH, resource: repo.arn, resourceAccount: repo.account, resourcePolicy: repositoryPolicyOf(repo),
      context: { ...context, 'codecommit:References': ref },
    };
    const result = await iam.authorizer.check(request);
    if (result.decision !== 'Allow') denied.set(ref, accessDenied(request, result).message);
  }
  return denied;
}

/**
 * Refuses a push some of whose refs are denied, without running git: the whole push is refused (git's
 * pushes are all-or-nothing from the user's point of view here), the pack is read and discarded so the
 * client can read the answer, and the answer is a receive-pack report so git names each refused ref and
 * why. A client that asked for no report gets a plain 403.
 */
export async function refusePush(res: ServerResponse, rest: AsyncIterator<Buffer>, commands: ReceiveCommands, denied: Map<string, string>): Promise<boolean> {
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    // discarded: nothing of a refused push is stored
  }
  if (!wantsReport(commands.capabilities)) return false;
  const [ref, reason] = denied.entries().next().value as [string, string];
  const body = rejectionReport(commands.updates, commands.capabilities, denied, `Gantry: push refused (${ref}): ${reason}`);
  res.writeHead(200, { 'content-type': 'application/x-git-receive-pack-result', 'content-length': body.length, 'cache-control': 'no-cache' });
  res.end(body);
  return true;
}
