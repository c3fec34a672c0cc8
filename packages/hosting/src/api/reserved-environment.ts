import { GantryError } from '@gantry/core';

/**
 * Environment variable names an app or branch may not set. Builds run the build spec's commands in a shell
 * (packages/runner) whose environment includes the app's and branch's variables, so a variable that changes
 * how the shell or the dynamic linker starts would run code before, and outside of, the commands the build
 * spec shows: `BASH_ENV`/`ENV` source a file at shell start, `PROMPT_COMMAND`/`PS4` run on every prompt or
 * trace line, `SHELLOPTS`/`BASHOPTS` switch on options such as xtrace, `IFS`/`CDPATH`/`GLOBIGNORE` change how
 * every command line is split, resolved and expanded, `BASH_FUNC_*` imports shell functions that shadow
 * commands, and `LD_*` (`LD_PRELOAD`, `LD_LIBRARY_PATH`, `LD_AUDIT`…) loads libraries into every process.
 * `NODE_OPTIONS` stays allowed: real apps set it (e.g. `--max-old-space-size`) and it only affects Node.
 */
const RESERVED_NAMES = new Set(['BASH_ENV', 'ENV', 'PROMPT_COMMAND', 'SHELLOPTS', 'BASHOPTS', 'PS4', 'IFS', 'CDPATH', 'GLOBIGNORE']);
const RESERVED_PREFIXES = ['BASH_FUNC_', 'LD_'];

/** Why `name` may not be set, or undefined when it may. */
export function reservedEnvironmentReason(name: string): string | undefined {
  if (RESERVED_NAMES.has(name)) return 'it changes how the build shell starts or parses commands';
  if (name.startsWith('BASH_FUNC_')) return 'names starting with BASH_FUNC_ define shell functions in the build shell';
  if (name.startsWith('LD_')) return 'names starting with LD_ change how the dynamic linker loads every program of the build';
  return undefined;
}

/** Throws BadRequestException naming the first reserved variable of `env`. */
export function refuseReservedEnvironment(member: string, env: Record<string, string>): void {
  for (const name of Object.keys(env)) {
    const reason = reservedEnvironmentReason(name);
    if (reason)
      throw new GantryError('BadRequestException',
        `${member}: the environment variable ${name} cannot be set, because ${reason}. Remove ${name} from ${member}; to run setup code, put the commands in the build spec (amplify.yml) instead.`);
  }
}

export const RESERVED_ENVIRONMENT = { names: [...RESERVED_NAMES], prefixes: RESERVED_PREFIXES } as const;
