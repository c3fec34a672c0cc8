import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { GantryError } from '@gantry/core';
import { BUILD_LIMITS, keepToolNodeOptions, LogMasker, removeTree, runShell } from '@gantry/runner';
import type { RunShellResult, ShellPhase } from '@gantry/runner';
import { isUniqueViolation } from '@gantry/store';
import { actionsToSkip, readyActions } from '../definition/workflow-graph.ts';
import type { ApprovalAction, BuildAction, ManagedTestAction, RunMode, Workflow } from '../definition/workflow-types.ts';
import { PreparedCheckouts } from './prepared-checkouts.ts';
import { RunArtifacts, type StoredArtifact } from './run-artifacts.ts';
import { RunCaches } from './run-caches.ts';
import type {
  ConnectionCredentials, Run, RunAction, RunEngineOptions, RunFilter, StartRunArgs, WorkflowIdentity,
} from './run-engine-types.ts';
import { RunLogs } from './run-logs.ts';
import { resolveReferences, secretNames, type VariableContext } from './run-variables.ts';
import {
  ACTIVE_RUN_STATUSES, FINISHED_ACTION_STATUSES, FINISHED_RUN_STATUSES, runMigrations,
  type RunActionRow, type RunActionStatus, type RunDb, type RunRow, type RunStatus,
} from './run-tables.ts';

export type {
  AssumeConnectionRoleArgs, CheckoutArgs, ConnectionCredentials, Run, RunAction, RunEngineOptions, RunFilter, SecretLookup,
  StartRunArgs, WorkflowIdentity,
} from './run-engine-types.ts';

type RunnableAction = BuildAction | ManagedTestAction;
/** The final statuses a requested stop can end a run in. */
type StopOutcome = 'STOPPED' | 'SUPERSEDED' | 'CANCELLED';
type Identity = Required<WorkflowIdentity>;

const isFinished = (status: string): boolean => (FINISHED_RUN_STATUSES as readonly string[]).includes(status);
const identityOf = (row: Pick<RunRow, 'space' | 'project' | 'workflow_name'>): Identity => ({ space: row.space, project: row.project, workflowName: row.workflow_name });
const stopWording: Record<StopOutcome, string> = { STOPPED: 'stopped', SUPERSEDED: 'superseded', CANCELLED: 'cancelled' };

/**
 * Executes workflow runs. The tables are the source of truth: every transition is a conditional update of a
 * row, and `advance` recomputes what to do from the rows alone (skip what is downstream of a failure, start
 * every ready action in parallel, finish the run when nothing is left). Passes of one run are serialised in
 * this process; the conditional `WAITING` → started update keeps an action from being started twice.
 *
 * Runs of one workflow (space, project, name) take turns as its `RunMode` says. QUEUED: one at a time, in the
 * order they were started (or retried); the others wait with status QUEUED. SUPERSEDED: a new run ends the older
 * queued ones at once and stops the one in progress, then waits for it to wind down. PARALLEL: no waiting. A
 * QUEUED run starts through a single conditional update that requires no active run of its workflow, and
 * whoever finishes a run (or starts an engine) hands the turn on, so the order holds across processes and
 * restarts.
 */
export class RunEngine {
  static readonly migrations = runMigrations;

  private readonly db: RunDb;
  private readonly now: () => number;
  private readonly logs: RunLogs;
  private readonly artifacts: RunArtifacts;
  private readonly caches: RunCaches;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly turns = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Array<(run: Run) => void>>();
  private readonly removals = new Set<Promise<void>>();
  private readonly checkouts = new PreparedCheckouts(removeTree);
  private closed = false;
  private poller?: NodeJS.Timeout;

  constructor(private readonly options: RunEngineOptions) {
    this.db = options.store.db as RunDb;
    this.now = options.now ?? Date.now;
    this.logs = new RunLogs(options.logRoot);
    this.artifacts = new RunArtifacts(options.artifactRoot);
    this.caches = new RunCaches(options.cacheRoot);
  }

  /**
   * Picks up what a previous process left: actions left IN_PROGRESS fail, runs in progress are driven on, and
   * queued runs whose turn has come start. The tables must exist: apply `RunEngine.migrations` together with the
   * other services' migrations first (the store migrates one list at a time). Like the hosting job scheduler,
   * it assumes no other engine is running actions on this database when it starts.
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
    }
    const unfinished = await this.db.selectFrom('workflow_runs').select('run_id').where('status', 'in', [...ACTIVE_RUN_STATUSES]).execute();
    for (const { run_id } of unfinished) this.advance(run_id);
    const waiting = await this.db.selectFrom('workflow_runs').select(['space', 'project', 'workflow_name']).distinct().where('status', '=', 'QUEUED').execute();
    for (const row of waiting) await this.takeTurns(identityOf(row));
  }

  /**
   * Starts a run of `workflow` on a commit: persists it, then, when its run mode gives it the turn, starts every
   * action without dependencies. Otherwise the run is returned QUEUED.
   */
  async startRun(workflow: Workflow, args: StartRunArgs): Promise<Run> {
    const unsupported = workflow.actions.filter((a) => a.kind === 'unsupported');
    if (unsupported.length > 0) {
      throw new GantryError('ValidationError', `Workflow ${workflow.name} cannot run: Gantry does not run the action(s) ${unsupported.map((a) => `${a.name} (${a.identifier})`).join(', ')}. Use aws/build@v1, aws/managed-test@v1 or aws/approval@v1.`);
    }
    const runId = randomUUID();
    const now = this.now();
    const mode: RunMode = workflow.runMode ?? 'QUEUED';
    const identity: Identity = { space: args.space ?? 'default', project: args.project ?? 'default', workflowName: workflow.name };
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('workflow_runs').values({
        run_id: runId, space: identity.space, project: identity.project, repository: args.repository ?? '',
        workflow_name: workflow.name, run_mode: mode, queue_turn: nextTurn(), stop_outcome: null,
        commit_id: args.commitId, branch_name: args.branch, trigger: args.trigger ?? 'MANUAL', status: 'QUEUED', status_reason: null,
        definition: JSON.stringify(workflow), stop_requested: 0, created_at: now, start_time: now, end_time: null,
      }).execute();
      if (workflow.actions.length > 0) {
        await tx.insertInto('workflow_run_actions').values(workflow.actions.map((a) => ({
          run_id: runId, action_name: a.name, attempt: 1, status: 'WAITING', start_time: null, end_time: null,
          exit_code: null, output_variables: '{}', output_artifacts: '[]', role_arn: null, failure_reason: null,
        }))).execute();
      }
    });
    if (mode === 'SUPERSEDED') await this.supersedeOlderRuns(runId, identity);
    await this.takeTurns(identity);
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
      id: row.run_id, space: row.space, project: row.project, repository: row.repository, workflowName: row.workflow_name,
      runMode: row.run_mode as RunMode, commitId: row.commit_id, branchName: row.branch_name, trigger: row.trigger,
      status: row.status as RunStatus, ...(row.status_reason === null ? {} : { statusReason: row.status_reason }),
      createdAt: Number(row.created_at), startTime: Number(row.start_time), ...(row.end_time === null ? {} : { endTime: Number(row.end_time) }),
      actions: workflow.graph.order.flatMap((name): RunAction[] => {
        const a = byName.get(name);
        if (!a) return [];
        return [{
          name, status: a.status as RunActionStatus, attempt: a.attempt,
          ...(a.start_time === null ? {} : { startTime: Number(a.start_time) }),
          ...(a.end_time === null ? {} : { endTime: Number(a.end_time) }),
          ...(a.exit_code === null ? {} : { exitCode: a.exit_code }),
          outputVariables: JSON.parse(a.output_variables) as Record<string, string>,
          artifacts: JSON.parse(a.output_artifacts) as StoredArtifact[],
          ...(a.role_arn === null ? {} : { roleArn: a.role_arn }),
          ...(a.failure_reason === null ? {} : { failureReason: a.failure_reason }),
          approvals: approvals.filter((p) => p.action_name === name).map((p) => p.principal_arn),
        }];
      }),
    };
  }

  /** Runs, newest first, optionally of one space, project and workflow, or with given statuses. */
  async listRuns(filter: RunFilter = {}): Promise<Run[]> {
    let query = this.db.selectFrom('workflow_runs').select('run_id').orderBy('created_at', 'desc').orderBy('queue_turn', 'desc').limit(filter.limit ?? 50);
    if (filter.space !== undefined) query = query.where('space', '=', filter.space);
    if (filter.project !== undefined) query = query.where('project', '=', filter.project);
    if (filter.workflowName !== undefined) query = query.where('workflow_name', '=', filter.workflowName);
    if (filter.status !== undefined) query = query.where('status', 'in', filter.status.length > 0 ? filter.status : ['']);
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
   * Stops a run: a QUEUED one ends STOPPED at once; otherwise actions not started yet (and approval gates)
   * become STOPPED at once, running ones are cancelled (their process tree is terminated) and become STOPPED; the
   * run is STOPPING until they have ended, then STOPPED.
   */
  async stopRun(runId: string): Promise<Run> {
    const run = await this.requireRun(runId);
    if (isFinished(run.status)) throw new GantryError('Conflict', `Run ${runId} has already finished with status ${run.status}; only a run in progress can be stopped.`);
    await this.requestStop(runId, 'STOPPED', 'Stopped by request');
    return this.requireRun(runId);
  }

  /**
   * Ends every unfinished run of a workflow CANCELLED (queued ones at once, the others once their running
   * actions are cancelled), e.g. because the workflow was deleted or its file became invalid.
   * @returns the ids of the runs cancelled
   */
  async cancelRuns(workflow: WorkflowIdentity, reason: string): Promise<string[]> {
    const identity: Identity = { space: workflow.space ?? 'default', project: workflow.project ?? 'default', workflowName: workflow.workflowName };
    const runs = await this.db.selectFrom('workflow_runs').select(['run_id', 'status'])
      .where('space', '=', identity.space).where('project', '=', identity.project).where('workflow_name', '=', identity.workflowName)
      .where('status', 'in', ['QUEUED', ...ACTIVE_RUN_STATUSES]).orderBy('queue_turn', 'desc').execute();
    // Queued runs first, so none of them is handed the turn when an active one ends.
    const ordered = [...runs.filter((r) => r.status === 'QUEUED'), ...runs.filter((r) => r.status !== 'QUEUED')];
    for (const run of ordered) await this.requestStop(run.run_id, 'CANCELLED', reason);
    return ordered.map((r) => r.run_id);
  }

  /**
   * Reruns a FAILED or STOPPED run from its failed, stopped and skipped actions; succeeded actions keep their
   * results, output variables and artifacts. The run keeps its id and takes a new turn: unless its workflow runs
   * in PARALLEL mode, it waits (QUEUED) for the runs of the workflow in progress or queued before it.
   */
  async retryRun(runId: string): Promise<Run> {
    const run = await this.requireRun(runId);
    if (run.status !== 'FAILED' && run.status !== 'STOPPED') {
      throw new GantryError('Conflict', `Run ${runId} is ${run.status}; only a FAILED or STOPPED run can be retried.`);
    }
    const again = run.actions.filter((a) => a.status !== 'SUCCEEDED');
    await this.db.transaction().execute(async (tx) => {
      const updated = await tx.updateTable('workflow_runs')
        .set({ status: 'QUEUED', status_reason: null, stop_requested: 0, stop_outcome: null, end_time: null, queue_turn: nextTurn() })
        .where('run_id', '=', runId).where('status', '=', run.status).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new GantryError('Conflict', `Run ${runId} changed while it was being retried; try again.`);
      for (const action of again) {
        await tx.updateTable('workflow_run_actions').set({
          status: 'WAITING', attempt: action.attempt + 1, start_time: null, end_time: null, exit_code: null, output_variables: '{}', output_artifacts: '[]', role_arn: null, failure_reason: null,
        }).where('run_id', '=', runId).where('action_name', '=', action.name).execute();
        await tx.deleteFrom('workflow_run_approvals').where('run_id', '=', runId).where('action_name', '=', action.name).execute();
      }
    });
    await this.takeTurns({ space: run.space, project: run.project, workflowName: run.workflowName });
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
    await this.completeApprovalIfDone(runId, action, row.attempt);
    this.advance(runId);
    return this.requireRun(runId);
  }

  /**
   * The stored log of an action attempt (the current one by default): '' when it has written nothing yet.
   * @throws GantryError NotFound when the run or action does not exist
   */
  async readLog(runId: string, actionName: string, attempt?: number): Promise<string> {
    const row = await this.requireActionRow(runId, actionName);
    return this.logs.read(runId, actionName, attempt ?? row.attempt);
  }

  /**
   * Sends an action attempt's stored log to `onText`, then the text it writes next, and resolves once the
   * attempt has ended (or the run finished without starting it) and all its text was sent, or when `signal`
   * aborts. Backs `?follow=1` log URLs: the caller writes each piece to the response.
   * @throws GantryError NotFound when the run or action does not exist
   */
  async followLog(runId: string, actionName: string, onText: (text: string) => void, signal?: AbortSignal, attempt?: number): Promise<void> {
    const row = await this.requireActionRow(runId, actionName);
    const followed = attempt ?? row.attempt;
    const ended = async (): Promise<boolean> => {
      const now = await this.db.selectFrom('workflow_run_actions').select(['attempt', 'status']).where('run_id', '=', runId).where('action_name', '=', actionName).executeTakeFirst();
      if (!now || now.attempt !== followed) return true;
      if ((FINISHED_ACTION_STATUSES as readonly string[]).includes(now.status)) return true;
      const run = await this.db.selectFrom('workflow_runs').select('status').where('run_id', '=', runId).executeTakeFirst();
      return !run || (isFinished(run.status) && now.status === 'WAITING');
    };
    await this.logs.follow(runId, actionName, followed, onText, ended, signal, this.options.logPollMs);
  }

  /** Deletes a finished run with its logs and artifacts. */
  async deleteRun(runId: string): Promise<void> {
    const { row } = await this.requireRow(runId);
    if (!isFinished(row.status)) throw new GantryError('Conflict', `Run ${runId} is ${row.status}; stop it and wait for it to finish before deleting it.`);
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('workflow_run_approvals').where('run_id', '=', runId).execute();
      await tx.deleteFrom('workflow_run_actions').where('run_id', '=', runId).execute();
      await tx.deleteFrom('workflow_runs').where('run_id', '=', runId).execute();
    });
    await this.artifacts.deleteRun(runId);
    await this.logs.deleteRun(runId);
  }

  /** Removes the `Caching.FileCaching` archives of a workflow (every branch), e.g. when it is deleted. */
  async deleteCaches(workflow: WorkflowIdentity): Promise<void> {
    await this.caches.deleteWorkflow({ space: workflow.space ?? 'default', project: workflow.project ?? 'default', workflowName: workflow.workflowName });
  }

  /**
   * Cancels running actions and waits for them to end. They fail ("the server stopped"), and their runs are left
   * for the next `start()` to drive on, so no queued run is started by an engine that is going away.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const entry of this.running.values()) entry.controller.abort();
    await Promise.allSettled([...this.running.values()].map((e) => e.done));
    await Promise.allSettled([...this.chains.values(), ...this.turns.values()]);
    await this.checkouts.discard();
    await Promise.allSettled([...this.removals]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Turns: which runs of a workflow may execute.

  /** Schedules one look at the queued runs of a workflow (looks at one workflow never overlap in this process). */
  private takeTurns(identity: Identity): Promise<void> {
    const k = `${identity.space}\n${identity.project}\n${identity.workflowName}`;
    const previous = this.turns.get(k) ?? Promise.resolve();
    const next = previous.then(() => this.startQueuedRuns(identity)).catch((error) => console.error(`workflow ${identity.workflowName}: starting queued runs failed:`, error));
    this.turns.set(k, next);
    void next.finally(() => { if (this.turns.get(k) === next) this.turns.delete(k); });
    return next;
  }

  /**
   * Starts the queued runs whose turn it is: every PARALLEL one, and the first of the others (in turn order)
   * when no run of the workflow is active. The "no active run" condition is part of the update itself, so two
   * engines cannot both start a run of the same workflow.
   */
  private async startQueuedRuns(identity: Identity): Promise<void> {
    if (this.closed) return;
    const queued = await this.db.selectFrom('workflow_runs').select(['run_id', 'run_mode'])
      .where('space', '=', identity.space).where('project', '=', identity.project).where('workflow_name', '=', identity.workflowName)
      .where('status', '=', 'QUEUED').orderBy('queue_turn').execute();
    let exclusiveConsidered = false;
    for (const run of queued) {
      const exclusive = run.run_mode !== 'PARALLEL';
      if (exclusive && exclusiveConsidered) continue;
      if (exclusive) exclusiveConsidered = true;
      let update = this.db.updateTable('workflow_runs').set({ status: 'IN_PROGRESS', start_time: this.now() })
        .where('run_id', '=', run.run_id).where('status', '=', 'QUEUED');
      if (exclusive) {
        update = update.where(({ not, exists, selectFrom }) => not(exists(
          selectFrom('workflow_runs as other').select('other.run_id')
            .where('other.space', '=', identity.space).where('other.project', '=', identity.project)
            .where('other.workflow_name', '=', identity.workflowName).where('other.status', 'in', [...ACTIVE_RUN_STATUSES]),
        )));
      }
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) this.advance(run.run_id);
    }
  }

  /** A new run of a SUPERSEDED-mode workflow replaces the older ones that are queued or in progress. */
  private async supersedeOlderRuns(runId: string, identity: Identity): Promise<void> {
    const { row } = await this.requireRow(runId);
    const older = await this.db.selectFrom('workflow_runs').select('run_id')
      .where('space', '=', identity.space).where('project', '=', identity.project).where('workflow_name', '=', identity.workflowName)
      .where('status', 'in', ['QUEUED', 'IN_PROGRESS']).where('queue_turn', '<', row.queue_turn).execute();
    for (const { run_id } of older) await this.requestStop(run_id, 'SUPERSEDED', `Superseded by run ${runId}`);
  }

  /**
   * Asks a run to end in `outcome`. A QUEUED run has nothing running and ends at once; a run in progress
   * becomes STOPPING: its waiting actions and gates stop at once, running ones are cancelled, and the run ends
   * when they have.
   */
  private async requestStop(runId: string, outcome: StopOutcome, reason: string): Promise<void> {
    const now = this.now();
    const actionReason = `The run was ${stopWording[outcome]}`;
    const queued = await this.db.updateTable('workflow_runs')
      .set({ status: outcome, status_reason: reason, stop_requested: 1, stop_outcome: outcome, end_time: now })
      .where('run_id', '=', runId).where('status', '=', 'QUEUED').executeTakeFirst();
    if (Number(queued.numUpdatedRows) === 1) {
      await this.db.updateTable('workflow_run_actions').set({ status: 'STOPPED', end_time: now, failure_reason: actionReason })
        .where('run_id', '=', runId).where('status', '=', 'WAITING').execute();
      await this.announceFinished(runId);
      return;
    }
    await this.db.updateTable('workflow_runs').set({ status: 'STOPPING', stop_requested: 1, stop_outcome: outcome, status_reason: reason })
      .where('run_id', '=', runId).where('status', 'in', [...ACTIVE_RUN_STATUSES]).execute();
    await this.db.updateTable('workflow_run_actions').set({ status: 'STOPPED', end_time: now, failure_reason: actionReason })
      .where('run_id', '=', runId).where('status', 'in', ['WAITING', 'WAITING_FOR_APPROVAL']).execute();
    for (const [k, entry] of this.running) if (k.startsWith(`${runId}\n`)) entry.controller.abort();
    this.advance(runId);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Passes: what to do next in one run.

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
      if (this.closed) return;
      const { row: run, workflow } = await this.requireRow(runId);
      if (isFinished(run.status) || run.status === 'QUEUED') return;
      const actions = await this.db.selectFrom('workflow_run_actions').selectAll().where('run_id', '=', runId).execute();
      const status = new Map(actions.map((a) => [a.action_name, a.status as RunActionStatus]));
      const now = this.now();
      const inProgress = actions.some((a) => a.status === 'IN_PROGRESS' || a.status === 'WAITING_FOR_APPROVAL');

      if (run.status === 'STOPPING' || run.stop_requested) {
        if (actions.some((a) => a.status === 'IN_PROGRESS')) return;
        await this.finish(run, (run.stop_outcome ?? 'STOPPED') as StopOutcome, run.status_reason ?? 'Stopped by request');
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
        const attempt = actions.find((a) => a.action_name === name)!.attempt;
        if (this.closed) return;
        if (action.kind === 'approval') {
          if (await this.claim(runId, name, 'WAITING_FOR_APPROVAL')) {
            this.log(runId, name, attempt, `# Waiting for ${action.configuration.approvalsRequired} approval(s)\n`);
            await this.completeApprovalIfDone(runId, action, attempt);
            changed = true;
          }
        } else if (action.kind === 'build' || action.kind === 'managed-test') {
          if (await this.claim(runId, name, 'IN_PROGRESS')) this.launch(run, workflow, action, attempt);
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

  /**
   * Checks out the source for the actions that wait only on running ones (see PreparedCheckouts). Called once an
   * action's own inputs are in place, so the two checkouts do not compete for the machine.
   */
  private async prepareNextCheckouts(run: RunRow, workflow: Workflow): Promise<void> {
    const actions = await this.db.selectFrom('workflow_run_actions').selectAll().where('run_id', '=', run.run_id).execute();
    const names = (statuses: string[]) => actions.filter((a) => statuses.includes(a.status)).map((a) => a.action_name);
    const running = names(['IN_PROGRESS']);
    if (running.length === 0 || this.closed) return;
    const started = actions.filter((a) => a.status !== 'WAITING').map((a) => a.action_name);
    for (const name of readyActions(workflow.graph, [...names(['SUCCEEDED']), ...running], started)) {
      const action = workflow.actions.find((a) => a.name === name)!;
      if (action.kind === 'approval' || !action.inputs.sources.includes('WorkflowSource')) continue;
      const attempt = actions.find((a) => a.action_name === name)!.attempt;
      this.checkouts.prepare(run.run_id, name, attempt, async () => {
        const dir = await this.makeActionDir(run.run_id, name, attempt);
        try {
          await mkdir(join(dir, 'WorkflowSource'));
          await this.options.checkout({ space: run.space, project: run.project, repository: run.repository, commitId: run.commit_id, dir: join(dir, 'WorkflowSource') });
          return dir;
        } catch (error) {
          await removeTree(dir);
          throw error;
        }
      });
    }
  }

  private async makeActionDir(runId: string, actionName: string, attempt: number): Promise<string> {
    await mkdir(this.options.workRoot, { recursive: true });
    return mkdtemp(join(this.options.workRoot, `${safe(runId)}-${safe(actionName)}-${attempt}-`));
  }

  private async claim(runId: string, name: string, to: RunActionStatus): Promise<boolean> {
    const result = await this.db.updateTable('workflow_run_actions').set({ status: to, start_time: this.now() })
      .where('run_id', '=', runId).where('action_name', '=', name).where('status', '=', 'WAITING').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private async completeApprovalIfDone(runId: string, action: ApprovalAction, attempt: number): Promise<void> {
    const approvals = await this.db.selectFrom('workflow_run_approvals').select('principal_arn').where('run_id', '=', runId).where('action_name', '=', action.name).execute();
    if (approvals.length < action.configuration.approvalsRequired) return;
    // Logged before the gate ends, so a follower of the gate's log sees it.
    this.log(runId, action.name, attempt, `# Approved by ${approvals.map((a) => a.principal_arn).join(', ')}\n`);
    await this.db.updateTable('workflow_run_actions').set({ status: 'SUCCEEDED', end_time: this.now() })
      .where('run_id', '=', runId).where('action_name', '=', action.name).where('status', '=', 'WAITING_FOR_APPROVAL').execute();
  }

  private async finish(run: RunRow, status: RunStatus, reason: string | null): Promise<void> {
    const result = await this.db.updateTable('workflow_runs').set({ status, status_reason: reason, end_time: this.now() })
      .where('run_id', '=', run.run_id).where('status', '=', run.status).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return;
    await this.announceFinished(run.run_id);
  }

  /** A run reached a final status: tell the listeners, and hand its workflow's turn to the next queued run. */
  private async announceFinished(runId: string): Promise<void> {
    const row = await this.db.selectFrom('workflow_runs').selectAll().where('run_id', '=', runId).executeTakeFirstOrThrow();
    const discarded = this.checkouts.discard(runId).finally(() => this.removals.delete(discarded));
    this.removals.add(discarded);
    await this.takeTurns(identityOf(row));
    const finished = await this.requireRun(runId);
    try {
      this.options.onRunFinished?.(row);
    } catch (error) {
      console.error(`workflow run ${runId}: onRunFinished failed:`, error);
    }
    const waiting = this.waiters.get(runId) ?? [];
    this.waiters.delete(runId);
    for (const resolve of waiting) resolve(finished);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Actions: executing one build or test action.

  private launch(run: RunRow, workflow: Workflow, action: RunnableAction, attempt: number): void {
    const controller = new AbortController();
    const k = key(run.run_id, action.name);
    const done = this.execute(run, workflow, action, attempt, controller.signal)
      .catch(async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.log(run.run_id, action.name, attempt, `!!! ${message}\n`);
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

  /** Runs a build action in a fresh directory, removed afterwards. */
  private async execute(run: RunRow, workflow: Workflow, action: RunnableAction, attempt: number, signal: AbortSignal): Promise<void> {
    const runId = run.run_id;
    const rows = await this.db.selectFrom('workflow_run_actions').selectAll().where('run_id', '=', runId).execute();
    const outputs: Record<string, Record<string, string>> = {};
    for (const r of rows) if (r.status === 'SUCCEEDED') outputs[r.action_name] = JSON.parse(r.output_variables) as Record<string, string>;
    // Secrets are looked up first (the lookup may be asynchronous); the references are then resolved from them.
    const texts = [...action.inputs.variables.map((v) => v.value), ...action.configuration.steps.map((s) => s.run)];
    const secrets = new Map<string, string | undefined>();
    for (const name of new Set(texts.flatMap(secretNames))) {
      secrets.set(name, await this.options.getSecret?.({ space: run.space, project: run.project, name }));
    }
    const context: VariableContext = { commitId: run.commit_id, branchName: run.branch_name, outputs, secret: (name) => secrets.get(name) };

    const prepared = await this.checkouts.take(runId, action.name, attempt);
    const actionDir = prepared ?? await this.makeActionDir(runId, action.name, attempt);
    try {
      await this.executeIn(actionDir, run, workflow, action, attempt, context, signal, prepared !== undefined);
    } finally {
      // Removed in the background: the next action need not wait for a large tree (node_modules) to go.
      if (!this.options.keepWorkDirs) {
        const removal = removeTree(actionDir).finally(() => this.removals.delete(removal));
        this.removals.add(removal);
      }
    }
  }

  /**
   * The steps of an action: inputs (checkout, artifacts, caches), environment, credentials, the shell session,
   * then outputs (variables, artifacts, caches). Each input gets a directory of its own; the working directory
   * is the source checkout, else the first input artifact, else an empty directory.
   */
  private async executeIn(actionDir: string, run: RunRow, workflow: Workflow, action: RunnableAction, attempt: number, context: VariableContext, signal: AbortSignal, sourceReady: boolean): Promise<void> {
    const runId = run.run_id;
    const log = (text: string) => this.log(runId, action.name, attempt, text);
    const home = join(actionDir, 'home');
    await mkdir(home);
    const withSource = action.inputs.sources.includes('WorkflowSource');
    const sourceDir = join(actionDir, 'WorkflowSource');
    const artifactDir = (name: string) => join(actionDir, 'artifacts', name);
    const firstArtifact = action.inputs.artifacts[0];
    const workDir = withSource ? sourceDir : firstArtifact !== undefined ? artifactDir(firstArtifact) : join(actionDir, 'work');
    await mkdir(workDir, { recursive: true });

    // 1. Inputs.
    if (withSource) {
      log(`# Checking out ${run.commit_id} (${run.branch_name})\n`);
      if (!sourceReady) await this.options.checkout({ space: run.space, project: run.project, repository: run.repository, commitId: run.commit_id, dir: sourceDir });
    }
    for (const name of action.inputs.artifacts) {
      const count = await this.artifacts.restore(runId, name, artifactDir(name));
      log(`# Restored input artifact ${name} (${count} file${count === 1 ? '' : 's'})\n`);
    }
    const cacheScope = { space: run.space, project: run.project, workflowName: workflow.name, branchName: run.branch_name };
    const cacheDirs = { workDir, home };
    await this.caches.restore(cacheScope, action.caching.fileCaching, cacheDirs, log);
    void this.prepareNextCheckouts(run, workflow).catch((error) => console.error(`workflow run ${runId}: preparing checkouts failed:`, error));

    // 2. The environment, from scratch.
    const env: Record<string, string> = {
      ...this.options.baseEnvironment,
      CI: 'true',
      HOME: home,
      CATALYST_WORKFLOW_SPACE_NAME: run.space,
      CATALYST_WORKFLOW_PROJECT_NAME: run.project,
      CATALYST_DEFAULT_DIR: workDir,
      // Gantry additions (not set by CodeCatalyst's runner): the run and the source revision.
      CATALYST_WORKFLOW_NAME: workflow.name,
      CATALYST_WORKFLOW_RUN_ID: runId,
      CATALYST_ACTION_NAME: action.name,
      CATALYST_SOURCE_BRANCH_NAME: run.branch_name,
      CATALYST_SOURCE_COMMIT_ID: run.commit_id,
    };
    if (withSource) env.CATALYST_SOURCE_DIR_WorkflowSource = sourceDir;
    for (const name of action.inputs.artifacts) env[`CATALYST_SOURCE_DIR_${name}`] = artifactDir(name);
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
    keepToolNodeOptions(env, this.options.baseEnvironment?.NODE_OPTIONS);

    // 3. Credentials of the environment's role, when it has a connection.
    const connection = action.environment?.connections[0];
    if (connection) {
      if (!this.options.assumeConnectionRole) {
        throw new Error(`Action ${action.name} uses environment ${action.environment!.name} (connection ${connection.name}, role ${connection.role}), but this server has no account connections configured.`);
      }
      let credentials: ConnectionCredentials;
      try {
        credentials = await this.options.assumeConnectionRole({
          connection: connection.name, role: connection.role, space: run.space, project: run.project, runId, actionName: action.name,
        });
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
      if (credentials.roleArn) {
        await this.db.updateTable('workflow_run_actions').set({ role_arn: credentials.roleArn })
          .where('run_id', '=', runId).where('action_name', '=', action.name).execute();
      }
      log(`# Using credentials of role ${connection.role} (connection ${connection.name}, environment ${action.environment!.name}${credentials.roleArn ? `: ${credentials.roleArn}` : ''})\n`);
    }

    // 4. The steps, as one shell session, in the sandbox of the space's account (its own npm cache).
    const account = this.options.sandbox && (await this.options.spaceAccount?.(run.space));
    const sandbox = this.options.sandbox && (account ? this.options.sandbox.forAccount(account) : this.options.sandbox);
    const result: RunShellResult = await runShell({
      workDir, env, phases, secrets, signal,
      timeoutMs: action.timeoutMinutes ? action.timeoutMinutes * 60_000 : (this.options.defaultTimeoutMs ?? 3_600_000),
      exportNames: action.outputs.variables,
      limits: BUILD_LIMITS,
      ...(sandbox && { sandbox: { sandbox, root: actionDir } }),
      onLog: log,
    });
    log(`# Step durations: ${result.phases.filter((p) => p.durationMs !== undefined).map((p) => `${p.name} ${(p.durationMs! / 1000).toFixed(2)} s`).join(', ')}\n`);
    if (result.status === 'CANCELLED') {
      const outcome = await this.db.selectFrom('workflow_runs').select(['stop_requested', 'stop_outcome']).where('run_id', '=', runId).executeTakeFirst();
      if (this.closed && !outcome?.stop_requested) {
        await this.endAction(runId, action.name, { status: 'FAILED', exit_code: result.exitCode ?? null, failure_reason: 'The server stopped while this action ran; retry the run.' });
      } else {
        await this.endAction(runId, action.name, { status: 'STOPPED', exit_code: result.exitCode ?? null, failure_reason: `The run was ${stopWording[(outcome?.stop_outcome ?? 'STOPPED') as StopOutcome]}` });
      }
      return;
    }
    if (result.status !== 'SUCCEEDED') {
      const reason = result.status === 'TIMED_OUT'
        ? `Timed out in ${result.failedPhase ?? 'a step'} (${result.failedCommand ?? ''})`
        : `${result.failedPhase ?? 'A step'} failed with exit code ${result.exitCode ?? '?'}: ${result.failedCommand ?? ''}`;
      await this.endAction(runId, action.name, { status: 'FAILED', exit_code: result.exitCode ?? null, failure_reason: reason });
      return;
    }

    // 5. Outputs. Everything is logged before the action's row ends, so a log follower sees all of it.
    const stored: StoredArtifact[] = [];
    for (const artifact of action.outputs.artifacts) {
      const saved = await this.artifacts.save(runId, workDir, artifact);
      log(`# Stored output artifact ${saved.name} (${saved.files} file${saved.files === 1 ? '' : 's'}, ${saved.bytes} bytes)\n`);
      stored.push(saved);
    }
    await this.caches.save(cacheScope, action.caching.fileCaching, cacheDirs, log);
    await this.endAction(runId, action.name, { status: 'SUCCEEDED', exit_code: 0, output_variables: JSON.stringify(maskedOutputs(result.exports, secrets)), output_artifacts: JSON.stringify(stored) });
  }

  private log(runId: string, actionName: string, attempt: number, text: string): void {
    try {
      this.logs.append(runId, actionName, attempt, text);
    } catch (error) {
      console.error(`workflow run ${runId}: could not store the log of ${actionName}:`, error);
    }
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

  private async requireActionRow(runId: string, actionName: string): Promise<RunActionRow> {
    await this.requireRow(runId);
    const row = await this.db.selectFrom('workflow_run_actions').selectAll().where('run_id', '=', runId).where('action_name', '=', actionName).executeTakeFirst();
    if (!row) throw new GantryError('NotFound', `Run ${runId} has no action named ${actionName}.`);
    return row;
  }

  private async requireRun(runId: string): Promise<Run> {
    const run = await this.getRun(runId);
    if (!run) throw new GantryError('NotFound', `No workflow run ${runId}.`);
    return run;
  }
}

/** The next position in the queue of runs, computed by the database inside the insert or update itself. */
const nextTurn = () => sql<number>`(select coalesce(max(queue_turn), 0) + 1 from workflow_runs)`;

const key = (runId: string, action: string): string => `${runId}\n${action}`;
const safe = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);

/**
 * Output variables as stored and shown by GetWorkflowRun: a secret, or the action's credentials, copied into an
 * output is masked there as in the logs, so it never reaches the store, the API or a later action in clear.
 */
function maskedOutputs(outputs: Record<string, string>, secrets: string[]): Record<string, string> {
  const masker = new LogMasker(secrets);
  return Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, masker.maskAll(value)]));
}
