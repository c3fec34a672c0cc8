import { GantryError } from '@gantry/core';
import type { RestJsonService } from '@gantry/edge';
import { callerAccount, DEFAULT_REGION, type CallContext, type Iam, type Operation } from '@gantry/iam';
import { createRepository, findRepository, listRepositories, repositoryArn, type Repository } from './repositories.ts';
import { setRepositoryPolicy } from './repository-access.ts';
import type { SourceContext } from './source-context.ts';

type Params = Record<string, unknown>;

export const repositoryShape = (r: Repository) => ({
  name: r.name, space: r.space, project: r.project, account: r.account, arn: r.arn, cloneUrl: r.cloneUrl, createdAt: r.createdAt.toISOString(),
  hasPolicy: r.policy !== null,
});

const optionalString = (p: Params, key: string): string | undefined => {
  const value = p[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new GantryError('InvalidInput', `${key} must be a string.`);
  return value;
};

/** The caller's account and the region its repositories' ARNs carry (the account's first region). */
async function callerScope(iam: Iam, call: CallContext): Promise<{ account: string; region: string }> {
  const account = callerAccount(call);
  return { account, region: (await iam.getAccount(account))?.defaultRegion ?? DEFAULT_REGION };
}

/**
 * Gantry's repository API, REST-JSON under `/_gantry/repos`, SigV4 with signing name `codecommit`.
 * Repositories are created in the caller's account. Authorised as CodeCommit's `CreateRepository` and
 * `ListRepositories`; the operations authorise themselves because the ARN's region is the account's, which
 * takes a lookup. A repository's resource-based policy (`…/{space}/{project}/{name}/policy`, Get/Put/Delete
 * as ECR's repository policies are) is how its owner lets other accounts clone it or build it in their
 * hosting apps: `codecommit:GitPull` granted to `arn:aws:iam::<account>:root`.
 */
export function sourceOperations(ctx: SourceContext): Record<'create' | 'list' | 'getPolicy' | 'putPolicy' | 'deletePolicy', Operation> {
  /**
   * The repository a policy call names, authorised for the owner account's principals only: another account
   * learns nothing of it (the same NotFound as a missing one), even if a policy would let it pull.
   */
  const ownRepository = async (p: Params, call: CallContext, action: string): Promise<Repository> => {
    const [space, project, name] = ['space', 'project', 'name'].map((key) => optionalString(p, key) ?? '');
    const repo = space && project && name ? await findRepository(ctx, space, project, name) : undefined;
    if (!repo || call.principal.kind === 'service' || call.principal.account !== repo.account)
      throw new GantryError('NotFound', `There is no repository ${space}/${project}/${name} in your account: check the names (gantry repos list), or use credentials of the account that owns it.`);
    await ctx.iam.authorizer.require({ principal: call.principal, action, resource: repo.arn, resourceAccount: repo.account, context: call.requestContext });
    return repo;
  };
  const policyShape = (repo: Repository) => ({ repository: repositoryShape(repo), policy: repo.policy });
  return {
    getPolicy: {
      action: 'codecommit:GetRepositoryPolicy',
      selfAuthorized: true,
      run: async (p, call) => policyShape(await ownRepository(p, call, 'codecommit:GetRepositoryPolicy')),
    },
    putPolicy: {
      action: 'codecommit:PutRepositoryPolicy',
      selfAuthorized: true,
      async run(p, call) {
        const policy = optionalString(p, 'policy');
        if (!policy) throw new GantryError('InvalidInput', 'policy is required: the repository policy as a JSON string, e.g. granting another account codecommit:GitPull.');
        const repo = await ownRepository(p, call, 'codecommit:PutRepositoryPolicy');
        return policyShape(await setRepositoryPolicy(ctx, repo, policy));
      },
    },
    deletePolicy: {
      action: 'codecommit:DeleteRepositoryPolicy',
      selfAuthorized: true,
      async run(p, call) {
        const repo = await ownRepository(p, call, 'codecommit:DeleteRepositoryPolicy');
        return policyShape(await setRepositoryPolicy(ctx, repo, null));
      },
    },
    create: {
      action: 'codecommit:CreateRepository',
      selfAuthorized: true,
      async run(p: Params, call) {
        const name = optionalString(p, 'name');
        if (!name) throw new GantryError('InvalidInput', 'name is required: the repository name.');
        const { account, region } = await callerScope(ctx.iam, call);
        await ctx.iam.authorizer.require({
          principal: call.principal, action: 'codecommit:CreateRepository', resource: repositoryArn(region, account, name),
          resourceAccount: account, context: call.requestContext,
        });
        const repository = await createRepository(ctx, { name, space: optionalString(p, 'space'), project: optionalString(p, 'project'), account });
        return { repository: repositoryShape(repository) };
      },
    },
    list: {
      action: 'codecommit:ListRepositories',
      selfAuthorized: true,
      async run(p: Params, call) {
        const account = callerAccount(call);
        // ListRepositories is not resource-scoped in CodeCommit: `*`, in the caller's account.
        await ctx.iam.authorizer.require({ principal: call.principal, action: 'codecommit:ListRepositories', resource: '*', resourceAccount: account, context: call.requestContext });
        const repositories = await listRepositories(ctx, { account, space: optionalString(p, 'space'), project: optionalString(p, 'project') });
        return { repositories: repositories.map(repositoryShape) };
      },
    },
  };
}

/** The REST-JSON service the edge serves these operations as: `restJsonRoute(iam, source.restService)`. */
export function sourceRestService(ctx: SourceContext): RestJsonService {
  const operations = sourceOperations(ctx);
  return {
    name: 'repositories',
    signingName: 'codecommit',
    prefix: '/_gantry/repos',
    endpoints: [
      { method: 'POST', path: '/_gantry/repos', operation: operations.create, successStatus: 201 },
      { method: 'GET', path: '/_gantry/repos', operation: operations.list },
      { method: 'GET', path: '/_gantry/repos/{space}/{project}/{name}/policy', operation: operations.getPolicy },
      { method: 'PUT', path: '/_gantry/repos/{space}/{project}/{name}/policy', operation: operations.putPolicy },
      { method: 'DELETE', path: '/_gantry/repos/{space}/{project}/{name}/policy', operation: operations.deletePolicy },
    ],
  };
}
