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
      .command('policy', "A repository's policy: which other accounts may clone it and build it in their hosting apps", policyCommands)
      .demandCommand(1, 'name a subcommand: create, list or policy'),
  );
}

interface PolicyJson { repository: RepositoryJson & { arn: string }; policy: string | null }

const policyPath = (repository: string): string => {
  const parts = repository.split('/');
  if (parts.length !== 3 || parts.some((p) => !p)) throw new Error(`name the repository as <space>/<project>/<name> (got '${repository}'): see gantry repos list`);
  return `/_gantry/repos/${parts.map(encodeURIComponent).join('/')}/policy`;
};

function policyCommands(y: Argv) {
  const repository = (c: Argv) => c.positional('repository', { type: 'string', demandOption: true, describe: '<space>/<project>/<name>' });
  return y
    .command('get <repository>', 'Print the repository policy', repository, async (args) => {
      const { policy } = await signedJson<PolicyJson>('GET', policyPath(args.repository as string), { service: 'codecommit' });
      console.log(policy ?? '(no policy: only this account may pull and push)');
    })
    .command(
      'put <repository>',
      'Set the repository policy: --allow-account to let accounts clone it (codecommit:GitPull), or --file for a policy of your own',
      (c) => repository(c)
        .option('allow-account', { type: 'string', array: true, describe: 'Account id that may pull (repeatable)' })
        .option('file', { type: 'string', describe: 'A JSON policy document (resource-based: each statement names a Principal)' })
        .check((a) => (Boolean(a['allow-account']?.length) !== Boolean(a.file) ? true : 'give either --allow-account or --file')),
      async (args) => {
        const path = policyPath(args.repository as string);
        const { pullPolicyFor } = await import('@gantry/source');
        const policy = args.file
          ? (await import('node:fs')).readFileSync(args.file, 'utf8')
          : pullPolicyFor((await signedJson<PolicyJson>('GET', path, { service: 'codecommit' })).repository, args['allow-account']!.map(String));
        await signedJson('PUT', path, { service: 'codecommit', body: { policy } });
        console.log(`policy set on ${args.repository}`);
      },
    )
    .command('delete <repository>', 'Remove the repository policy (other accounts lose access)', repository, async (args) => {
      await signedJson('DELETE', policyPath(args.repository as string), { service: 'codecommit' });
      console.log(`policy removed from ${args.repository}`);
    })
    .demandCommand(1, 'name a subcommand: get, put or delete');
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
