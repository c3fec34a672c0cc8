/**
 * Workflow runs: a persisted state machine per run and per action, executing build actions with the runner,
 * approval gates, variables across actions, secrets and role credentials.
 */
export {
  RunEngine,
  type AssumeConnectionRoleArgs, type ConnectionCredentials, type Run, type RunAction, type RunEngineOptions, type StartRunArgs,
} from './run-engine.ts';
export { resolveReferences, type ResolvedText, type VariableContext } from './run-variables.ts';
export { runMigrations, type RunActionStatus, type RunStatus, type RunTables } from './run-tables.ts';
