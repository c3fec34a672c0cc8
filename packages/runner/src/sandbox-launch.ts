/**
 * Starting a session in the build sandbox without the server's preparations in front of it. bubblewrap starts
 * first and builds the sandbox (namespaces, mounts: a few milliseconds) while the server makes the job's
 * directory the build's (`adopt`, a `chown -R` of everything the server wrote there); bubblewrap holds the
 * command back (`--block-fd`) until the directory is adopted, so no command ever sees a file of the server's
 * it cannot write. If adopting fails, the session is killed before it could start.
 *
 * The script travels through a pipe (`--file`) into the sandbox's own /run: it is never written to the server's
 * disk, and the session needs no directory of its own to be made, chowned, mounted and removed for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { GantryError } from '@gantry/core';
import type { BuildSandbox } from './build-sandbox.ts';
import { killProcessGroup } from './process-group.ts';

/** Where the session's script is inside the sandbox: root's, read-only, on a tmpfs only this session has. */
export const SANDBOX_SCRIPT_PATH = '/run/gantry/session.sh';

// Descriptors of the child beside 0-2 and the events on 3. bubblewrap closes both once read, so no command
// of the session inherits them.
const SCRIPT_FD = 4;
const START_FD = 5;

export interface SandboxLaunchOptions {
  sandbox: BuildSandbox;
  /** The directory the session may write, adopted while the sandbox is built. */
  root: string;
  cwd: string;
  env: Record<string, string>;
  bash: string;
  script: string;
}

export interface SandboxLaunch {
  /** bubblewrap, leading its own process group; stdio as a session's: 1 and 2 output, 3 events. */
  child: ChildProcess;
  /** Settles once the session may run (resolves) or was killed because `root` could not be adopted (rejects). */
  started: Promise<void>;
}

export function launchInSandbox(options: SandboxLaunchOptions): SandboxLaunch {
  const { sandbox, root } = options;
  const command = sandbox.command(options.bash, ['--noprofile', '--norc', SANDBOX_SCRIPT_PATH], {
    root, cwd: options.cwd, files: [{ path: SANDBOX_SCRIPT_PATH, fd: SCRIPT_FD }], startFd: START_FD,
  });
  const child = spawn(command.file, command.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  // Node's types know stdio entries 0 to 4 only.
  const pipe = (fd: number) => (child.stdio as ReadonlyArray<unknown>)[fd] as Writable | null | undefined;
  const script = pipe(SCRIPT_FD);
  const start = pipe(START_FD);
  // bubblewrap may be gone before it reads them (it could not start, or the session was stopped): its exit
  // says so, through the session, not a write error here.
  for (const stream of [script, start]) stream?.on('error', () => {});
  child.once('exit', () => {
    script?.destroy();
    start?.destroy();
  });
  script?.end(options.script);

  const started = sandbox.adopt(root).then(
    () => {
      if (start && !start.destroyed) start.end('.');
    },
    (cause: unknown) => {
      // Killed first: closing the pipe without a byte would let bubblewrap go on.
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          killProcessGroup(child.pid);
        } catch {
          // Not signalled: it still waits for the byte, which never comes, until the session's timeout stops it.
        }
      }
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new GantryError('ServiceUnavailable', `Could not give the build's directory ${root} to the build user, so the session was not started: ${why}`, { cause });
    },
  );
  return { child, started };
}
