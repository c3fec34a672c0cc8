import type { Argv } from 'yargs';
import { DEFAULT_PORT } from './server-command.ts';

/**
 * `gantry demo`: the cross-account pipeline end to end on one machine. Sets up (or finds) two accounts, a
 * repository holding the app, a hosting app per account and the workflow, follows the run it triggers, then
 * keeps serving until Ctrl-C. With `--json` it prints one summary object instead, and stops a server it started.
 */
export function demoCommand(yargs: Argv) {
  return yargs.command(
    'demo',
    'Run the staging-to-production pipeline end to end: accounts, repository, hosting, workflow, run',
    (y) => y
      .option('port', { type: 'number', default: Number(process.env.GANTRY_PORT ?? DEFAULT_PORT), describe: 'HTTP port (env GANTRY_PORT); HTTPS uses the next one; 0 picks free ports' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON summary on stdout (progress goes to stderr) and exit' })
      .option('app-dir', { type: 'string', describe: 'An Amplify Gen 2 app to push instead of the sample (a copy is changed, never the folder)' })
      .option('timeout', { type: 'number', default: 30, describe: 'Minutes to follow the pipeline before giving up' }),
    async (args) => {
      // Loaded when the command runs: the demo's clients (and the server it may start) weigh on every other command.
      const [{ DemoProgress }, { DEMO_STEPS, runDemo }, { printClosingSummary }] = await Promise.all([
        import('../demo/demo-progress.ts'), import('../demo/demo-scenario.ts'), import('../demo/demo-summary.ts'),
      ]);
      const progress = new DemoProgress(args.json ? process.stderr : process.stdout, DEMO_STEPS);
      const outcome = await runDemo({
        dataDir: args.dataDir as string, port: args.port, ...(args.appDir ? { appDir: args.appDir } : {}), timeoutMs: args.timeout * 60_000,
      }, progress);
      const stopAndExit = async (code: number) => {
        if (outcome.server?.startedHere) await outcome.server.close();
        process.exit(code);
      };
      if (!outcome.summary) {
        progress.print(`\ngantry demo: the step '${outcome.failure?.step}' failed. Fix what it says and run the demo again: it resumes where it stopped.`);
        return stopAndExit(1);
      }
      if (args.json) {
        process.stdout.write(`${JSON.stringify(outcome.summary)}\n`);
        return stopAndExit(0);
      }
      const keepServing = Boolean(outcome.server?.startedHere);
      printClosingSummary(progress, outcome.summary, keepServing);
      if (!keepServing) return;
      process.once('SIGINT', () => void stopAndExit(0));
      process.once('SIGTERM', () => void stopAndExit(0));
    },
  );
}
