import type { Argv } from 'yargs';
import { codecatalyst, spacePath } from '../client/codecatalyst-api.ts';
import { printTable, printedAsJson } from '../client/cli-output.ts';

interface SpaceJson { name: string; account: string; arn: string }
interface ProjectJson { space: string; name: string; arn: string }

/** `gantry spaces`: a space belongs to the account whose credentials create it. */
export function spacesCommand(yargs: Argv) {
  return yargs.command('spaces', 'Manage spaces (they hold projects, connections and secrets)', (y) =>
    y
      .command(
        'create <name>',
        "Create a space owned by the caller's account (AWS_PROFILE picks the account)",
        (c) => c.positional('name', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { space } = await codecatalyst<{ space: SpaceJson }>('POST', '/v1/spaces', { name: args.name });
          if (!printedAsJson(args.json, space)) console.log(`space ${space.name} belongs to account ${space.account}`);
        },
      )
      .command(
        'list',
        "List the spaces of the caller's account",
        (c) => c.option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { items } = await codecatalyst<{ items: SpaceJson[] }>('GET', '/v1/spaces');
          if (!printedAsJson(args.json, items)) printTable(['SPACE', 'ACCOUNT'], items.map((s) => [s.name, s.account]), '(no spaces)');
        },
      )
      .demandCommand(1, 'name a subcommand: create or list'),
  );
}

/** `gantry projects`: projects of a space hold repositories, workflows and runs. */
export function projectsCommand(yargs: Argv) {
  return yargs.command('projects', 'Manage the projects of a space', (y) =>
    y
      .command(
        'create <name>',
        'Create a project in a space',
        (c) => c.positional('name', { type: 'string', demandOption: true })
          .option('space', { type: 'string', demandOption: true, describe: 'Space the project belongs to' })
          .option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { project } = await codecatalyst<{ project: ProjectJson }>('POST', `${spacePath(args.space)}/projects`, { name: args.name });
          if (!printedAsJson(args.json, project)) console.log(`project ${project.space}/${project.name}`);
        },
      )
      .command(
        'list',
        'List the projects of a space',
        (c) => c.option('space', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { items } = await codecatalyst<{ items: ProjectJson[] }>('GET', `${spacePath(args.space)}/projects`);
          if (!printedAsJson(args.json, items)) printTable(['PROJECT', 'ARN'], items.map((p) => [p.name, p.arn]), `(space ${args.space} has no projects)`);
        },
      )
      .demandCommand(1, 'name a subcommand: create or list'),
  );
}
