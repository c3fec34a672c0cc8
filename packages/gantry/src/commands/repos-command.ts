import type { Argv } from 'yargs';
import type { GitCredentialOperation } from '@gantry/source';
import { signedJson } from '../client/gantry-client.ts';

interface RepositoryJson { name: string; space: string; project: string; cloneUrl: string }

export function reposCommand(yargs: Argv) {
  return yargs.command('repos', 'Manage source repositories (git over HTTP)', (y) =>
    y
      .command(
        'create <name>',
        'Create a repository in a space and project (both "default" when not named)',
        (c) => c.positional('name', { type: 'string', demandOption: true })
          .option('space', { type: 'string', describe: 'Space (created when missing)' })
          .option('project', { type: 'string', describe: 'Project in the space (created when missing)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print {"cloneUrl": …} and the rest as JSON' }),
        async (args) => {
          const { repository } = await signedJson<{ repository: RepositoryJson }>('POST', '/_gantry/repos', {
            service: 'codecommit', body: { name: args.name, space: args.space, project: args.project },
          });
          if (args.json) console.log(JSON.stringify(repository));
          else console.log(`created ${repository.space}/${repository.project}/${repository.name}\nclone URL: ${repository.cloneUrl}`);
        },
      )
      .command(
        'list',
        'List repositories',
        (c) => c.option('space', { type: 'string' }).option('project', { type: 'string' }).option('json', { type: 'boolean', default: false }),
        async (args) => {
          const query = new URLSearchParams(Object.entries({ space: args.space, project: args.project }).filter(([, v]) => v) as [string, string][]);
          const { repositories } = await signedJson<{ repositories: RepositoryJson[] }>('GET', `/_gantry/repos${query.size ? `?${query}` : ''}`, { service: 'codecommit' });
          if (args.json) return console.log(JSON.stringify(repositories));
          for (const r of repositories) console.log(`${`${r.space}/${r.project}/${r.name}`.padEnd(40)} ${r.cloneUrl}`);
        },
      )
      .demandCommand(1, 'name a subcommand: create or list'),
  );
}

/** `gantry git-credential get`: git's credential-helper protocol, answered from the AWS profile chain. */
export function gitCredentialCommand(yargs: Argv) {
  return yargs.command(
    'git-credential <operation>',
    "Git credential helper: git -c credential.helper='!npx gantry git-credential' push",
    (c) => c.positional('operation', { type: 'string', choices: ['get', 'store', 'erase'], demandOption: true }),
    async (args) => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      // Loaded here: git runs this helper on every push and fetch, and the rest of the CLI does not need it.
      const { gitCredential } = await import('@gantry/source');
      process.stdout.write(await gitCredential(args.operation as GitCredentialOperation, Buffer.concat(chunks).toString('utf8')));
    },
  );
}
