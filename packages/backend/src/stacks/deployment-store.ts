import { GantryError } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import { ACTIVE_DEPLOYMENT_STATUSES, type BackendTables } from './backend-tables.ts';
import type { BackendDb, StackRef } from './stack-store.ts';

export type DeploymentRow = BackendTables['backend_deployments'];
export type EventRow = BackendTables['backend_deployment_events'];
export type DeploymentStatus = 'PLANNING' | 'APPLYING' | 'ROLLING_BACK' | 'DELETING' | 'SUCCEEDED' | 'FAILED';

export const isActive = (status: string): boolean => (ACTIVE_DEPLOYMENT_STATUSES as readonly string[]).includes(status);

async function activeDeployment(db: BackendDb, ref: StackRef): Promise<DeploymentRow | undefined> {
  return db.selectFrom('backend_deployments').selectAll()
    .where('account_id', '=', ref.account).where('region', '=', ref.region).where('stack_name', '=', ref.stackName)
    .where('status', 'in', [...ACTIVE_DEPLOYMENT_STATUSES]).executeTakeFirst();
}

/**
 * Records a new deployment in an active status. The partial unique index refuses it while another
 * deployment of the stack is active: the caller learns which one, and that deploys are neither queued nor
 * retried.
 */
export async function insertDeployment(db: BackendDb, row: DeploymentRow): Promise<void> {
  try {
    await db.insertInto('backend_deployments').values(row).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const ref = { account: row.account_id, region: row.region, stackName: row.stack_name };
    const running = await activeDeployment(db, ref);
    throw new GantryError('Conflict',
      `Stack ${row.stack_name} is busy: deployment ${running?.deployment_id ?? '(just finished)'} is ${running?.status ?? 'ending'}` +
      `${running?.started_at ? ` since ${new Date(running.started_at).toISOString()}` : ''}. Only one deployment per stack runs at a time and deploys are not queued: ` +
      `wait for it to finish (watch it with GET /_gantry/backends/stacks/${row.stack_name}/deployments/${running?.deployment_id ?? '<id>'} and its events), then deploy again.`,
      { cause: error, details: { runningDeploymentId: running?.deployment_id } });
  }
}

export async function updateDeployment(db: BackendDb, row: DeploymentRow, changes: Partial<DeploymentRow>): Promise<void> {
  await db.updateTable('backend_deployments').set(changes).where('deployment_id', '=', row.deployment_id).execute();
  Object.assign(row, changes);
}

export async function findDeployment(db: BackendDb, ref: StackRef, deploymentId: string): Promise<DeploymentRow | undefined> {
  return db.selectFrom('backend_deployments').selectAll().where('deployment_id', '=', deploymentId)
    .where('account_id', '=', ref.account).where('region', '=', ref.region).where('stack_name', '=', ref.stackName).executeTakeFirst();
}

export async function requireDeployment(db: BackendDb, ref: StackRef, deploymentId: unknown): Promise<DeploymentRow> {
  const row = typeof deploymentId === 'string' ? await findDeployment(db, ref, deploymentId) : undefined;
  if (!row) throw new GantryError('NotFound', `Deployment ${String(deploymentId)} of stack ${ref.stackName} does not exist in account ${ref.account}, region ${ref.region}.`);
  return row;
}

/** Newest first. */
export async function listDeployments(db: BackendDb, ref: StackRef, limit: number, before?: string): Promise<DeploymentRow[]> {
  let query = db.selectFrom('backend_deployments').selectAll()
    .where('account_id', '=', ref.account).where('region', '=', ref.region).where('stack_name', '=', ref.stackName);
  // Deployment ids sort by creation time, so they page without a separate cursor.
  if (before) query = query.where('deployment_id', '<', before);
  return query.orderBy('deployment_id', 'desc').limit(limit).execute();
}

export async function listEvents(db: BackendDb, deploymentId: string, afterSeq: number, limit: number): Promise<EventRow[]> {
  return db.selectFrom('backend_deployment_events').selectAll().where('deployment_id', '=', deploymentId)
    .where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
}

/** Appends a deployment's events in order; one writer per deployment (the process running it). */
export class EventLog {
  private seq = 0;
  constructor(private readonly db: BackendDb, readonly deployment: DeploymentRow, private readonly now: () => number) {}

  async add(event: { logicalId: string; resourceType: string; physicalId?: string | null; status: string; reason?: string | null }): Promise<void> {
    const time = this.now();
    await this.db.insertInto('backend_deployment_events').values({
      deployment_id: this.deployment.deployment_id, seq: ++this.seq, time, logical_id: event.logicalId,
      resource_type: event.resourceType, physical_id: event.physicalId ?? null, status: event.status, reason: event.reason ?? null,
    }).execute();
    // Each event proves the deployment's process is alive.
    await updateDeployment(this.db, this.deployment, { heartbeat_at: time });
  }
}
