import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AmpxError } from './ampx-error.ts';
import { generateCommand } from './commands/generate-outputs.ts';
import { pipelineDeployCommand } from './commands/pipeline-deploy.ts';
import { sandboxCommand } from './commands/sandbox.ts';

const cli = yargs(hideBin(process.argv))
  .scriptName('ampx')
  .option('debug', { type: 'boolean', default: false, describe: 'Print debug logs to the console', global: true })
  .strict()
  .strictCommands()
  .recommendCommands()
  .demandCommand(1, 'Not enough non-option arguments: got 0, need at least 1')
  .help()
  .alias('h', 'help')
  .fail((message, error, y) => {
    if (error instanceof AmpxError) console.error(error.format());
    else if (error) console.error(error.message);
    else {
      console.error(y.help().toString?.() ?? '');
      console.error(`\n${message}`);
    }
    process.exit(1);
  });

generateCommand(cli);
pipelineDeployCommand(cli);
sandboxCommand(cli);
// Not awaited at the top level: the bundled ampx is a CommonJS script (which V8 can cache compiled).
void cli.parseAsync();
