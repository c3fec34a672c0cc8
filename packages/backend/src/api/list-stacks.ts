import { GantryError } from '@gantry/core';
import type { RestEndpoint } from '@gantry/edge';
import { callerAccount, type CallContext, type Operation } from '@gantry/iam';
import type { BackendDb, StackRow } from '../stacks/stack-store.ts';
import { stackSummaryShape } from './backend-shapes.ts';

/**
 * `GET /_gantry/backends/stacks?maxResults&nextToken`: CloudFormation's ListStacks for Gantry's backends,
 * authorised as `cloudformation:ListStacks` on `*` (as on AWS, the action has no resource-level scope). It lists
 * only the caller's account and the region the request is signed for, by stack name, and answers
 * `{ stacks: [{ stackName, stackId, backendId, status, statusReason?, createdAt, updatedAt, lastDeploymentId? }], nextToken? }`.
 * The token is opaque to clients: pass it back unchanged for the next page.
 */
const MAX_RESULTS = 100;

type Params = Record<string, unknown>;

const encodeToken = (stackName: string): string => Buffer.from(stackName, 'utf8').toString('base64url');

function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === '') return undefined;
  const name = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!/^[A-Za-z][-A-Za-z0-9]{0,127}$/.test(name) || encodeToken(name) !== token)
    throw new GantryError('ValidationError', 'nextToken is not one a previous ListStacks answer returned: pass the token back unchanged, or leave it out for the first page.');
  return name;
}

function maxResultsOf(value: unknown): number {
  if (value === undefined || value === '') return MAX_RESULTS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RESULTS) throw new GantryError('ValidationError', `maxResults must be a whole number from 1 to ${MAX_RESULTS}.`);
  return n;
}

/** One page of the stacks of an account and region, by name, after `afterName`. */
export async function listStacksPage(db: BackendDb, where: { account: string; region: string }, limit: number, afterName?: string): Promise<StackRow[]> {
  let query = db.selectFrom('backend_stacks').selectAll().where('account_id', '=', where.account).where('region', '=', where.region);
  if (afterName) query = query.where('stack_name', '>', afterName);
  return query.orderBy('stack_name').limit(limit).execute();
}

export function listStacksOperation(db: BackendDb): Operation<Params> {
  return {
    action: 'cloudformation:ListStacks',
    resource: (_p: Params, call: CallContext) => ({ arn: '*', account: callerAccount(call) }),
    async run(p, call) {
      const limit = maxResultsOf(p.maxResults);
      const rows = await listStacksPage(db, { account: callerAccount(call), region: call.region }, limit + 1, decodeToken(p.nextToken));
      const page = rows.slice(0, limit);
      return { stacks: page.map(stackSummaryShape), nextToken: rows.length > limit ? encodeToken(page[page.length - 1]!.stack_name) : undefined };
    },
  };
}

/** The ListStacks endpoint, for the backend route's table. */
export const listStacksEndpoint = (db: BackendDb, prefix: string): RestEndpoint =>
  ({ method: 'GET', path: `${prefix}/stacks`, operation: listStacksOperation(db) });
