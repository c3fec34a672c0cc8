import type { BuildSandbox } from '@gantry/runner';
import type { Store } from '@gantry/store';
import type { RunMode } from '../definition/workflow-types.ts';
import type { StoredArtifact } from './run-artifacts.ts';
import type { RunActionStatus, RunRow, RunStatus } from './run-tables.ts';

/** The public shapes of `RunEngine`: what the workflow service hands it and gets back. */

/** Short-lived credentials of a connection's role, as STS AssumeRole returns them. */
export interface ConnectionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** @example "us-east-1" */
  region: string;
  /** The role these credentials are of, recorded on the action. @example "arn:aws:iam::111122223333:role/deploy" */
  roleArn?: string;
}

export interface AssumeConnectionRoleArgs {
  /** `Environment.Connections[0].Name`: an account connection name or a 12-digit account id. */
  connection: string;
  /** `Environment.Connections[0].Role`. @example "production-deploy-role" */
  role: string;
  /** The space and project of the run: account connections belong to a space. */
  space: string;
  project: string;
  runId: string;
  actionName: string;
}

export interface CheckoutArgs {
  space: string;
  project: string;
  /** The source repository's name, as given to `startRun`. */
  repository: string;
  commitId: string;
  /** An existing, empty directory. */
  dir: string;
}

export interface SecretLookup {
  space: string;
  project: string;
  /** As written in `${Secrets.name}`. */
  name: string;
}

/** A workflow whose runs take turns: the run mode applies to runs with the same space, project and name. */
export interface WorkflowIdentity {
  /** @default "default" */
  space?: string;
  /** @default "default" */
  project?: string;
  workflowName: string;
}

export interface RunEngineOptions {
  store: Store;
  /** Directory under which every action attempt gets a fresh working directory. */
  workRoot: string;
  /** Stored action logs: `<logRoot>/<runId>/<action>.<attempt>.log`. */
  logRoot: string;
  /** Output artifacts: `<artifactRoot>/<runId>/<artifactName>/…`, kept until the run is deleted. */
  artifactRoot: string;
  /** `Caching.FileCaching` archives, per space, project, workflow and branch. */
  cacheRoot: string;
  /** Checks out `commitId` of the run's repository into `dir`. */
  checkout(args: CheckoutArgs): Promise<void>;
  /** Log text of an action as it arrives (whole lines, secrets already masked); it is also stored. */
  onLog?(runId: string, actionName: string, text: string): void;
  /**
   * Credentials for an action whose environment has a connection. Throws when the role cannot be assumed
   * (the action then fails without running a step). Absent: such actions fail.
   */
  assumeConnectionRole?(args: AssumeConnectionRoleArgs): Promise<ConnectionCredentials>;
  /** `AWS_ENDPOINT_URL` given to actions with credentials (Gantry's own base URL). @example "http://127.0.0.1:4510" */
  awsEndpointUrl?: string;
  /** A workflow secret's value for `${Secrets.name}`; `undefined` when the project has none of that name. */
  getSecret?(args: SecretLookup): string | undefined | Promise<string | undefined>;
  /**
   * Variables every action's environment starts from (e.g. a PATH holding Gantry's tools, npm settings); the
   * predefined `CATALYST_*`, `CI`, `HOME`, input variables and credentials are set over them.
   * @example { PATH: "/opt/gantry/bin:/usr/bin:/bin", LANG: "C.UTF-8" }
   */
  baseEnvironment?: Record<string, string>;
  /** Where action steps run; the action's directory is the only one of the server's they see. */
  sandbox?: BuildSandbox;
  /** The account a space belongs to, whose actions get that account's per-account sandbox directories (npm's cache). */
  spaceAccount?(space: string): Promise<string | undefined>;
  /** Time limit of an action without `TimeoutMinutes`. @default 3_600_000 (60 minutes) */
  defaultTimeoutMs?: number;
  /** Keep each action's working directory after it ends (for debugging). @default false */
  keepWorkDirs?: boolean;
  /** How often running actions are checked for a stop request made by another process. @default 250 ms */
  stopPollMs?: number;
  /** How often a followed log is re-read for text another process wrote. @default 200 ms */
  logPollMs?: number;
  /** Called once each time a run reaches a final status. */
  onRunFinished?(run: RunRow): void;
  /** @default Date.now */
  now?(): number;
}

export interface StartRunArgs {
  commitId: string;
  branch: string;
  /** What started the run. @example "PUSH" @default "MANUAL" */
  trigger?: string;
  /** @default "default" */
  space?: string;
  /** @default "default" */
  project?: string;
  /** The name of the source repository holding the workflow file; handed to `checkout`. @default "" */
  repository?: string;
}

export interface RunAction {
  name: string;
  status: RunActionStatus;
  attempt: number;
  startTime?: number;
  endTime?: number;
  exitCode?: number;
  outputVariables: Record<string, string>;
  /** Output artifacts stored by the last attempt that succeeded. */
  artifacts: StoredArtifact[];
  failureReason?: string;
  /** Principals that approved (approval actions). */
  approvals: string[];
  /** The role whose credentials the action ran with, when its environment has a connection. */
  roleArn?: string;
}

export interface Run {
  id: string;
  space: string;
  project: string;
  repository: string;
  workflowName: string;
  runMode: RunMode;
  commitId: string;
  branchName: string;
  trigger: string;
  status: RunStatus;
  statusReason?: string;
  /** When the run was started (it may then have waited, QUEUED, for its turn). */
  createdAt: number;
  /** When it last began executing (equal to `createdAt` unless it waited its turn or was retried). */
  startTime: number;
  endTime?: number;
  /** In the workflow's topological order. */
  actions: RunAction[];
}

export interface RunFilter {
  space?: string;
  project?: string;
  workflowName?: string;
  status?: RunStatus[];
  /** @default 50 */
  limit?: number;
}
