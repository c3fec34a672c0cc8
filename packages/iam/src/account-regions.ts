import type { AccountRegionTables } from './account-regions-tables.ts';
import { nowIso, type IamContext } from './iam-context.ts';
import { AWS_REGIONS, isDefaultRegion, isOptInRegion } from './regions.ts';

/** Account Management's RegionOptStatus. Gantry only ever reaches the settled ones (see setOptInStatus). */
export type RegionOptStatus = 'ENABLED' | 'ENABLING' | 'DISABLING' | 'DISABLED' | 'ENABLED_BY_DEFAULT';
export const REGION_OPT_STATUSES: readonly RegionOptStatus[] = ['ENABLED', 'ENABLING', 'DISABLING', 'DISABLED', 'ENABLED_BY_DEFAULT'];

const regionsDb = (ctx: IamContext) => ctx.db.withTables<AccountRegionTables>();

/** The opt-in regions each of these accounts has enabled (every account when none are named). */
export async function enabledOptInRegions(ctx: IamContext, accountIds?: readonly string[]): Promise<Map<string, string[]>> {
  if (accountIds && accountIds.length === 0) return new Map();
  let query = regionsDb(ctx).selectFrom('account_regions').select(['account_id', 'region_name']).where('status', '=', 'ENABLED');
  if (accountIds) query = query.where('account_id', 'in', accountIds);
  const byAccount = new Map<string, string[]>();
  for (const row of await query.orderBy('region_name').execute()) {
    const list = byAccount.get(row.account_id) ?? [];
    list.push(row.region_name);
    byAccount.set(row.account_id, list);
  }
  return byAccount;
}

/** The status of every AWS region for one account, in the order of the region table. */
export async function regionOptStatuses(ctx: IamContext, accountId: string): Promise<Array<{ regionName: string; status: RegionOptStatus }>> {
  const rows = await regionsDb(ctx).selectFrom('account_regions').select(['region_name', 'status']).where('account_id', '=', accountId).execute();
  const stored = new Map(rows.map((r) => [r.region_name, r.status as RegionOptStatus]));
  return AWS_REGIONS.map((r) => ({ regionName: r.name, status: r.optIn ? (stored.get(r.name) ?? 'DISABLED') : 'ENABLED_BY_DEFAULT' }));
}

export async function regionOptStatus(ctx: IamContext, accountId: string, regionName: string): Promise<RegionOptStatus> {
  if (isDefaultRegion(regionName)) return 'ENABLED_BY_DEFAULT';
  const row = await regionsDb(ctx).selectFrom('account_regions').select('status')
    .where('account_id', '=', accountId).where('region_name', '=', regionName).executeTakeFirst();
  return (row?.status as RegionOptStatus | undefined) ?? 'DISABLED';
}

/**
 * Enables or disables an opt-in region for an account. On AWS this passes through ENABLING/DISABLING for
 * minutes while IAM resources are copied to or removed from the region; Gantry's IAM is one database for every
 * region, so the change is complete when this returns and the status is at once ENABLED or DISABLED.
 */
export async function setOptInStatus(ctx: IamContext, accountId: string, regionName: string, status: 'ENABLED' | 'DISABLED'): Promise<void> {
  if (!isOptInRegion(regionName)) throw new Error(`${regionName} is not an opt-in region`);
  const updatedAt = nowIso(ctx);
  await regionsDb(ctx).insertInto('account_regions')
    .values({ account_id: accountId, region_name: regionName, status, updated_at: updatedAt })
    .onConflict((c) => c.columns(['account_id', 'region_name']).doUpdateSet({ status, updated_at: updatedAt }))
    .execute();
  // Region checks are cached per IAM generation, like policies: the next request sees the change.
  ctx.changed();
}
