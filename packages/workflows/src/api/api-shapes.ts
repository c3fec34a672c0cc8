import type { WorkflowDefinition } from '../catalog/workflow-catalog.ts';
import type { Workflow } from '../definition/workflow-types.ts';
import type { AccountConnection } from '../connections/account-connections.ts';
import type { Run } from '../runs/run-engine.ts';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export const connectionShape = (c: AccountConnection) => ({
  connectionId: c.connectionId, arn: c.arn, space: c.space, name: c.name, accountId: c.accountId, status: c.status,
  requestedBy: c.requestedBy, requestedAt: c.requestedAt.toISOString(),
  ...(c.decidedBy ? { decidedBy: c.decidedBy, decidedAt: c.decidedAt!.toISOString() } : {}),
  roles: c.roles,
});

/**
 * The actions of a workflow as a graph: each with what it is and every action it waits for (`DependsOn` with
 * groups expanded, plus the dependencies variable references and input artifacts imply), in topological order.
 */
export const graphShape = (w: Workflow) => w.graph.order.map((name) => {
  const a = w.actions.find((x) => x.name === name)!;
  return {
    name, identifier: a.identifierAsWritten, kind: a.kind, dependsOn: w.graph.dependencies[name] ?? [], groupPath: a.groupPath,
    ...(a.environment ? { environment: a.environment.name } : {}),
    ...(a.kind === 'approval' ? { approvalsRequired: a.configuration.approvalsRequired } : {}),
  };
});

/** A workflow as ListWorkflows/GetWorkflow return it; the file's text only with `withContent`. */
export const definitionShape = (d: WorkflowDefinition, withContent: boolean) => ({
  name: d.name, status: d.status, space: d.space, project: d.project, repository: d.repository, branch: d.branch, path: d.path,
  commitId: d.commitId, updatedAt: d.updatedAt.toISOString(), errors: d.errors, warnings: d.warnings,
  ...(d.workflow ? { runMode: d.workflow.runMode, triggers: d.workflow.triggers, actions: d.workflow.graph.order, graph: graphShape(d.workflow) } : {}),
  ...(withContent ? { content: d.content } : {}),
});

/** A run with its actions, times as ISO-8601. */
export const runShape = (r: Run) => ({
  id: r.id, workflowName: r.workflowName, space: r.space, project: r.project, repository: r.repository,
  commitId: r.commitId, branchName: r.branchName, trigger: r.trigger, status: r.status,
  ...(r.statusReason ? { statusReason: r.statusReason } : {}),
  startTime: iso(r.startTime), ...(r.endTime !== undefined ? { endTime: iso(r.endTime) } : {}),
  actions: r.actions.map((a) => ({
    name: a.name, status: a.status, attempt: a.attempt,
    ...(a.startTime !== undefined ? { startTime: iso(a.startTime) } : {}),
    ...(a.endTime !== undefined ? { endTime: iso(a.endTime) } : {}),
    ...(a.exitCode !== undefined ? { exitCode: a.exitCode } : {}),
    ...(a.failureReason ? { failureReason: a.failureReason } : {}),
    outputVariables: a.outputVariables, approvals: a.approvals,
    ...(a.roleArn ? { roleArn: a.roleArn } : {}),
  })),
});
