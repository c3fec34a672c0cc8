/**
 * Workflow runs: a persisted state machine per run and per action, executing build actions with the runner,
 * run modes (queued, superseded, parallel), approval gates, variables across actions, artifacts, file caches,
 * secrets, role credentials and stored, followable logs.
 */
export {
  RunEngine,
  type AssumeConnectionRoleArgs, type CheckoutArgs, type ConnectionCredentials, type Run, type RunAction, type RunEngineOptions,
  type RunFilter, type SecretLookup, type StartRunArgs, type WorkflowIdentity,
} from './run-engine.ts';
export { ArtifactError, globToRegExp, RunArtifacts, type StoredArtifact } from './run-artifacts.ts';
export { RunCaches, type CacheScope } from './run-caches.ts';
export { RunLogs } from './run-logs.ts';
export { resolveReferences, secretNames, type ResolvedText, type VariableContext } from './run-variables.ts';
export {
  ACTIVE_RUN_STATUSES, FINISHED_ACTION_STATUSES, FINISHED_RUN_STATUSES, runMigrations,
  type RunActionStatus, type RunStatus, type RunTables,
} from './run-tables.ts';
