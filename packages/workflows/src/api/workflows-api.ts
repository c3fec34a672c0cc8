import { GantryError } from '@gantry/core';
import type { RestEndpoint, RestJsonService } from '@gantry/edge';
import type { CallContext, Iam, Operation } from '@gantry/iam';
import type { SourceService } from '@gantry/source';
import { principalArn } from '../connections/account-connections.ts';
import { parseWorkflow } from '../definition/parse-workflow.ts';
import { workflowIssuesOf } from '../definition/workflow-issues.ts';
import type { WorkflowService } from '../workflow-service.ts';
import { connectionShape, definitionShape, graphShape, runShape } from './api-shapes.ts';

type Params = Record<string, unknown>;

function text(p: Params, key: string, options: { required: true }): string;
function text(p: Params, key: string, options?: { required?: boolean }): string | undefined;
function text(p: Params, key: string, options: { required?: boolean } = {}): string | undefined {
  const value = p[key];
  if (value === undefined || value === null || value === '') {
    if (options.required) throw new GantryError('ValidationError', `${key} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw new GantryError('ValidationError', `${key} must be a string.`);
  return value;
}

/** The ARN IAM policies name a space or one of its projects by. */
export const spaceArn = (space: string, project?: string): string => `arn:aws:codecatalyst:::space/${space}${project ? `/project/${project}` : ''}`;

/**
 * Gantry's CodeCatalyst-style API, REST-JSON under `/v1`, SigV4 with signing name `codecatalyst`: spaces,
 * projects, source repositories, account connections, secrets, workflows and their runs. A space belongs to
 * the account that created it; its principals act on it as their IAM policies allow (`codecatalyst:<Operation>`
 * on `arn:aws:codecatalyst:::space/<space>[/project/<project>]`). Connections are decided by the connected
 * account's principals.
 */
export function workflowsRestService(service: WorkflowService, iam: Iam, source: SourceService): RestJsonService {
  /** Authorises a call on a space (and project), which must exist and belong to the caller's account. */
  async function authorize(call: CallContext, action: string, space: string, project?: string): Promise<{ space: string; project?: string; account: string }> {
    const spaces = await source.listSpaces();
    const found = spaces.find((s) => s.name.toLowerCase() === space.toLowerCase());
    // Another account's space answers exactly as a missing one: space names cannot be probed, nor their owners learnt.
    if (!found || call.principal.kind === 'service' || call.principal.account !== found.account)
      throw new GantryError('NotFound', `There is no space ${space} in your account: create it with 'gantry spaces create ${space}', or use credentials of the account that owns it.`);
    let projectName: string | undefined;
    if (project !== undefined) {
      projectName = (await source.listProjects(found.name)).find((p) => p.name.toLowerCase() === project.toLowerCase())?.name;
      if (!projectName) throw new GantryError('NotFound', `Space ${found.name} has no project ${project}: create it with 'gantry projects create --space ${found.name} ${project}'.`);
    }
    await iam.authorizer.require({ principal: call.principal, action: `codecatalyst:${action}`, resource: spaceArn(found.name, projectName), resourceAccount: found.account, context: call.requestContext });
    return { space: found.name, ...(projectName ? { project: projectName } : {}), account: found.account };
  }

  const op = (action: string, run: (p: Params, call: CallContext) => Promise<unknown>): Operation => ({ action: `codecatalyst:${action}`, selfAuthorized: true, run });
  const inProject = async (p: Params, call: CallContext, action: string) => {
    const scope = await authorize(call, action, text(p, 'spaceName', { required: true }), text(p, 'projectName', { required: true }));
    return { ...scope, project: scope.project! };
  };
  const runOf = async (p: Params, scope: { space: string; project: string }) => {
    const id = text(p, 'runId', { required: true });
    const run = await service.engine.getRun(id);
    if (!run || run.space !== scope.space || run.project !== scope.project) throw new GantryError('NotFound', `Project ${scope.space}/${scope.project} has no workflow run ${id}.`);
    return run;
  };
  const caller = (call: CallContext) => principalArn(call.principal);

  const spaces = '/v1/spaces';
  const project = `${spaces}/{spaceName}/projects/{projectName}`;
  const endpoints: RestEndpoint[] = [
    // Spaces and projects
    { method: 'POST', path: spaces, successStatus: 201, operation: op('CreateSpace', async (p, call) => {
      const name = text(p, 'name', { required: true });
      if (call.principal.kind === 'service') throw new GantryError('AccessDenied', 'Spaces belong to accounts: call with credentials of an account.');
      await iam.authorizer.require({ principal: call.principal, action: 'codecatalyst:CreateSpace', resource: spaceArn(name), resourceAccount: call.principal.account, context: call.requestContext });
      const existing = (await source.listSpaces()).find((s) => s.name.toLowerCase() === name.toLowerCase());
      if (existing && existing.account !== call.principal.account) throw new GantryError('Conflict', `Space name ${existing.name} is taken by another account: choose another name.`);
      const space = existing ?? (await source.ensureSpace({ space: name, account: call.principal.account }));
      return { space: { name: space.name, account: space.account, arn: spaceArn(space.name) } };
    }) },
    { method: 'GET', path: spaces, operation: op('ListSpaces', async (_p, call) => {
      if (call.principal.kind === 'service') return { items: [] };
      const account = call.principal.account;
      await iam.authorizer.require({ principal: call.principal, action: 'codecatalyst:ListSpaces', resource: '*', resourceAccount: account, context: call.requestContext });
      return { items: (await source.listSpaces()).filter((s) => s.account === account).map((s) => ({ name: s.name, account: s.account, arn: spaceArn(s.name) })) };
    }) },
    { method: 'POST', path: `${spaces}/{spaceName}/projects`, successStatus: 201, operation: op('CreateProject', async (p, call) => {
      const scope = await authorize(call, 'CreateProject', text(p, 'spaceName', { required: true }));
      const created = await source.ensureProject({ space: scope.space, project: text(p, 'name', { required: true }), account: scope.account });
      return { project: { space: created.space, name: created.project, arn: spaceArn(created.space, created.project) } };
    }) },
    { method: 'GET', path: `${spaces}/{spaceName}/projects`, operation: op('ListProjects', async (p, call) => {
      const scope = await authorize(call, 'ListProjects', text(p, 'spaceName', { required: true }));
      return { items: (await source.listProjects(scope.space)).map((x) => ({ space: x.space, name: x.name, arn: spaceArn(x.space, x.name) })) };
    }) },
    { method: 'POST', path: `${project}/sourceRepositories`, successStatus: 201, operation: op('CreateSourceRepository', async (p, call) => {
      const scope = await inProject(p, call, 'CreateSourceRepository');
      const repository = await source.createRepository({ name: text(p, 'name', { required: true }), space: scope.space, project: scope.project, account: scope.account });
      return { repository: repositoryShape(repository) };
    }) },
    { method: 'GET', path: `${project}/sourceRepositories`, operation: op('ListSourceRepositories', async (p, call) => {
      const scope = await inProject(p, call, 'ListSourceRepositories');
      return { items: (await source.listRepositories({ space: scope.space, project: scope.project })).map(repositoryShape) };
    }) },

    // Account connections
    { method: 'POST', path: `${spaces}/{spaceName}/connections`, successStatus: 201, operation: op('CreateConnection', async (p, call) => {
      const scope = await authorize(call, 'CreateConnection', text(p, 'spaceName', { required: true }));
      const connection = await service.connections.request({ space: scope.space, name: text(p, 'name', { required: true }), accountId: text(p, 'accountId', { required: true }), requestedBy: caller(call) });
      return { connection: connectionShape(connection) };
    }) },
    { method: 'GET', path: `${spaces}/{spaceName}/connections`, operation: op('ListConnections', async (p, call) => {
      const scope = await authorize(call, 'ListConnections', text(p, 'spaceName', { required: true }));
      return { items: (await service.connections.list({ space: scope.space })).map(connectionShape) };
    }) },
    { method: 'GET', path: '/v1/connections', operation: op('ListConnections', async (_p, call) => {
      // The connections asked of or made with the caller's own account, pending ones included: what it may accept.
      if (call.principal.kind === 'service') return { items: [] };
      const account = call.principal.account;
      await iam.authorizer.require({ principal: call.principal, action: 'codecatalyst:ListConnections', resource: '*', resourceAccount: account, context: call.requestContext });
      return { items: (await service.connections.list({ accountId: account })).map(connectionShape) };
    }) },
    { method: 'POST', path: '/v1/connections/{connectionId}/accept', operation: op('AcceptConnection', async (p, call) => ({
      connection: connectionShape(await service.connections.accept(text(p, 'connectionId', { required: true }), call.principal, call.requestContext)),
    })) },
    { method: 'POST', path: '/v1/connections/{connectionId}/reject', operation: op('RejectConnection', async (p, call) => ({
      connection: connectionShape(await service.connections.reject(text(p, 'connectionId', { required: true }), call.principal, call.requestContext)),
    })) },
    { method: 'PUT', path: '/v1/connections/{connectionId}/roles', operation: op('AssociateIamRoleToConnection', async (p, call) => ({
      connection: connectionShape(await service.connections.associateRole(text(p, 'connectionId', { required: true }), text(p, 'roleArn', { required: true }), call.principal, call.requestContext)),
    })) },

    // Secrets: values go in, only names come out.
    ...secretEndpoints(`${spaces}/{spaceName}/secrets`, false),
    ...secretEndpoints(`${project}/secrets`, true),

    // Workflows
    { method: 'POST', path: '/v1/workflows/validate', operation: op('ValidateWorkflow', async (p, call) => {
      if (call.principal.kind !== 'service') {
        await iam.authorizer.require({ principal: call.principal, action: 'codecatalyst:ValidateWorkflow', resource: '*', resourceAccount: call.principal.account, context: call.requestContext });
      }
      return validate(text(p, 'content', { required: true }), text(p, 'fileName') ?? '.codecatalyst/workflows/workflow.yaml');
    }) },
    { method: 'GET', path: `${project}/workflows`, operation: op('ListWorkflows', async (p, call) => {
      const scope = await inProject(p, call, 'ListWorkflows');
      const items = await service.catalog.list({ ...scope, ...optional(p, 'branch'), ...optional(p, 'repository') });
      return { items: items.map((d) => definitionShape(d, false)) };
    }) },
    { method: 'GET', path: `${project}/workflows/{workflowName}`, operation: op('GetWorkflow', async (p, call) => {
      const scope = await inProject(p, call, 'GetWorkflow');
      const name = text(p, 'workflowName', { required: true });
      const found = await service.catalog.list({ ...scope, name, branch: text(p, 'branch') ?? 'main', ...optional(p, 'repository') });
      if (found.length === 0) throw new GantryError('NotFound', `Project ${scope.space}/${scope.project} has no workflow ${name} on branch ${text(p, 'branch') ?? 'main'}.`);
      return { workflow: definitionShape(found[0]!, true) };
    }) },
    { method: 'PUT', path: `${project}/workflows/{workflowName}`, operation: op('UpdateWorkflow', async (p, call) => {
      const scope = await inProject(p, call, 'UpdateWorkflow');
      const name = text(p, 'workflowName', { required: true });
      const content = text(p, 'content', { required: true });
      const branch = text(p, 'branch') ?? 'main';
      const repositoryName = text(p, 'repository', { required: true });
      const path = text(p, 'path') ?? `.codecatalyst/workflows/${name}.yaml`;
      if (!/^\.codecatalyst\/workflows\/[^/]+\.ya?ml$/.test(path)) throw new GantryError('ValidationError', `path '${path}' must be a file directly in .codecatalyst/workflows/ ending in .yaml or .yml.`);
      const check = validate(content, path);
      if (!check.valid && p.allowInvalid !== true) {
        throw new GantryError('ValidationError', `The workflow does not validate, so it was not saved: ${check.errors.map((e) => e.text).join('; ')} (pass allowInvalid to save it anyway as INVALID).`, { details: { errors: check.errors } });
      }
      if (check.valid && check.name !== name) throw new GantryError('ValidationError', `The file's Name is ${check.name}, not ${name}: save it under its own name.`);
      const repository = await source.getRepository(scope.space, scope.project, repositoryName);
      if (!repository) throw new GantryError('NotFound', `Project ${scope.space}/${scope.project} has no repository ${repositoryName}.`);
      if (call.principal.kind === 'service') throw new GantryError('AccessDenied', 'Saving a workflow is a commit: call with credentials of an account.');
      await iam.authorizer.require({ principal: call.principal, action: 'codecommit:GitPush', resource: repository.arn, resourceAccount: repository.account, context: { ...call.requestContext, 'codecommit:References': [`refs/heads/${branch}`] } });
      const committed = await source.commitFiles({
        repository, branch, files: [{ path, content }], message: text(p, 'message') ?? `Update workflow ${name}`,
        author: { name: call.principal.arn.split('/').pop() ?? 'gantry', email: 'workflows@gantry.local' }, pusher: call.principal.arn,
        ...(text(p, 'expectedHead') ? { expectedHead: text(p, 'expectedHead')! } : {}),
      });
      return { commitId: committed.commitId, path, branch, repository: repository.name };
    }) },

    // Runs
    { method: 'POST', path: `${project}/workflowRuns`, successStatus: 201, operation: op('StartWorkflowRun', async (p, call) => {
      const scope = await inProject(p, call, 'StartWorkflowRun');
      const run = await service.startManualRun({ ...scope, workflowName: text(p, 'workflowName', { required: true }), ...optional(p, 'repository'), ...optional(p, 'branch') });
      return { run: runShape(run) };
    }) },
    { method: 'GET', path: `${project}/workflowRuns`, operation: op('ListWorkflowRuns', async (p, call) => {
      const scope = await inProject(p, call, 'ListWorkflowRuns');
      const limit = Math.min(Number(text(p, 'maxResults') ?? 50) || 50, 500);
      const runs = await service.engine.listRuns({ space: scope.space, project: scope.project, ...(text(p, 'workflowName') ? { workflowName: text(p, 'workflowName')! } : {}), limit });
      return { items: runs.map(runShape) };
    }) },
    { method: 'GET', path: `${project}/workflowRuns/{runId}`, operation: op('GetWorkflowRun', async (p, call) => ({ run: runShape(await runOf(p, await inProject(p, call, 'GetWorkflowRun'))) })) },
    { method: 'POST', path: `${project}/workflowRuns/{runId}/stop`, operation: op('StopWorkflowRun', async (p, call) => {
      const run = await runOf(p, await inProject(p, call, 'StopWorkflowRun'));
      return { run: runShape(await service.engine.stopRun(run.id)) };
    }) },
    { method: 'POST', path: `${project}/workflowRuns/{runId}/retry`, operation: op('RetryWorkflowRun', async (p, call) => {
      const run = await runOf(p, await inProject(p, call, 'RetryWorkflowRun'));
      return { run: runShape(await service.engine.retryRun(run.id)) };
    }) },
    { method: 'POST', path: `${project}/workflowRuns/{runId}/actions/{actionName}/approve`, operation: op('ApproveWorkflowRunAction', async (p, call) => {
      const run = await runOf(p, await inProject(p, call, 'ApproveWorkflowRunAction'));
      return { run: runShape(await service.engine.approve(run.id, text(p, 'actionName', { required: true }), caller(call))) };
    }) },
    { method: 'GET', path: `${project}/workflowRuns/{runId}/actions/{actionName}/log`, operation: op('GetWorkflowRunActionLog', async (p, call) => {
      const run = await runOf(p, await inProject(p, call, 'GetWorkflowRunActionLog'));
      const actionName = text(p, 'actionName', { required: true });
      const action = run.actions.find((a) => a.name === actionName);
      if (!action) throw new GantryError('NotFound', `Run ${run.id} has no action ${actionName}.`);
      const attempt = Number(text(p, 'attempt') ?? action.attempt);
      const offset = Math.max(0, Number(text(p, 'offset') ?? 0) || 0);
      const log = await service.engine.readLog(run.id, actionName, attempt);
      const finished = !['WAITING', 'IN_PROGRESS', 'WAITING_FOR_APPROVAL'].includes(action.status) || attempt < action.attempt;
      return { text: log.slice(offset), nextOffset: log.length, complete: finished, status: action.status, attempt };
    }) },
  ];

  function secretEndpoints(base: string, perProject: boolean): RestEndpoint[] {
    const scopeOf = async (p: Params, call: CallContext, action: string) =>
      (perProject ? inProject(p, call, action) : authorize(call, action, text(p, 'spaceName', { required: true })));
    return [
      { method: 'PUT', path: `${base}/{secretName}`, operation: op('PutSecret', async (p, call) => {
        const scope = await scopeOf(p, call, 'PutSecret');
        const value = p.value;
        if (typeof value !== 'string') throw new GantryError('ValidationError', 'value is required: the secret as a string.');
        await service.secrets.put(scope, text(p, 'secretName', { required: true }), value, caller(call));
        return {};
      }) },
      { method: 'GET', path: base, operation: op('ListSecrets', async (p, call) => ({
        items: (await service.secrets.list(await scopeOf(p, call, 'ListSecrets'))).map((s) => ({ name: s.name, updatedBy: s.updatedBy, updatedAt: s.updatedAt.toISOString() })),
      })) },
      { method: 'DELETE', path: `${base}/{secretName}`, operation: op('DeleteSecret', async (p, call) => {
        await service.secrets.delete(await scopeOf(p, call, 'DeleteSecret'), text(p, 'secretName', { required: true }));
        return {};
      }) },
    ];
  }

  return { name: 'workflows', signingName: 'codecatalyst', prefix: '/v1', endpoints };
}

const optional = (p: Params, key: string): Record<string, string> => (typeof p[key] === 'string' && p[key] !== '' ? { [key]: p[key] as string } : {});

const repositoryShape = (r: { name: string; space: string; project: string; account: string; arn: string; cloneUrl: string; createdAt: Date }) => ({
  name: r.name, space: r.space, project: r.project, account: r.account, arn: r.arn, cloneUrl: r.cloneUrl, createdAt: r.createdAt.toISOString(),
});

/** The Validate API's answer: every issue with its position, and a one-line text for each. */
function validate(content: string, fileName: string) {
  const format = (i: { file: string; line: number; column: number; path: string; message: string }) => ({ ...i, text: `${i.file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}` });
  try {
    const { workflow, warnings } = parseWorkflow(content, fileName);
    return { valid: true, name: workflow.name, errors: [], warnings: warnings.map(format), actions: workflow.graph.order, graph: graphShape(workflow) };
  } catch (error) {
    const issues = workflowIssuesOf(error);
    if (issues.length === 0) throw error;
    return { valid: false, name: undefined, errors: issues.filter((i) => i.severity === 'error').map(format), warnings: issues.filter((i) => i.severity === 'warning').map(format), actions: [], graph: [] };
  }
}
