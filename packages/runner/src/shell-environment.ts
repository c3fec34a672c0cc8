import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { GantryError } from '@gantry/core';

const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * The default `PATH` of a session whose caller gave none: the directory of the Node running Gantry first (so
 * `node`, `npm` and `npx` in a build are the ones Gantry was started with, wherever they are installed), then
 * the usual system directories.
 */
export function defaultPath(): string {
  return [...new Set([dirname(process.execPath), ...SYSTEM_PATH])].join(delimiter);
}

/**
 * The session's environment: exactly the caller's, plus `PATH` and `HOME` when the caller left them out. Nothing
 * from the server's own environment leaks in (it may hold the server's credentials).
 */
export async function sessionEnvironment(env: Record<string, string>, workDir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = { ...env };
  if (result.PATH === undefined) result.PATH = defaultPath();
  if (result.HOME === undefined) {
    result.HOME = join(workDir, '.home');
    await mkdir(result.HOME, { recursive: true });
  }
  return result;
}

/**
 * `env` with the server's tool `NODE_OPTIONS` kept when the app set its own (its environment variables, amplify.yml's
 * `env`, an action's variables), which would otherwise replace the tools' value: the app's options come first.
 */
export function keepToolNodeOptions(env: Record<string, string>, tools: string | undefined): Record<string, string> {
  if (tools && env.NODE_OPTIONS !== undefined) env.NODE_OPTIONS = appendNodeOptions(env.NODE_OPTIONS, tools);
  return env;
}

/**
 * An app's own NODE_OPTIONS with the tools' appended: what a build or action gets when the app sets NODE_OPTIONS
 * (its environment variables, amplify.yml's `env`, an action's variables), which would otherwise replace the
 * tools' value. Idempotent: a value that already holds the tools' options is returned as it is.
 */
export function appendNodeOptions(own: string | undefined, tools: string): string {
  if (!tools) return own ?? '';
  if (!own?.trim()) return tools;
  if (own.includes(tools)) return own;
  return `${own} ${tools}`;
}

let foundBash: Promise<string> | undefined;

/** The bash to run sessions with: the given path, else /bin/bash, else the first bash on the server's PATH. */
export function findBash(explicit?: string): Promise<string> {
  if (explicit !== undefined) return checkExecutable(explicit).then(() => explicit);
  foundBash ??= (async () => {
    const candidates = ['/bin/bash', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'bash'))];
    for (const candidate of candidates) {
      if (await checkExecutable(candidate).then(() => true, () => false)) return candidate;
    }
    foundBash = undefined;
    throw new GantryError('ServiceUnavailable', 'No bash was found (looked at /bin/bash and the PATH of the Gantry server): builds run their commands in bash 4.2 or later, so install it.');
  })();
  return foundBash;
}

async function checkExecutable(path: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch (cause) {
    throw new GantryError('ServiceUnavailable', `The shell ${path} does not exist or is not executable: install bash or point bashPath at it.`, { cause });
  }
}
