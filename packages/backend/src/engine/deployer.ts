import { GantryError, toGantryError } from '@gantry/core';
import type { BackendIdentifier } from '../backend-id.ts';
import type { BackendManifest } from '../manifest.ts';
import { newDeploymentId } from '../random-ids.ts';
import { EventLog, insertDeployment, updateDeployment, type DeploymentRow } from '../stacks/deployment-store.ts';
import {
  deleteStackRow, ensureStack, findStack, neverDeployed, requireStack, stackBackendId, stackResources, updateStack,
  type BackendDb, type StackRef, type StackRow,
} from '../stacks/stack-store.ts';
import { ApplyFailure, applyPlan } from './apply.ts';
import type { DeploymentPlan, ProviderContext, ResourceProvider, ResourceState, StackOutputs } from './engine-types.ts';
import { checkDestructive, checkSupported, planDeployment } from './plan.ts';

export interface DeployerOptions {
  db: BackendDb;
  /** In dependency order: auth before data (data's user-pool mode needs the pool). */
  providers: ResourceProvider[];
  now: () => Date;
  /** How often a running deployment proves it is alive. @default 10000 */
  heartbeatMs?: number;
}

export interface DeployRequest {
  ref: StackRef;
  backendId: BackendIdentifier;
  manifest: BackendManifest;
  allowDestructive: boolean;
  principalArn: string;
}

const STACK_TYPE = 'AWS::CloudFormation::Stack';

/**
 * Runs deployments as persisted state machines. `deploy` records the deployment, plans it while the caller
 * waits (so a refused plan is answered at once), then applies it in the background; the deployment row and
 * its events are what clients poll. Nothing is retried: a failed deployment is rolled back and stays failed.
 */
export class Deployer {
  private readonly running = new Set<Promise<void>>();
  private readonly db: BackendDb;

  constructor(private readonly options: DeployerOptions) {
    this.db = options.db;
  }

  private ms = () => this.options.now().getTime();

  private context(ref: StackRef, backendId: BackendIdentifier, allowDestructive: boolean): ProviderContext {
    return { account: ref.account, region: ref.region, stackName: ref.stackName, backendId, allowDestructive, now: this.options.now, resources: {}, progress: () => undefined };
  }

  /** What a deployment of `manifest` would do, recording nothing (a change set that is never executed). */
  async preview(ref: StackRef, backendId: BackendIdentifier, manifest: BackendManifest, allowDestructive: boolean): Promise<DeploymentPlan> {
    checkSupported(manifest);
    const stack = await findStack(this.db, ref);
    const { plan } = await planDeployment(this.options.providers, this.context(ref, backendId, allowDestructive), stack ? stackResources(stack) : {}, manifest);
    return plan;
  }

  async deploy(request: DeployRequest): Promise<DeploymentRow> {
    const { ref, backendId, manifest } = request;
    const created = await ensureStack(this.db, ref, backendId, this.ms());
    const owner = stackBackendId(created);
    if (owner.namespace !== backendId.namespace || owner.name !== backendId.name || owner.type !== backendId.type)
      throw new GantryError('ValidationError', `Stack ${ref.stackName} belongs to backend ${JSON.stringify(owner)}, not ${JSON.stringify(backendId)}.`);
    const row = this.newDeployment(created, 'DEPLOY', 'PLANNING', request.principalArn, request.allowDestructive, JSON.stringify(manifest));
    await insertDeployment(this.db, row);
    let stack = created;
    let plan: DeploymentPlan | undefined;
    let desired: Map<string, unknown>;
    try {
      // Read again now that this deployment holds the stack: one that just finished may have changed it.
      stack = await requireStack(this.db, ref);
      checkSupported(manifest);
      const planned = await planDeployment(this.options.providers, this.context(ref, backendId, request.allowDestructive), stackResources(stack), manifest);
      plan = planned.plan;
      desired = planned.desired;
      checkDestructive(plan, request.allowDestructive);
    } catch (thrown) {
      const error = toGantryError(thrown);
      await updateDeployment(this.db, row, { status: 'FAILED', plan: plan ? JSON.stringify(plan) : null, error: error.message, ended_at: this.ms() });
      await updateStack(this.db, stack, { last_deployment_id: row.deployment_id, updated_at: this.ms() });
      throw new GantryError(error.code, `Deployment ${row.deployment_id} was refused at planning. ${error.message}`, { cause: thrown, details: { deploymentId: row.deployment_id } });
    }

    // The fast path: an unchanged backend is recorded as a finished deployment that did nothing.
    if (!plan.hasChanges && !neverDeployed(stack)) {
      await updateDeployment(this.db, row, { status: 'SUCCEEDED', plan: JSON.stringify(plan), started_at: row.created_at, ended_at: this.ms() });
      await updateStack(this.db, stack, { last_deployment_id: row.deployment_id });
      return row;
    }
    const status = neverDeployed(stack) ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
    await updateDeployment(this.db, row, { status: 'APPLYING', plan: JSON.stringify(plan), started_at: this.ms(), heartbeat_at: this.ms() });
    await updateStack(this.db, stack, { status, status_reason: 'User Initiated', last_deployment_id: row.deployment_id, updated_at: this.ms() });
    this.track(this.runApply(stack, row, plan, desired, request));
    return { ...row };
  }

  /** Deletes every resource of the stack, then the stack (DeleteStack). */
  async remove(ref: StackRef, principalArn: string): Promise<DeploymentRow> {
    const stack = await requireStack(this.db, ref);
    const row = this.newDeployment(stack, 'DELETE', 'DELETING', principalArn, true, null);
    await insertDeployment(this.db, row);
    let plan: DeploymentPlan;
    try {
      Object.assign(stack, await requireStack(this.db, ref));
      ({ plan } = await planDeployment(this.options.providers, this.context(ref, stackBackendId(stack), true), stackResources(stack), undefined));
    } catch (thrown) {
      // Release the stack: a deployment that cannot even plan must not hold it until recovery.
      await updateDeployment(this.db, row, { status: 'FAILED', error: toGantryError(thrown).message, ended_at: this.ms() });
      throw thrown;
    }
    await updateDeployment(this.db, row, { plan: JSON.stringify(plan), started_at: this.ms() });
    await updateStack(this.db, stack, { status: 'DELETE_IN_PROGRESS', status_reason: 'User Initiated', last_deployment_id: row.deployment_id, updated_at: this.ms() });
    this.track(this.runDelete(stack, row, plan));
    return { ...row };
  }

  /** Resolves when no deployment started by this process is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /**
   * Marks deployments whose process stopped (no heartbeat for `staleMs`) as FAILED. They are not resumed or
   * retried: their stack is left in a *_FAILED status, saying so, for a person to redeploy.
   */
  async recover(staleMs = 60_000): Promise<number> {
    const stale = await this.db.selectFrom('backend_deployments').selectAll()
      .where('status', 'in', ['PLANNING', 'APPLYING', 'ROLLING_BACK', 'DELETING']).where('heartbeat_at', '<', this.ms() - staleMs).execute();
    for (const row of stale) {
      const reason = 'The server running this deployment stopped before it finished; resources may be partly updated. Deploy again to converge.';
      await updateDeployment(this.db, row, { status: 'FAILED', error: reason, ended_at: this.ms() });
      const stack = await findStack(this.db, { account: row.account_id, region: row.region, stackName: row.stack_name });
      if (stack && stack.last_deployment_id === row.deployment_id) {
        const status = row.kind === 'DELETE' ? 'DELETE_FAILED' : neverDeployed(stack) ? 'CREATE_FAILED' : 'UPDATE_FAILED';
        await updateStack(this.db, stack, { status, status_reason: reason, updated_at: this.ms() });
      }
    }
    return stale.length;
  }

  private newDeployment(stack: StackRow, kind: 'DEPLOY' | 'DELETE', status: string, principalArn: string, allowDestructive: boolean, manifest: string | null): DeploymentRow {
    const now = this.ms();
    return {
      deployment_id: newDeploymentId(new Date(now)), account_id: stack.account_id, region: stack.region, stack_name: stack.stack_name,
      stack_id: stack.stack_id, kind, status, plan: null, manifest, allow_destructive: allowDestructive ? 1 : 0,
      principal_arn: principalArn, error: null, created_at: now, started_at: null, ended_at: null, heartbeat_at: now,
    };
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error) => console.error('backend deployment crashed:', error)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private heartbeat(row: DeploymentRow): () => void {
    const timer = setInterval(() => void updateDeployment(this.db, row, { heartbeat_at: this.ms() }).catch(() => undefined), this.options.heartbeatMs ?? 10_000);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async runApply(stack: StackRow, row: DeploymentRow, plan: DeploymentPlan, desired: Map<string, unknown>, request: DeployRequest): Promise<void> {
    const events = new EventLog(this.db, row, this.ms);
    const creating = neverDeployed(stack);
    const stackEvent = (status: string, reason?: string) => events.add({ logicalId: stack.stack_name, resourceType: STACK_TYPE, physicalId: stack.stack_id, status, reason });
    const stop = this.heartbeat(row);
    const before = stackResources(stack);
    try {
      await stackEvent(creating ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS', 'User Initiated');
      const resources = await applyPlan({
        providers: this.options.providers, ctx: this.context(request.ref, request.backendId, request.allowDestructive),
        plan, desired, resources: before, events,
        save: (r) => updateStack(this.db, stack, { resources: JSON.stringify(r), updated_at: this.ms() }),
        onRollback: async (failure) => {
          await updateDeployment(this.db, row, { status: 'ROLLING_BACK' });
          const status = creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS';
          const reason = `The following resource(s) failed to ${creating ? 'create' : 'update'}: [${failure.resource}]. ${failure.message}`;
          await updateStack(this.db, stack, { status, status_reason: reason, updated_at: this.ms() });
          await stackEvent(status, reason);
        },
      });
      const status = creating ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE';
      await updateStack(this.db, stack, {
        status, status_reason: null, outputs: JSON.stringify(collectOutputs(resources)), last_good_manifest: JSON.stringify(request.manifest), updated_at: this.ms(),
      });
      await stackEvent(status);
      await updateDeployment(this.db, row, { status: 'SUCCEEDED', ended_at: this.ms() });
    } catch (thrown) {
      const failure = thrown instanceof ApplyFailure ? thrown : undefined;
      const rolledBack = failure !== undefined && failure.rollbackErrors.length === 0;
      const status = rolledBack ? (creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE') : (creating ? 'ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_FAILED');
      const message = failure
        ? `Resource ${failure.failedResource} failed: ${failure.error.message}. ${rolledBack ? 'Every change was rolled back; the previous outputs still apply.' : `The rollback failed too: ${failure.rollbackErrors.map((e) => e.message).join('; ')}.`}`
        : `Deployment failed: ${toGantryError(thrown).message}`;
      // The outputs and last good manifest stay those of the last successful deployment.
      await updateStack(this.db, stack, { status, status_reason: message, updated_at: this.ms() }).catch(() => undefined);
      await stackEvent(status, message).catch(() => undefined);
      await updateDeployment(this.db, row, { status: 'FAILED', error: message, ended_at: this.ms() });
    } finally {
      stop();
    }
  }

  private async runDelete(stack: StackRow, row: DeploymentRow, plan: DeploymentPlan): Promise<void> {
    const events = new EventLog(this.db, row, this.ms);
    const stop = this.heartbeat(row);
    const resources = stackResources(stack);
    const byId = new Map(this.options.providers.map((p) => [p.logicalId, p]));
    const ctx = this.context({ account: stack.account_id, region: stack.region, stackName: stack.stack_name }, stackBackendId(stack), true);
    const stackEvent = (status: string, reason?: string) => events.add({ logicalId: stack.stack_name, resourceType: 'AWS::CloudFormation::Stack', physicalId: stack.stack_id, status, reason });
    try {
      await stackEvent('DELETE_IN_PROGRESS', 'User Initiated');
      // Deletes run in reverse dependency order and are not rolled back (as in CloudFormation): a failure stops here.
      for (const step of [...plan.steps].reverse()) {
        const current = resources[step.resource] as ResourceState;
        await events.add({ logicalId: step.resource, resourceType: step.type, physicalId: current.physicalId, status: 'DELETE_IN_PROGRESS' });
        try {
          await byId.get(step.resource)!.delete(ctx, current);
        } catch (thrown) {
          const error = toGantryError(thrown);
          await events.add({ logicalId: step.resource, resourceType: step.type, physicalId: current.physicalId, status: 'DELETE_FAILED', reason: error.message });
          throw error;
        }
        delete resources[step.resource];
        await updateStack(this.db, stack, { resources: JSON.stringify(resources), updated_at: this.ms() });
        await events.add({ logicalId: step.resource, resourceType: step.type, physicalId: current.physicalId, status: 'DELETE_COMPLETE' });
      }
      await stackEvent('DELETE_COMPLETE');
      await deleteStackRow(this.db, stack);
      await updateDeployment(this.db, row, { status: 'SUCCEEDED', ended_at: this.ms() });
    } catch (thrown) {
      const message = `The stack could not be deleted: ${toGantryError(thrown).message}. Delete it again once the cause is fixed.`;
      await updateStack(this.db, stack, { status: 'DELETE_FAILED', status_reason: message, updated_at: this.ms() }).catch(() => undefined);
      await stackEvent('DELETE_FAILED', message).catch(() => undefined);
      await updateDeployment(this.db, row, { status: 'FAILED', error: message, ended_at: this.ms() });
    } finally {
      stop();
    }
  }
}

/** The stack's outputs as Amplify keeps them: one versioned payload per output key. */
export function collectOutputs(resources: Record<string, ResourceState>): StackOutputs {
  const outputs: StackOutputs = {};
  for (const state of Object.values(resources)) outputs[state.outputs.key] = { version: '1', payload: { ...state.outputs.payload } };
  return outputs;
}
