import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { formatWorkflowIssue, parseWorkflow } from '@gantry/workflows';

export function workflowsCommand(yargs: Argv) {
  return yargs.command('workflows', 'Work with CodeCatalyst workflow definitions (.codecatalyst/workflows/*.yaml)', (y) =>
    y
      .command(
        'validate <file>',
        'Validate a workflow definition: errors name file, line, column and path',
        (c) => c.positional('file', { type: 'string', demandOption: true }),
        async (args) => {
          let text: string;
          try {
            text = readFileSync(args.file, 'utf8');
          } catch (error) {
            throw new Error(`cannot read ${args.file}: ${(error as Error).message}`);
          }
          const { workflow, warnings } = parseWorkflow(text, args.file);
          for (const warning of warnings) console.error(`warning: ${formatWorkflowIssue(warning, text)}`);
          const order = workflow.actions.map((a) => `${a.name}${a.dependsOn.length ? ` (after ${a.dependsOn.join(', ')})` : ''}`);
          console.log(`${args.file}: workflow ${workflow.name} is valid; run mode ${workflow.runMode}; actions: ${order.join('; ')}`);
        },
      )
      .demandCommand(1, 'name a subcommand: validate'),
  );
}
