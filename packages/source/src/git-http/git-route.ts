import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError, toGantryError, type EventBus } from '@gantry/core';
import { clientIp, requestContextKeys, type Route } from '@gantry/edge';
import { accessDenied, type AccessRequest, type Principal } from '@gantry/iam';
import { pushEvents, type PushEvent } from '../push-event.ts';
import { findRepository, gitDirOf, repositoryPolicyOf, type Repository } from '../repositories.ts';
import type { SourceContext } from '../source-context.ts';
import { appliedUpdates } from './applied-updates.ts';
import { authenticateBasic } from './basic-auth.ts';
import { beforeDeadline } from './deadline.ts';
import { sendGitError } from './git-error-response.ts';
import { parseGitTarget, type GitTarget } from './git-path.ts';
import { deniedRefs, GIT_PULL, GIT_PUSH, refusePush } from './push-authorization.ts';
import { readReceiveCommands, type ReceiveCommands } from './receive-commands.ts';
import { ReportStatusTap, usesSideband } from './report-status.ts';
import { requestBody } from './request-body.ts';
import { serveCgi } from './serve-cgi.ts';

export interface GitHttpLimits {
  /** Largest request body (after gzip inflation), i.e. the largest push. @default 512 MiB */
  maxRequestBytes: number;
  /** Longest a single git request may run. @default 10 minutes */
  requestTimeoutMs: number;
  /** Largest list of ref updates in one push. @default 8 MiB */
  maxCommandBytes: number;
}

export const DEFAULT_GIT_HTTP_LIMITS: GitHttpLimits = {
  maxRequestBytes: 512 * 1024 * 1024,
  requestTimeoutMs: 10 * 60 * 1000,
  maxCommandBytes: 8 * 1024 * 1024,
};

export type SourceEvents = { push: PushEvent };

/**
 * git smart HTTP at `/git/<space>/<project>/<repository>` (see parseGitTarget), served by the system's
 * `git http-backend`. Before git runs, each request is authenticated (HTTP Basic with an access key) and
 * authorised by IAM: `codecommit:GitPull` for fetch and clone (git-upload-pack), `codecommit:GitPush` for
 * push (git-receive-pack, and again per pushed ref with `codecommit:References`), on the repository's ARN
 * in its owner's account, so another account's principals are refused unless IAM allows it. After a push
 * has been answered, a `push` event per updated branch goes out on `events`.
 */
export function gitRoute(ctx: SourceContext, events: EventBus<SourceEvents>, limits: GitHttpLimits): Route {
  return {
    name: 'git',
    matches: (_req, url) => url.pathname === '/git' || url.pathname.startsWith('/git/'),
    async handle(req, res, url) {
      try {
        await serveGit(ctx, events, limits, req, res, url);
      } catch (thrown) {
        const error = toGantryError(thrown);
        if (error.status >= 500) console.error(`source: ${req.method} ${url.pathname} failed:`, thrown);
        sendGitError(req, res, error);
      }
    },
  };
}

async function serveGit(ctx: SourceContext, events: EventBus<SourceEvents>, limits: GitHttpLimits, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const deadline = Date.now() + limits.requestTimeoutMs;
  const timing = () => ({ timeoutMs: Math.max(1, deadline - Date.now()), limitMs: limits.requestTimeoutMs });
  const target = parseGitTarget(url);
  const method = target.kind === 'advertisement' ? 'GET' : 'POST';
  if (req.method !== method) throw new GantryError('MethodNotAllowed', `${req.method} is not supported on ${url.pathname}: git uses ${method} here.`);
  const principal = await authenticateBasic(ctx.iam, req.headers.authorization, ctx.now());
  const repo = await findRepository(ctx, target.space, target.project, target.repository);
  if (!repo) throw repositoryNotFound(target);
  const context = requestContextKeys(req, repo.region);
  const access: AccessRequest = {
    principal, action: target.service === 'git-receive-pack' ? GIT_PUSH : GIT_PULL, resource: repo.arn, resourceAccount: repo.account, context,
    resourcePolicy: repositoryPolicyOf(repo),
  };
  const result = await ctx.iam.authorizer.check(access);
  if (result.decision !== 'Allow') {
    // Another account's repository the caller may not use answers exactly like a missing one, so clone URLs
    // cannot be probed for what exists; the owner account's own principals get IAM's reason, as they can list them anyway.
    if (principal.kind === 'service' || principal.account !== repo.account) throw repositoryNotFound(target);
    throw accessDenied(access, result);
  }

  if (target.kind === 'advertisement') {
    await serveCgi(res, { gitBinary: ctx.gitBinary, backend: backendRequest(ctx, req, target, repo, principal), ...timing() });
    return;
  }
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== `application/x-${target.service}-request`)
    throw new GantryError('ValidationError', `A ${target.service} request must have Content-Type application/x-${target.service}-request (got '${contentType}').`, { status: 415 });
  const body = requestBody(req, limits.maxRequestBytes);
  if (target.service === 'git-upload-pack') {
    await serveCgi(res, { gitBinary: ctx.gitBinary, backend: backendRequest(ctx, req, target, repo, principal), input: body, ...timing() });
    return;
  }

  const commands = await beforeDeadline(readReceiveCommands(body, limits.maxCommandBytes), deadline, limits.requestTimeoutMs);
  const denied = await deniedRefs(ctx.iam, principal, repo, commands, context);
  if (denied.size > 0) {
    if (await beforeDeadline(refusePush(res, body, commands, denied), deadline, limits.requestTimeoutMs)) return;
    throw new GantryError('AccessDenied', denied.values().next().value as string);
  }
  const tap = new ReportStatusTap(usesSideband(commands.capabilities));
  try {
    await serveCgi(res, {
      gitBinary: ctx.gitBinary, backend: backendRequest(ctx, req, target, repo, principal),
      input: prefixed(commands, body), onResponseBody: (chunk) => tap.push(chunk), ...timing(),
    });
  } finally {
    // The push is answered; now tell the listeners. What git changed counts even when the request failed
    // afterwards or the client went away before reading the answer: the refs moved all the same.
    await emitPushEvents(ctx, events, repo, commands, tap, principal);
  }
}

/** The one answer for a repository that does not exist or that belongs to another account and may not be used. */
function repositoryNotFound(target: GitTarget): GantryError {
  const path = `${target.space}/${target.project}/${target.repository}`;
  const action = target.service === 'git-receive-pack' ? GIT_PUSH : GIT_PULL;
  return new GantryError('NotFound',
    `Repository ${path} not found, or you are not authorized to perform: ${action} on it. Check the clone URL and that the access key is of the account owning the repository, or create it in your account: gantry repos create ${target.repository} --space ${target.space} --project ${target.project}`);
}

function backendRequest(ctx: SourceContext, req: IncomingMessage, target: GitTarget, repo: Repository, principal: Principal) {
  const endpoint = target.kind === 'advertisement' ? 'info/refs' : target.service;
  const gitProtocol = req.headers['git-protocol'];
  return {
    projectRoot: ctx.gitRoot,
    pathInfo: `/${repo.space}/${repo.project}/${repo.name}.git/${endpoint}`,
    queryString: target.kind === 'advertisement' ? `service=${target.service}` : '',
    method: req.method!,
    contentType: req.headers['content-type'] ?? '',
    remoteUser: principal.kind === 'service' ? principal.service : principal.arn,
    remoteAddr: clientIp(req),
    // Only the shapes git sends (`version=2`, `version=2:object-format=sha1`): it becomes an env variable.
    gitProtocol: typeof gitProtocol === 'string' && /^[A-Za-z0-9=:._-]{1,256}$/.test(gitProtocol) ? gitProtocol : undefined,
  };
}

/** The bytes already read while parsing the commands, then the rest of the body. */
async function* prefixed(commands: ReceiveCommands, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* commands.head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

async function emitPushEvents(ctx: SourceContext, events: EventBus<SourceEvents>, repo: Repository, commands: ReceiveCommands, tap: ReportStatusTap, principal: Principal): Promise<void> {
  try {
    const gitDir = gitDirOf(ctx, repo);
    const applied = await appliedUpdates(ctx.gitBinary, gitDir, commands.updates, tap.result());
    const list = await pushEvents({
      gitBinary: ctx.gitBinary, gitDir, applied, at: ctx.now(),
      pusher: principal.kind === 'service' ? principal.service : principal.arn,
      repository: { space: repo.space, project: repo.project, name: repo.name, account: repo.account, arn: repo.arn, cloneUrl: repo.cloneUrl },
    });
    for (const event of list) await events.emit('push', event);
  } catch (error) {
    console.error(`source: push events for ${repo.space}/${repo.project}/${repo.name} could not be determined:`, error);
  }
}
