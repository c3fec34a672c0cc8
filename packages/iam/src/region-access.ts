import { enabledOptInRegions } from './account-regions.ts';
import type { IamContext } from './iam-context.ts';
import { isDefaultRegion, isOptInRegion } from './regions.ts';

/**
 * Whether an account may be used in a region: every default region, an opt-in region once the account has
 * enabled it, an unknown region never. Authentication asks this for every request signed for an opt-in
 * region, so each account's enabled regions are cached per IAM generation (enabling or disabling a region
 * bumps it, as every IAM write does).
 */
export class RegionAccess {
  private cache = new Map<string, { generation: number; enabled: ReadonlySet<string> }>();
  private static readonly MAX_ENTRIES = 10_000;

  constructor(private readonly ctx: IamContext) {}

  async isEnabled(accountId: string, regionName: string): Promise<boolean> {
    if (isDefaultRegion(regionName)) return true;
    if (!isOptInRegion(regionName)) return false;
    return (await this.enabledOptIn(accountId)).has(regionName);
  }

  async enabledOptIn(accountId: string): Promise<ReadonlySet<string>> {
    const hit = this.cache.get(accountId);
    if (hit && hit.generation === this.ctx.generation) return hit.enabled;
    const generation = this.ctx.generation;
    const enabled = new Set((await enabledOptInRegions(this.ctx, [accountId])).get(accountId) ?? []);
    if (this.cache.size >= RegionAccess.MAX_ENTRIES) this.cache.clear();
    this.cache.set(accountId, { generation, enabled });
    return enabled;
  }
}
