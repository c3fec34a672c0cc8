export * from './definition/index.ts';
export * from './runs/index.ts';
export { WorkflowService, type StartManualRunArgs, type WorkflowServiceOptions } from './workflow-service.ts';
export { AccountConnections, WORKFLOW_SERVICE_PRINCIPAL, projectSourceArn, type AccountConnection, type ConnectionStatus } from './connections/account-connections.ts';
export { WorkflowCatalog, type WorkflowDefinition, type WorkflowStatus } from './catalog/workflow-catalog.ts';
export { WorkflowSecrets } from './secrets/workflow-secrets.ts';
export { spaceArn } from './api/workflows-api.ts';
