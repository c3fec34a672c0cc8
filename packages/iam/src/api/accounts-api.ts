import { GantryError } from '@gantry/core';
import type { Account } from '../accounts.ts';
import type { Iam } from '../iam-service.ts';
import { callerAccount, type CallContext, type Operation } from './operation.ts';

type Params = Record<string, any>;

/** `regions` is kept for earlier clients: the default region first, then the enabled opt-in regions. */
const accountShape = (a: Account) => ({
  id: a.id, name: a.name, defaultRegion: a.defaultRegion, optInRegions: a.optInRegions, regions: a.regions,
  isManagement: a.isManagement, createdAt: a.createdAt.toISOString(),
});

/** As in AWS Organizations, only principals of the management account manage the organisation's accounts. */
async function requireManagementCaller(iam: Iam, call: CallContext): Promise<void> {
  const management = await iam.managementAccount();
  if (!management || callerAccount(call) !== management.id)
    throw new GantryError('AccessDenied', 'You don\'t have permissions to access this resource: accounts are managed from the management account.');
}

/** The REST-JSON service the edge serves the account API as (`POST`/`GET /_gantry/accounts`, signed for `organizations`). */
export function accountsRestService(iam: Iam) {
  const operations = accountOperations(iam);
  return {
    name: 'accounts',
    signingName: 'organizations',
    prefix: '/_gantry/accounts',
    endpoints: [
      { method: 'POST', path: '/_gantry/accounts', operation: operations.create, successStatus: 201 },
      { method: 'GET', path: '/_gantry/accounts', operation: operations.list },
    ],
  };
}

/** Gantry's account API (the organisation of accounts). */
export function accountOperations(iam: Iam): { create: Operation; list: Operation } {
  return {
    create: {
      action: 'organizations:CreateAccount',
      async run(p: Params, call) {
        await requireManagementCaller(iam, call);
        if (typeof p.name !== 'string') throw new GantryError('InvalidInput', 'name is required: the account name, which also names its AWS profile.');
        if (p.defaultRegion !== undefined && typeof p.defaultRegion !== 'string')
          throw new GantryError('InvalidInput', 'defaultRegion must be a region name such as "us-west-2": the region of the account\'s AWS profile.');
        if (p.regions !== undefined && !(Array.isArray(p.regions) && p.regions.every((r: unknown) => typeof r === 'string')))
          throw new GantryError('InvalidInput', 'regions must be a list of region names such as ["us-west-2"]: the first is the default region, opt-in regions among them are enabled.');
        return { account: accountShape(await iam.createAccount({ name: p.name, id: p.id, defaultRegion: p.defaultRegion, regions: p.regions })) };
      },
    },
    list: {
      action: 'organizations:ListAccounts',
      async run(_p: Params, call) {
        await requireManagementCaller(iam, call);
        return { accounts: (await iam.listAccounts()).map(accountShape) };
      },
    },
  };
}
