import type { Argv } from 'yargs';
import { signedJson } from '../client/gantry-client.ts';

interface AccountJson { id: string; name: string; regions: string[]; isManagement: boolean }

export function accountsCommand(yargs: Argv) {
  return yargs.command('accounts', 'Manage the accounts of the organisation (from the management account)', (y) =>
    y
      .command(
        'create',
        'Create a member account, reached through its OrganizationAccountAccessRole',
        (c) => c.option('name', { type: 'string', demandOption: true, describe: 'Account name (also its AWS profile name)' })
          .option('id', { type: 'string', describe: '12-digit account id (default: random)' })
          .option('region', { type: 'string', array: true, describe: 'Region(s) the account is enabled for (default us-west-2)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the account as JSON' }),
        async (args) => {
          const { account } = await signedJson<{ account: AccountJson }>('POST', '/_gantry/accounts', {
            service: 'organizations', body: { name: args.name, id: args.id, regions: args.region },
          });
          if (args.json) console.log(JSON.stringify(account));
          else console.log(`created account ${account.name} (${account.id}) in ${account.regions.join(', ')}; profile '${account.name}'`);
        },
      )
      .command(
        'list',
        'List the accounts',
        (c) => c.option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { accounts } = await signedJson<{ accounts: AccountJson[] }>('GET', '/_gantry/accounts', { service: 'organizations' });
          if (args.json) return console.log(JSON.stringify(accounts));
          for (const a of accounts) console.log(`${a.id}  ${a.name.padEnd(20)} ${a.regions.join(',')}${a.isManagement ? '  (management)' : ''}`);
        },
      )
      .demandCommand(1, 'name a subcommand: create or list'),
  );
}
