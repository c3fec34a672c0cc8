import type { Argv } from 'yargs';
import { signedJson } from '../client/gantry-client.ts';
import { printTable, printedAsJson, shortTime } from '../client/cli-output.ts';

interface MailboxMessage { Destination: string; Medium: string; Subject: string; Text: string; Code?: string; SentDate: number }

/** `gantry user-pools`: what the user pools' local mailbox holds, since Gantry sends no email or SMS. */
export function userPoolsCommand(yargs: Argv) {
  return yargs.command('user-pools', 'Read what user pools sent their users (verification codes, temporary passwords)', (y) =>
    y
      .command(
        'messages <userPoolId> <username>',
        'The messages a user pool sent a user (by username, email or phone), newest first',
        (c) => c.positional('userPoolId', { type: 'string', demandOption: true }).positional('username', { type: 'string', demandOption: true })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { Messages } = await signedJson<{ Messages: MailboxMessage[] }>('POST', '/', {
            service: 'cognito-idp',
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListMailboxMessages' },
            body: { UserPoolId: args.userPoolId, Username: args.username },
          });
          if (printedAsJson(args.json, Messages)) return;
          printTable(['SENT', 'TO', 'CODE', 'SUBJECT'], Messages.map((m) => [shortTime(new Date(m.SentDate * 1000).toISOString()), m.Destination, m.Code ?? '', m.Subject]),
            `(no messages to ${args.username})`);
        },
      )
      .demandCommand(1, 'name a subcommand: messages'),
  );
}
