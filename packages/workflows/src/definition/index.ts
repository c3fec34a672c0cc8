/**
 * Workflow definitions: CodeCatalyst workflow YAML parsed, validated and normalised; the dependency graph between
 * actions; trigger matching; AWS cron schedules.
 */
export * from './workflow-types.ts';
export { parseWorkflow, type ParsedWorkflow, type ParseWorkflowOptions } from './parse-workflow.ts';
export { formatWorkflowIssue, workflowIssuesOf, workflowValidationError } from './workflow-issues.ts';
export { actionsToSkip, buildWorkflowGraph, findDependencyCycle, readyActions, topologicalOrder, upstreamOf } from './workflow-graph.ts';
export {
  compileTriggerPattern,
  matchesAnyPattern,
  matchesPullRequest,
  matchesPush,
  pushTriggersMatching,
  scheduledBranches,
  type PullRequestEventInfo,
  type PushEvent,
} from './trigger-matching.ts';
export { nextScheduleTime, parseCronExpression, type CronCheck, type CronSchedule } from './cron-expression.ts';
