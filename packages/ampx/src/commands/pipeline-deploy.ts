import type { Argv } from 'yargs';
import { AmpxError } from '../ampx-error.ts';
import { resolveAwsContext } from '../aws-context.ts';
import { isCi } from '../ci.ts';
import { deployBackend } from '../deploy-backend.ts';
import { DEFAULT_OUTPUTS_VERSION, OUTPUTS_FORMATS, OUTPUTS_VERSIONS, type OutputsFormat } from '../outputs-file.ts';

export function pipelineDeployCommand(yargs: Argv) {
  return yargs.command(
    'pipeline-deploy',
    'Command to deploy backends in a custom CI/CD pipeline. This command is not intended to be used locally.',
    (y) => y
      .option('branch', { type: 'string', demandOption: true, describe: 'Name of the git branch being deployed' })
      .option('app-id', { type: 'string', demandOption: true, describe: 'The app id of the target Amplify app' })
      .option('outputs-out-dir', { type: 'string', describe: 'A path to directory where amplify_outputs is written. If not provided defaults to current process working directory.' })
      .option('outputs-version', { type: 'string', choices: OUTPUTS_VERSIONS, default: DEFAULT_OUTPUTS_VERSION, describe: 'Version of the configuration.' })
      .option('outputs-format', { type: 'string', choices: OUTPUTS_FORMATS, default: 'json', describe: 'amplify_outputs file format' })
      .check((args) => {
        if (!args.branch?.trim() || !args['app-id']?.trim()) throw new Error('Invalid --branch or --app-id');
        return true;
      }),
    async (args) => {
      if (!isCi())
        throw new AmpxError('RunningPipelineDeployNotInCiError', 'It looks like this command is being run outside of a CI/CD workflow.', 'To deploy locally use `npx ampx sandbox` instead.');
      await deployBackend(resolveAwsContext(), {
        appDir: process.cwd(),
        backendId: { namespace: args.appId, name: args.branch, type: 'branch' },
        outputs: { outDir: args.outputsOutDir ?? process.cwd(), version: args.outputsVersion, format: args.outputsFormat as OutputsFormat },
        log: (line) => console.log(line),
      });
    },
  );
}
