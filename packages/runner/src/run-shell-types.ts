import type { BuildSandbox } from './build-sandbox.ts';

/** The public shapes of {@link runShell}: what a hosting job or a workflow action hands the runner. */

export interface ShellPhase {
  /**
   * Used in logs and results.
   * @example "frontend.build"
   * @example "Step 2"
   */
  name: string;
  /** Shell strings exactly as written in the YAML: pipes, `&&`, quotes and multi-line `|` blocks included. */
  commands: string[];
  /**
   * Directory (relative to `workDir`) to `cd` into when the phase starts, if it differs from where the session
   * is. Must stay inside `workDir` (no leading `/`, no `..`).
   * @example "apps/web"
   */
  cwd?: string;
}

export type PhaseStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
export type RunStatus = 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT';

/**
 * Per-session limits applied with `ulimit` before the first command. Core dumps are always off.
 * Memory is not limited here: an address-space limit (`ulimit -v`) breaks Node and V8, which reserve far
 * more than they use; limit memory with a cgroup or container around the worker.
 */
export interface ResourceLimits {
  /** `ulimit -n`. @example 4096 */
  maxOpenFiles?: number;
  /** `ulimit -u`: counts every process of the user the worker runs as (not enforced for root). */
  maxProcesses?: number;
  /** Largest file the build may write, in bytes (`ulimit -f`, rounded up to KiB). */
  maxFileSizeBytes?: number;
  /** CPU seconds per process (`ulimit -t`). */
  maxCpuSeconds?: number;
}

/**
 * The limits hosting builds and workflow actions run with, sized like Amplify's standard build instance (its
 * disk is 128 GB): enough for any real build, not for a fork bomb or a runaway file to take the machine down.
 * `maxProcesses` counts every process of the sandbox's user, so it bounds all builds together.
 */
export const BUILD_LIMITS: ResourceLimits = {
  maxProcesses: 8_192,
  maxFileSizeBytes: 16 * 1024 ** 3,
};

export interface RunShellOptions {
  /** Absolute path of an existing directory; the session starts there. */
  workDir: string;
  /**
   * The WHOLE environment of the session, built from scratch by the caller. The runner adds nothing except
   * `PATH` when missing (the system directories plus the directory of the Node running Gantry) and
   * `HOME=<workDir>/.home` when missing (created).
   */
  env: Record<string, string>;
  phases: ShellPhase[];
  /** Whole run, at most 2^31-1; on expiry the process group is terminated and the run is `TIMED_OUT`. */
  timeoutMs: number;
  /** Cancellation: SIGTERM to the group, SIGKILL after `killGraceMs`; the run is `CANCELLED`. */
  signal?: AbortSignal;
  /** How long the group gets between SIGTERM and SIGKILL on cancel or timeout. @default 5000 */
  killGraceMs?: number;
  /** Every occurrence is masked as `***` in logs, also when split across writes. Empty strings are ignored. */
  secrets?: string[];
  /**
   * Log text, already masked, as it arrives: each call is one or more whole lines, each ending in `\n`.
   * Holds the output of the commands (stdout and stderr merged, in order), a `# Executing command: …` line
   * before each command, `# Starting phase: …` / `# Completed phase: …` banners, and `!!! …` lines from the
   * runner on failure, timeout or cancellation.
   */
  onLog(text: string): void;
  /** Phase transitions as they happen; phases never reached are reported `SKIPPED` at the end. */
  onPhase?(name: string, status: PhaseStatus): void;
  /** Variables to report back at the end (their values in the final session), e.g. workflow output variables. */
  exportNames?: string[];
  limits?: ResourceLimits;
  /**
   * Run the session in the build sandbox, with `root` (which contains `workDir`) as the only directory it can
   * write and the only one of the server's it can see. Without it the session runs as the server's own user.
   */
  sandbox?: { sandbox: BuildSandbox; root: string };
  /** @default "/bin/bash" (else the first bash on the server's PATH) */
  bashPath?: string;
}

export interface PhaseResult {
  name: string;
  status: Exclude<PhaseStatus, 'RUNNING'>;
  /** Absent for phases that never started. */
  durationMs?: number;
}

export interface RunShellResult {
  status: RunStatus;
  /** The phase that failed, or was running when the run was cancelled or timed out. */
  failedPhase?: string;
  /** The command that failed, or was running when the run was cancelled or timed out; secrets masked. */
  failedCommand?: string;
  /** Exit code of the failed command (128 + signal number when a signal ended it). */
  exitCode?: number;
  durationMs: number;
  /** Values of `exportNames` that are set in the final session (unset names are absent). */
  exports: Record<string, string>;
  phases: PhaseResult[];
}
