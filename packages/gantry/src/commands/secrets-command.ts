import type { Argv } from 'yargs';
import { codecatalyst, projectPath, spacePath } from '../client/codecatalyst-api.ts';
import { printTable, printedAsJson, shortTime } from '../client/cli-output.ts';

interface SecretJson { name: string; updatedBy: string; updatedAt: string }

const scopeOptions = (c: Argv) => c
  .option('space', { type: 'string', demandOption: true })
  .option('project', { type: 'string', describe: 'Keep the secret to one project (default: the whole space)' });

const secretsPath = (args: { space: string; project?: string }) => `${args.project ? projectPath(args.space, args.project) : spacePath(args.space)}/secrets`;
const scopeName = (args: { space: string; project?: string }) => (args.project ? `project ${args.space}/${args.project}` : `space ${args.space}`);

/** The whole of stdin without its final line break: `echo value | gantry secrets put`, or typed and ended with Ctrl-D. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) console.error('type the secret value, then press Ctrl-D:');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** `gantry secrets`: workflow actions read them as `${Secrets.<name>}`; values go in and never come out. */
export function secretsCommand(yargs: Argv) {
  return yargs.command('secrets', 'Manage workflow secrets of a space or project', (y) =>
    y
      .command(
        'put <name>',
        'Create or replace a secret; the value comes from --value or, to keep it out of shell history, stdin',
        (c) => scopeOptions(c).positional('name', { type: 'string', demandOption: true })
          .option('value', { type: 'string', describe: 'The value (default: read from stdin)' }),
        async (args) => {
          const value = args.value ?? (await readStdin());
          if (value === '') throw new Error(`the value of secret ${args.name} is empty: pass --value or pipe it to stdin.`);
          await codecatalyst('PUT', `${secretsPath(args)}/${encodeURIComponent(args.name)}`, { value });
          console.log(`secret ${args.name} stored in ${scopeName(args)}`);
        },
      )
      .command(
        'list',
        'List the names of the secrets (values are never shown)',
        (c) => scopeOptions(c).option('json', { type: 'boolean', default: false }),
        async (args) => {
          const { items } = await codecatalyst<{ items: SecretJson[] }>('GET', secretsPath(args));
          if (printedAsJson(args.json, items)) return;
          printTable(['SECRET', 'UPDATED', 'BY'], items.map((s) => [s.name, shortTime(s.updatedAt), s.updatedBy]), `(${scopeName(args)} has no secrets)`);
        },
      )
      .command(
        'delete <name>',
        'Delete a secret',
        (c) => scopeOptions(c).positional('name', { type: 'string', demandOption: true }),
        async (args) => {
          await codecatalyst('DELETE', `${secretsPath(args)}/${encodeURIComponent(args.name)}`);
          console.log(`secret ${args.name} deleted from ${scopeName(args)}`);
        },
      )
      .demandCommand(1, 'name a subcommand: put, list or delete'),
  );
}
