import type { Argv } from 'yargs';
import { awsRegion } from '@gantry/iam';
import { printTable, printedAsJson } from '../client/cli-output.ts';
import { signedJson } from '../client/gantry-client.ts';

interface AccountJson { id: string; name: string; defaultRegion: string; optInRegions: string[]; regions: string[]; isManagement: boolean }
interface RegionJson { RegionName: string; RegionOptStatus: string }

const listAccounts = async () => (await signedJson<{ accounts: AccountJson[] }>('GET', '/_gantry/accounts', { service: 'organizations' })).accounts;

/** The account a name or 12-digit id stands for, among the organisation's. */
async function findAccount(nameOrId: string): Promise<AccountJson> {
  const accounts = await listAccounts();
  const found = accounts.find((a) => a.id === nameOrId || a.name.toLowerCase() === nameOrId.toLowerCase());
  if (!found) throw new Error(`no account '${nameOrId}': the organisation has ${accounts.map((a) => a.name).join(', ')}`);
  return found;
}

/**
 * An Account Management call (`aws account …`) for an account of the organisation, made as the management
 * account. AWS takes `AccountId` only for member accounts: the management account is addressed without it.
 */
const accountApi = <T>(operation: string, account: AccountJson, body: Record<string, unknown> = {}) =>
  signedJson<T>('POST', `/${operation}`, { service: 'account', body: account.isManagement ? body : { AccountId: account.id, ...body } });

export function accountsCommand(yargs: Argv) {
  const optIn = (verb: 'enable' | 'disable') => ({
    command: `${verb}-region <account> <region>`,
    describe: verb === 'enable'
      ? 'Enable an opt-in region (af-south-1, ap-east-1, …) for an account, as aws account enable-region does'
      : 'Disable an opt-in region of an account (default regions stay enabled)',
    builder: (c: Argv) => c.positional('account', { type: 'string', demandOption: true, describe: 'Account name or id' })
      .positional('region', { type: 'string', demandOption: true, describe: 'Region code, e.g. af-south-1' }),
    handler: async (args: { account?: string; region?: string }) => {
      const account = await findAccount(args.account!);
      await accountApi(verb === 'enable' ? 'enableRegion' : 'disableRegion', account, { RegionName: args.region });
      const status = await accountApi<RegionJson>('getRegionOptStatus', account, { RegionName: args.region });
      console.log(`${status.RegionName} is ${status.RegionOptStatus} for account ${account.name} (${account.id})`);
    },
  });
  return yargs.command('accounts', 'Manage the accounts of the organisation (from the management account)', (y) =>
    y
      .command(
        'create',
        'Create a member account, reached through its OrganizationAccountAccessRole',
        (c) => c.option('name', { type: 'string', demandOption: true, describe: 'Account name (also its AWS profile name)' })
          .option('id', { type: 'string', describe: '12-digit account id (default: random)' })
          .option('region', {
            type: 'string',
            describe: "Default region: the region of the account's AWS profile (default us-west-2). Every default region is usable anyway; an opt-in region given here is enabled",
          })
          .option('json', { type: 'boolean', default: false, describe: 'Print the account as JSON' }),
        async (args) => {
          // Given twice, yargs makes a list; the option names one region.
          if (Array.isArray(args.region)) throw new Error('--region names the one default region of the account; enable further opt-in regions with: gantry accounts enable-region <account> <region>');
          const { account } = await signedJson<{ account: AccountJson }>('POST', '/_gantry/accounts', {
            service: 'organizations', body: { name: args.name, id: args.id, defaultRegion: args.region },
          });
          if (args.json) console.log(JSON.stringify(account));
          else console.log(`created account ${account.name} (${account.id}), default region ${account.defaultRegion}; profile '${account.name}'`);
        },
      )
      .command(
        'list',
        'List the accounts',
        (c) => c.option('json', { type: 'boolean', default: false }),
        async (args) => {
          const accounts = await listAccounts();
          if (printedAsJson(args.json, accounts)) return;
          printTable(['ID', 'NAME', 'DEFAULT REGION', 'OPT-IN REGIONS', ''],
            accounts.map((a) => [a.id, a.name, a.defaultRegion, a.optInRegions.join(',') || '-', a.isManagement ? '(management)' : '']));
        },
      )
      .command(
        'regions <account>',
        'List the regions of an account with their status: ENABLED_BY_DEFAULT, or ENABLED/DISABLED for opt-in regions',
        (c) => c.positional('account', { type: 'string', demandOption: true, describe: 'Account name or id' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const account = await findAccount(args.account);
          const regions: RegionJson[] = [];
          let nextToken: string | undefined;
          do {
            const page = await accountApi<{ Regions: RegionJson[]; NextToken?: string }>('listRegions', account, nextToken ? { NextToken: nextToken } : {});
            regions.push(...page.Regions);
            nextToken = page.NextToken;
          } while (nextToken);
          if (printedAsJson(args.json, regions)) return;
          printTable(['REGION', 'STATUS', 'NAME'], regions.map((r) => [
            r.RegionName + (r.RegionName === account.defaultRegion ? ' *' : ''), r.RegionOptStatus, awsRegion(r.RegionName)?.description ?? '',
          ]));
          console.log(`* default region of profile '${account.name}'`);
        },
      )
      .command(optIn('enable'))
      .command(optIn('disable'))
      .demandCommand(1, 'name a subcommand: create, list, regions, enable-region or disable-region'),
  );
}
