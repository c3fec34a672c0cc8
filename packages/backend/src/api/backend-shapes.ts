import type { StackOutputs } from '../engine/engine-types.ts';
import { GRAPHQL_OUTPUT_KEY, dataEndpoint } from '../providers/data-provider.ts';
import type { DeploymentRow, EventRow } from '../stacks/deployment-store.ts';
import { stackBackendId, stackOutputs, stackResources, type StackRow } from '../stacks/stack-store.ts';

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

/** A deployment as the API returns it. */
export function deploymentShape(row: DeploymentRow) {
  return {
    deploymentId: row.deployment_id,
    stackName: row.stack_name,
    stackId: row.stack_id,
    kind: row.kind,
    status: row.status,
    allowDestructive: row.allow_destructive === 1,
    principalArn: row.principal_arn,
    plan: row.plan ? JSON.parse(row.plan) : undefined,
    error: row.error ?? undefined,
    createdAt: iso(row.created_at),
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
  };
}

/**
 * Outputs with the data endpoint rebuilt from the current base URL: the server may now be reached at
 * another address than when the stack was deployed, and every URL Gantry hands out comes from that base.
 */
export function currentOutputs(outputs: StackOutputs, dataBaseUrl: string): StackOutputs {
  const graphql = outputs[GRAPHQL_OUTPUT_KEY];
  if (!graphql?.payload.awsAppsyncApiId) return outputs;
  const payload = { ...graphql.payload, awsAppsyncApiEndpoint: dataEndpoint(dataBaseUrl, graphql.payload.awsAppsyncApiId) };
  return { ...outputs, [GRAPHQL_OUTPUT_KEY]: { ...graphql, payload } };
}

/** A stack as ListStacks summarises it (CloudFormation's StackSummary, with the Amplify backend it holds). */
export function stackSummaryShape(row: StackRow) {
  return {
    stackName: row.stack_name,
    stackId: row.stack_id,
    backendId: stackBackendId(row),
    status: row.status,
    statusReason: row.status_reason ?? undefined,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    lastDeploymentId: row.last_deployment_id ?? undefined,
  };
}

/** A stack as the API returns it (CloudFormation's DescribeStacks, with Amplify's outputs by metadata key). */
export function stackShape(row: StackRow, dataBaseUrl: string) {
  return {
    ...stackSummaryShape(row),
    outputs: currentOutputs(stackOutputs(row), dataBaseUrl),
    resources: Object.entries(stackResources(row)).map(([logicalId, r]) => ({ logicalId, type: r.type, physicalId: r.physicalId })),
  };
}

/** A deployment event, with CloudFormation's StackEvent field names in camelCase. */
export function eventShape(row: EventRow) {
  return {
    seq: row.seq,
    timestamp: new Date(row.time).toISOString(),
    logicalResourceId: row.logical_id,
    resourceType: row.resource_type,
    physicalResourceId: row.physical_id ?? undefined,
    resourceStatus: row.status,
    resourceStatusReason: row.reason ?? undefined,
  };
}
