import type { Argv } from 'yargs';

export const DEFAULT_PORT = 4750;

export function serverCommand(yargs: Argv) {
  return yargs.command(
    'server',
    'Run the Gantry server (API, git, webhooks, sites and console on one port; HTTPS on port + 1)',
    (y) => y.option('port', { type: 'number', default: Number(process.env.GANTRY_PORT ?? DEFAULT_PORT), describe: 'HTTP port (env GANTRY_PORT); 0 picks free ports' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('unsafe-builds', {
        type: 'boolean', default: false,
        describe: 'Run builds and workflow actions without the bubblewrap sandbox, as the server\'s own user (they can read its keys): only where bubblewrap cannot run',
      })
      .option('compute-processes', { type: 'number', default: 1, describe: 'Server processes per compute resource of each live compute app (WEB_COMPUTE)' }),
    async (args) => {
      // Loaded here, not at the top: every other command is a client and need not load the whole server.
      const { startServer } = await import('../server/start-server.ts');
      const server = await startServer({ dataDir: args.dataDir as string, port: args.port, host: args.host, unsafeBuilds: args.unsafeBuilds, computeProcesses: args.computeProcesses });
      console.log(`listening on ${server.url}`);
      console.log(`https on ${server.httpsUrl} (local CA: ${server.caCertFile})`);
      console.log(`console at ${server.url}/ (sign in with an access key, or an IAM user's console password)`);
      if (server.buildsUnavailable) console.log(`warning: builds and workflow actions will fail: ${server.buildsUnavailable}`);
      else if (args.unsafeBuilds) console.log('warning: --unsafe-builds: builds and workflow actions run as this server\'s user and can read its keys');
      console.log(`AWS profiles: AWS_CONFIG_FILE=${server.dataDir}/aws-config AWS_SHARED_CREDENTIALS_FILE=${server.dataDir}/credentials`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: shutting down`);
        await server.close();
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
    },
  );
}
