import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';

export function buildspecCommand(yargs: Argv) {
  return yargs.command('buildspec', 'Work with amplify.yml build specs', (y) =>
    y
      .command(
        'check <file>',
        'Validate a build spec and print what a job would run, phase by phase',
        (c) => c.positional('file', { type: 'string', demandOption: true, describe: 'Path to amplify.yml' })
          .option('app-root', { type: 'string', describe: 'Application of a monorepo spec (as AMPLIFY_MONOREPO_APP_ROOT)' }),
        async (args) => {
          let text: string;
          try {
            text = readFileSync(args.file, 'utf8');
          } catch (error) {
            throw new Error(`cannot read ${args.file}: ${(error as Error).message}`);
          }
          const { describePlan, formatBuildSpecIssue, parseBuildSpec, planBuild } = await import('@gantry/hosting');
          const { spec, warnings } = parseBuildSpec(text, args.file);
          for (const warning of warnings) console.error(`warning: ${formatBuildSpecIssue(warning, text)}`);
          console.log(describePlan(planBuild(spec, { appRoot: args.appRoot })));
        },
      )
      .demandCommand(1, 'name a subcommand: check'),
  );
}
