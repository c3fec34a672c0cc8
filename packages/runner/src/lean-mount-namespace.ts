/**
 * A mount namespace holding only what build sandboxes are made of, for bubblewrap to start in. bubblewrap
 * re-reads the whole mount table after each bind mount it makes, and the table is the one it starts from: on
 * a host with hundreds of mounts (containers, snaps) that alone adds tens of milliseconds to every session
 * (measured per session: 20 host mounts +6 ms, 420 +16 ms, 1,020 +36 ms). Started from this namespace, which
 * holds a dozen, a session costs the same on every host, plus one `nsenter` (about 1.5 ms): so it is only
 * worth it where the host's table is large.
 *
 * bubblewrap makes it once (the directories sessions mount from, /dev, /proc and a /tmp of its own, every
 * mount a slave of the host's: where the host's mounts propagate, as systemd makes them, what it mounts or
 * unmounts below those directories later shows here too). A descriptor the
 * server keeps, not a process, holds it alive, and sessions enter it through /proc/<server pid>/fd/<n>:
 * nothing of it is inherited by a session, no PID can be mistaken for it, and it ends with the server.
 *
 * Only the starting point changes: each session's bubblewrap builds the same sandbox from the same paths.
 */
import { spawn } from 'node:child_process';
import { existsSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import type { SandboxedCommand } from './build-sandbox.ts';

/** Below this many host mounts, entering the lean namespace costs more than it saves. */
export const LEAN_NAMESPACE_MIN_HOST_MOUNTS = 100;
const NSENTER = '/usr/bin/nsenter';
const START_TIMEOUT_MS = 10_000;

export interface LeanMountNamespaceOptions {
  bwrap: string;
  /** Directories sessions mount from (their own directories must lie inside one), bound at the same paths. */
  trees: string[];
  /** Links such as `/bin -> usr/bin` on merged-/usr systems, so programs find their libraries. */
  symlinks: Array<{ target: string; path: string }>;
  /** A session that must run from inside before any other does (bubblewrap running `true`). */
  probe: SandboxedCommand;
}

export class LeanMountNamespace {
  /** Settles once the namespace is there (true) or could not be made (false: sessions start from the host's). */
  readonly ready: Promise<boolean>;
  readonly #trees: string[];
  #path: string | undefined;

  private constructor(options: LeanMountNamespaceOptions) {
    this.#trees = outermost(options.trees.filter((dir) => existsSync(dir)));
    this.ready = this.#make(options).then(
      async (path) => (path !== undefined && (await succeeds(NSENTER, [`--mount=${path}`, '--', options.probe.file, ...options.probe.args])) ? ((this.#path = path), true) : false),
      () => false,
    );
  }

  /** How many mounts the host has, as bubblewrap would copy them. */
  static hostMounts(): number {
    try {
      return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  }

  /** Starts making the namespace; sessions start from the host's until it is there. Only root can enter it. */
  static start(options: LeanMountNamespaceOptions): LeanMountNamespace | undefined {
    if (process.getuid?.() !== 0 || !existsSync(NSENTER)) return undefined;
    return new LeanMountNamespace(options);
  }

  /**
   * `command` (a bubblewrap command line) started from inside the namespace, or undefined when it is not there
   * yet or does not hold every path the session mounts from its own (`paths`): that session starts from the
   * host's namespace, as it would without this one.
   */
  wrap(command: SandboxedCommand, paths: string[]): SandboxedCommand | undefined {
    if (this.#path === undefined) return undefined;
    const inside = (path: string) => this.#trees.some((tree) => path === tree || path.startsWith(tree.endsWith('/') ? tree : `${tree}/`));
    if (command.file.startsWith('/') && !inside(command.file)) return undefined;
    if (!paths.every(inside)) return undefined;
    return { file: NSENTER, args: [`--mount=${this.#path}`, '--', command.file, ...command.args] };
  }

  async #make(options: LeanMountNamespaceOptions): Promise<string | undefined> {
    const args = ['--cap-drop', 'ALL', '--dev-bind', '/dev', '/dev', '--bind', '/proc', '/proc', '--tmpfs', '/tmp'];
    for (const { target, path } of options.symlinks) args.push('--symlink', target, path);
    for (const tree of this.#trees) args.push('--bind', tree, tree);
    // The holder only tells its PID and waits: the namespace is opened, then it is told to go.
    const holder = spawn(options.bwrap, [...args, '--', '/bin/sh', '-c', 'echo $$; read _'], { stdio: ['pipe', 'pipe', 'ignore'] });
    holder.unref();
    holder.on('error', () => {});
    const timer = setTimeout(() => holder.kill('SIGKILL'), START_TIMEOUT_MS);
    timer.unref();
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        let out = '';
        holder.once('error', reject);
        holder.once('exit', () => reject(new Error('the holder exited before it started')));
        holder.stdout!.on('data', (chunk: Buffer) => {
          out += chunk;
          if (out.includes('\n')) resolve(Number(out.trim()));
        });
      });
      if (!Number.isInteger(pid) || pid <= 1) return undefined;
      // The holder waits until told to go, so the PID is still its own: this is its namespace, not ours.
      const fd = openSync(`/proc/${pid}/ns/mnt`, 'r');
      if (fstatSync(fd).ino === statSync('/proc/self/ns/mnt').ino) return undefined;
      return `/proc/${process.pid}/fd/${fd}`;
    } finally {
      clearTimeout(timer);
      holder.stdin!.end();
      holder.stdin!.on('error', () => {});
    }
  }
}

/** The trees none of the others contains (a tree inside another is in the namespace already). */
function outermost(trees: string[]): string[] {
  const kept: string[] = [];
  for (const tree of [...new Set(trees)].sort((a, b) => a.length - b.length)) {
    if (!kept.some((outer) => tree === outer || tree.startsWith(outer.endsWith('/') ? outer : `${outer}/`))) kept.push(tree);
  }
  return kept;
}

function succeeds(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'ignore', timeout: START_TIMEOUT_MS });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
