/**
 * The build sandbox: every build phase and workflow step runs inside bubblewrap (Debian's `bubblewrap`), which
 * gives the session its own mount, PID, IPC and UTS namespaces and, when the server runs as root, an
 * unprivileged uid. Inside, the file system is the toolchain read-only (`/usr`, `/etc`, Node, Gantry's install
 * and its build tools), an empty `/tmp`, fresh `/proc` and `/dev`, and the job's own directory read-write
 * (with, when configured, its account's own npm cache): never the data dir (keys, database, other jobs, sites,
 * other accounts' caches), never another process of the server.
 *
 * What does not hold (said in the README too): the network is shared, so builds reach the package registry and
 * Gantry's own API (with whatever credentials the job was given); CPU and memory are limited per process
 * (`ulimit`), not per build.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lchownSync, mkdirSync, realpathSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { GantryError } from '@gantry/core';
import { accountDirectory } from './account-directories.ts';
import { LEAN_NAMESPACE_MIN_HOST_MOUNTS, LeanMountNamespace } from './lean-mount-namespace.ts';
import { serverProgram } from './server-program.ts';

const exec = promisify(execFile);

/** The uid/gid builds run as when the server is root: `nobody`, which owns nothing on a Debian system. */
export const DEFAULT_BUILD_UID = 65534;

export interface BuildSandboxOptions {
  /**
   * Directories builds may read (besides `/usr`, `/etc` and the Node that runs Gantry): Gantry's install, its
   * build tools. Missing ones are skipped.
   */
  readOnly: string[];
  /**
   * Directories every build of every account may write, created when missing. Only for data no build can use
   * against another's: never npm's download cache, whose index one build can forge for all (see
   * account-directories.ts); give that to `perAccount`.
   */
  shared?: string[];
  /**
   * Directories each account gets its own copy of (npm's download cache): a session started through
   * {@link BuildSandbox.forAccount} finds `<dir>/account-<account>` mounted at `<dir>`, created on first use,
   * and no other account's. Sessions of a sandbox with such directories must say whose build they are.
   */
  perAccount?: string[];
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
  /** @default 'bwrap' on the server's PATH (never the session's: see server-program.ts) */
  bwrapPath?: string;
  /**
   * Where bubblewrap starts building each sandbox from: the host's mount namespace, or a lean one holding only
   * what sandboxes are made of (lean-mount-namespace.ts), which keeps a session as cheap on a host with
   * hundreds of mounts as on any other but costs an `nsenter` (about 1.5 ms) where the host has few.
   * @default 'auto': lean when the server is root and the host has 100 mounts or more
   */
  mountNamespace?: 'auto' | 'host' | 'lean';
  /** The uid and gid builds run as when the server runs as root. @default 65534 (nobody) */
  uid?: number;
  gid?: number;
}

/** How one session is started: the program and its arguments. */
export interface SandboxedCommand {
  file: string;
  args: string[];
}

/** A file the session finds in the sandbox's own file system, copied from a pipe the caller writes and closes. */
export interface SessionFile {
  /** Where the session finds it (read-only, owned by root). @example "/run/gantry/session.sh" */
  path: string;
  /** The descriptor of the child the caller writes it to. */
  fd: number;
}

/** One session's part of the sandbox: see {@link BuildSandbox.command}. */
export interface SandboxSession {
  /** The only directory of the server's the session may write, bound at its own path. */
  root: string;
  /** Where the command starts. */
  cwd: string;
  /** More directories the session may read. */
  readOnly?: string[];
  /** Files copied into the sandbox as it is built (the session's script): no directory or mount of their own. */
  files?: SessionFile[];
  /**
   * A descriptor bubblewrap reads one byte from once the sandbox is built, before it starts the command: the
   * caller writes it when the session may start (its directory adopted), and kills the session otherwise.
   */
  startFd?: number;
}

export class BuildSandbox {
  /** Whether sessions are isolated; false only with `unsafe`. */
  readonly isolated: boolean;
  /** Why builds cannot run (no usable bubblewrap and not `unsafe`); undefined when they can. */
  readonly unavailableReason: string | undefined;
  readonly #options: BuildSandboxOptions;
  readonly #bwrap: string;
  readonly #user: { uid: number; gid: number } | undefined;
  readonly #account: string | undefined;
  readonly #lean: LeanMountNamespace | undefined;
  readonly #base: MountList;

  private constructor(options: BuildSandboxOptions, internals: { bwrap: string; unavailableReason?: string; account?: string; lean?: LeanMountNamespace }) {
    this.#options = options;
    this.#bwrap = internals.bwrap;
    this.#account = internals.account;
    this.#lean = internals.lean;
    this.isolated = !options.unsafe;
    this.unavailableReason = options.unsafe ? undefined : internals.unavailableReason;
    const root = process.getuid?.() === 0;
    this.#user = root && !options.unsafe ? { uid: options.uid ?? DEFAULT_BUILD_UID, gid: options.gid ?? DEFAULT_BUILD_UID } : undefined;
    this.#base = this.#baseMountList();
  }

  /**
   * Checks that bubblewrap runs here (one `true` inside a sandbox, ~5 ms) and prepares the shared directories.
   * A sandbox that cannot start does not throw: the server still serves, and every build says why it cannot run.
   */
  static open(options: BuildSandboxOptions): BuildSandbox {
    const name = options.bwrapPath ?? 'bwrap';
    const bwrap = serverProgram(name);
    const probe = new BuildSandbox(options, { bwrap: bwrap ?? name });
    for (const dir of options.shared ?? []) {
      mkdirSync(dir, { recursive: true });
      probe.#own(dir);
    }
    // Root's own, like the data dir around it: each account's directory inside is the build uid's.
    for (const dir of options.perAccount ?? []) mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (options.unsafe) return probe;
    const unavailable = (why: string) => new BuildSandbox(options, {
      bwrap: bwrap ?? name,
      unavailableReason: `Builds run in a bubblewrap sandbox, which cannot start on this machine (${why}). Install it (apt-get install bubblewrap; npm test and npm run demo do so), or start the server with --unsafe-builds to run builds as the server's own user, which lets them read its keys.`,
    });
    if (bwrap === undefined) return unavailable(`${name} is not installed`);
    // The probe's session directory: any directory that exists will do, it only has to be mounted.
    const test = probe.#command('/bin/true', [], { root: '/tmp', cwd: '/' });
    const ran = spawnSync(test.file, test.args, { encoding: 'utf8', timeout: 10_000 });
    if (ran.status !== 0) {
      return unavailable(ran.error ? (ran.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${name} is not installed` : ran.error.message : ran.stderr.trim() || `exit code ${ran.status}`);
    }
    const mode = options.mountNamespace ?? 'auto';
    if (mode === 'host' || (mode === 'auto' && LeanMountNamespace.hostMounts() < LEAN_NAMESPACE_MIN_HOST_MOUNTS)) return probe;
    // Everything sessions mount from; their own directories lie in the hidden ones (the data dir).
    const trees = [...probe.#base.sources, ...options.hidden, ...(options.perAccount ?? [])];
    const lean = LeanMountNamespace.start({ bwrap, trees, symlinks: probe.#base.links, probe: test });
    return lean ? new BuildSandbox(options, { bwrap, lean }) : probe;
  }

  /**
   * Settles once sessions start the way they will from now on: from the lean mount namespace when one is
   * being made (`mountNamespace`) and it works, else from the host's. Sessions never wait for it.
   */
  async ready(): Promise<void> {
    await this.#lean?.ready;
  }

  /**
   * The sandbox for the sessions of one account: the same mounts, plus that account's own copy of each
   * `perAccount` directory (created on first use). Sessions of a sandbox with `perAccount` directories must
   * be started through it.
   * @param account whose build the session is: the account ID it acts for (never a name another account could
   *   take later, such as a space's or an app's).
   */
  forAccount(account: string): BuildSandbox {
    const dirs = this.#options.perAccount ?? [];
    if (dirs.length === 0 || !this.isolated) return this;
    if (!this.unavailableReason) {
      for (const dir of dirs.map((base) => accountDirectory(base, account))) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (this.#user) lchownSync(dir, this.#user.uid, this.#user.gid);
      }
    }
    return new BuildSandbox(this.#options, { bwrap: this.#bwrap, unavailableReason: this.unavailableReason, account, lean: this.#lean });
  }

  /**
   * Makes `root` (a job's or action's directory, filled by the server) the build's own: owned by the build's
   * uid so its commands can write there. Call before each session starts; `chown -R` in C, about 4 µs per
   * file the server wrote (a checkout, a restored cache), which runShell spends while bubblewrap builds the
   * sandbox rather than before (sandbox-launch.ts).
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
   *
   * What a session costs is mostly bubblewrap's own work, and part of it grows with the host: after each bind
   * mount bubblewrap re-reads the whole mount table it started from (about 0.15 ms with 20 mounts, over 1 ms
   * with a few hundred). So a session adds as few mounts as it can (its script comes as a file, not a mounted
   * directory), and where the host has many, bubblewrap starts from a lean namespace (`mountNamespace`).
   */
  command(file: string, args: string[], session: SandboxSession): SandboxedCommand {
    if (this.isolated && (this.#options.perAccount ?? []).length > 0 && this.#account === undefined) {
      throw new GantryError('ValidationError', `This build sandbox gives each account its own ${this.#options.perAccount!.join(', ')}: start the session with sandbox.forAccount(<the account ID the build acts for>).`);
    }
    return this.#command(file, args, session);
  }

  #command(file: string, args: string[], session: SandboxSession): SandboxedCommand {
    if (this.unavailableReason) throw new GantryError('ServiceUnavailable', this.unavailableReason);
    if (!this.isolated) return { file, args };
    const mounts = this.#base.copy();
    for (const dir of session.readOnly ?? []) mounts.bind('--ro-bind', dir);
    mounts.bind('--bind', session.root);
    // Last, so bubblewrap reads them with every mount in place; they land in the sandbox's own tmpfs.
    for (const { path, fd } of session.files ?? []) mounts.args.push('--perms', '0444', '--file', String(fd), path);
    if (session.startFd !== undefined) mounts.args.push('--block-fd', String(session.startFd));
    const user = this.#user
      ? ['/usr/bin/setpriv', `--reuid=${this.#user.uid}`, `--regid=${this.#user.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs']
      : [];
    const command = { file: this.#bwrap, args: [...mounts.args, '--chdir', session.cwd, '--', ...user, file, ...args] };
    return this.#lean?.wrap(command, [session.root, ...(session.readOnly ?? [])]) ?? command;
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
    ], ['/usr', '/etc', '/proc', '/dev', '/tmp', '/var', '/var/tmp', '/run'], ['/usr', '/etc']);
    // Merged-/usr systems have /bin -> usr/bin; older ones have real directories.
    for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
      if (!existsSync(dir)) continue;
      const real = realpathSync(dir);
      if (real === dir) mounts.bind('--ro-bind', dir);
      else mounts.symlink(real.replace(/^\//, ''), dir);
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
    // Over everything above: the account's own copy hides every other account's, wherever `dir` lies.
    if (this.#account !== undefined) for (const dir of this.#options.perAccount ?? []) mounts.bind('--bind', dir, accountDirectory(dir, this.#account));
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
  /** The paths outside that are mounted (what a lean mount namespace must hold). */
  readonly sources: string[];
  readonly links: Array<{ target: string; path: string }>;

  constructor(initial: string[], made: Iterable<string> = [], sources: string[] = [], links: Array<{ target: string; path: string }> = []) {
    this.args = [...initial];
    this.made = new Set(made);
    this.sources = [...sources];
    this.links = [...links];
  }

  copy(): MountList {
    return new MountList(this.args, this.made, this.sources, this.links);
  }

  symlink(target: string, path: string): void {
    this.links.push({ target, path });
    this.args.push('--symlink', target, path);
  }

  /** Mounts `source` (by default the same path outside) at `dir`. */
  bind(kind: '--ro-bind' | '--bind' | '--tmpfs', dir: string, source = dir): void {
    const ancestors: string[] = [];
    for (let parent = dirname(dir); parent !== '/' && !this.made.has(parent); parent = dirname(parent)) ancestors.unshift(parent);
    for (const parent of ancestors) {
      this.made.add(parent);
      this.args.push('--perms', '0755', '--dir', parent);
    }
    this.made.add(dir);
    if (kind !== '--tmpfs') this.sources.push(source);
    this.args.push(...(kind === '--tmpfs' ? [kind, dir] : [kind, source, dir]));
  }
}
