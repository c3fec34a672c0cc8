/**
 * Immutable, content-addressed copies of deployment bundles' compute part, taken when a version is published,
 * which compute pools then run from (read-only in the sandbox).
 *
 * On-disk layout under `root`:
 * ```
 * bundles/<bundleId>/deploy-manifest.json   the checked, normalised manifest
 * bundles/<bundleId>/compute/<name>/…       each resource's directory, byte for byte (symlinks kept)
 * tmp/                                      bundles being written
 * ```
 * - `bundleId` = sha256 (hex) of the normalised manifest and every entry of `compute/` (path, kind, executable
 *   bit, content hash or link target), so the same bundle is stored once and any change gives a new id.
 * - A bundle is copied into `tmp/` and renamed into `bundles/` in one step, never modified afterwards.
 * - Copies are made readable by everyone (files 0644, or 0755 when executable; directories 0755): the processes
 *   run as the sandbox's unprivileged user, whatever user the build wrote the files as.
 * - Symlinks must stay inside their resource's directory (a pnpm `node_modules` does); one that leads out would
 *   point at nothing in the sandbox and at the server's files outside it, so the bundle is rejected.
 * - Each resource is limited to 220 MB uncompressed, Amplify Hosting's limit (ssr-deployment-specification).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { DeployManifestError, type DeployManifest, type DeploymentBundle, type ManifestIssue } from './deploy-manifest.ts';

/** "The uncompressed size of each compute resource bundle can't exceed 220 MB." */
export const MAX_COMPUTE_RESOURCE_BYTES = 220 * 1024 * 1024;
const BUNDLE_ID = /^[0-9a-f]{64}$/;

export interface StoredComputeBundle {
  bundleId: string;
  /** `bundles/<bundleId>`. */
  dir: string;
  /** `bundles/<bundleId>/compute`: what {@link ComputeDeployment.computeRoot} wants. */
  computeRoot: string;
  manifest: DeployManifest;
  /** `false` when an identical bundle was already stored. */
  created?: boolean;
}

export interface ComputeBundleStoreOptions {
  /** @example "<data-dir>/compute" */
  root: string;
  /** @default MAX_COMPUTE_RESOURCE_BYTES */
  maxResourceBytes?: number;
  /** Files hashed and copied in parallel. @default 16 */
  concurrency?: number;
}

interface Entry {
  /** Relative to `compute/`, with `/`. */
  rel: string;
  kind: 'dir' | 'file' | 'link';
  mode?: number;
  size?: number;
  sha256?: string;
  target?: string;
}

export class ComputeBundleStore {
  readonly root: string;
  readonly #maxBytes: number;
  readonly #concurrency: number;

  constructor(options: ComputeBundleStoreOptions) {
    this.root = options.root;
    this.#maxBytes = options.maxResourceBytes ?? MAX_COMPUTE_RESOURCE_BYTES;
    this.#concurrency = options.concurrency ?? 16;
  }

  /**
   * Stores the compute part of a checked bundle (from {@link loadDeployManifest}).
   * @throws DeployManifestError when a resource is too large or has a symlink leading out of it
   */
  async ingest(bundle: DeploymentBundle): Promise<StoredComputeBundle> {
    const manifestText = `${JSON.stringify(bundle.manifest, null, 2)}\n`;
    const entries: Entry[] = [];
    const issues: ManifestIssue[] = [];
    for (const resource of bundle.manifest.computeResources) {
      const dir = bundle.computeDirs[resource.name] ?? join(bundle.dir, 'compute', resource.name);
      const before = entries.length;
      await walk(dir, resource.name, entries, issues);
      let bytes = 0;
      for (let i = before; i < entries.length; i++) bytes += entries[i].size ?? 0;
      if (bytes > this.#maxBytes) {
        issues.push({ path: `compute/${resource.name}`, message: `holds ${size(bytes)}; a compute resource may hold at most ${size(this.#maxBytes)} uncompressed (220 MB on Amplify Hosting). Leave build-only dependencies out of it.` });
      }
    }
    if (issues.length) throw new DeployManifestError(issues, '.amplify-hosting/compute');
    const source = (e: Entry) => join(bundle.dir, 'compute', ...e.rel.split('/'));
    await parallel(entries.filter((e) => e.kind === 'file'), this.#concurrency, async (e) => {
      e.sha256 = await hashFile(source(e));
    });
    const hash = createHash('sha256').update(manifestText);
    for (const e of entries) hash.update(`\n${e.kind} ${e.rel} ${e.kind === 'file' ? `${e.mode! & 0o111 ? 'x' : '-'} ${e.sha256}` : e.kind === 'link' ? e.target : ''}`);
    const bundleId = hash.digest('hex');
    const dir = join(this.root, 'bundles', bundleId);
    const stored = (created: boolean): StoredComputeBundle => ({ bundleId, dir, computeRoot: join(dir, 'compute'), manifest: bundle.manifest, created });
    if (await exists(join(dir, 'deploy-manifest.json'))) return stored(false);

    const work = join(this.root, 'tmp', `${bundleId.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(join(work, 'compute'), { recursive: true, mode: 0o755 });
      for (const e of entries.filter((e) => e.kind === 'dir')) await mkdir(join(work, 'compute', ...e.rel.split('/')), { recursive: true, mode: 0o755 });
      await parallel(entries.filter((e) => e.kind !== 'dir'), this.#concurrency, async (e) => {
        const dest = join(work, 'compute', ...e.rel.split('/'));
        if (e.kind === 'link') return symlink(e.target!, dest);
        await copyFile(source(e), dest);
        await chmod(dest, e.mode! & 0o111 ? 0o755 : 0o644);
      });
      for (const e of entries.filter((e) => e.kind === 'dir')) await chmod(join(work, 'compute', ...e.rel.split('/')), 0o755);
      await chmod(join(work, 'compute'), 0o755);
      await writeFile(join(work, 'deploy-manifest.json'), manifestText, { mode: 0o644 });
      await chmod(work, 0o755);
      await mkdir(dirname(dir), { recursive: true });
      try {
        await rename(work, dir);
      } catch (error) {
        // Stored meanwhile by a concurrent publish of the same bundle.
        if (!(await exists(join(dir, 'deploy-manifest.json')))) throw error;
        return stored(false);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return stored(true);
  }

  /** A stored bundle, or undefined. */
  async get(bundleId: string): Promise<StoredComputeBundle | undefined> {
    if (!BUNDLE_ID.test(bundleId)) return undefined;
    const dir = join(this.root, 'bundles', bundleId);
    const text = await readFile(join(dir, 'deploy-manifest.json'), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    return { bundleId, dir, computeRoot: join(dir, 'compute'), manifest: JSON.parse(text) as DeployManifest };
  }

  /** Deletes a bundle (stop its pools first). */
  async remove(bundleId: string): Promise<void> {
    if (!BUNDLE_ID.test(bundleId)) return;
    await rm(join(this.root, 'bundles', bundleId), { recursive: true, force: true });
  }
}

/** Lists `dir` (the resource `name`) depth-first in sorted order. */
async function walk(dir: string, name: string, entries: Entry[], issues: ManifestIssue[]): Promise<void> {
  const top = resolve(dir);
  const visit = async (abs: string, rel: string): Promise<void> => {
    const info = await lstat(abs);
    if (info.isSymbolicLink()) {
      const target = await readlink(abs);
      const landing = resolve(dirname(abs), target);
      if (landing !== top && !landing.startsWith(top + sep)) {
        issues.push({ path: `compute/${rel}`, message: `is a symlink to ${target}, outside compute/${name}: a compute resource must be self-contained (copy the file into it instead).` });
        return;
      }
      entries.push({ rel, kind: 'link', target });
    } else if (info.isDirectory()) {
      entries.push({ rel, kind: 'dir' });
      const names = (await readdir(abs)).sort();
      for (const child of names) await visit(join(abs, child), `${rel}/${child}`);
    } else if (info.isFile()) {
      entries.push({ rel, kind: 'file', mode: info.mode, size: info.size });
    } else {
      issues.push({ path: `compute/${rel}`, message: `is not a file, directory or symlink (a socket or device?): remove it from the build output.` });
    }
  };
  await visit(top, name);
}

const size = (bytes: number) => (bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${bytes} bytes`);

function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('error', reject).on('data', (chunk) => hash.update(chunk)).on('end', () => resolvePromise(hash.digest('hex')));
  });
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

async function parallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
