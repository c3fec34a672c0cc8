import { readdir, readFile } from 'node:fs/promises';

/**
 * A build's shell is started as the leader of its own process group (spawn `detached`, i.e. setsid), so every
 * process it starts — `npm`, the compilers under it, a `sleep &` left in the background — shares its pgid and
 * can be signalled at once with `kill(-pgid)`. A process that calls setsid itself leaves the group; only a
 * cgroup or a container catches those.
 */

/** Sends `signal` to every process of the group. Returns false when the group no longer exists. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new RangeError(`Refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * True while any process of the group exists, zombies included (the kernel still knows them until their parent
 * reaps them; for orphans that is init, which in a container may take seconds).
 */
export function processGroupExists(pgid: number): boolean {
  return signalProcessGroup(pgid, 0);
}

/**
 * True while a process of the group is still running: zombies, which hold no files, pipes or memory, do not
 * count. Reads /proc on Linux; elsewhere falls back to {@link processGroupExists}.
 */
export async function processGroupRunning(pgid: number): Promise<boolean> {
  if (!processGroupExists(pgid)) return false;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  for (const pid of pids) {
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

export interface TerminateOptions {
  /** How long processes get to exit after SIGTERM before SIGKILL. @default 5000 */
  graceMs?: number;
  /** How often to look whether the group is gone. @default 50 */
  pollMs?: number;
}

/**
 * Asks the group to stop (SIGTERM), waits up to the grace period for it to empty, then kills what is left
 * (SIGKILL). Resolves once no process of the group runs any more (zombies aside).
 */
export async function terminateProcessGroup(pgid: number, options: TerminateOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? 5000;
  const pollMs = options.pollMs ?? 50;
  if (!signalProcessGroup(pgid, 'SIGTERM')) return;
  // SIGTERM is not delivered to stopped processes until they continue.
  signalProcessGroup(pgid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    if (!(await processGroupRunning(pgid))) return;
  }
  if (!signalProcessGroup(pgid, 'SIGKILL')) return;
  const killDeadline = Date.now() + 1000;
  while (Date.now() < killDeadline && (await processGroupRunning(pgid))) await delay(pollMs);
}

/** Kills every process of the group now (leftovers once the session is over). */
export function killProcessGroup(pgid: number): void {
  signalProcessGroup(pgid, 'SIGKILL');
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
