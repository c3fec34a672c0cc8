import { GantryError } from '@gantry/core';
import { isDefaultRegion, isKnownRegion, type Iam, type Principal } from '@gantry/iam';

/**
 * Services AWS serves from one endpoint for every region (signed for us-east-1 there). With a custom endpoint
 * the SDKs sign them for the configured region instead, so the region says nothing about where the call acts
 * and an account's opt-in regions do not apply. `aws account enable-region` must work from any region, or a
 * caller refused in a disabled region could not enable it without changing their profile first.
 */
const GLOBAL_SERVICES: ReadonlySet<string> = new Set(['iam', 'organizations', 'account', 'codecatalyst']);

/**
 * A credential scope must name a real region. AWS answers a scope it cannot place with SignatureDoesNotMatch
 * and these words; the rest says how to fix it.
 */
export function requireKnownRegion(region: string): void {
  if (isKnownRegion(region)) return;
  throw new GantryError(
    'SignatureDoesNotMatch',
    `Credential should be scoped to a valid region, not '${region}'. Sign the request for an AWS region such as us-west-2 or eu-west-1 (AWS_REGION or the profile's region); 'aws account list-regions' lists them.`,
  );
}

/**
 * A regional service answers a caller only in a region the caller's account may use: every default region,
 * and an opt-in region once the account enabled it. On AWS the caller's credentials are simply unknown in a
 * region their account has not enabled, hence the same code as an unknown key. STS checks the account it
 * issues credentials for itself (RegionDisabledException), so it is not checked here.
 *
 * Requests in default regions, the overwhelming majority, are decided by one Set lookup; opt-in regions by a
 * per-account cache that lives as long as the IAM generation.
 */
export function requireEnabledRegion(iam: Iam, principal: Principal, region: string, service: string): Promise<void> | undefined {
  // Synchronous when there is nothing to look up, so the common case costs no extra turn of the event loop.
  if (isDefaultRegion(region) || service === 'sts' || GLOBAL_SERVICES.has(service) || principal.kind === 'service') return undefined;
  return requireEnabledOptIn(iam, principal.account, region);
}

async function requireEnabledOptIn(iam: Iam, account: string, region: string): Promise<void> {
  if (await iam.regions.isEnabled(account, region)) return;
  throw new GantryError(
    'InvalidClientTokenId',
    `The security token included in the request is invalid: ${region} is an opt-in region that account ${account} has not enabled. `
      + `Enable it with 'aws account enable-region --region-name ${region}' as the account (or 'gantry accounts enable-region ${account} ${region}' `
      + 'from the management account), or sign the request for a region the account can use.',
  );
}
