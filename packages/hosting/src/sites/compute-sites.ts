/**
 * Branch sites whose live version has compute resources: one ComputeDeployment per (branch, version), so the
 * same version live on two branches runs twice, each with its own branch's variables. Publishing warms the new
 * version's servers before the branch points at it (the previous version answers until then) and stops the
 * previous version's once the switch is made.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComputeBundleStore } from '../compute/compute-bundles.ts';
import type { ComputeDeployment, ComputeHost } from '../compute/compute-pool.ts';
import type { ComputeLogEntry } from '../compute/compute-process.ts';
import type { SiteVersion } from './site-store.ts';

/** How long a replaced version's servers keep running: requests that started on it finish there. */
export const DRAIN_MS = 30_000;

export class ComputeSites {
  readonly #draining = new Set<NodeJS.Timeout>();

  constructor(readonly host: ComputeHost, readonly bundles: ComputeBundleStore) {}

  /** The deployment of a compute version on a branch, or undefined for a version without compute resources. */
  deployment(branchKey: string, version: SiteVersion, env: Record<string, string>, account: string): ComputeDeployment | undefined {
    const spec = version.manifest.deployment;
    if (!spec?.bundleId || spec.manifest.computeResources.length === 0) return undefined;
    return {
      id: deploymentId(branchKey, version.versionId), label: `${branchKey}@${version.versionId.slice(0, 12)}`,
      manifest: spec.manifest, computeRoot: join(this.bundles.root, 'bundles', spec.bundleId, 'compute'), env, account,
    };
  }

  /** Starts the version's servers; resolves once each answered its first health request. */
  warm(deployment: ComputeDeployment): Promise<void> {
    return this.host.warm(deployment);
  }

  /** Stops the servers of a version that is no longer live on the branch, now or once requests on it have drained. */
  retire(branchKey: string, versionId: string, options: { drainMs?: number } = {}): Promise<void> {
    const stop = () => this.host.stopVersion(deploymentId(branchKey, versionId));
    if (!options.drainMs) return stop();
    const timer = setTimeout(() => {
      this.#draining.delete(timer);
      void stop().catch((error) => console.error(`compute: stopping ${branchKey}@${versionId} failed:`, error));
    }, options.drainMs);
    timer.unref();
    this.#draining.add(timer);
    return Promise.resolve();
  }

  /** Stops every server (server shutdown), draining ones included. */
  async stopAll(): Promise<void> {
    for (const timer of this.#draining) clearTimeout(timer);
    this.#draining.clear();
    await this.host.stopAll();
  }
}

const deploymentId = (branchKey: string, versionId: string) => `${branchKey}@${versionId}`;

/**
 * What compute servers print, one file per app under `dir` (`<appId>.log`), each line prefixed with its branch,
 * version, resource and process: the server's own logs, as a hosting runtime's log group keeps them.
 */
export function computeLogWriter(dir: string): (entry: ComputeLogEntry) => void {
  let ready: Promise<unknown> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  return (entry) => {
    ready ??= mkdir(dir, { recursive: true, mode: 0o700 });
    const appId = entry.label.split('/')[0]!.replace(/[^A-Za-z0-9]/g, '');
    const line = `${new Date().toISOString()} ${entry.label}${entry.pid ? ` pid ${entry.pid}` : ''} ${entry.stream}: ${entry.line}\n`;
    queue = queue.then(() => ready).then(() => appendFile(join(dir, `${appId || 'unknown'}.log`), line, { mode: 0o600 })).catch(() => {});
  };
}
