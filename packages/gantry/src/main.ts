import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { useDataDirProfiles } from './client/gantry-client.ts';
import { accountsCommand } from './commands/accounts-command.ts';
import { bootstrapCommand } from './commands/bootstrap-command.ts';
import { buildspecCommand } from './commands/buildspec-command.ts';
import { gitCredentialCommand, reposCommand } from './commands/repos-command.ts';
import { workflowsCommand } from './commands/workflows-command.ts';
import { projectsCommand, spacesCommand } from './commands/spaces-command.ts';
import { connectionsCommand } from './commands/connections-command.ts';
import { secretsCommand } from './commands/secrets-command.ts';
import { runsCommand } from './commands/runs-command.ts';
import { demoCommand } from './commands/demo-command.ts';
import { hostingCommand } from './commands/hosting-command.ts';
import { serverCommand } from './commands/server-command.ts';
import { userPoolsCommand } from './commands/user-pools-command.ts';

const cli = yargs(hideBin(process.argv))
  .scriptName('gantry')
  .usage('$0 <command>\n\nSelf-hosted deployment pipelines for fullstack TypeScript apps, speaking the AWS protocols.')
  .option('data-dir', { type: 'string', default: process.env.GANTRY_DATA_DIR ?? './.gantry', describe: 'Where Gantry keeps its state (env GANTRY_DATA_DIR)', global: true })
  .middleware((args) => useDataDirProfiles(args.dataDir as string))
  .strict()
  .demandCommand(1, 'name a command (see --help)')
  .help()
  .alias('h', 'help')
  .fail((message, error, y) => {
    if (error) console.error(`gantry: ${error.message}`);
    else {
      console.error(y.help().toString?.() ?? '');
      console.error(`\n${message}`);
    }
    process.exit(1);
  });

serverCommand(cli);
accountsCommand(cli);
demoCommand(cli);
buildspecCommand(cli);
bootstrapCommand(cli);
hostingCommand(cli);
reposCommand(cli);
gitCredentialCommand(cli);
workflowsCommand(cli);
spacesCommand(cli);
projectsCommand(cli);
connectionsCommand(cli);
secretsCommand(cli);
runsCommand(cli);
userPoolsCommand(cli);
await cli.parseAsync();
