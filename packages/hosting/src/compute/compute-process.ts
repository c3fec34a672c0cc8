/**
 * One running compute process: the resource's entry point (`node <entrypoint>`, started in its directory as
 * Amplify does) as an HTTP server on a port of 127.0.0.1 that Gantry chose and passed in `PORT`.
 *
 * Why a TCP port and not a unix socket: the specification's contract is "a Node.js HTTP server that listens on
 * `PORT`" (3000 on Amplify), and frameworks read it as a number (`Number(process.env.PORT) || 3000`), so a
 * socket path would silently fall back to 3000 and clash between processes. Each process gets a port that was
 * free a moment before (the kernel picked it for a listener Gantry closed just before spawning); `HOST` and
 * `HOSTNAME` (what Next.js' standalone server binds to) are 127.0.0.1 so apps that honour them are not
 * reachable from other machines. Servers that listen on 3000 whatever PORT says (Nitro's aws-amplify preset)
 * are moved to their port by a preload (listen-on-assigned-port.cjs). The network namespace is shared with the server (see build-sandbox.ts), which
 * is what lets Gantry reach the port; it also means another local process could take a port in the moment
 * between Gantry closing it and the app binding it: a single-tenant host is assumed.
 *
 * The process runs through a {@link ComputeSpawner}: {@link sandboxSpawner} (bubblewrap: the resource's
 * directory read-only, a private writable scratch directory as `HOME`, an empty `/tmp`, nothing of the data
 * dir) in production, {@link directSpawner} (a plain child process) where no sandbox is available. It is ready
 * once it answers one HTTP request (`HEAD /` by default, any status), and is started as its own process group
 * so stopping it stops what it started too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { signalProcessGroup, terminateProcessGroup, type BuildSandbox } from '@gantry/runner';

/** Moves a server's listen on the specification's port 3000 to its PORT (see the file); mounted read-only into the sandbox. */
const LISTEN_ON_ASSIGNED_PORT = join(import.meta.dirname, 'listen-on-assigned-port.cjs');

/** What a spawner is asked to start. */
export interface ComputeSpawnRequest {
  /** The program: the Node.js that runs Gantry. */
  file: string;
  /** `[<entrypoint>]` (plus Node options, if any, before it). */
  args: string[];
  /** The compute resource's directory (also mounted read-only: see `readOnly`). */
  cwd: string;
  /** The complete environment: nothing of the server's own environment is passed unless listed here. */
  env: Record<string, string>;
  /** The process's writable scratch directory (its `HOME`). */
  root: string;
  /** Paths the process may read but not write (the resource's directory, the port preload). */
  readOnly: string[];
  /** The account whose app this is: the sandbox's per-account directories are that account's. */
  account?: string;
}

/**
 * Starts a compute process. It must start `file args` with `stdio` `['ignore', 'pipe', 'pipe']` as the leader of
 * its own process group (`detached: true`), so the pool can read its output and signal it as a group.
 */
export type ComputeSpawner = (request: ComputeSpawnRequest) => ChildProcess | Promise<ChildProcess>;

/** Runs processes as plain children of the server, as its own user: for tests and machines without a sandbox. */
export function directSpawner(): ComputeSpawner {
  return (r) => spawn(r.file, r.args, { cwd: r.cwd, env: r.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

/**
 * Runs processes in the build sandbox: `root` writable (made the sandbox user's first), the resource's
 * directory read-only, the data dir and everything else of the server invisible. Throws (GantryError
 * ServiceUnavailable, with the reason) when the sandbox cannot run on this machine.
 */
export function sandboxSpawner(sandbox: Pick<BuildSandbox, 'command' | 'adopt' | 'forAccount'>): ComputeSpawner {
  return async (r) => {
    const box = r.account ? sandbox.forAccount(r.account) : sandbox;
    await box.adopt(r.root);
    const command = box.command(r.file, r.args, { root: r.root, cwd: r.cwd, readOnly: r.readOnly });
    return spawn(command.file, command.args, { cwd: '/', env: r.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  };
}

/** A line a compute process printed, or a line about it from the pool (`system`). */
export interface ComputeLogEntry {
  /** Which pool. @example "d1abc/main@3f2a…/default" */
  label: string;
  pid: number | undefined;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
}

export type ComputeProcessState = 'starting' | 'ready' | 'stopping' | 'exited';

export interface ComputeProcessOptions {
  label: string;
  /** The resource's directory; the entry point is relative to it. */
  dir: string;
  entrypoint: string;
  /** Writable scratch directory (created by the caller). */
  root: string;
  /** Environment of the app (the branch's variables); `PORT`, `HOST`, `HOSTNAME` are set on top. */
  env: Record<string, string>;
  spawner: ComputeSpawner;
  /** How long the process has to answer its first request. */
  startTimeoutMs: number;
  /** Path of the readiness request (`HEAD`). @default "/" */
  healthPath?: string;
  /** @default process.execPath */
  nodePath?: string;
  onLog?: (entry: ComputeLogEntry) => void;
}

/** The most output lines kept per process (for status and error messages). */
const RECENT_LINES = 40;
const MAX_LINE = 8192;

/** Every process still running, so they can be killed if the server exits without stopping them. */
const running = new Set<ComputeProcess>();
let exitHookInstalled = false;
function trackRunning(proc: ComputeProcess): void {
  running.add(proc);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of running) p.kill('SIGKILL');
  });
}

/** Asks the kernel for a free port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class ComputeProcess {
  readonly options: ComputeProcessOptions;
  state: ComputeProcessState = 'starting';
  port = 0;
  pid: number | undefined;
  /** Requests being answered (the pool's load balancing). */
  inflight = 0;
  /** When it became ready (epoch ms), 0 before. */
  readySince = 0;
  /** Why it is not running any more, once exited. */
  exitReason: string | undefined;
  /** The last lines it printed. */
  readonly recent: string[] = [];
  /** Resolves once ready; rejects when it exits first or misses the start timeout (and it is then killed). */
  readonly ready: Promise<void>;
  /** Resolves when the process is gone (never rejects). */
  readonly exited: Promise<void>;
  #child: ChildProcess | undefined;
  #resolveExited!: () => void;

  constructor(options: ComputeProcessOptions) {
    this.options = options;
    this.exited = new Promise((resolve) => (this.#resolveExited = resolve));
    this.ready = this.#start();
    this.ready.catch(() => {});
  }

  async #start(): Promise<void> {
    const o = this.options;
    const deadline = Date.now() + o.startTimeoutMs;
    try {
      this.port = await freePort();
      const env = { ...o.env, PORT: String(this.port), HOST: '127.0.0.1', HOSTNAME: '127.0.0.1' };
      const child = await o.spawner({ file: o.nodePath ?? process.execPath, args: ['--require', LISTEN_ON_ASSIGNED_PORT, o.entrypoint], cwd: o.dir, env, root: o.root, readOnly: [o.dir, LISTEN_ON_ASSIGNED_PORT] });
      this.#child = child;
      this.pid = child.pid;
      trackRunning(this);
      // stop() was called while it was being spawned.
      if (this.state === 'stopping') this.kill('SIGTERM');
      this.#pipe(child.stdout, 'stdout');
      this.#pipe(child.stderr, 'stderr');
      child.once('error', (error) => this.#exited(`could not be started: ${error.message}`));
      child.once('exit', (code, signal) => this.#exited(signal ? `was killed by ${signal}` : `exited with code ${code}`));
      if (this.pid === undefined) {
        await this.exited;
        throw new Error(`The compute process ${this.exitReason ?? 'could not be started'}`);
      }
    } catch (error) {
      this.#exited(`could not be started: ${(error as Error).message}`);
      throw error;
    }
    this.#log('system', `started (pid ${this.pid}, port ${this.port})`);
    let pause = 20;
    while (this.state === 'starting') {
      const left = deadline - Date.now();
      if (left <= 0) {
        const reason = `did not answer an HTTP request on port ${this.port} within ${Math.round(o.startTimeoutMs / 100) / 10} s of starting (the entry point must start an HTTP server listening on PORT)`;
        this.exitReason = reason;
        this.#log('system', reason);
        this.kill('SIGKILL');
        throw new Error(`The compute process ${reason}`);
      }
      if (await probe(this.port, o.healthPath ?? '/', left)) break;
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
      pause = Math.min(pause * 2, 200);
    }
    if (this.state !== 'starting') throw new Error(`The compute process ${this.exitReason ?? 'stopped'} before it answered a request`);
    this.state = 'ready';
    this.readySince = Date.now();
  }

  #pipe(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    let carry = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop()!.slice(0, MAX_LINE);
      for (const line of lines) this.#log(name, line.slice(0, MAX_LINE));
    });
    stream.on('end', () => carry && this.#log(name, carry));
  }

  #log(stream: ComputeLogEntry['stream'], line: string): void {
    if (stream !== 'system') {
      this.recent.push(line);
      if (this.recent.length > RECENT_LINES) this.recent.shift();
    }
    this.options.onLog?.({ label: this.options.label, pid: this.pid, stream, line });
  }

  #exited(reason: string): void {
    if (this.state === 'exited') return;
    const wasStopping = this.state === 'stopping';
    this.state = 'exited';
    this.exitReason ??= reason;
    running.delete(this);
    if (!wasStopping) {
      this.#log('system', reason);
      // What it started is of no use without it.
      this.kill('SIGKILL', true);
    }
    this.#resolveExited();
  }

  /** Its port refuses connections: out of rotation, and killed (the pool starts a replacement). */
  unreachable(): void {
    if (this.state !== 'ready') return;
    this.state = 'stopping';
    this.exitReason = `stopped accepting connections on port ${this.port}`;
    this.#log('system', this.exitReason);
    this.kill('SIGKILL');
  }

  /** Signals the process group (the process and what it started; `evenIfExited`: what is left of it). */
  kill(signal: NodeJS.Signals, evenIfExited = false): void {
    if ((this.state === 'exited' && !evenIfExited) || this.pid === undefined) return;
    try {
      signalProcessGroup(this.pid, signal);
    } catch {
      this.#child?.kill(signal);
    }
  }

  /**
   * Stops it: SIGTERM to its process group, SIGKILL to what is left after `graceMs`. Resolves once no process
   * of the group runs: in the sandbox, that includes the app inside bubblewrap, which outlives bubblewrap itself
   * for a moment.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'exited') return;
    if (this.state !== 'stopping') {
      this.state = 'stopping';
      this.exitReason = 'was stopped';
    }
    if (this.pid === undefined) {
      // Still being spawned: it is signalled as soon as it exists (see #start), or fails to start.
      await this.ready.catch(() => {});
    }
    if (this.pid !== undefined) {
      await terminateProcessGroup(this.pid, { graceMs, pollMs: 20 }).catch(() => this.kill('SIGKILL'));
    }
    await this.exited;
  }
}

/** One readiness request: true on any HTTP answer, false when nothing answers (yet). */
function probe(port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'HEAD', agent: false, timeout: timeoutMs, headers: { 'user-agent': 'Gantry-compute-health' } }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
