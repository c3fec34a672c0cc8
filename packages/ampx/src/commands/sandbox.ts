import { readFileSync, watch } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { toStackName } from '@gantry/backend/backend-id';
import { resolveAwsContext } from '../aws-context.ts';
import { BackendClient, type BackendIdentifier } from '../backend-client.ts';
import { asAmpxError, deployBackend } from '../deploy-backend.ts';
import { DEFAULT_OUTPUTS_VERSION, OUTPUTS_FORMATS, OUTPUTS_VERSIONS, type OutputsFormat } from '../outputs-file.ts';

/** A sandbox is the project's (package.json name) backend of one developer (OS user, or --identifier). */
export function sandboxId(identifier?: string, appDir = process.cwd()): BackendIdentifier {
  let namespace = 'sandbox';
  try {
    namespace = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')).name?.replace(/^@[^/]+\//, '') || namespace;
  } catch {
    // no package.json: the default namespace
  }
  return { namespace, name: identifier ?? userInfo().username, type: 'sandbox' };
}

export function sandboxCommand(yargs: Argv) {
  return yargs.command(
    'sandbox',
    'Starts sandbox, watch mode for Amplify backend deployments',
    (y) => y
      .option('identifier', { type: 'string', describe: 'An optional name to distinguish between different sandbox environments. Default is the name of your local user.' })
      .option('dir-to-watch', { type: 'string', default: 'amplify', describe: 'Directory to watch for file changes.' })
      .option('once', { type: 'boolean', default: false, describe: 'Execute a single sandbox deployment without watching for future file changes' })
      .option('outputs-format', { type: 'string', choices: OUTPUTS_FORMATS, default: 'json' })
      .option('outputs-version', { type: 'string', choices: OUTPUTS_VERSIONS, default: DEFAULT_OUTPUTS_VERSION })
      .option('outputs-out-dir', { type: 'string' })
      .option('profile', { type: 'string', describe: 'An AWS profile name.' })
      .command('delete', 'Deletes sandbox environment', (d) => d.option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation before deleting the sandbox environment' }).option('identifier', { type: 'string' }), async (args) => {
        if (!args.yes) {
          console.error('Deleting the sandbox deletes all its data. Run again with --yes to confirm.');
          process.exitCode = 1;
          return;
        }
        const context = await resolveAwsContext(args.profile as string | undefined);
        const stackName = toStackName(sandboxId(args.identifier));
        try {
          await (await BackendClient.asDeployRole(context)).remove(stackName);
        } catch (error) {
          throw asAmpxError(error);
        }
        console.log(`[Sandbox] Deleting ${stackName}`);
      }),
    async (args) => {
      const context = await resolveAwsContext(args.profile);
      const id = sandboxId(args.identifier);
      const deploy = () => deployBackend(context, {
        appDir: process.cwd(), backendId: id,
        outputs: { outDir: args.outputsOutDir ?? process.cwd(), version: args.outputsVersion, format: args.outputsFormat as OutputsFormat },
        log: (line) => console.log(`[Sandbox] ${line}`),
      });
      await deploy();
      if (args.once) return;
      console.log(`[Sandbox] Watching for file changes in ${args.dirToWatch}; Ctrl-C to stop.`);
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> = Promise.resolve();
      // Editors write files in bursts: deploy once the burst is over, one deployment at a time.
      watch(args.dirToWatch, { recursive: true }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          running = running.then(deploy).catch((error) => console.error(`[Sandbox] ${(error as Error).message}`));
        }, 300);
      });
    },
  );
}
