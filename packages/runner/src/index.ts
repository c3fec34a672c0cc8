export { runShell } from './run-shell.ts';
export type { PhaseResult, PhaseStatus, ResourceLimits, RunShellOptions, RunShellResult, RunStatus, ShellPhase } from './run-shell-types.ts';
export { LogMasker, MASK } from './log-masker.ts';
export { LineBuffer } from './line-buffer.ts';
export { killProcessGroup, processGroupExists, processGroupRunning, signalProcessGroup, terminateProcessGroup } from './process-group.ts';
export { defaultPath } from './shell-environment.ts';
export { restoreCache, saveCache } from './cache.ts';
export type { CacheOptions, RestoreCacheResult, SaveCacheResult } from './cache.ts';
export { parseCachePattern, resolveCachePaths } from './cache-paths.ts';
