import { session, signInNotice } from '../state/session.ts';
import { ApiError, callRegion, restJson } from './console-client.ts';

/**
 * Gantry's backend deploy API (REST-JSON under `/_gantry/backends`, signed for `cloudformation`) and the
 * console's data proxy for a stack's data API. Only the members the console uses are typed.
 */
export interface BackendId {
  namespace: string;
  name: string;
  type: 'branch' | 'sandbox';
}

export interface StackSummary {
  stackName: string;
  stackId: string;
  backendId: BackendId;
  status: string;
  statusReason?: string;
  createdAt: string;
  updatedAt: string;
  lastDeploymentId?: string;
}

export interface Stack extends StackSummary {
  outputs: Record<string, { version: string; payload: Record<string, string> }>;
  resources: { logicalId: string; type: string; physicalId: string }[];
}

export interface PlanStep {
  resource: string;
  type: string;
  action: 'create' | 'update' | 'delete' | 'none';
  details: string[];
  deletes: string[];
}

export interface Deployment {
  deploymentId: string;
  stackName: string;
  kind: 'DEPLOY' | 'DELETE';
  status: string;
  principalArn: string;
  plan?: { steps: PlanStep[]; hasChanges: boolean; deletes: string[] };
  error?: string;
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
}

export interface StackEvent {
  seq: number;
  timestamp: string;
  logicalResourceId: string;
  resourceType: string;
  physicalResourceId?: string;
  resourceStatus: string;
  resourceStatusReason?: string;
}

const CFN = 'cloudformation';
const stackPath = (stackName: string) => `/_gantry/backends/stacks/${encodeURIComponent(stackName)}`;

/** Deployment statuses that are still moving. */
export const deploymentRunning = (status: string) => ['PLANNING', 'APPLYING', 'ROLLING_BACK', 'DELETING'].includes(status);

export const backends = {
  async listStacks(nextToken?: string): Promise<{ items: StackSummary[]; next?: string }> {
    const r = await restJson<{ stacks: StackSummary[]; nextToken?: string }>(CFN, 'GET', '/_gantry/backends/stacks', { query: { maxResults: 100, nextToken } });
    return { items: r.stacks, next: r.nextToken };
  },
  describeStack: async (stackName: string) => (await restJson<{ stack: Stack }>(CFN, 'GET', stackPath(stackName))).stack,
  /** amplify_outputs.json of the last successful deployment. */
  getOutputs: (stackName: string) => restJson<Record<string, unknown>>(CFN, 'GET', `${stackPath(stackName)}/outputs`),
  async listDeployments(stackName: string, nextToken?: string): Promise<{ items: Deployment[]; next?: string }> {
    const r = await restJson<{ deployments: Deployment[]; nextToken?: string }>(CFN, 'GET', `${stackPath(stackName)}/deployments`, { query: { maxResults: 20, nextToken } });
    return { items: r.deployments, next: r.nextToken };
  },
  describeDeployment: async (stackName: string, deploymentId: string) =>
    (await restJson<{ deployment: Deployment }>(CFN, 'GET', `${stackPath(stackName)}/deployments/${encodeURIComponent(deploymentId)}`)).deployment,
  /** Events of one deployment, oldest first, after the token of an earlier answer. */
  describeEvents: (stackName: string, deploymentId: string, nextToken?: string) =>
    restJson<{ deploymentId: string; deploymentStatus: string; events: StackEvent[]; nextToken: string }>(CFN, 'GET', `${stackPath(stackName)}/events`, { query: { deploymentId, nextToken, maxResults: 500 } }),
  deleteStack: async (stackName: string) => (await restJson<{ deployment: Deployment }>(CFN, 'DELETE', stackPath(stackName))).deployment,
};

/** A GraphQL error as AppSync words it. */
export interface GraphqlError {
  message: string;
  errorType?: string;
  path?: (string | number)[];
}

/** The data API refused or failed the request: its first error's type and message, and all of them. */
export class GraphqlRequestError extends ApiError {
  constructor(readonly errors: GraphqlError[], status: number) {
    super(errors[0]?.errorType ?? 'GraphQLError', errors.map((e) => e.message).join(' '), status);
  }
}

/**
 * A GraphQL request to a stack's data API through the console's data proxy (`POST /_console/data/<apiId>/graphql`),
 * which checks the session may use the API and sends it with the API's own key.
 */
export async function dataGraphql<T>(target: { apiId: string; stackName: string }, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`/_console/data/${encodeURIComponent(target.apiId)}/graphql`, {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-gantry-console': '1' },
    body: JSON.stringify({ stackName: target.stackName, region: callRegion(), query, variables }),
  });
  const value = (await response.json().catch(() => ({}))) as { data?: T; errors?: GraphqlError[]; code?: string; message?: string };
  if (response.status === 401 && response.headers.get('x-gantry-console-session') === 'expired') {
    // The same as for any other call: back to the sign-in page, saying why.
    signInNotice.value = value.message ?? 'Your console session has ended: sign in again.';
    session.value = null;
  }
  if (value.errors?.length) throw new GraphqlRequestError(value.errors, response.status);
  if (!response.ok) throw new ApiError(value.code ?? 'Error', value.message ?? `The data API answered ${response.status}.`, response.status);
  return value.data as T;
}
