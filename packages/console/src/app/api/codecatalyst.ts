import { restJson } from './console-client.ts';

/**
 * Gantry's CodeCatalyst-style API (REST-JSON under `/v1`, signing name `codecatalyst`): spaces, projects,
 * source repositories, account connections, workflows and runs. Times are ISO-8601 strings as on the wire.
 */
export interface Space { name: string; account: string; arn: string }
export interface Project { space: string; name: string; arn: string }
export interface SourceRepository { name: string; space: string; project: string; account: string; arn: string; cloneUrl: string; createdAt: string }

export type ConnectionStatus = 'PENDING' | 'ACTIVE' | 'REJECTED';
export interface Connection {
  connectionId: string;
  arn: string;
  space: string;
  name: string;
  accountId: string;
  status: ConnectionStatus | string;
  requestedBy: string;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  roles: string[];
}

/** One issue of a workflow file, at its line and column (1-based). */
export interface WorkflowIssue {
  severity?: 'error' | 'warning';
  code?: string;
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
  /** `file:line:column: path: message`, as the CLI prints it. */
  text?: string;
}

/** An action of a workflow's graph, with every action it waits for. */
export interface GraphAction {
  name: string;
  identifier: string;
  kind: 'build' | 'managed-test' | 'approval' | 'unsupported' | string;
  dependsOn: string[];
  groupPath: string[];
  environment?: string;
  approvalsRequired?: number;
}

export interface WorkflowSummary {
  name: string;
  status: 'ACTIVE' | 'INVALID' | string;
  space: string;
  project: string;
  repository: string;
  branch: string;
  path: string;
  commitId: string;
  updatedAt: string;
  errors: WorkflowIssue[];
  warnings: WorkflowIssue[];
  runMode?: string;
  triggers?: Array<{ type: string; branches?: string[]; expression?: string }>;
  actions?: string[];
  /** Present when ACTIVE. */
  graph?: GraphAction[];
  /** The file's text: GetWorkflow only. */
  content?: string;
}

export interface Validation {
  valid: boolean;
  name?: string;
  errors: WorkflowIssue[];
  warnings: WorkflowIssue[];
  actions: string[];
  graph?: GraphAction[];
}

export type RunStatus = 'QUEUED' | 'IN_PROGRESS' | 'STOPPING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'SUPERSEDED' | 'CANCELLED';
export type ActionStatus = 'WAITING' | 'IN_PROGRESS' | 'WAITING_FOR_APPROVAL' | 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'SKIPPED';

export interface RunAction {
  name: string;
  status: ActionStatus;
  attempt: number;
  startTime?: string;
  endTime?: string;
  exitCode?: number;
  failureReason?: string;
  outputVariables: Record<string, string>;
  approvals: string[];
  roleArn?: string;
}

export interface Run {
  id: string;
  workflowName: string;
  space: string;
  project: string;
  repository: string;
  commitId: string;
  branchName: string;
  trigger: string;
  status: RunStatus;
  statusReason?: string;
  startTime: string;
  endTime?: string;
  actions: RunAction[];
}

export interface ActionLog {
  text: string;
  nextOffset: number;
  complete: boolean;
  status: ActionStatus;
  attempt: number;
}

const FINISHED_RUN: readonly string[] = ['SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED', 'CANCELLED'];
const FINISHED_ACTION: readonly string[] = ['SUCCEEDED', 'FAILED', 'STOPPED', 'SKIPPED'];
export const runFinished = (status: string) => FINISHED_RUN.includes(status);
export const actionFinished = (status: string) => FINISHED_ACTION.includes(status);

const seg = encodeURIComponent;
const space = (name: string) => `/v1/spaces/${seg(name)}`;
const project = (s: string, p: string) => `${space(s)}/projects/${seg(p)}`;
const run = (s: string, p: string, id: string) => `${project(s, p)}/workflowRuns/${seg(id)}`;
const cc = <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: { query?: Record<string, string | number | undefined>; body?: unknown } = {}) =>
  restJson<T>('codecatalyst', method, path, options);

export const codecatalyst = {
  listSpaces: async () => (await cc<{ items: Space[] }>('GET', '/v1/spaces')).items,
  createSpace: async (name: string) => (await cc<{ space: Space }>('POST', '/v1/spaces', { body: { name } })).space,
  listProjects: async (s: string) => (await cc<{ items: Project[] }>('GET', `${space(s)}/projects`)).items,
  createProject: async (s: string, name: string) => (await cc<{ project: Project }>('POST', `${space(s)}/projects`, { body: { name } })).project,
  listRepositories: async (s: string, p: string) => (await cc<{ items: SourceRepository[] }>('GET', `${project(s, p)}/sourceRepositories`)).items,
  createRepository: async (s: string, p: string, name: string) =>
    (await cc<{ repository: SourceRepository }>('POST', `${project(s, p)}/sourceRepositories`, { body: { name } })).repository,

  listConnections: async (s: string) => (await cc<{ items: Connection[] }>('GET', `${space(s)}/connections`)).items,
  /** The connections asked of (or made with) the caller's own account: what it may accept. */
  listAccountConnections: async () => (await cc<{ items: Connection[] }>('GET', '/v1/connections')).items,
  createConnection: async (s: string, input: { name: string; accountId: string }) =>
    (await cc<{ connection: Connection }>('POST', `${space(s)}/connections`, { body: input })).connection,
  acceptConnection: async (id: string) => (await cc<{ connection: Connection }>('POST', `/v1/connections/${seg(id)}/accept`)).connection,
  rejectConnection: async (id: string) => (await cc<{ connection: Connection }>('POST', `/v1/connections/${seg(id)}/reject`)).connection,
  addConnectionRole: async (id: string, roleArn: string) =>
    (await cc<{ connection: Connection }>('PUT', `/v1/connections/${seg(id)}/roles`, { body: { roleArn } })).connection,

  validateWorkflow: (content: string, fileName?: string) => cc<Validation>('POST', '/v1/workflows/validate', { body: { content, ...(fileName ? { fileName } : {}) } }),
  listWorkflows: async (s: string, p: string, filter: { repository?: string; branch?: string } = {}) =>
    (await cc<{ items: WorkflowSummary[] }>('GET', `${project(s, p)}/workflows`, { query: filter })).items,
  getWorkflow: async (s: string, p: string, name: string, filter: { repository?: string; branch?: string } = {}) =>
    (await cc<{ workflow: WorkflowSummary }>('GET', `${project(s, p)}/workflows/${seg(name)}`, { query: filter })).workflow,
  /** UpdateWorkflow: commits the file to the repository's branch (a push, so push triggers start runs). */
  commitWorkflow: (s: string, p: string, name: string, input: { repository: string; branch: string; content: string; path?: string; message?: string; expectedHead?: string }) =>
    cc<{ commitId: string; path: string; branch: string; repository: string }>('PUT', `${project(s, p)}/workflows/${seg(name)}`, { body: input }),

  startRun: async (s: string, p: string, input: { workflowName: string; repository?: string; branch?: string }) =>
    (await cc<{ run: Run }>('POST', `${project(s, p)}/workflowRuns`, { body: input })).run,
  listRuns: async (s: string, p: string, filter: { workflowName?: string; maxResults?: number } = {}) =>
    (await cc<{ items: Run[] }>('GET', `${project(s, p)}/workflowRuns`, { query: filter })).items,
  getRun: async (s: string, p: string, id: string) => (await cc<{ run: Run }>('GET', run(s, p, id))).run,
  stopRun: async (s: string, p: string, id: string) => (await cc<{ run: Run }>('POST', `${run(s, p, id)}/stop`)).run,
  retryRun: async (s: string, p: string, id: string) => (await cc<{ run: Run }>('POST', `${run(s, p, id)}/retry`)).run,
  approve: async (s: string, p: string, id: string, action: string) => (await cc<{ run: Run }>('POST', `${run(s, p, id)}/actions/${seg(action)}/approve`)).run,
  actionLog: (s: string, p: string, id: string, action: string, options: { offset?: number; attempt?: number } = {}) =>
    cc<ActionLog>('GET', `${run(s, p, id)}/actions/${seg(action)}/log`, { query: options }),
};
