import type { Argv } from 'yargs';
import { startServer } from '../server/start-server.ts';
import { DEFAULT_PORT } from './server-command.ts';

/**
 * `gantry demo`: starts the server with its embedded store and shows how to use it, then keeps serving
 * until Ctrl-C.
 */
export function demoCommand(yargs: Argv) {
  return yargs.command(
    'demo',
    'Start Gantry and show how to use it',
    (y) => y.option('port', { type: 'number', default: Number(process.env.GANTRY_PORT ?? DEFAULT_PORT), describe: 'HTTP port (env GANTRY_PORT)' }),
    async (args) => {
      const started = Date.now();
      const server = await startServer({ dataDir: args.dataDir as string, port: args.port });
      const management = (await server.iam.managementAccount())!;
      console.log(`listening on ${server.url}  (ready in ${Date.now() - started} ms)`);
      console.log(`
Gantry is running: IAM and STS speak the AWS Query protocol at ${server.url}, HTTPS at ${server.httpsUrl}.
The management account is ${management.name} (${management.id}); its administrator's keys are in the generated profiles:

  export AWS_CONFIG_FILE=${server.dataDir}/aws-config AWS_SHARED_CREDENTIALS_FILE=${server.dataDir}/credentials
  aws sts get-caller-identity                           # any AWS SDK or CLI works against it
  npx gantry accounts create --name staging --region us-west-2
  AWS_PROFILE=staging aws iam list-roles                # member accounts via OrganizationAccountAccessRole

Trust the local CA for wss:// in browsers: ${server.caCertFile}
Ctrl-C stops the server; everything is kept under ${server.dataDir}.`);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    },
  );
}
