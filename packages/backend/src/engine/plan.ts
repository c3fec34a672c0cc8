import { GantryError } from '@gantry/core';
import type { BackendManifest } from '../manifest.ts';
import type { DeploymentPlan, ProviderContext, ResourceProvider, ResourceState } from './engine-types.ts';

/**
 * Refuses a manifest that asks for constructs Gantry cannot deploy, naming each one and its file: deploying
 * the rest would give the app a backend that silently behaves differently from what its code says.
 */
export function checkSupported(manifest: BackendManifest): void {
  const problems = manifest.unsupported.map((u) => `${u.construct} (${u.file}${u.line ? `:${u.line}` : ''})${u.hint ? `: ${u.hint}` : ''}`);
  if (problems.length)
    throw new GantryError('ValidationError', `The backend uses ${problems.length} construct(s) Gantry does not support, so nothing was deployed:\n- ${problems.join('\n- ')}\nRemove or replace them and deploy again.`);
}

export interface PlannedDeployment {
  plan: DeploymentPlan;
  /** Each provider's desired configuration (undefined: the resource is not wanted). */
  desired: Map<string, unknown>;
}

/**
 * Diffs a manifest (undefined: delete everything) against what the stack holds, provider by provider, in
 * the providers' order. Nothing is changed.
 */
export async function planDeployment(providers: ResourceProvider[], ctx: ProviderContext, resources: Record<string, ResourceState>, manifest: BackendManifest | undefined): Promise<PlannedDeployment> {
  const desired = new Map<string, unknown>();
  const steps = [];
  for (const provider of providers) {
    const want = manifest ? provider.desired(manifest) : undefined;
    desired.set(provider.logicalId, want);
    const current = resources[provider.logicalId];
    if (!current && want === undefined) continue;
    steps.push(await provider.plan({ ...ctx, resources }, current, want));
  }
  const deletes = steps.flatMap((s) => s.deletes);
  return { plan: { steps, hasChanges: steps.some((s) => s.action !== 'none'), deletes }, desired };
}

/** Refuses a plan that deletes something unless the caller said it may. */
export function checkDestructive(plan: DeploymentPlan, allowDestructive: boolean): void {
  if (!plan.deletes.length || allowDestructive) return;
  throw new GantryError('ValidationError',
    `This deployment would delete data:\n- ${plan.deletes.join('\n- ')}\nNothing was changed. If that is intended, deploy again with allowDestructive: true.`);
}
