import type { EventLog } from '../stacks/deployment-store.ts';
import type { DeploymentPlan, PlanStep, ProviderContext, ResourceProvider, ResourceState } from './engine-types.ts';

export interface ApplyArgs {
  providers: ResourceProvider[];
  ctx: Omit<ProviderContext, 'progress'>;
  plan: DeploymentPlan;
  desired: Map<string, unknown>;
  /** The stack's resources before the deployment: what a rollback returns to. */
  resources: Record<string, ResourceState>;
  events: EventLog;
  /** Persists the resources as they are now, after every step, so the stack row never lies about what exists. */
  save(resources: Record<string, ResourceState>): Promise<void>;
  /** Called once a step failed, before the rollback starts (the deployer moves its statuses to *_ROLLBACK_IN_PROGRESS). */
  onRollback?(failure: { resource: string; message: string }): Promise<void>;
}

/** A failed apply, after its rollback ran. */
export class ApplyFailure extends Error {
  constructor(
    readonly failedResource: string,
    readonly error: Error,
    /** Errors of rollback steps that failed too (empty: the rollback put everything back). */
    readonly rollbackErrors: Error[],
  ) {
    super(`${failedResource}: ${error.message}`, { cause: error });
  }
}

const VERB = { create: 'CREATE', update: 'UPDATE', delete: 'DELETE' } as const;

/**
 * Runs the plan's steps: creates and updates in provider order, then deletes in reverse order (so nothing
 * is deleted while a later step can still fail and need it). On a failure it rolls back every step already
 * taken, newest first, and throws ApplyFailure. Returns the new resources.
 */
export async function applyPlan(args: ApplyArgs): Promise<Record<string, ResourceState>> {
  const byId = new Map(args.providers.map((p) => [p.logicalId, p]));
  const changing = args.plan.steps.filter((s) => s.action === 'create' || s.action === 'update');
  const deleting = args.plan.steps.filter((s) => s.action === 'delete').reverse();
  const now = { ...args.resources };
  const done: PlanStep[] = [];

  for (const step of [...changing, ...deleting]) {
    const provider = byId.get(step.resource)!;
    const verb = VERB[step.action as keyof typeof VERB];
    const current = now[step.resource];
    let progressed: ResourceState | undefined;
    const ctx: ProviderContext = { ...args.ctx, resources: now, progress: (state) => (progressed = state) };
    await args.events.add({ logicalId: step.resource, resourceType: step.type, physicalId: current?.physicalId, status: `${verb}_IN_PROGRESS`, reason: step.details.join('; ') || null });
    try {
      if (step.action === 'delete') {
        await provider.delete(ctx, current!);
        delete now[step.resource];
      } else {
        now[step.resource] = await provider.apply(ctx, current, args.desired.get(step.resource));
      }
      done.push(step);
      await args.save(now);
      await args.events.add({ logicalId: step.resource, resourceType: step.type, physicalId: (now[step.resource] ?? current)?.physicalId, status: `${verb}_COMPLETE` });
    } catch (thrown) {
      const error = asError(thrown);
      if (progressed && !now[step.resource]) now[step.resource] = progressed;
      await args.events.add({ logicalId: step.resource, resourceType: step.type, physicalId: (progressed ?? current)?.physicalId, status: `${verb}_FAILED`, reason: error.message });
      done.push(step);
      await args.onRollback?.({ resource: step.resource, message: error.message });
      const rollbackErrors = await rollback(args, byId, done.reverse(), now);
      throw new ApplyFailure(step.resource, error, rollbackErrors);
    }
  }
  return now;
}

/** Puts each touched resource back as it was before the deployment. Best effort: one failure does not stop the rest. */
async function rollback(args: ApplyArgs, byId: Map<string, ResourceProvider>, steps: PlanStep[], now: Record<string, ResourceState>): Promise<Error[]> {
  const errors: Error[] = [];
  const ctx: ProviderContext = { ...args.ctx, allowDestructive: true, resources: now, progress: () => undefined };
  for (const step of steps) {
    const provider = byId.get(step.resource)!;
    const previous = args.resources[step.resource];
    const current = now[step.resource];
    // Undoing a create is a delete; undoing an update or a delete puts the previous state back.
    const verb = previous ? (current ? 'UPDATE' : 'CREATE') : 'DELETE';
    if (!previous && !current) continue;
    await args.events.add({ logicalId: step.resource, resourceType: step.type, physicalId: (current ?? previous)?.physicalId, status: `${verb}_IN_PROGRESS`, reason: 'Rolling back to the last deployed state' });
    try {
      if (previous) now[step.resource] = await provider.restore(ctx, current, previous);
      else {
        await provider.delete(ctx, current!);
        delete now[step.resource];
      }
      await args.events.add({ logicalId: step.resource, resourceType: step.type, physicalId: (current ?? previous)?.physicalId, status: `${verb}_COMPLETE` });
    } catch (thrown) {
      const error = asError(thrown);
      errors.push(error);
      await args.events.add({ logicalId: step.resource, resourceType: step.type, physicalId: (current ?? previous)?.physicalId, status: `${verb}_FAILED`, reason: error.message });
    }
  }
  await args.save(now);
  return errors;
}

/** Provider errors keep their own message: it is what the user reads in events and the deployment's error. */
const asError = (thrown: unknown): Error => (thrown instanceof Error ? thrown : new Error(String(thrown)));
