/**
 * One warm worker: a Node.js process in the build sandbox running one function version's code through the
 * runtime bootstrap (runtime/lambda-bootstrap.cjs), one invocation at a time. It is started as its own process
 * group, so a timeout kills everything the handler started, and sees nothing of the server but Gantry's
 * install (read-only, for `@aws-sdk/*` as Lambda's runtime provides them) and its own directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LineBuffer, signalProcessGroup, type BuildSandbox } from '@gantry/runner';
import { boundedLines } from './bounded-lines.ts';

/** The runtime every worker runs; it lies in Gantry's install, which the sandbox shows read-only. */
export const BOOTSTRAP = join(import.meta.dirname, 'runtime', 'lambda-bootstrap.cjs');

/**
 * The longest message the runtime sends: a 6 MB answer, escaped once more inside the message, with room to spare.
 * The bootstrap refuses larger answers itself; only code writing to the channel directly goes past it.
 */
const MAX_MESSAGE = 16 * 1024 * 1024;
/** Raw output lines longer than this are logged in pieces. */
const MAX_LOG_LINE = 64 * 1024;

/** How long loading the code may take, as Lambda's init phase. */
const INIT_TIMEOUT_MS = 10_000;

export interface WorkerOptions {
  /** The worker's own directory: its copy of the code (`task/`), removed when it exits. */
  root: string;
  /** The bundled CommonJS code, written to `<root>/task/index.js`. */
  code: Buffer;
  /** The complete environment of the process. */
  env: Record<string, string>;
  /** Gantry's node_modules, where the code finds the AWS SDK as Lambda's runtime provides it. */
  nodeModules: string;
  memoryMB: number;
  /** The account whose function this is: its session uses that account's sandbox. */
  account: string;
  sandbox: Pick<BuildSandbox, 'command' | 'adopt' | 'forAccount'>;
}

/** How Lambda words the signal that ended a runtime (`Runtime exited with error: signal: killed`). */
const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = { SIGKILL: 'killed', SIGABRT: 'aborted', SIGSEGV: 'segmentation fault', SIGTERM: 'terminated' };

/** What one invocation came to. */
export type WorkerOutcome =
  | { kind: 'result'; payload: string; memoryMB?: number }
  | { kind: 'error'; error: { errorType: string; errorMessage: string; trace?: string[] }; memoryMB?: number; fatal?: boolean }
  | { kind: 'timeout' }
  | { kind: 'exited'; detail: string };

type Message =
  | { t: 'ready'; initMs: number }
  | { t: 'log'; line: string }
  | { t: 'result'; id: string; payload: string; memoryMB?: number }
  | { t: 'error'; id: string; error: { errorType: string; errorMessage: string; trace?: string[] }; memoryMB?: number; fatal?: boolean };

interface Running {
  id: string;
  onLine: (line: string) => void;
  finish: (outcome: WorkerOutcome) => void;
}

/** Every worker still running, so they are killed if the server exits without stopping them. */
const running = new Set<FunctionWorker>();
let exitHookInstalled = false;
function track(worker: FunctionWorker): void {
  running.add(worker);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const w of running) w.kill();
  });
}

export class FunctionWorker {
  /** How long loading the code took (reported once, in the REPORT line of the first invocation). */
  initMs: number | undefined;
  /** False once the worker timed out, crashed or exited: it is never given another invocation. */
  usable = true;
  readonly #options: WorkerOptions;
  #child: ChildProcess | undefined;
  #running: Running | undefined;
  #exited: Promise<void> | undefined;

  private constructor(options: WorkerOptions) {
    this.#options = options;
  }

  /** Starts the process and waits until its code is loaded (or failed to load: that is reported on invoke). */
  static async start(options: WorkerOptions): Promise<FunctionWorker> {
    const worker = new FunctionWorker(options);
    await worker.#start();
    return worker;
  }

  async #start(): Promise<void> {
    const { root, code, env, memoryMB, account, sandbox, nodeModules } = this.#options;
    const task = join(root, 'task');
    mkdirSync(task, { recursive: true, mode: 0o755 });
    writeFileSync(join(task, 'index.js'), code);
    // The code is CommonJS whatever package.json lies above the worker's directory.
    writeFileSync(join(task, 'package.json'), '{"type":"commonjs"}\n');
    // `import('@aws-sdk/…')` ignores NODE_PATH: ES module resolution finds the SDK here, beside the code.
    symlinkSync(nodeModules, join(root, 'node_modules'));
    const box = sandbox.forAccount(account);
    await box.adopt(root);
    const command = box.command(process.execPath, [`--max-old-space-size=${memoryMB}`, BOOTSTRAP], { root, cwd: task });
    const child = spawn(command.file, command.args, { cwd: '/', env: { ...env, LAMBDA_TASK_ROOT: task }, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true });
    this.#child = child;
    track(this);
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    let ready: (initMs: number) => void = () => {};
    let failed: (error: Error) => void = () => {};
    const readyOrFailed = new Promise<number>((resolve, reject) => { ready = resolve; failed = reject; });
    const stderrTail: string[] = [];
    child.once('error', (error) => failed(error));
    // A worker that died leaves broken pipes behind: writing to them fails, which 'close' reports already.
    for (const stream of child.stdio) stream?.on('error', () => {});
    child.once('close', (code, signal) => {
      running.delete(this);
      this.usable = false;
      const detail = signal ? `signal: ${SIGNAL_WORDS[signal] ?? signal}` : `exit status ${code}`;
      failed(new Error(`the worker exited before its code was loaded (${detail}): ${stderrTail.join('\n')}`));
      this.#finish({ kind: 'exited', detail });
      rmSync(root, { recursive: true, force: true });
    });
    // Raw output (process.stdout.write, native modules) belongs to the invocation running now; very long lines
    // come in pieces.
    for (const stream of [child.stdout!, child.stderr!]) {
      const lines = new LineBuffer(MAX_LOG_LINE);
      const take = (text: string) => {
        for (const line of text.split('\n').slice(0, -1)) {
          if (this.#running) this.#running.onLine(line);
          else if (stream === child.stderr && stderrTail.push(line) > 20) stderrTail.shift();
        }
      };
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => take(lines.push(text)));
      stream.on('end', () => take(lines.end()));
    }
    boundedLines(child.stdio[3] as Readable, MAX_MESSAGE, (line) => {
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
      } catch {
        return;
      }
      if (message.t === 'ready') ready(message.initMs);
      else if (message.t === 'log') this.#running?.onLine(message.line);
      else if (message.id === this.#running?.id) {
        if (message.t === 'result') this.#finish({ kind: 'result', payload: message.payload, memoryMB: message.memoryMB });
        else this.#finish({ kind: 'error', error: message.error, memoryMB: message.memoryMB, fatal: message.fatal });
      }
    }, () => {
      this.#finish({ kind: 'exited', detail: `the runtime sent a message longer than ${MAX_MESSAGE} characters` });
      this.kill();
    });
    const timer = setTimeout(() => failed(new Error(`the function's code did not load within ${INIT_TIMEOUT_MS / 1000} seconds`)), INIT_TIMEOUT_MS);
    try {
      this.initMs = await readyOrFailed;
    } catch (error) {
      this.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs one invocation. Resolves with its outcome; on a timeout the worker (its whole process group) is killed
   * and never used again.
   */
  invoke(request: { id: string; event: unknown; functionArn: string; timeoutMs: number; clientContext?: unknown }, onLine: (line: string) => void): Promise<WorkerOutcome> {
    if (!this.usable || this.#running) throw new Error('a worker runs one invocation at a time');
    const deadline = Date.now() + request.timeoutMs;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#finish({ kind: 'timeout' });
        this.kill();
      }, request.timeoutMs);
      this.#running = {
        id: request.id,
        onLine,
        finish: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      this.#child!.stdin!.write(JSON.stringify({ id: request.id, event: request.event, functionArn: request.functionArn, clientContext: request.clientContext, deadline }) + '\n');
    });
  }

  #finish(outcome: WorkerOutcome): void {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    if (outcome.kind !== 'result' && (outcome.kind !== 'error' || outcome.fatal)) this.usable = false;
    running.finish(outcome);
  }

  /** Kills the process group at once (timeouts, stale versions, shutdown). */
  kill(): void {
    this.usable = false;
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      signalProcessGroup(pid, 'SIGKILL');
    } catch {
      this.#child?.kill('SIGKILL');
    }
  }

  /** Kills it and waits until it is gone (or 5 seconds, should the process never report its end). */
  async stop(): Promise<void> {
    this.kill();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#exited, new Promise<void>((resolve) => { timer = setTimeout(resolve, 5000); })]);
    clearTimeout(timer);
  }
}
