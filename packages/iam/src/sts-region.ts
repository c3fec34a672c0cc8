import { GantryError } from '@gantry/core';
import { regionOptStatus } from './account-regions.ts';
import type { IamContext } from './iam-context.ts';
import { isDefaultRegion, isKnownRegion, unknownRegionHint } from './regions.ts';

/**
 * STS answers in a region only for an account that may be used there: the account whose credentials it would
 * issue (the role's, for AssumeRole). AWS refuses with RegionDisabledException in its own words; the hint
 * after them says how to enable the region here.
 */
export async function requireStsRegion(ctx: IamContext, accountId: string, regionName: string): Promise<void> {
  if (isDefaultRegion(regionName)) return;
  if (!isKnownRegion(regionName)) throw new GantryError('ValidationError', `Region ${unknownRegionHint(regionName)}`);
  if ((await regionOptStatus(ctx, accountId, regionName)) === 'ENABLED') return;
  throw new GantryError(
    'RegionDisabledException',
    `STS is not activated in this region for account:${accountId}. Your account administrator can activate STS in this region using the IAM Console. `
      + `(${regionName} is an opt-in region that account ${accountId} has not enabled: enable it with 'aws account enable-region --region-name ${regionName}' `
      + `as the account, or 'gantry accounts enable-region ${accountId} ${regionName}' from the management account.)`,
  );
}
