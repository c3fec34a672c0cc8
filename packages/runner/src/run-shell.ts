/**
 * Runs the phases of a build job or the steps of a workflow action in ONE bash session on this machine: a
 * generated script (shell-script.ts) run by bash as the leader of a new process group, stdin from /dev/null,
 * the environment exactly as the caller built it, output streamed through the secret masker, and structure
 * (which command runs, how it ended) read from fd 3 rather than guessed from what the build prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { GantryError } from '@gantry/core';
import { LogMasker } from './log-masker.ts';
import { LogStream } from './log-stream.ts';
import { killProcessGroup, terminateProcessGroup } from './process-group.ts';
import type { PhaseResult, PhaseStatus, RunShellOptions, RunShellResult, RunStatus } from './run-shell-types.ts';
import { launchInSandbox } from './sandbox-launch.ts';
import { SessionEventParser, type SessionEvent } from './session-events.ts';
import { buildSessionScript, type ScriptStep } from './shell-script.ts';
import { findBash, sessionEnvironment } from './shell-environment.ts';

/** How long to wait for the output pipes to drain once bash has exited and the group is killed. */
const DRAIN_TIMEOUT_MS = 2000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface PhaseState {
  name: string;
  status: PhaseStatus | 'PENDING';
  startedAt?: number;
  endedAt?: number;
}

export async function runShell(options: RunShellOptions): Promise<RunShellResult> {
  const startedAt = performance.now();
  await checkWorkDir(options.workDir);
  // setTimeout fires at once for delays past 2^31-1 ms (24.8 days).
  if (!(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0 && options.timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new GantryError('ValidationError', `timeoutMs must be a number of milliseconds between 1 and ${MAX_TIMEOUT_MS}, not ${options.timeoutMs}.`);
  }
  const script = buildSessionScript(options);
  const [env, bash] = await Promise.all([sessionEnvironment(options.env, options.workDir), findBash(options.bashPath)]);
  const session = new Session(options, script.steps, startedAt);
  if (options.signal?.aborted) return session.finishWithoutStarting();

  const sandbox = options.sandbox;
  if (sandbox?.sandbox.isolated) {
    const launch = launchInSandbox({ sandbox: sandbox.sandbox, root: sandbox.root, cwd: options.workDir, env, bash, script: script.text });
    const running = session.run(launch.child);
    // Awaited below, once adopting the directory has settled; it must not reject unobserved meanwhile.
    running.catch(() => {});
    try {
      await launch.started;
    } catch (error) {
      await running.catch(() => {});
      throw error;
    }
    return await running;
  }

  // Outside workDir: the build need not see how it is driven. Private to this user (it may quote secrets).
  const scriptDir = await mkdtemp(join(tmpdir(), 'gantry-session-'));
  try {
    const scriptPath = join(scriptDir, 'session.sh');
    await writeFile(scriptPath, script.text, { mode: 0o600 });
    // An unsafe sandbox runs the command as it is, as the server's own user.
    const command = sandbox
      ? sandbox.sandbox.command(bash, ['--noprofile', '--norc', scriptPath], { root: sandbox.root, cwd: options.workDir })
      : { file: bash, args: ['--noprofile', '--norc', scriptPath] };
    const child = spawn(command.file, command.args, {
      cwd: options.workDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    return await session.run(child);
  } finally {
    await rm(scriptDir, { recursive: true, force: true });
  }
}

class Session {
  readonly #options: RunShellOptions;
  readonly #steps: ScriptStep[];
  readonly #startedAt: number;
  readonly #phases: PhaseState[];
  readonly #exportNames: Set<string>;
  readonly #exports: Record<string, string> = {};
  readonly #stdout: LogStream;
  readonly #stderr: LogStream;
  #currentStep: number | undefined;
  #stepExit: { step: number; exitCode: number } | undefined;
  #done = false;
  #stopReason: 'TIMED_OUT' | 'CANCELLED' | undefined;
  #stopping: Promise<void> | undefined;
  #callbackError: unknown;

  constructor(options: RunShellOptions, steps: ScriptStep[], startedAt: number) {
    this.#options = options;
    this.#steps = steps;
    this.#startedAt = startedAt;
    this.#phases = options.phases.map((phase) => ({ name: phase.name, status: 'PENDING' }));
    this.#exportNames = new Set(options.exportNames ?? []);
    const log = (text: string) => this.#guard(() => options.onLog(text));
    this.#stdout = new LogStream(options.secrets ?? [], log);
    this.#stderr = new LogStream(options.secrets ?? [], log);
  }

  finishWithoutStarting(): RunShellResult {
    this.#stopReason = 'CANCELLED';
    return this.#finish(null, null);
  }

  async run(child: ChildProcess): Promise<RunShellResult> {
    const stdout = child.stdout!;
    const stderr = child.stderr!;
    const events = child.stdio[3] as Readable;
    const parser = new SessionEventParser();
    stdout.on('data', (chunk: Buffer) => this.#stdout.write(chunk));
    stderr.on('data', (chunk: Buffer) => this.#stderr.write(chunk));
    events.on('data', (chunk: Buffer) => {
      for (const event of parser.push(chunk)) this.#onEvent(event);
    });
    const drained = Promise.all([stdout, stderr, events].map(ended));

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', (cause) => reject(new GantryError('ServiceUnavailable', `Could not start the build shell: ${cause.message}`, { cause })));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const pgid = child.pid;

    const stop = (reason: 'TIMED_OUT' | 'CANCELLED') => {
      if (this.#stopReason || child.exitCode !== null || child.signalCode !== null || pgid === undefined) return;
      this.#stopReason = reason;
      // Awaited only once bash has exited: it must not reject unobserved meanwhile.
      this.#stopping = terminateProcessGroup(pgid, { graceMs: this.#options.killGraceMs ?? 5000 }).catch(() => {});
    };
    this.#stopOnCallbackError = () => stop('CANCELLED');
    const timer = setTimeout(() => stop('TIMED_OUT'), this.#options.timeoutMs);
    const onAbort = () => stop('CANCELLED');
    this.#options.signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while the script was being written: the listener above came too late for it.
    if (this.#options.signal?.aborted) onAbort();

    try {
      const { code, signal } = await exited;
      clearTimeout(timer);
      // Whatever the session left behind (a server started with `&`, a stuck watcher) dies with it; during a
      // stop the grace period runs its course first.
      if (this.#stopping) await this.#stopping;
      else if (pgid !== undefined) killProcessGroup(pgid);
      await withTimeout(drained, DRAIN_TIMEOUT_MS);
      for (const stream of [stdout, stderr, events]) stream.destroy();
      if (this.#callbackError !== undefined) throw this.#callbackError;
      const result = this.#finish(code, signal);
      if (this.#callbackError !== undefined) throw this.#callbackError;
      return result;
    } finally {
      clearTimeout(timer);
      this.#options.signal?.removeEventListener('abort', onAbort);
      if (pgid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          killProcessGroup(pgid);
        } catch {
          // Already failing; the original error is the one to report.
        }
      }
    }
  }

  #stopOnCallbackError: () => void = () => {};

  /** A throwing callback must not crash the server from inside a stream handler: stop the run, rethrow later. */
  #guard(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      if (this.#callbackError === undefined) {
        this.#callbackError = error;
        this.#stopOnCallbackError();
      }
    }
  }

  #onEvent(event: SessionEvent): void {
    const now = performance.now();
    switch (event.kind) {
      case 'phase-start':
        this.#setPhase(event.phase, 'RUNNING', now);
        break;
      case 'phase-end':
        this.#setPhase(event.phase, 'SUCCEEDED', now);
        break;
      case 'step-start':
        this.#currentStep = event.step;
        break;
      case 'step-end': {
        this.#currentStep = undefined;
        if (event.exitCode !== 0) {
          this.#stepExit = { step: event.step, exitCode: event.exitCode };
          const phase = this.#steps[event.step]?.phaseIndex;
          if (phase !== undefined) this.#setPhase(phase, 'FAILED', now);
        }
        break;
      }
      case 'export':
        if (this.#exportNames.has(event.name)) this.#exports[event.name] = event.value;
        break;
      case 'done':
        this.#done = true;
        break;
    }
  }

  #setPhase(index: number, status: PhaseStatus, now: number): void {
    const phase = this.#phases[index];
    if (!phase || phase.status === status) return;
    if (status === 'RUNNING') phase.startedAt = now;
    else if (phase.startedAt !== undefined) phase.endedAt = now;
    phase.status = status;
    this.#guard(() => this.#options.onPhase?.(phase.name, status));
  }

  #finish(code: number | null, signal: NodeJS.Signals | null): RunShellResult {
    this.#stdout.end();
    this.#stderr.end();
    const now = performance.now();
    const sessionExit = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);

    let status: RunStatus;
    let failedStep: ScriptStep | undefined;
    let exitCode: number | undefined;
    const messages: string[] = [];
    if (this.#done && code === 0) {
      // Finished before a late timeout or cancel could take effect: the work is done.
      status = 'SUCCEEDED';
    } else if (this.#stopReason) {
      status = this.#stopReason;
      failedStep = this.#currentStep === undefined ? undefined : this.#steps[this.#currentStep];
      const during = failedStep ? ` while running: ${summarise(failedStep.command)}` : '';
      messages.push(
        status === 'TIMED_OUT'
          ? `!!! Timed out after ${formatDuration(this.#options.timeoutMs)}: stopped the session${during}`
          : `!!! Cancelled: stopped the session${during}`,
      );
    } else if (this.#stepExit) {
      status = 'FAILED';
      failedStep = this.#steps[this.#stepExit.step];
      exitCode = this.#stepExit.exitCode;
      messages.push(`!!! Command failed with exit code ${exitCode}: ${summarise(failedStep?.command ?? '')}`);
    } else {
      // bash ended without reporting the end of a command: `exit`, `set -e` or a signal from outside.
      status = 'FAILED';
      exitCode = sessionExit;
      failedStep = this.#currentStep === undefined ? undefined : this.#steps[this.#currentStep];
      messages.push(
        failedStep
          ? `!!! The shell session ended with exit code ${exitCode} during: ${summarise(failedStep.command)} (\`exit\`, \`set -e\` or a signal ends the one session all commands share, so no later command ran)`
          : `!!! The shell session ended with exit code ${exitCode} outside any command`,
      );
    }

    const failedPhaseIndex = failedStep?.phaseIndex ?? this.#phases.findIndex((phase) => phase.status === 'RUNNING');
    for (const [index, phase] of this.#phases.entries()) {
      if (phase.status === 'PENDING') {
        if (status !== 'SUCCEEDED') messages.push(`# Skipping phase: ${phase.name}`);
        this.#setPhase(index, status === 'SUCCEEDED' ? 'SUCCEEDED' : 'SKIPPED', now);
      } else if (phase.status === 'RUNNING') this.#setPhase(index, status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED', now);
    }
    const masker = new LogMasker(this.#options.secrets ?? []);
    if (messages.length > 0) this.#guard(() => this.#options.onLog(masker.maskAll(messages.join('\n') + '\n')));

    const failedPhase = status === 'SUCCEEDED' || failedPhaseIndex < 0 ? undefined : this.#phases[failedPhaseIndex]?.name;
    return {
      status,
      ...(failedPhase !== undefined && { failedPhase }),
      // Masked too: callers put it in logs and job records.
      ...(status !== 'SUCCEEDED' && failedStep && { failedCommand: masker.maskAll(failedStep.command) }),
      ...(exitCode !== undefined && { exitCode }),
      durationMs: Math.round(now - this.#startedAt),
      exports: this.#exports,
      phases: this.#phases.map((phase): PhaseResult => ({
        name: phase.name,
        status: phase.status === 'PENDING' || phase.status === 'RUNNING' ? 'SKIPPED' : phase.status,
        ...(phase.startedAt !== undefined && { durationMs: Math.round((phase.endedAt ?? now) - phase.startedAt) }),
      })),
    };
  }
}

async function checkWorkDir(workDir: string): Promise<void> {
  if (!isAbsolute(workDir)) throw new GantryError('ValidationError', `workDir must be an absolute path, not ${JSON.stringify(workDir)}.`);
  const info = await stat(workDir).catch((cause: unknown) => {
    throw new GantryError('ValidationError', `workDir ${workDir} does not exist: create the build directory before running the session.`, { cause });
  });
  if (!info.isDirectory()) throw new GantryError('ValidationError', `workDir ${workDir} is not a directory.`);
}

/** Resolves when a stream has delivered everything (or failed). */
function ended(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded || stream.destroyed) return resolve();
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}

/** The first line of a command, marked when the command has more. */
function summarise(command: string): string {
  const lines = command.trim().split('\n');
  return lines.length > 1 ? `${lines[0]} …` : lines[0]!;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60 ? ` ${seconds % 60}s` : ''}`;
}

/** Waits for `promise`, but no longer than `ms` (a process that left the group may hold a pipe open forever). */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
