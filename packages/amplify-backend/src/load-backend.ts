import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendManifest } from './backend-manifest.ts';
import { BackendBuildError, bundleBackend } from './bundle/bundle-backend.ts';
import type { ChildResult } from './child/child-result.ts';
import { backendLoadError, errorFromBuild, errorFromChild } from './load-errors.ts';

export interface LoadBackendOptions {
  /**
   * Environment of the child process that runs the app's code (the app's backend.ts may read it).
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Kill the child after this long.
   * @default 120000
   */
  timeoutMs?: number;
  /** Cancels the load (the child is killed). */
  signal?: AbortSignal;
  /**
   * Whether the manifest carries the data schema's model introspection. Generating it means loading Amplify's
   * model generator (~0.4 s); a Gantry server derives it from the schema when it is left out.
   * @default true
   */
  modelIntrospection?: boolean;
  /** Receives what the app's code writes to stdout/stderr (it is not the manifest channel). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

const STDERR_TAIL_BYTES = 16_384;

/**
 * Runs the app's `amplify/backend.ts` in a child process against Gantry's `@aws-amplify/backend` and returns
 * the backend manifest. The app's code is compiled into one file first (bundle-backend.ts), then run by plain
 * `node`; it never runs in the caller's process, so a crash, a hang or a `process.exit` in it is contained and
 * reported.
 *
 * Failures are GantryErrors (code `ValidationError`) whose message names the app's file:line and whose
 * `details` are {@link BackendLoadErrorDetails}. Unsupported constructs do not fail: they are listed in
 * `manifest.unsupported` for the caller to judge.
 */
export async function loadBackend(appDir: string, options: LoadBackendOptions = {}): Promise<BackendManifest> {
  const root = path.resolve(appDir);
  const entry = path.join(root, 'amplify', 'backend.ts');
  if (!existsSync(entry)) {
    throw backendLoadError(
      `No Amplify backend found: looked for ${entry}. An Amplify Gen 2 app defines its backend in amplify/backend.ts (calling defineBackend) at the root of the app.`,
      { reason: 'BackendNotFound', file: 'amplify/backend.ts' },
    );
  }
  const resultDir = mkdtempSync(path.join(os.tmpdir(), 'gantry-amplify-backend-'));
  const resultFile = path.join(resultDir, 'result.json');
  const bundle = path.join(resultDir, 'backend.mjs');
  try {
    try {
      await bundleBackend(root, bundle);
    } catch (error) {
      if (error instanceof BackendBuildError) throw errorFromBuild(root, error.errors);
      throw error;
    }
    if (options.signal?.aborted) throw backendLoadError('Loading the backend was cancelled.', { reason: 'BackendProcessFailed' });
    const exit = await runChild(root, bundle, resultFile, options);
    let result: ChildResult | undefined;
    if (existsSync(resultFile)) result = JSON.parse(readFileSync(resultFile, 'utf8')) as ChildResult;
    if (!result) {
      if (exit.timedOut) {
        throw backendLoadError(`amplify/backend.ts did not finish within ${exit.timeoutMs} ms (it may be waiting on a network call or a timer) and was stopped.`, {
          reason: 'BackendTimeout',
          file: 'amplify/backend.ts',
          stderr: exit.stderr,
        });
      }
      if (exit.aborted) throw backendLoadError('Loading the backend was cancelled.', { reason: 'BackendProcessFailed', stderr: exit.stderr });
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw backendLoadError(
        `The process running amplify/backend.ts ${how} before producing a manifest (does the code call process.exit?).${exit.stderr ? `\n${exit.stderr.trimEnd()}` : ''}`,
        { reason: 'BackendProcessFailed', stderr: exit.stderr },
      );
    }
    if (!result.ok) throw errorFromChild(root, result.phase, result.error);
    return result.manifest;
  } finally {
    rmSync(resultDir, { recursive: true, force: true });
  }
}

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  timeoutMs: number;
  stderr: string;
}

function runChild(appDir: string, bundle: string, resultFile: string, options: LoadBackendOptions): Promise<ChildExit> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    GANTRY_AMPLIFY_APP_DIR: appDir,
    GANTRY_AMPLIFY_RESULT_FILE: resultFile,
    GANTRY_AMPLIFY_MODEL_INTROSPECTION: String(options.modelIntrospection ?? true),
  };
  // Set by `node --test` for its own children; the app's code is not a test.
  delete env['NODE_TEST_CONTEXT'];

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
      cwd: appDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so a timeout also stops whatever the app's code started.
      detached: true,
    });
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => options.onOutput?.('stdout', chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
      options.onOutput?.('stderr', chunk);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(backendLoadError(`Could not start Node.js to run amplify/backend.ts: ${error.message}`, { reason: 'BackendProcessFailed' }, error));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, timedOut, aborted, timeoutMs, stderr });
    });
  });
}
