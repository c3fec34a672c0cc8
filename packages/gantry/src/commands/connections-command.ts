import type { Argv } from 'yargs';
import { codecatalyst, spacePath } from '../client/codecatalyst-api.ts';
import { printTable, printedAsJson } from '../client/cli-output.ts';

interface ConnectionJson {
  connectionId: string; space: string; name: string; accountId: string; status: string;
  requestedBy: string; decidedBy?: string; roles: string[];
}

const describe = (c: ConnectionJson): string =>
  `connection ${c.connectionId} (${c.name}) from space ${c.space} to account ${c.accountId}: ${c.status}${c.roles.length ? `; roles ${c.roles.join(', ')}` : ''}`;

/**
 * `gantry connections`: a space asks an account for a connection; that account's principals accept or reject
 * it and name the IAM roles workflow actions may assume through it.
 */
export function connectionsCommand(yargs: Argv) {
  const decision = (verb: 'accept' | 'reject') => ({
    command: `${verb} <connectionId>`,
    describe: `${verb === 'accept' ? 'Accept' : 'Reject'} a connection asked of the caller's account (run with that account's profile)`,
    builder: (c: Argv) => c.positional('connectionId', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
    handler: async (args: { connectionId?: string; json?: boolean }) => {
      const { connection } = await codecatalyst<{ connection: ConnectionJson }>('POST', `/v1/connections/${encodeURIComponent(args.connectionId!)}/${verb}`);
      if (!printedAsJson(args.json, connection)) console.log(describe(connection));
    },
  });
  return yargs.command('connections', 'Connect a space to accounts its workflows deploy to', (y) =>
    y
      .command(
        'create',
        'Ask an account for a connection from a space (the account then accepts it)',
        (c) => c.option('space', { type: 'string', demandOption: true })
          .option('name', { type: 'string', demandOption: true, describe: 'Connection name, as workflow Environments name it' })
          .option('account-id', { type: 'string', demandOption: true, describe: '12-digit id of the account to connect' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { connection } = await codecatalyst<{ connection: ConnectionJson }>('POST', `${spacePath(args.space)}/connections`, { name: args.name, accountId: args.accountId });
          if (printedAsJson(args.json, connection)) return;
          console.log(describe(connection));
          if (connection.status === 'PENDING') console.log(`the account accepts it with: gantry connections accept ${connection.connectionId}`);
        },
      )
      .command(
        'list',
        "List a space's connections, or without --space those asked of or made with the caller's account",
        (c) => c.option('space', { type: 'string' }).option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { items } = await codecatalyst<{ items: ConnectionJson[] }>('GET', args.space ? `${spacePath(args.space)}/connections` : '/v1/connections');
          if (printedAsJson(args.json, items)) return;
          printTable(['CONNECTION ID', 'NAME', 'SPACE', 'ACCOUNT', 'STATUS', 'ROLES'],
            items.map((c) => [c.connectionId, c.name, c.space, c.accountId, c.status, c.roles.join(',') || '-']), '(no connections)');
        },
      )
      .command(decision('accept'))
      .command(decision('reject'))
      .command(
        'add-role <connectionId>',
        "Let workflow actions assume an IAM role of the connected account (run with that account's profile)",
        (c) => c.positional('connectionId', { type: 'string', demandOption: true })
          .option('role-arn', { type: 'string', demandOption: true, describe: 'ARN of a role in the connected account' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { connection } = await codecatalyst<{ connection: ConnectionJson }>('PUT', `/v1/connections/${encodeURIComponent(args.connectionId)}/roles`, { roleArn: args.roleArn });
          if (!printedAsJson(args.json, connection)) console.log(describe(connection));
        },
      )
      .demandCommand(1, 'name a subcommand: create, list, accept, reject or add-role'),
  );
}
