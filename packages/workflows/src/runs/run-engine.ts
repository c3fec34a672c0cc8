import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GantryError } from '@gantry/core';
import { runShell } from '@gantry/runner';
import type { RunShellResult, ShellPhase } from '@gantry/runner';
import { isUniqueViolation, type Store } from '@gantry/store';
import { actionsToSkip, readyActions } from '../definition/workflow-graph.ts';
import type { ApprovalAction, BuildAction, ManagedTestAction, Workflow } from '../definition/workflow-types.ts';
import { resolveReferences, type VariableContext } from './run-variables.ts';
import {
  FINISHED_RUN_STATUSES, runMigrations,
  type RunActionRow, type RunActionStatus, type RunDb, type RunRow, type RunStatus,
} from './run-tables.ts';

/** Short-lived credentials of a connection's role, as STS AssumeRole returns them. */
export interface ConnectionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** @example "us-east-1" */
  region: string;
}

export interface AssumeConnectionRoleArgs {
  /** `Environment.Connections[0].Name`: an account connection name or a 12-digit account id. */
  connection: string;
  /** `Environment.Connections[0].Role`. @example "production-deploy-role" */
  role: string;
  runId: string;
  actionName: string;
}

export interface RunEngineOptions {
  store: Store;
  /** Directory under which every action attempt gets a fresh working directory. */
  workRoot: string;
  /** Checks out `commitId` of the workflow's repository into the (existing, empty) directory `dir`. */
  checkout(commitId: string, dir: string): Promise<void>;
  /** Log text of an action as it arrives (whole lines, secrets already masked). */
  onLog?(runId: string, actionName: string, text: string): void;
  /**
   * Credentials for an action whose environment has a connection. Throws when the role cannot be assumed
   * (the action then fails without running a step). Absent: such actions fail.
   */
  assumeConnectionRole?(args: AssumeConnectionRoleArgs): Promise<ConnectionCredentials>;
  /** `AWS_ENDPOINT_URL` given to actions with credentials (Gantry's own base URL). @example "http://127.0.0.1:4510" */
  awsEndpointUrl?: string;
  /** A workflow secret's value for `${Secrets.name}`; `undefined` when the project has none of that name. */
  getSecret?(project: string, name: string): string | undefined;
  /** `CATALYST_WORKFLOW_SPACE_NAME`. @default "gantry" */
  spaceName?: string;
  /** Time limit of an action without `TimeoutMinutes`. @default 3_600_000 (60 minutes) */
  defaultTimeoutMs?: number;
  /** Keep each action's working directory after it ends (for debugging). @default false */
  keepWorkDirs?: boolean;
  /** How often running actions are checked for a stop request made by another process. @default 250 ms */
  stopPollMs?: number;
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
  project?: string;
}

export interface RunAction {
  name: string;
  status: RunActionStatus;
  attempt: number;
  startTime?: number;
  endTime?: number;
  exitCode?: number;
  outputVariables: Record<string, string>;
  failureReason?: string;
  /** Principals that approved (approval actions). */
  approvals: string[];
}

export interface Run {
  id: string;
  workflowName: string;
  project: string;
  commitId: string;
  branchName: string;
  trigger: string;
  status: RunStatus;
  statusReason?: string;
  startTime: number;
  endTime?: number;
  /** In the workflow's topological order. */
  actions: RunAction[];
}

type RunnableAction = BuildAction | ManagedTestAction;

const isFinished = (status: string): boolean => (FINISHED_RUN_STATUSES as readonly string[]).includes(status);

/**
 * Executes workflow runs. The tables are the source of truth: every transition is a conditional update of a
 * row, and `advance` recomputes what to do from the rows alone (skip what is downstream of a failure, start
 * every ready action in parallel, finish the run when nothing is left). Passes of one run are serialised in
 * this process; the conditional `WAITING` → started update keeps an action from being started twice.
 */
export class RunEngine {
  static readonly migrations = runMigrations;

  private readonly db: RunDb;
  private readonly now: () => number;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Array<(run: Run) => void>>();
  private closed = false;
  private poller?: NodeJS.Timeout;

  constructor(private readonly options: RunEngineOptions) {
    this.db = options.store.db as RunDb;
    this.now = options.now ?? Date.now;
  }

  /**
   * Fails actions left IN_PROGRESS by a previous process. The tables must exist: apply `RunEngine.migrations`
   * together with the other services' migrations first (the store migrates one list at a time). Like the hosting
   * job scheduler, it assumes no other engine is running actions on this database when it starts.
   */
  async start(): Promise<void> {
    this.poller = setInterval(() => void this.checkStopRequests().catch((error) => console.error('workflow runs: stop poll failed:', error)), this.options.stopPollMs ?? 250);
    this.poller.unref();
    const orphans = await this.db.selectFrom('workflow_run_actions').selectAll().where('status', '=', 'IN_PROGRESS').execute();
    for (const orphan of orphans) {
      if (this.running.has(key(orphan.run_id, orphan.action_name))) continue;
      await this.db.updateTable('workflow_run_actions')
        .set({ status: 'FAILED', end_time: this.now(), failure_reason: 'The server stopped while this action ran; retry the run.' })
        .where('run_id', '=', orphan.run_id).where('action_name', '=', orphan.action_name).where('status', '=', 'IN_PROGRESS').execute();
      this.advance(orphan.run_id);
    }
  }

  /** Starts a run of `workflow` on a commit: persists it, then starts every action without dependencies. */
  async startRun(workflow: Workflow, args: StartRunArgs): Promise<Run> {
    const unsupported = workflow.actions.filter((a) => a.kind === 'unsupported');
    if (unsupported.length > 0) {
      throw new GantryError('ValidationError', `Workflow ${workflow.name} cannot run: Gantry does not run the action(s) ${unsupported.map((a) => `${a.name} (${a.identifier})`).join(', ')}. Use aws/build@v1, aws/managed-test@v1 or aws/approval@v1.`);
    }
    const runId = randomUUID();
    const now = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('workflow_runs').values({
        run_id: runId, workflow_name: workflow.name, project: args.project ?? 'default', commit_id: args.commitId,
        branch_name: args.branch, trigger: args.trigger ?? 'MANUAL', status: 'IN_PROGRESS', status_reason: null,
        definition: JSON.stringify(workflow), stop_requested: 0, created_at: now, start_time: now, end_time: null,
      }).execute();
      if (workflow.actions.length > 0) {
        await tx.insertInto('workflow_run_actions').values(workflow.actions.map((a) => ({
          run_id: runId, action_name: a.name, attempt: 1, status: 'WAITING', start_time: null, end_time: null,
          exit_code: null, output_variables: '{}', failure_reason: null,
        }))).execute();
      }
    });
    this.advance(runId);
    return this.requireRun(runId);
  }

  async getRun(runId: string): Promise<Run | undefined> {
    const row = await this.db.selectFrom('workflow_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    if (!row) return undefined;
    const workflow = JSON.parse(row.definition) as Workflow;
    const actions = await this.db.selectFrom('workflow_run_actions').selectAll().where('run_id', '=', runId).execute();
    const approvals = await this.db.selectFrom('workflow_run_approvals').selectAll().where('run_id', '=', runId).orderBy('approved_at').execute();
    const byName = new Map(actions.map((a) => [a.action_name, a]));
    return {
      id: row.run_id, workflowName: row.workflow_name, project: row.project, commitId: row.commit_id,
      branchName: row.branch_name, trigger: row.trigger, status: row.status as RunStatus,
      ...(row.status_reason === null ? {} : { statusReason: row.status_reason }),
      startTime: Number(row.start_time), ...(row.end_time === null ? {} : { endTime: Number(row.end_time) }),
      actions: workflow.graph.order.flatMap((name) => {
        const a = byName.get(name);
        if (!a) return [];
        return [{
          name, status: a.status as RunActionStatus, attempt: a.attempt,
          ...(a.start_time === null ? {} : { startTime: Number(a.start_time) }),
          ...(a.end_time === null ? {} : { endTime: Number(a.end_time) }),
          ...(a.exit_code === null ? {} : { exitCode: a.exit_code }),
          outputVariables: JSON.parse(a.output_variables) as Record<string, string>,
          ...(a.failure_reason === null ? {} : { failureReason: a.failure_reason }),
          approvals: approvals.filter((p) => p.action_name === name).map((p) => p.principal_arn),
        }];
      }),
    };
  }

  /** Runs, newest first, optionally of one project and workflow. */
  async listRuns(filter: { project?: string; workflowName?: string; limit?: number } = {}): Promise<Run[]> {
    let query = this.db.selectFrom('workflow_runs').select('run_id').orderBy('created_at', 'desc').orderBy('run_id').limit(filter.limit ?? 50);
    if (filter.project !== undefined) query = query.where('project', '=', filter.project);
    if (filter.workflowName !== undefined) query = query.where('workflow_name', '=', filter.workflowName);
    const ids = await query.execute();
    const runs = await Promise.all(ids.map((r) => this.getRun(r.run_id)));
    return runs.filter((r): r is Run => r !== undefined);
  }

  /** Resolves when the run reaches a final status. */
  async waitForRun(runId: string, timeoutMs = 60_000): Promise<Run> {
    const current = await this.requireRun(runId);
    if (isFinished(current.status)) return current;
    return new Promise<Run>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`run ${runId} did not finish within ${timeoutMs} ms (status ${current.status})`)), timeoutMs);
      const list = this.waiters.get(runId) ?? [];
      list.push((run) => { clearTimeout(timer); resolve(run); });
      this.waiters.set(runId, list);
    });
  }

  /**
   * Stops a run: actions not started yet (and approval gates) become STOPPED at once, running ones are
   * cancelled (their process tree is terminated) and become STOPPED; the run is STOPPING until they have ended,
   * then STOPPED.
   */
  async stopRun(runId: string): Promise<Run> {
    const run = await this.requireRun(runId);
    if (isFinished(run.status)) throw new GantryError('Conflict', `Run ${runId} has already finished with status ${run.status}; only a run in progress can be stopped.`);
    const now = this.now();
    await this.db.updateTable('workflow_runs').set({ status: 'STOPPING', stop_requested: 1, status_reason: 'Stopped by request' })
      .where('run_id', '=', runId).where('status', 'in', ['IN_PROGRESS', 'STOPPING']).execute();
    await this.db.updateTable('workflow_run_actions').set({ status: 'STOPPED', end_time: now, failure_reason: 'The run was stopped' })
      .where('run_id', '=', runId).where('status', 'in', ['WAITING', 'WAITING_FOR_APPROVAL']).execute();
    for (const [k, entry] of this.running) if (k.startsWith(`${runId}\n`)) entry.controller.abort();
    this.advance(runId);
    return this.requireRun(runId);
  }

  /**
   * Reruns a FAILED or STOPPED run from its failed, stopped and skipped actions; succeeded actions keep their
   * results and output variables. The run keeps its id and goes back to IN_PROGRESS.
   */
  async retryRun(runId: string): Promise<Run> {
    const run = await this.requireRun(runId);
    if (run.status !== 'FAILED' && run.status !== 'STOPPED') {
      throw new GantryError('Conflict', `Run ${runId} is ${run.status}; only a FAILED or STOPPED run can be retried.`);
    }
    const again = run.actions.filter((a) => a.status !== 'SUCCEEDED');
    await this.db.transaction().execute(async (tx) => {
      const updated = await tx.updateTable('workflow_runs').set({ status: 'IN_PROGRESS', status_reason: null, stop_requested: 0, end_time: null })
        .where('run_id', '=', runId).where('status', '=', run.status).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new GantryError('Conflict', `Run ${runId} changed while it was being retried; try again.`);
      for (const action of again) {
        await tx.updateTable('workflow_run_actions').set({
          status: 'WAITING', attempt: action.attempt + 1, start_time: null, end_time: null, exit_code: null, output_variables: '{}', failure_reason: null,
        }).where('run_id', '=', runId).where('action_name', '=', action.name).execute();
        await tx.deleteFrom('workflow_run_approvals').where('run_id', '=', runId).where('action_name', '=', action.name).execute();
      }
    });
    this.advance(runId);
    return this.requireRun(runId);
  }

  /**
   * Records an approval of an `aws/approval@v1` gate by `principalArn`. The gate succeeds once
   * `ApprovalsRequired` distinct principals have approved it.
   */
  async approve(runId: string, actionName: string, principalArn: string): Promise<Run> {
    const { workflow } = await this.requireRow(runId);
    const action = workflow.actions.find((a) => a.name === actionName);
    if (!action) throw new GantryError('NotFound', `Run ${runId} has no action named ${actionName}.`);
    if (action.kind !== 'approval') throw new GantryError('ValidationError', `Action ${actionName} is ${action.identifier}, not an approval gate (aws/approval@v1).`);
    const row = await this.db.selectFrom('workflow_run_actions').selectAll().where('run_id', '=', runId).where('action_name', '=', actionName).executeTakeFirstOrThrow();
    if (row.status !== 'WAITING_FOR_APPROVAL') {
      throw new GantryError('Conflict', `Action ${actionName} of run ${runId} is ${row.status}; it can only be approved while it is WAITING_FOR_APPROVAL.`);
    }
    try {
      await this.db.insertInto('workflow_run_approvals').values({ run_id: runId, action_name: actionName, principal_arn: principalArn, approved_at: this.now() }).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new GantryError('Conflict', `${principalArn} has already approved ${actionName}; another principal must give the next approval.`);
      throw error;
    }
    await this.completeApprovalIfDone(runId, action);
    this.advance(runId);
    return this.requireRun(runId);
  }

  /** Cancels running actions and waits for them to end (their actions become STOPPED). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const entry of this.running.values()) entry.controller.abort();
    await Promise.allSettled([...this.running.values()].map((e) => e.done));
    await Promise.allSettled([...this.chains.values()]);
  }

  // -------------------------------------------------------------------------------------------------------------

  /** A stop request may have been recorded by another process: cancel our actions of such runs. */
  private async checkStopRequests(): Promise<void> {
    if (this.running.size === 0) return;
    const runIds = [...new Set([...this.running.keys()].map((k) => k.split('\n')[0]!))];
    const stopped = await this.db.selectFrom('workflow_runs').select('run_id').where('run_id', 'in', runIds).where('stop_requested', '=', 1).execute();
    for (const { run_id } of stopped) {
      for (const [k, entry] of this.running) if (k.startsWith(`${run_id}\n`) && !entry.controller.signal.aborted) entry.controller.abort();
    }
  }

  /** Schedules one engine pass over the run (passes of a run never overlap). */
  private advance(runId: string): void {
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const next = previous.then(() => this.pass(runId)).catch((error) => console.error(`workflow run ${runId}: engine pass failed:`, error));
    this.chains.set(runId, next);
    void next.finally(() => { if (this.chains.get(runId) === next) this.chains.delete(runId); });
  }

  private async pass(runId: string): Promise<void> {
    for (;;) {
      const { row: run, workflow } = await this.requireRow(runId);
      if (isFinished(run.status)) return;
      const actions = await this.db.selectFrom('workflow_run_actions').selectAll().where('run_id', '=', runId).execute();
      const status = new Map(actions.map((a) => [a.action_name, a.status as RunActionStatus]));
      const now = this.now();
      const inProgress = actions.some((a) => a.status === 'IN_PROGRESS' || a.status === 'WAITING_FOR_APPROVAL');

      if (run.status === 'STOPPING' || run.stop_requested) {
        if (actions.some((a) => a.status === 'IN_PROGRESS')) return;
        await this.finish(run, 'STOPPED', 'Stopped by request');
        return;
      }

      let changed = false;
      const failed = actions.filter((a) => a.status === 'FAILED' || a.status === 'STOPPED').map((a) => a.action_name);
      const skip = actionsToSkip(workflow.graph, failed).filter((name) => status.get(name) === 'WAITING');
      if (skip.length > 0) {
        await this.db.updateTable('workflow_run_actions').set({ status: 'SKIPPED', end_time: now, failure_reason: `Skipped because an action it depends on did not succeed (${failed.join(', ')})` })
          .where('run_id', '=', runId).where('action_name', 'in', skip).where('status', '=', 'WAITING').execute();
        changed = true;
      }

      const succeeded = actions.filter((a) => a.status === 'SUCCEEDED').map((a) => a.action_name);
      const started = actions.filter((a) => a.status !== 'WAITING').map((a) => a.action_name).concat(skip);
      for (const name of readyActions(workflow.graph, succeeded, started)) {
        const action = workflow.actions.find((a) => a.name === name)!;
        if (this.closed) return;
        if (action.kind === 'approval') {
          if (await this.claim(runId, name, 'WAITING_FOR_APPROVAL')) {
            this.log(runId, name, `# Waiting for ${action.configuration.approvalsRequired} approval(s)\n`);
            await this.completeApprovalIfDone(runId, action);
            changed = true;
          }
        } else if (action.kind === 'build' || action.kind === 'managed-test') {
          if (await this.claim(runId, name, 'IN_PROGRESS')) this.launch(run, workflow, action);
          changed = true;
        }
      }
      if (changed) continue;
      if (inProgress || actions.some((a) => a.status === 'WAITING' && !skip.includes(a.action_name))) {
        if (inProgress) return;
        // Something WAITING yet nothing runs and nothing is ready: cannot happen with an acyclic graph.
        await this.finish(run, 'FAILED', 'Some actions could never start; check the workflow dependencies');
        return;
      }
      const allSucceeded = actions.every((a) => a.status === 'SUCCEEDED');
      const failedNames = actions.filter((a) => a.status === 'FAILED').map((a) => a.action_name);
      await this.finish(run, allSucceeded ? 'SUCCEEDED' : 'FAILED', allSucceeded ? null : `Action(s) failed: ${failedNames.join(', ')}`);
      return;
    }
  }

  private async claim(runId: string, name: string, to: RunActionStatus): Promise<boolean> {
    const result = await this.db.updateTable('workflow_run_actions').set({ status: to, start_time: this.now() })
      .where('run_id', '=', runId).where('action_name', '=', name).where('status', '=', 'WAITING').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private async completeApprovalIfDone(runId: string, action: ApprovalAction): Promise<void> {
    const approvals = await this.db.selectFrom('workflow_run_approvals').select('principal_arn').where('run_id', '=', runId).where('action_name', '=', action.name).execute();
    if (approvals.length < action.configuration.approvalsRequired) return;
    const result = await this.db.updateTable('workflow_run_actions').set({ status: 'SUCCEEDED', end_time: this.now() })
      .where('run_id', '=', runId).where('action_name', '=', action.name).where('status', '=', 'WAITING_FOR_APPROVAL').executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) this.log(runId, action.name, `# Approved by ${approvals.map((a) => a.principal_arn).join(', ')}\n`);
  }

  private async finish(run: RunRow, status: RunStatus, reason: string | null): Promise<void> {
    const result = await this.db.updateTable('workflow_runs').set({ status, status_reason: reason, end_time: this.now() })
      .where('run_id', '=', run.run_id).where('status', '=', run.status).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return;
    const finished = await this.requireRun(run.run_id);
    const row = await this.db.selectFrom('workflow_runs').selectAll().where('run_id', '=', run.run_id).executeTakeFirstOrThrow();
    this.options.onRunFinished?.(row);
    const waiting = this.waiters.get(run.run_id) ?? [];
    this.waiters.delete(run.run_id);
    for (const resolve of waiting) resolve(finished);
  }

  private launch(run: RunRow, workflow: Workflow, action: RunnableAction): void {
    const controller = new AbortController();
    const k = key(run.run_id, action.name);
    const done = this.execute(run, workflow, action, controller.signal)
      .catch(async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.log(run.run_id, action.name, `!!! ${message}\n`);
        await this.endAction(run.run_id, action.name, { status: 'FAILED', failure_reason: message });
      })
      .finally(() => {
        this.running.delete(k);
        this.advance(run.run_id);
      });
    this.running.set(k, { controller, done });
  }

  private async endAction(runId: string, name: string, changes: Partial<RunActionRow> & { status: RunActionStatus }): Promise<void> {
    await this.db.updateTable('workflow_run_actions').set({ ...changes, end_time: this.now() })
      .where('run_id', '=', runId).where('action_name', '=', name).where('status', '=', 'IN_PROGRESS').execute();
  }

  /** Runs a build action: working directory, checkout, credentials, environment, steps, output variables. */
  private async execute(run: RunRow, workflow: Workflow, action: RunnableAction, signal: AbortSignal): Promise<void> {
    const runId = run.run_id;
    const rows = await this.db.selectFrom('workflow_run_actions').selectAll().where('run_id', '=', runId).execute();
    const attempt = rows.find((r) => r.action_name === action.name)?.attempt ?? 1;
    const outputs: Record<string, Record<string, string>> = {};
    for (const r of rows) if (r.status === 'SUCCEEDED') outputs[r.action_name] = JSON.parse(r.output_variables) as Record<string, string>;
    const context: VariableContext = {
      commitId: run.commit_id, branchName: run.branch_name, outputs,
      secret: (name) => this.options.getSecret?.(run.project, name),
    };

    // 1. A fresh working directory, with the commit checked out when the action lists WorkflowSource.
    await mkdir(this.options.workRoot, { recursive: true });
    const actionDir = await mkdtemp(join(this.options.workRoot, `${safe(runId)}-${safe(action.name)}-${attempt}-`));
    try {
      await this.executeIn(actionDir, run, workflow, action, context, signal);
    } finally {
      if (!this.options.keepWorkDirs) await rm(actionDir, { recursive: true, force: true }).catch(() => {});
    }
  }

  private async executeIn(actionDir: string, run: RunRow, workflow: Workflow, action: RunnableAction, context: VariableContext, signal: AbortSignal): Promise<void> {
    const runId = run.run_id;
    const home = join(actionDir, 'home');
    await mkdir(home);
    const withSource = action.inputs.sources.includes('WorkflowSource');
    const workDir = join(actionDir, withSource ? 'WorkflowSource' : 'work');
    await mkdir(workDir);
    if (withSource) {
      this.log(runId, action.name, `# Checking out ${run.commit_id} (${run.branch_name})\n`);
      await this.options.checkout(run.commit_id, workDir);
    }

    // 2. The environment, from scratch.
    const env: Record<string, string> = {
      CI: 'true',
      HOME: home,
      CATALYST_WORKFLOW_SPACE_NAME: this.options.spaceName ?? 'gantry',
      CATALYST_WORKFLOW_PROJECT_NAME: run.project,
      CATALYST_DEFAULT_DIR: workDir,
      // Gantry additions (not set by CodeCatalyst's runner): the run and the source revision.
      CATALYST_WORKFLOW_NAME: workflow.name,
      CATALYST_WORKFLOW_RUN_ID: runId,
      CATALYST_ACTION_NAME: action.name,
      CATALYST_SOURCE_BRANCH_NAME: run.branch_name,
      CATALYST_SOURCE_COMMIT_ID: run.commit_id,
    };
    if (withSource) env.CATALYST_SOURCE_DIR_WorkflowSource = workDir;
    const secrets: string[] = [];
    for (const variable of action.inputs.variables) {
      const resolved = resolveReferences(variable.value, context, 'value');
      env[variable.name] = resolved.text;
      for (const [name, value] of Object.entries(resolved.secrets)) { env[name] = value; secrets.push(value); }
    }
    const phases: ShellPhase[] = action.configuration.steps.map((step, index) => {
      const resolved = resolveReferences(step.run, context, 'command');
      for (const [name, value] of Object.entries(resolved.secrets)) { env[name] = value; secrets.push(value); }
      return { name: `Step ${index + 1}`, commands: [resolved.text] };
    });

    // 3. Credentials of the environment's role, when it has a connection.
    const connection = action.environment?.connections[0];
    if (connection) {
      if (!this.options.assumeConnectionRole) {
        throw new Error(`Action ${action.name} uses environment ${action.environment!.name} (connection ${connection.name}, role ${connection.role}), but this server has no account connections configured.`);
      }
      let credentials: ConnectionCredentials;
      try {
        credentials = await this.options.assumeConnectionRole({ connection: connection.name, role: connection.role, runId, actionName: action.name });
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new Error(`Could not assume role ${connection.role} through connection ${connection.name} for action ${action.name}: ${why}. The role's trust policy must allow the service principal codecatalyst-runner.amazonaws.com to call sts:AssumeRole. No step was run.`);
      }
      Object.assign(env, {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
        AWS_REGION: credentials.region,
        AWS_DEFAULT_REGION: credentials.region,
      });
      if (this.options.awsEndpointUrl) env.AWS_ENDPOINT_URL = this.options.awsEndpointUrl;
      secrets.push(credentials.secretAccessKey, credentials.sessionToken);
      this.log(runId, action.name, `# Using credentials of role ${connection.role} (connection ${connection.name}, environment ${action.environment!.name})\n`);
    }

    // 4. The steps, as one shell session.
    const result: RunShellResult = await runShell({
      workDir, env, phases, secrets, signal,
      timeoutMs: action.timeoutMinutes ? action.timeoutMinutes * 60_000 : (this.options.defaultTimeoutMs ?? 3_600_000),
      exportNames: action.outputs.variables,
      onLog: (text) => this.log(runId, action.name, text),
    });
    if (result.status === 'SUCCEEDED') {
      await this.endAction(runId, action.name, { status: 'SUCCEEDED', exit_code: 0, output_variables: JSON.stringify(result.exports) });
    } else if (result.status === 'CANCELLED') {
      await this.endAction(runId, action.name, { status: 'STOPPED', exit_code: result.exitCode ?? null, failure_reason: 'The run was stopped' });
    } else {
      const reason = result.status === 'TIMED_OUT'
        ? `Timed out in ${result.failedPhase ?? 'a step'} (${result.failedCommand ?? ''})`
        : `${result.failedPhase ?? 'A step'} failed with exit code ${result.exitCode ?? '?'}: ${result.failedCommand ?? ''}`;
      await this.endAction(runId, action.name, { status: 'FAILED', exit_code: result.exitCode ?? null, failure_reason: reason });
    }
  }

  private log(runId: string, actionName: string, text: string): void {
    try {
      this.options.onLog?.(runId, actionName, text);
    } catch (error) {
      console.error(`workflow run ${runId}: log sink failed:`, error);
    }
  }

  private async requireRow(runId: string): Promise<{ row: RunRow; workflow: Workflow }> {
    const row = await this.db.selectFrom('workflow_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    if (!row) throw new GantryError('NotFound', `No workflow run ${runId}.`);
    return { row, workflow: JSON.parse(row.definition) as Workflow };
  }

  private async requireRun(runId: string): Promise<Run> {
    const run = await this.getRun(runId);
    if (!run) throw new GantryError('NotFound', `No workflow run ${runId}.`);
    return run;
  }
}

const key = (runId: string, action: string): string => `${runId}\n${action}`;
const safe = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
