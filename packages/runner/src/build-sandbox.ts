/**
 * The build sandbox: every build phase and workflow step runs inside bubblewrap (Debian's `bubblewrap`), which
 * gives the session its own mount, PID, IPC and UTS namespaces and, when the server runs as root, an
 * unprivileged uid. Inside, the file system is the toolchain read-only (`/usr`, `/etc`, Node, Gantry's install
 * and its build tools), an empty `/tmp`, fresh `/proc` and `/dev`, and the job's own directory read-write:
 * never the data dir (keys, database, other jobs, sites), never another process of the server.
 *
 * What does not hold (said in the README too): the network is shared, so builds reach the package registry and
 * Gantry's own API (with whatever credentials the job was given); CPU and memory are limited per process
 * (`ulimit`), not per build.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { GantryError } from '@gantry/core';

const exec = promisify(execFile);

/** The uid/gid builds run as when the server is root: `nobody`, which owns nothing on a Debian system. */
export const DEFAULT_BUILD_UID = 65534;

export interface BuildSandboxOptions {
  /**
   * Directories builds may read (besides `/usr`, `/etc` and the Node that runs Gantry): Gantry's install, its
   * build tools. Missing ones are skipped.
   */
  readOnly: string[];
  /** Directories every build may write, shared across builds (npm's download cache). Created when missing. */
  shared?: string[];
  /**
   * Directories builds never see, even where a read-only directory contains them (the data dir inside the
   * checkout Gantry runs from): mounted over with an empty file system.
   */
  hidden: string[];
  /**
   * Run builds without the sandbox: the session runs as the server's own user and sees its files. For machines
   * where bubblewrap cannot run (no user namespaces); never for builds of code you do not trust.
   * @default false
   */
  unsafe?: boolean;
  /** @default 'bwrap' on PATH */
  bwrapPath?: string;
  /** The uid and gid builds run as when the server runs as root. @default 65534 (nobody) */
  uid?: number;
  gid?: number;
}

/** How one session is started: the program and its arguments. */
export interface SandboxedCommand {
  file: string;
  args: string[];
}

export class BuildSandbox {
  /** Whether sessions are isolated; false only with `unsafe`. */
  readonly isolated: boolean;
  /** Why builds cannot run (no usable bubblewrap and not `unsafe`); undefined when they can. */
  readonly unavailableReason: string | undefined;
  readonly #options: BuildSandboxOptions;
  readonly #bwrap: string;
  readonly #user: { uid: number; gid: number } | undefined;
  readonly #baseArgs: string[];
  readonly #baseMounts: Set<string>;

  private constructor(options: BuildSandboxOptions, bwrap: string, unavailableReason: string | undefined) {
    this.#options = options;
    this.#bwrap = bwrap;
    this.isolated = !options.unsafe;
    this.unavailableReason = options.unsafe ? undefined : unavailableReason;
    const root = process.getuid?.() === 0;
    this.#user = root && !options.unsafe ? { uid: options.uid ?? DEFAULT_BUILD_UID, gid: options.gid ?? DEFAULT_BUILD_UID } : undefined;
    const base = this.#baseMountList();
    this.#baseArgs = base.args;
    this.#baseMounts = base.made;
  }

  /**
   * Checks that bubblewrap runs here (one `true` inside a sandbox, ~5 ms) and prepares the shared directories.
   * A sandbox that cannot start does not throw: the server still serves, and every build says why it cannot run.
   */
  static open(options: BuildSandboxOptions): BuildSandbox {
    const bwrap = options.bwrapPath ?? 'bwrap';
    const probe = new BuildSandbox(options, bwrap, undefined);
    for (const dir of options.shared ?? []) {
      mkdirSync(dir, { recursive: true });
      probe.#own(dir);
    }
    if (options.unsafe) return probe;
    // The probe's session directory: any directory that exists will do, it only has to be mounted.
    const test = probe.command('/bin/true', [], { root: '/tmp', cwd: '/' });
    const ran = spawnSync(test.file, test.args, { encoding: 'utf8', timeout: 10_000 });
    if (ran.status === 0) return probe;
    const why = ran.error ? (ran.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${bwrap} is not installed` : ran.error.message : ran.stderr.trim() || `exit code ${ran.status}`;
    return new BuildSandbox(options, bwrap, `Builds run in a bubblewrap sandbox, which cannot start on this machine (${why}). Install it (apt-get install bubblewrap; npm test and npm run demo do so), or start the server with --unsafe-builds to run builds as the server's own user, which lets them read its keys.`);
  }

  /**
   * Makes `root` (a job's or action's directory, filled by the server) the build's own: owned by the build's
   * uid so its commands can write there. Call before each session; cheap (`chown -R` in C).
   */
  async adopt(root: string): Promise<void> {
    if (!this.#user) return;
    await exec('chown', ['-R', '--no-dereference', `${this.#user.uid}:${this.#user.gid}`, root]);
  }

  /**
   * The command that runs `file args` for a session whose writable directory is `root`, starting in `cwd`.
   * Paths are the same inside and out, so logs, environment variables and error messages need no mapping.
   * As root, bubblewrap sets the sandbox up and `setpriv` then drops to the build uid with no capabilities
   * and no way to gain any; as any other user, bubblewrap's user namespace keeps the server's uid.
   */
  command(file: string, args: string[], session: { root: string; cwd: string; readOnly?: string[] }): SandboxedCommand {
    if (this.unavailableReason) throw new GantryError('ServiceUnavailable', this.unavailableReason);
    if (!this.isolated) return { file, args };
    const mounts = new MountList(this.#baseArgs, this.#baseMounts);
    for (const dir of session.readOnly ?? []) mounts.bind('--ro-bind', dir);
    mounts.bind('--bind', session.root);
    const user = this.#user
      ? ['/usr/bin/setpriv', `--reuid=${this.#user.uid}`, `--regid=${this.#user.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs']
      : [];
    return { file: this.#bwrap, args: [...mounts.args, '--chdir', session.cwd, '--', ...user, file, ...args] };
  }

  /** Gives single files or directories (not their contents) to the build's uid: no process to start. */
  async give(...paths: string[]): Promise<void> {
    const user = this.#user;
    if (!user) return;
    await Promise.all(paths.map((path) => chown(path, user.uid, user.gid)));
  }

  #own(dir: string): void {
    if (!this.#user) return;
    spawnSync('chown', ['-R', '--no-dereference', `${this.#user.uid}:${this.#user.gid}`, dir]);
    chmodSync(dir, 0o700);
  }

  /** The mounts every session gets, in order: later mounts go over earlier ones. */
  #baseMountList(): MountList {
    const mounts = new MountList([
      '--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--hostname', 'build',
      '--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc',
      '--proc', '/proc', '--dev', '/dev',
      // Scratch space for everyone in the sandbox, sticky as on any system (`mkdtemp` in /tmp must work).
      '--perms', '1777', '--tmpfs', '/tmp', '--perms', '1777', '--tmpfs', '/var/tmp', '--tmpfs', '/run',
    ], ['/usr', '/etc', '/proc', '/dev', '/tmp', '/var', '/var/tmp', '/run']);
    // Merged-/usr systems have /bin -> usr/bin; older ones have real directories.
    for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
      if (!existsSync(dir)) continue;
      const real = realpathSync(dir);
      if (real === dir) mounts.bind('--ro-bind', dir);
      else mounts.args.push('--symlink', real.replace(/^\//, ''), dir);
    }
    const { readOnly, hidden, shared = [] } = this.#options;
    const nodePrefix = dirname(dirname(realpathSync(process.execPath)));
    const visible = (dir: string) => dir !== '/usr' && !dir.startsWith('/usr/') && existsSync(dir);
    const insideHidden = (dir: string) => hidden.some((h) => dir.startsWith(`${h}/`));
    for (const dir of [nodePrefix, ...readOnly].filter((dir) => visible(dir) && !insideHidden(dir))) mounts.bind('--ro-bind', dir);
    for (const dir of hidden) mounts.bind('--tmpfs', dir);
    // Gantry's tools may live inside a hidden directory (`<dataDir>/tools`): they come back read-only.
    for (const dir of readOnly.filter((dir) => visible(dir) && insideHidden(dir))) mounts.bind('--ro-bind', dir);
    for (const dir of shared) mounts.bind('--bind', dir);
    return mounts;
  }
}

/**
 * bubblewrap arguments, with the directories leading to each mount point made first as `0755`: bubblewrap
 * would otherwise create them with the mode of the outside directory, and a `0700` data dir would leave the
 * build unable to reach its own directory by its absolute path.
 */
class MountList {
  readonly args: string[];
  readonly made: Set<string>;

  constructor(initial: string[], made: Iterable<string> = []) {
    this.args = [...initial];
    this.made = new Set(made);
  }

  bind(kind: '--ro-bind' | '--bind' | '--tmpfs', dir: string): void {
    const ancestors: string[] = [];
    for (let parent = dirname(dir); parent !== '/' && !this.made.has(parent); parent = dirname(parent)) ancestors.unshift(parent);
    for (const parent of ancestors) {
      this.made.add(parent);
      this.args.push('--perms', '0755', '--dir', parent);
    }
    this.made.add(dir);
    this.args.push(...(kind === '--tmpfs' ? [kind, dir] : [kind, dir, dir]));
  }
}
