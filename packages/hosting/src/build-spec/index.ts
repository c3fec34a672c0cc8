/**
 * amplify.yml build specs: parse and validate, select the monorepo application, plan a job's phases, collect
 * the files to publish.
 */
export * from './build-spec-types.ts';
export { parseBuildSpec, type ParsedBuildSpec } from './parse-build-spec.ts';
export { formatBuildSpecIssue, buildSpecError } from './build-spec-issues.ts';
export {
  selectApplication,
  canonicalAppRoot,
  MONOREPO_APP_ROOT_VARIABLE,
  type SelectApplicationOptions,
} from './select-application.ts';
export {
  planBuild,
  describePlan,
  type BuildPlan,
  type PlannedPhase,
  type PlanBuildOptions,
  type PhaseSection,
  type PhaseId,
} from './build-plan.ts';
export {
  collectArtifacts,
  checkCachePaths,
  type CollectedArtifact,
  type CheckCachePathsOptions,
} from './collect-artifacts.ts';
