/**
 * The normalised form of a CodeCatalyst workflow definition (`.codecatalyst/workflows/*.yaml`), as
 * `parseWorkflow` returns it.
 *
 * YAML keys are PascalCase; fields here are camelCase (`DependsOn` → `dependsOn`). Every list and map is present
 * even when the file leaves it out, so consumers never test for `undefined` where "none" is meant. Action groups
 * are flattened: `actions` holds every action, each knowing the group it came from. Dependencies are resolved
 * to action names (a dependency on a group is a dependency on each of its actions) and include the ones a file
 * only implies (a `${Action.Variable}` reference, an input artifact produced by another action).
 *
 * The types are plain data (no class instances, no compiled regexes) so a parsed workflow can be stored as JSON.
 */

/** How CodeCatalyst handles a run started while another run of the same workflow is active. */
export type RunMode = 'QUEUED' | 'SUPERSEDED' | 'PARALLEL';
export const RUN_MODES: readonly RunMode[] = ['QUEUED', 'SUPERSEDED', 'PARALLEL'];

/** The computing engine. YAML spellings `EC2`/`ec2` and `LAMBDA`/`Lambda` are read as these two. */
export type ComputeType = 'EC2' | 'LAMBDA';

/** On-demand fleets CodeCatalyst offers; any other name of 2..128 characters is a provisioned fleet. */
export const EC2_FLEETS = [
  'Linux.x86-64.Large',
  'Linux.x86-64.XLarge',
  'Linux.x86-64.2XLarge',
  'Linux.Arm64.Large',
  'Linux.Arm64.XLarge',
  'Linux.Arm64.2XLarge',
  'Windows.x86-64.XLarge',
  'Windows.x86-64.2XLarge',
] as const;
/** The only fleets a `LAMBDA` compute can use. */
export const LAMBDA_FLEETS = ['Linux.x86-64.Large', 'Linux.x86-64.XLarge', 'Linux.Arm64.Large', 'Linux.Arm64.XLarge'] as const;

/** Action-level `Compute`. */
export interface ActionCompute {
  /** @example "EC2" */
  type: ComputeType;
  /**
   * An on-demand fleet (`EC2_FLEETS`, `LAMBDA_FLEETS`) or a provisioned fleet's name. Absent: the default fleet.
   * @default "Linux.x86-64.Large"
   */
  fleet?: string;
}

/** Workflow-level `Compute`: applies to every action (an action may not also set its own). */
export interface WorkflowCompute extends ActionCompute {
  /**
   * `SharedInstance: TRUE`: all actions run on one instance and share the working directory. EC2 only.
   * @default false
   */
  sharedInstance: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Triggers

/**
 * `PUSH`: a run starts when commits are pushed to a branch.
 * @example { type: 'PUSH', branches: ['main'], filesChanged: [] }
 */
export interface PushTrigger {
  type: 'PUSH';
  /**
   * Regular expressions matched against the whole name of the branch pushed to (`main` matches `main` only;
   * `release-.*` matches every `release-` branch). Empty (absent or `[]`): every branch.
   */
  branches: string[];
  /**
   * Regular expressions matched against the whole repository-relative path of each changed file
   * (`src/.*`); the trigger fires when any changed file matches one. Empty: any change.
   */
  filesChanged: string[];
}

/** Pull request events a `PULLREQUEST` trigger can listen to. */
export type PullRequestEvent = 'OPEN' | 'REVISION' | 'CLOSED' | 'MERGED' | 'DRAFT';
export const PULL_REQUEST_EVENTS: readonly PullRequestEvent[] = ['OPEN', 'REVISION', 'CLOSED', 'MERGED', 'DRAFT'];

/**
 * `PULLREQUEST`: a run starts on pull request events. `branches` match the pull request's destination branch; the
 * run uses the source branch's files.
 */
export interface PullRequestTrigger {
  type: 'PULLREQUEST';
  /** The events that start a run, without duplicates, in the file's order. Empty: none does. */
  events: PullRequestEvent[];
  /** As in `PushTrigger.branches`, matched against the destination branch. */
  branches: string[];
  /** As in `PushTrigger.filesChanged`. */
  filesChanged: string[];
}

/**
 * `SCHEDULE`: a run starts, for each matching branch, at every time the cron expression names (UTC).
 * @example { type: 'SCHEDULE', expression: '0 9 ? * MON-FRI *', branches: ['main'] }
 */
export interface ScheduleTrigger {
  type: 'SCHEDULE';
  /**
   * An AWS (EventBridge) cron expression of six fields: `minutes hours day-of-month month day-of-week year`.
   * See `nextScheduleTime` in `cron-expression.ts`.
   */
  expression: string;
  /** As in `PushTrigger.branches`. Empty: every branch. */
  branches: string[];
}

export type WorkflowTrigger = PushTrigger | PullRequestTrigger | ScheduleTrigger;
export type TriggerType = WorkflowTrigger['type'];

// ---------------------------------------------------------------------------------------------------------------
// Actions

/** The action identifiers Gantry runs (any version spelling `@v1`, `@v1.0`, `@v1.0.0` is read as `@v1`). */
export type ActionIdentifier = 'aws/build@v1' | 'aws/managed-test@v1' | 'aws/approval@v1';
export const SUPPORTED_ACTION_IDENTIFIERS: readonly ActionIdentifier[] = ['aws/build@v1', 'aws/managed-test@v1', 'aws/approval@v1'];

/** One `Inputs.Variables` entry: an environment variable of every step (list and map forms both read into this). */
export interface InputVariable {
  /** @example "AWS_APP_ID" */
  name: string;
  /** As written; `${...}` references are replaced at run time. @example "d1a2b3c4" */
  value: string;
}

/** `Inputs`. */
export interface ActionInputs {
  /**
   * Source repositories to check out: `WorkflowSource` (the workflow's own repository) or nothing. Without it the
   * action starts in an empty directory (or in its first input artifact).
   */
  sources: string[];
  /** Names of artifacts other actions output, made available to this one. @example ["backend"] */
  artifacts: string[];
  variables: InputVariable[];
}

/** One output artifact. */
export interface OutputArtifact {
  /** @example "frontend" */
  name: string;
  /** Globs relative to the working directory. @example ["dist/**\/*"] */
  files: string[];
}

/** A severity threshold in report success criteria. */
export interface SeverityThreshold {
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
  /** @default 0 */
  number?: number;
}

/** Report success criteria: the action fails when a report misses them. Percentages are 0..100. */
export interface ReportSuccessCriteria {
  passRate?: number;
  lineCoverage?: number;
  branchCoverage?: number;
  vulnerabilities?: SeverityThreshold;
  staticAnalysisBug?: SeverityThreshold;
  staticAnalysisSecurity?: SeverityThreshold;
  staticAnalysisQuality?: SeverityThreshold;
  staticAnalysisCodeSmell?: SeverityThreshold;
  staticAnalysisOther?: SeverityThreshold;
  staticAnalysisFinding?: SeverityThreshold;
}

/** One `Outputs.Reports` entry. */
export interface ReportConfig {
  /** @example "JUNITXML" */
  format: string;
  includePaths: string[];
  excludePaths: string[];
  successCriteria?: ReportSuccessCriteria;
}

/** `Outputs.AutoDiscoverReports`. */
export interface AutoDiscoverReports {
  /** @default false */
  enabled: boolean;
  reportNamePrefix?: string;
  includePaths: string[];
  excludePaths: string[];
  successCriteria?: ReportSuccessCriteria;
}

/** `Outputs`. */
export interface ActionOutputs {
  artifacts: OutputArtifact[];
  /** Names of environment variables whose values, after the last step, become `${Action.NAME}`. */
  variables: string[];
  /** Report name → configuration. */
  reports: Record<string, ReportConfig>;
  autoDiscoverReports?: AutoDiscoverReports;
}

/** One account connection of an environment. */
export interface EnvironmentConnection {
  /** The connection's name (an account connection, or a 12-digit account id written as a number). */
  name: string;
  /** The IAM role the action assumes through this connection. @example "production-deploy-role" */
  role: string;
}

/** `Environment`: where the action deploys to; its connection and role give the action its credentials. */
export interface ActionEnvironment {
  /** @example "production" */
  name: string;
  /** At most one. Empty: the action gets no credentials. */
  connections: EnvironmentConnection[];
}

/** One `Caching.FileCaching` entry. */
export interface FileCache {
  /** The directory or file to save and restore. @example "node_modules" */
  path: string;
  /** Other cache keys to fall back to, in order. */
  restoreKeys: string[];
}

/** One step: a shell command run by `/bin/sh`; environment and working directory carry over to the next step. */
export interface ActionStep {
  /** @example "npm ci" */
  run: string;
}

/** `Configuration` of `aws/build@v1` and `aws/managed-test@v1`. */
export interface StepsConfiguration {
  steps: ActionStep[];
  /** The image to run the steps in. Absent: the runner's default image. */
  container?: { registry?: string; image?: string };
}

/** `Configuration` of `aws/approval@v1`. */
export interface ApprovalConfiguration {
  /**
   * How many approvals the gate needs before the actions after it run.
   * @default 1
   */
  approvalsRequired: 1 | 2;
}

interface ActionBase {
  /** The action's name (its key under `Actions`), unique in the workflow. @example "DeployStaging" */
  name: string;
  /** The action groups it sits in, outermost first; `[]` at the top level. @example ["Deploy"] */
  groupPath: string[];
  /** Where it is in the file, e.g. `Actions.Deploy.Actions.Staging`, for messages. */
  path: string;
  /** The identifier as written. @example "aws/build@v1.0.0" */
  identifierAsWritten: string;
  /** `DependsOn` of the action and of its groups, as written (action or group names). */
  declaredDependsOn: string[];
  /**
   * Every action this one waits for: declared dependencies with groups expanded to their actions, plus the
   * implied ones (variable references, input artifacts). Sorted, without duplicates.
   */
  dependsOn: string[];
  inputs: ActionInputs;
  outputs: ActionOutputs;
  environment?: ActionEnvironment;
  /** Action-level compute (the workflow-level one applies otherwise). */
  compute?: ActionCompute;
  /** Minutes the action may run before it is stopped (1..480). Absent: the runner's default. */
  timeoutMinutes?: number;
  caching: { fileCaching: Record<string, FileCache> };
}

export interface BuildAction extends ActionBase {
  kind: 'build';
  identifier: 'aws/build@v1';
  configuration: StepsConfiguration;
}

export interface ManagedTestAction extends ActionBase {
  kind: 'managed-test';
  identifier: 'aws/managed-test@v1';
  configuration: StepsConfiguration;
}

export interface ApprovalAction extends ActionBase {
  kind: 'approval';
  identifier: 'aws/approval@v1';
  configuration: ApprovalConfiguration;
}

/**
 * An action Gantry cannot run (`aws/cdk-deploy@v1`, `.`, …). Only present when `parseWorkflow` is called with
 * `allowUnsupportedActions` (to show or lint a workflow); a run must refuse a workflow holding one.
 */
export interface UnsupportedAction extends ActionBase {
  kind: 'unsupported';
  identifier: string;
  /** `Configuration` as plain data. */
  configuration: Record<string, unknown>;
}

export type WorkflowAction = BuildAction | ManagedTestAction | ApprovalAction | UnsupportedAction;
export type ActionKind = WorkflowAction['kind'];

/** The dependency graph between actions (by name). Acyclic: `parseWorkflow` rejects cycles. */
export interface WorkflowGraph {
  /** Every action, in a topological order (dependencies first; ties in file order). */
  order: string[];
  /** Action → the actions it waits for (`WorkflowAction.dependsOn`). */
  dependencies: Record<string, string[]>;
  /** Action → the actions waiting directly for it. */
  dependants: Record<string, string[]>;
}

/** A parsed, validated, normalised workflow. */
export interface Workflow {
  /** `Name`: letters, digits, `-`, `_`; need not be unique nor match the file name. */
  name: string;
  /** Always `"1.0"` (the only version). */
  schemaVersion: '1.0';
  /** @default "QUEUED" */
  runMode: RunMode;
  compute?: WorkflowCompute;
  /** Empty: the workflow only runs when started by hand. */
  triggers: WorkflowTrigger[];
  /** Every action (groups flattened), in file order. */
  actions: WorkflowAction[];
  /** Action groups: group name → the names of its actions. */
  groups: Record<string, string[]>;
  graph: WorkflowGraph;
  /** The file the workflow was read from, as given to `parseWorkflow`. */
  file: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Issues

export type WorkflowIssueCode =
  | 'yaml-syntax'
  | 'yaml-warning'
  | 'wrong-type'
  | 'missing-key'
  | 'unknown-key'
  | 'invalid-value'
  | 'duplicate'
  | 'lenient'
  | 'ignored'
  | 'unsupported-action'
  | 'unknown-dependency'
  | 'dependency-cycle'
  | 'unknown-variable'
  | 'unknown-artifact'
  | 'invalid-regex'
  | 'invalid-cron';

/** One problem found in a workflow file. `line` and `column` are 1-based. */
export interface WorkflowIssue {
  severity: 'error' | 'warning';
  code: WorkflowIssueCode;
  file: string;
  line: number;
  column: number;
  /** YAML path, e.g. `Actions.Deploy.Configuration.Steps[2].Run`; `''` for the whole file. */
  path: string;
  message: string;
}
