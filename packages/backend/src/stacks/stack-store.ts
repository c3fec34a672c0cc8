import { randomUUID } from 'node:crypto';
import { GantryError } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import type { Kysely } from 'kysely';
import type { BackendIdentifier } from '../backend-id.ts';
import type { ResourceState, StackOutputs } from '../engine/engine-types.ts';
import type { BackendTables } from './backend-tables.ts';

export type BackendDb = Kysely<BackendTables>;
export type StackRow = BackendTables['backend_stacks'];

/** Where a stack lives: the caller's account and the region of the request's signature. */
export interface StackRef {
  account: string;
  region: string;
  stackName: string;
}

/** The ARN policies are checked against: the stack's id is not known before it exists, so it is `*`. */
export const stackResourceArn = (ref: StackRef): string => `arn:aws:cloudformation:${ref.region}:${ref.account}:stack/${ref.stackName}/*`;

export const stackNotFound = (ref: StackRef): GantryError =>
  new GantryError('NotFound', `Stack with id ${ref.stackName} does not exist in account ${ref.account}, region ${ref.region}. ` +
    'Deploy the backend first (`ampx pipeline-deploy --app-id <appId> --branch <branch>`), and check that the credentials belong to the account and region it was deployed to.');

export async function findStack(db: BackendDb, ref: StackRef): Promise<StackRow | undefined> {
  return db.selectFrom('backend_stacks').selectAll()
    .where('account_id', '=', ref.account).where('region', '=', ref.region).where('stack_name', '=', ref.stackName).executeTakeFirst();
}

export async function requireStack(db: BackendDb, ref: StackRef): Promise<StackRow> {
  const row = await findStack(db, ref);
  if (!row) throw stackNotFound(ref);
  return row;
}

/**
 * The stack for a first deployment, created in REVIEW_IN_PROGRESS (CloudFormation's status of a stack that
 * exists only through a change set not yet executed). An existing stack must belong to the same backend.
 */
export async function ensureStack(db: BackendDb, ref: StackRef, backendId: BackendIdentifier, now: number): Promise<StackRow> {
  const existing = await findStack(db, ref);
  if (existing) return existing;
  const row: StackRow = {
    account_id: ref.account, region: ref.region, stack_name: ref.stackName,
    stack_id: `arn:aws:cloudformation:${ref.region}:${ref.account}:stack/${ref.stackName}/${randomUUID()}`,
    backend_namespace: backendId.namespace, backend_name: backendId.name, backend_type: backendId.type,
    status: 'REVIEW_IN_PROGRESS', status_reason: null, resources: '{}', outputs: '{}', last_good_manifest: null,
    last_deployment_id: null, created_at: now, updated_at: now,
  };
  try {
    await db.insertInto('backend_stacks').values(row).execute();
    return row;
  } catch (error) {
    // Another request created it a moment ago: use theirs.
    if (!isUniqueViolation(error)) throw error;
    return requireStack(db, ref);
  }
}

export async function updateStack(db: BackendDb, stack: StackRow, changes: Partial<StackRow>): Promise<void> {
  await db.updateTable('backend_stacks').set(changes).where('stack_id', '=', stack.stack_id).execute();
  Object.assign(stack, changes);
}

export async function deleteStackRow(db: BackendDb, stack: StackRow): Promise<void> {
  await db.deleteFrom('backend_stacks').where('stack_id', '=', stack.stack_id).execute();
}

export const stackResources = (row: StackRow): Record<string, ResourceState> => JSON.parse(row.resources) as Record<string, ResourceState>;
export const stackOutputs = (row: StackRow): StackOutputs => JSON.parse(row.outputs) as StackOutputs;
export const stackBackendId = (row: StackRow): BackendIdentifier =>
  ({ namespace: row.backend_namespace, name: row.backend_name, type: row.backend_type as BackendIdentifier['type'] });

/** Stacks that have never finished a deployment: a failed first attempt leaves nothing to roll back to. */
export const neverDeployed = (row: StackRow): boolean => row.last_good_manifest === null;
