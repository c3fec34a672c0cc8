import type { Argv } from 'yargs';
import { toStackName } from '@gantry/backend/backend-id';
import { AmpxError } from '../ampx-error.ts';
import { resolveAwsContext } from '../aws-context.ts';
import { BackendClient } from '../backend-client.ts';
import { asAmpxError } from '../deploy-backend.ts';
import { DEFAULT_OUTPUTS_VERSION, OUTPUTS_FORMATS, OUTPUTS_VERSIONS, writeOutputs, type OutputsFormat } from '../outputs-file.ts';
import { sandboxId } from './sandbox.ts';

export function generateCommand(yargs: Argv) {
  return yargs.command('generate', 'Generates post deployment artifacts', (y) =>
    y.command(
      'outputs',
      'Generates Amplify backend outputs',
      (c) => c
        .option('stack', { type: 'string', conflicts: ['app-id', 'branch'], describe: 'A stack name that contains an Amplify backend' })
        .option('app-id', { type: 'string', conflicts: ['stack'], implies: 'branch', describe: 'The Amplify App ID of the project' })
        .option('branch', { type: 'string', conflicts: ['stack'], describe: 'A git branch of the Amplify project' })
        .option('profile', { type: 'string', describe: 'An AWS profile name.' })
        .option('format', { type: 'string', choices: OUTPUTS_FORMATS, default: 'json', describe: 'The format which the configuration should be exported into.' })
        .option('out-dir', { type: 'string', describe: 'A path to directory where config is written. If not provided defaults to current process working directory.' })
        .option('outputs-version', { type: 'string', choices: OUTPUTS_VERSIONS, default: DEFAULT_OUTPUTS_VERSION, describe: 'Version of the configuration.' })
        .check((args) => {
          if (args.stack !== undefined && !/^[a-zA-Z][-a-zA-Z0-9]{1,127}$/.test(args.stack)) throw new Error(`Invalid --stack: ${args.stack}`);
          if (args.branch !== undefined && args.appId === undefined && args.stack === undefined)
            throw new Error('--branch needs --app-id: Gantry finds branch backends by app id and branch.');
          return true;
        }),
      async (args) => {
        const context = await resolveAwsContext(args.profile);
        const stackName = args.stack ?? toStackName(args.appId ? { namespace: args.appId, name: args.branch!, type: 'branch' } : sandboxId());
        const client = BackendClient.asCaller(context);
        try {
          const { stack } = await client.stack(stackName);
          if (stack.status.endsWith('_IN_PROGRESS'))
            throw new AmpxError('DeploymentInProgressError', `Stack ${stackName} is being deployed (${stack.status}).`, 'Wait for the deployment to finish, then generate outputs again.');
          const file = writeOutputs(await client.outputs(stackName, args.outputsVersion), args.outDir ?? process.cwd(), args.format as OutputsFormat);
          console.log(`File written: ${file}`);
        } catch (error) {
          throw asAmpxError(error);
        }
      },
    ).demandCommand(1, 'name a subcommand: outputs'),
  );
}
