import { parsePolicyDocument, type ContextKeys, type Principal } from '@gantry/iam';
import { GIT_PULL } from './git-http/push-authorization.ts';
import { nameKey } from './names.ts';
import { findRepository, gitDirOf, repositoryPolicyOf, type Repository } from './repositories.ts';
import type { SourceContext } from './source-context.ts';

/** The largest repository policy accepted, in characters without white space (ECR's repository policy quota). */
const MAX_POLICY_SIZE = 10_240;

/**
 * Who reads a repository: a caller with its own credentials (a `git clone`, CreateApp), or an account as a
 * whole, when a service checks the repository out for it (a hosting build of the account's app).
 */
export type Puller = { principal: Principal; context?: ContextKeys } | { account: string };

/**
 * Whether `puller` may fetch the repository, decided exactly as a `git fetch` with its credentials is: the
 * owner account's principals by their identity policies, other accounts only when the repository's policy
 * grants them `codecommit:GitPull` and (for a principal) their own identity policies allow it too.
 */
export async function mayPull(ctx: SourceContext, repo: Repository, puller: Puller): Promise<boolean> {
  const request = { action: GIT_PULL, resource: repo.arn, resourceAccount: repo.account, resourcePolicy: repositoryPolicyOf(repo) };
  const result = 'account' in puller
    ? await ctx.iam.authorizer.checkAccount(puller.account, request)
    : await ctx.iam.authorizer.check({ ...request, principal: puller.principal, context: puller.context });
  return result.decision === 'Allow';
}

/** The repository one of this server's clone URLs (`<publicUrl>/git/<space>/<project>/<name>[.git]`) names. */
export async function repositoryAtCloneUrl(ctx: SourceContext, cloneUrl: string): Promise<Repository | undefined> {
  const base = `${ctx.publicUrl()}/git/`;
  if (!cloneUrl.startsWith(base)) return undefined;
  const segments = cloneUrl.slice(base.length).replace(/\/+$/, '').replace(/\.git$/i, '').split('/');
  if (segments.length !== 3) return undefined;
  const [space, project, name] = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return '';
    }
  });
  return space && project && name ? findRepository(ctx, space, project, name) : undefined;
}

export type PullAccess = { repository: Repository; gitDir: string } | { refused: string };

/**
 * The repository behind a clone URL, for a checkout on `puller`'s behalf. A missing repository and one the
 * puller may not read get the same answer, so that naming clone URLs cannot probe what another account has.
 */
export async function pullAccess(ctx: SourceContext, cloneUrl: string, puller: Puller): Promise<PullAccess> {
  const repository = await repositoryAtCloneUrl(ctx, cloneUrl);
  if (repository && (await mayPull(ctx, repository, puller))) return { repository, gitDir: gitDirOf(ctx, repository) };
  const who = 'account' in puller ? `account ${puller.account}` : puller.principal.kind === 'service' ? puller.principal.service : puller.principal.arn;
  return {
    refused: `Repository ${cloneUrl} not found, or ${who} is not authorized to perform: ${GIT_PULL} on it. ` +
      'Check the clone URL; a repository of another account must grant yours codecommit:GitPull in its repository policy ' +
      '(its owner runs: gantry repos policy put <space>/<project>/<name> --allow-account <your account id>).',
  };
}

/** Validates and stores (or with `null`, removes) the repository's resource-based policy. */
export async function setRepositoryPolicy(ctx: SourceContext, repo: Repository, policy: string | null): Promise<Repository> {
  // Resource-based: IAM's checks require every statement to name its Principal.
  if (policy !== null) parsePolicyDocument(policy, 'resource', { maxLength: MAX_POLICY_SIZE });
  await ctx.db.updateTable('repositories').set({ policy }).where('space', '=', repo.space).where('project', '=', repo.project)
    .where('name_key', '=', nameKey(repo.name)).execute();
  return { ...repo, policy };
}

/** The policy `gantry repos policy put --allow-account` writes: those accounts may clone and fetch. */
export function pullPolicyFor(repo: Pick<Repository, 'arn'>, accounts: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: 'AllowPull',
      Effect: 'Allow',
      Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
      Action: GIT_PULL,
      Resource: repo.arn,
    }],
  }, null, 2);
}
