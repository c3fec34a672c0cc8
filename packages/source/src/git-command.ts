import { spawn } from 'node:child_process';
import { GantryError } from '@gantry/core';

/**
 * The environment every git process of the server runs with, built from scratch: the server's own
 * environment may hold credentials or GIT_* variables (GIT_DIR, GIT_SSH_COMMAND…) that must not steer git,
 * and system or user git config (hooks paths, aliases, url rewrites) must not apply to hosted repositories.
 */
export function gitEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
}

export interface RunGitOptions {
  cwd?: string;
  /** @default 64 MiB */
  maxOutput?: number;
  /** @default 120 000 */
  timeoutMs?: number;
  /** Written to git's standard input (closed at once when absent). */
  input?: string | Buffer;
  /** Variables added to the scrubbed environment, e.g. `GIT_INDEX_FILE` or the author of a commit. */
  env?: Record<string, string>;
}

/**
 * Runs `git <args>` and resolves with its output, or rejects with the stderr git gave. Output beyond
 * `maxOutput` bytes is an error rather than an unbounded buffer.
 */
export function runGit(gitBinary: string, args: string[], options: RunGitOptions = {}): Promise<GitResult> {
  const maxOutput = options.maxOutput ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(gitBinary, args, { cwd: options.cwd, env: gitEnvironment(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    // git may exit before reading everything (a refused argument): that is reported by its exit code.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: Error | undefined;
    const timer = setTimeout(() => {
      failure = new Error(`git ${args[0]} did not finish within ${options.timeoutMs}ms`);
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxOutput) {
        failure = new Error(`git ${args[0]} printed more than ${maxOutput} bytes`);
        child.kill('SIGKILL');
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 16_384) stderr += chunk.toString('utf8');
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? gitMissing(gitBinary, error) : error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else if (code !== 0) reject(new Error(`git ${args.join(' ')} failed (exit ${code}): ${stderr.trim()}`));
      else resolve({ stdout: Buffer.concat(out), stderr });
    });
  });
}

export const gitMissing = (gitBinary: string, cause?: unknown) =>
  new GantryError('ServiceUnavailable', `The git executable '${gitBinary}' was not found: install git 2.28 or later and make sure it is on the PATH of the Gantry server.`, { cause });

/** Splits NUL-terminated output (`-z`) into its fields. */
export const splitNul = (output: Buffer): string[] => output.toString('utf8').split('\0').filter((s) => s.length > 0);
