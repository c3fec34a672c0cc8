/**
 * Compute pools: the processes that run one compute resource of one deployed version, and the host that keeps
 * one pool per (version, resource).
 *
 * A pool starts its processes on the first request (or ahead of it with `start()`/`warm()`), sends each request
 * to the ready process with the fewest requests in flight (round-robin among equals), restarts a process that
 * exits with exponential backoff (100 ms doubling to 10 s; back to 100 ms once a process has stayed up 10 s),
 * and optionally stops its processes after a quiet period (`idleStopMs`; the next request starts them again).
 * A request that finds no ready process waits for one up to the start timeout, then fails with
 * {@link ComputeUnavailableError} (the proxy answers 503).
 *
 * Each pool has its own keep-alive HTTP agent, so requests reuse connections to its processes.
 *
 * A version's pools live until `stopVersion` (call it when the version stops being live for its branch: a new
 * activation, a rollback, the branch's deletion), which kills the processes and removes their scratch
 * directories. Environment variables are read when a pool is created, so changed branch variables apply to the
 * next deployment, as on Amplify Hosting.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { join } from 'node:path';
import type { DeployManifest } from './deploy-manifest.ts';
import { ComputeProcess, directSpawner, type ComputeLogEntry, type ComputeSpawner } from './compute-process.ts';

/**
 * How long a process has to answer its first request. Amplify Hosting compute runs on AWS Lambda, whose
 * initialisation phase is limited to 10 s (docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 */
export const DEFAULT_START_TIMEOUT_MS = 10_000;
const RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 10_000;
/** A process that stayed up this long resets the backoff. */
const STABLE_MS = 10_000;

export interface ComputePoolOptions {
  /** For logs and errors. @example "d1abc/main@3f2a…/default" */
  label: string;
  /** The compute resource's directory (`.amplify-hosting/compute/<name>` of the version). */
  dir: string;
  /** Relative to `dir`. @example "server.js" */
  entrypoint: string;
  /** The resource name, for messages. @default "default" */
  resource?: string;
  /** Writable scratch directory of the processes (created on start, removed by `stop`). */
  scratchDir: string;
  /** The app's environment variables (the branch's, merged over the app's). */
  env?: Record<string, string>;
  /** The account whose app runs (handed to the spawner). */
  account?: string;
  /** @default directSpawner() */
  spawner?: ComputeSpawner;
  /** Processes per resource. @default 1 */
  processes?: number;
  /** @default {@link DEFAULT_START_TIMEOUT_MS} */
  startTimeoutMs?: number;
  /** Stop the processes after this long without requests (they start again on the next). @default never */
  idleStopMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping. @default 3000 */
  stopGraceMs?: number;
  /** Readiness request path (`HEAD`, any status counts). @default "/" */
  healthPath?: string;
  /** @default process.execPath */
  nodePath?: string;
  /** Output of the processes and what the pool does with them. */
  onLog?: (entry: ComputeLogEntry) => void;
}

/** No process of the pool is ready (starting, crashing, stopped): the proxy answers 503 with this message. */
export class ComputeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComputeUnavailableError';
  }
}

/** A ready process reserved for one request: call `release()` once, when the exchange is over. */
export interface ComputeLease {
  port: number;
  process: ComputeProcess;
  /** The pool's keep-alive agent. */
  agent: Agent;
  release(): void;
}

export interface ComputePoolStatus {
  label: string;
  state: 'idle' | 'running' | 'stopped';
  processes: Array<{ pid: number | undefined; port: number; state: string; inflight: number; restarts: number }>;
}

interface Slot {
  process: ComputeProcess | undefined;
  /** Consecutive failures (backoff exponent). */
  failures: number;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
}

interface Waiter {
  resolve(lease: ComputeLease): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class ComputePool {
  readonly options: ComputePoolOptions;
  /** Keep-alive connections to this pool's processes (Nagle off: proxied chunks go out as they come). */
  readonly agent = new Agent({ keepAlive: true, scheduling: 'lifo', noDelay: true });
  readonly resource: string;
  #state: 'idle' | 'running' | 'stopped' = 'idle';
  readonly #slots: Slot[];
  #waiters: Waiter[] = [];
  #cursor = 0;
  #lastUsed = Date.now();
  #idleTimer: NodeJS.Timeout | undefined;
  #lastFailure: string | undefined;
  #scratchReady: Promise<void> | undefined;

  constructor(options: ComputePoolOptions) {
    this.options = options;
    this.resource = options.resource ?? 'default';
    const count = Math.max(1, Math.floor(options.processes ?? 1));
    this.#slots = Array.from({ length: count }, () => ({ process: undefined, failures: 0, restarts: 0, timer: undefined }));
  }

  get state(): 'idle' | 'running' | 'stopped' {
    return this.#state;
  }

  get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  }

  /**
   * Starts the processes (if not running) and resolves once each has become ready or failed to; rejects as
   * `acquire` does when none is ready within the start timeout.
   */
  async start(): Promise<void> {
    (await this.acquire()).release();
    await Promise.allSettled(this.#slots.map((s) => s.process?.ready));
  }

  /** A ready process now, or undefined (starting the pool if it is idle). */
  tryAcquire(): ComputeLease | undefined {
    if (this.#state === 'stopped') return undefined;
    this.#lastUsed = Date.now();
    if (this.#state === 'idle') this.#run();
    const proc = this.#pick();
    return proc ? this.#lease(proc) : undefined;
  }

  /** A ready process, waiting for one up to the start timeout. */
  acquire(): Promise<ComputeLease> {
    if (this.#state === 'stopped') return Promise.reject(new ComputeUnavailableError(`${this.#what()} is stopped: its version is no longer live.`));
    const lease = this.tryAcquire();
    if (lease) return Promise.resolve(lease);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          const seconds = Math.round(this.startTimeoutMs / 100) / 10;
          reject(new ComputeUnavailableError(`${this.#what()} has no process ready to answer: none became ready within ${seconds} s${this.#lastFailure ? ` (the last one ${this.#lastFailure})` : ''}.`));
        }, this.startTimeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Stops every process and removes the scratch directory; the pool cannot be used afterwards. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new ComputeUnavailableError(`${this.#what()} was stopped: its version is no longer live.`));
    }
    await this.#stopProcesses();
    this.agent.destroy();
    await rm(this.options.scratchDir, { recursive: true, force: true }).catch(() => {});
  }

  status(): ComputePoolStatus {
    return {
      label: this.options.label,
      state: this.#state,
      processes: this.#slots.map((s) => ({ pid: s.process?.pid, port: s.process?.port ?? 0, state: s.process?.state ?? 'none', inflight: s.process?.inflight ?? 0, restarts: s.restarts })),
    };
  }

  /** The pids of the running processes (for tests and diagnostics). */
  pids(): number[] {
    return this.#slots.map((s) => s.process?.pid).filter((pid): pid is number => pid !== undefined);
  }

  #what(): string {
    return `Compute resource '${this.resource}' (${this.options.label})`;
  }

  #run(): void {
    this.#state = 'running';
    this.#lastUsed = Date.now();
    for (const slot of this.#slots) if (!slot.process && !slot.timer) this.#spawn(slot);
    const idle = this.options.idleStopMs;
    if (idle && !this.#idleTimer) {
      this.#idleTimer = setInterval(() => this.#checkIdle(), Math.max(50, Math.min(idle / 2, 5000)));
      this.#idleTimer.unref();
    }
  }

  #spawn(slot: Slot): void {
    slot.timer = undefined;
    if (this.#state !== 'running') return;
    const o = this.options;
    this.#scratchReady ??= mkdir(o.scratchDir, { recursive: true }).then(() => {});
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production', ...o.env, HOME: o.scratchDir };
    const proc = new ComputeProcess({
      label: o.label,
      dir: o.dir,
      entrypoint: o.entrypoint,
      root: o.scratchDir,
      env,
      spawner: async (request) => {
        await this.#scratchReady;
        return (o.spawner ?? directSpawner())({ ...request, ...(o.account && { account: o.account }) });
      },
      startTimeoutMs: this.startTimeoutMs,
      healthPath: o.healthPath,
      nodePath: o.nodePath,
      onLog: o.onLog,
    });
    slot.process = proc;
    proc.ready.then(
      () => {
        if (slot.process === proc) this.#serveWaiters();
      },
      () => {},
    );
    void proc.exited.then(() => {
      if (slot.process !== proc) return;
      slot.process = undefined;
      if (this.#state !== 'running') return;
      this.#lastFailure = proc.exitReason;
      if (proc.readySince && Date.now() - proc.readySince >= STABLE_MS) slot.failures = 0;
      const delay = Math.min(RESTART_DELAY_MS * 2 ** slot.failures, MAX_RESTART_DELAY_MS);
      slot.failures++;
      slot.restarts++;
      o.onLog?.({ label: o.label, pid: proc.pid, stream: 'system', line: `restarting in ${delay} ms` });
      slot.timer = setTimeout(() => this.#spawn(slot), delay);
      slot.timer.unref();
    });
  }

  /** The ready process with the fewest requests in flight, round-robin among equals. */
  #pick(): ComputeProcess | undefined {
    const slots = this.#slots;
    let best: ComputeProcess | undefined;
    for (let i = 0; i < slots.length; i++) {
      const proc = slots[(this.#cursor + i) % slots.length].process;
      if (proc?.state === 'ready' && (!best || proc.inflight < best.inflight)) best = proc;
    }
    if (best) this.#cursor = (this.#cursor + 1) % slots.length;
    return best;
  }

  #lease(proc: ComputeProcess): ComputeLease {
    proc.inflight++;
    let released = false;
    return {
      port: proc.port,
      process: proc,
      agent: this.agent,
      release: () => {
        if (released) return;
        released = true;
        proc.inflight--;
        this.#lastUsed = Date.now();
      },
    };
  }

  #serveWaiters(): void {
    while (this.#waiters.length) {
      const proc = this.#pick();
      if (!proc) return;
      const waiter = this.#waiters.shift()!;
      clearTimeout(waiter.timer);
      waiter.resolve(this.#lease(proc));
    }
  }

  #checkIdle(): void {
    if (this.#state !== 'running' || this.#waiters.length) return;
    if (this.#slots.some((s) => (s.process?.inflight ?? 0) > 0)) return;
    if (Date.now() - this.#lastUsed < (this.options.idleStopMs ?? Infinity)) return;
    this.options.onLog?.({ label: this.options.label, pid: undefined, stream: 'system', line: `stopping after ${this.options.idleStopMs} ms without requests` });
    this.#state = 'idle';
    void this.#stopProcesses();
  }

  async #stopProcesses(): Promise<void> {
    clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
    const grace = this.options.stopGraceMs ?? 3000;
    await Promise.all(this.#slots.map(async (slot) => {
      clearTimeout(slot.timer);
      slot.timer = undefined;
      slot.failures = 0;
      const proc = slot.process;
      slot.process = undefined;
      await proc?.stop(grace);
    }));
  }
}

/** A deployed version that has compute resources. */
export interface ComputeDeployment {
  /**
   * Identifies what runs: one pool per (id, resource). Use an id that changes whenever the compute bundle or
   * its environment does (the version id, for versions that include both).
   */
  id: string;
  /** For logs. @example "d1abc/main" */
  label?: string;
  manifest: DeployManifest;
  /** The bundle's `compute` directory: resource `name` runs from `<computeRoot>/<name>`. */
  computeRoot: string;
  /** The app's environment variables for this version's branch. */
  env?: Record<string, string>;
  /** The account the app belongs to. */
  account?: string;
}

export interface ComputeHostOptions {
  /** Parent of the pools' scratch directories. @example "<data-dir>/compute-run" */
  scratchRoot: string;
  /** @default directSpawner() */
  spawner?: ComputeSpawner;
  /** Processes per resource. @default 1 */
  processes?: number;
  startTimeoutMs?: number;
  idleStopMs?: number;
  stopGraceMs?: number;
  healthPath?: string;
  nodePath?: string;
  onLog?: (entry: ComputeLogEntry) => void;
}

/** Every version's compute pools, created on first use. */
export class ComputeHost {
  readonly options: ComputeHostOptions;
  readonly #pools = new Map<string, Map<string, ComputePool>>();

  constructor(options: ComputeHostOptions) {
    this.options = options;
  }

  /**
   * The pool running `resource` of `deployment` (created, not started, on first call; its processes start with
   * the first request).
   * @throws Error when the manifest defines no such resource
   */
  pool(deployment: ComputeDeployment, resource: string): ComputePool {
    let pools = this.#pools.get(deployment.id);
    const existing = pools?.get(resource);
    if (existing) return existing;
    const definition = deployment.manifest.computeResources.find((r) => r.name === resource);
    if (!definition) throw new Error(`The deploy manifest of ${deployment.label ?? deployment.id} defines no compute resource '${resource}'.`);
    const o = this.options;
    const id = createHash('sha256').update(deployment.id).digest('hex').slice(0, 16);
    const pool = new ComputePool({
      label: `${deployment.label ?? deployment.id}/${resource}`,
      resource,
      dir: join(deployment.computeRoot, resource),
      entrypoint: definition.entrypoint,
      scratchDir: join(o.scratchRoot, `${id}-${resource}`),
      env: deployment.env,
      account: deployment.account,
      spawner: o.spawner,
      processes: o.processes,
      startTimeoutMs: o.startTimeoutMs,
      idleStopMs: o.idleStopMs,
      stopGraceMs: o.stopGraceMs,
      healthPath: o.healthPath,
      nodePath: o.nodePath,
      onLog: o.onLog,
    });
    if (!pools) this.#pools.set(deployment.id, (pools = new Map()));
    pools.set(resource, pool);
    return pool;
  }

  /** Starts every compute resource of a version (e.g. right after it is activated); resolves when each has a ready process. */
  async warm(deployment: ComputeDeployment): Promise<void> {
    await Promise.all(deployment.manifest.computeResources.map((r) => this.pool(deployment, r.name).start()));
  }

  /** Stops a version's processes (it is no longer live). Requests waiting for them get 503. */
  async stopVersion(id: string): Promise<void> {
    const pools = this.#pools.get(id);
    if (!pools) return;
    this.#pools.delete(id);
    await Promise.all([...pools.values()].map((p) => p.stop()));
  }

  /** Stops every version (server shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#pools.keys()].map((id) => this.stopVersion(id)));
  }

  /** Ids of the versions that have pools. */
  versions(): string[] {
    return [...this.#pools.keys()];
  }

  status(): ComputePoolStatus[] {
    return [...this.#pools.values()].flatMap((pools) => [...pools.values()].map((p) => p.status()));
  }
}
