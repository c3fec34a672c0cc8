import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where Gantry's ampx lives: its package, its tsx bin and the entry the bundle is built from. */
export interface GantryAmpx {
  packageDir: string;
  /** `bin/ampx.mjs`: runs the sources through tsx. */
  bin: string;
  /** `src/main.ts`. */
  entry: string;
}

export function gantryAmpx(): GantryAmpx {
  const packageDir = dirname(dirname(fileURLToPath(import.meta.resolve('@gantry/ampx'))));
  return { packageDir, bin: join(packageDir, 'bin', 'ampx.mjs'), entry: join(packageDir, 'src', 'main.ts') };
}

/**
 * What a bundle was built from: every file esbuild read (and the package.json and tsconfig.json files that
 * decided how), each with the mtime and size it had then, and the bundle's own stamp, which ties the record to
 * that very bundle file.
 */
export interface BundleRecord {
  bundle: [mtimeMs: number, size: number];
  inputs: [file: string, mtimeMs: number, size: number][];
}

export function recordFor(bundleFile: string, inputs: readonly string[]): BundleRecord {
  const stamp = (file: string): [number, number] => {
    const stat = statSync(file);
    return [stat.mtimeMs, stat.size];
  };
  return { bundle: stamp(bundleFile), inputs: inputs.map((file) => [file, ...stamp(file)]) };
}

/** Whether `bundleFile` is the one `recordFile` describes and none of its inputs changed since: stats only. */
export function isBundleFresh(bundleFile: string, recordFile: string): boolean {
  let record: BundleRecord;
  try {
    record = JSON.parse(readFileSync(recordFile, 'utf8')) as BundleRecord;
  } catch {
    return false;
  }
  const unchanged = (file: string, mtimeMs: number, size: number) => {
    const stat = statSync(file, { throwIfNoEntry: false });
    return stat !== undefined && stat.mtimeMs === mtimeMs && stat.size === size;
  };
  if (!Array.isArray(record?.bundle) || !Array.isArray(record.inputs) || record.inputs.length === 0) return false;
  if (!unchanged(bundleFile, record.bundle[0], record.bundle[1])) return false;
  return record.inputs.every(([file, mtimeMs, size]) => unchanged(file, mtimeMs, size));
}

/**
 * The cache of the bundle: `<repo>/node_modules/.cache/gantry`, in the node_modules that holds `@gantry/ampx`
 * (the bundle is made from that tree, so it lives and goes with it; data directories come and go).
 */
export function ampxBundleDir(ampx: GantryAmpx = gantryAmpx()): string {
  for (let dir = dirname(ampx.packageDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '@gantry', 'ampx'))) return join(dir, 'node_modules', '.cache', 'gantry');
    if (dirname(dir) === dir) throw new Error(`no node_modules holding @gantry/ampx above ${ampx.packageDir}`);
  }
}

/** The files of the cache: the bundle (CommonJS), its launcher, V8's code cache of it, what it was made from. */
export const BUNDLE_NAME = 'ampx-bundle.cjs';
export const LAUNCHER_NAME = 'ampx.cjs';
export const CODE_CACHE_NAME = 'ampx-bundle.v8cache';
export const RECORD_NAME = 'ampx.json';

export interface AmpxBundle {
  /** The launcher of the bundle, executable (`#!/usr/bin/env node`). */
  file: string;
  /** Whether this call built it. */
  rebuilt: boolean;
}

const BUILDER = fileURLToPath(new URL('./ampx-bundle-build.ts', import.meta.url));
const BUILD_TIMEOUT_MS = 60_000;

/**
 * Gantry's ampx as one bundled file, rebuilt only when stale. The freshness check stats the recorded inputs (a
 * few milliseconds); a build runs esbuild in a child process (ampx-bundle-build.ts), so this stays synchronous.
 * Builds from several processes at once are safe: each writes its own temporary files and renames them into
 * place. Throws when the bundle cannot be built.
 */
export function ensureAmpxBundle(options: { ampx?: GantryAmpx; cacheDir?: string } = {}): AmpxBundle {
  const ampx = options.ampx ?? gantryAmpx();
  const dir = options.cacheDir ?? ampxBundleDir(ampx);
  const bundle = join(dir, BUNDLE_NAME);
  const file = join(dir, LAUNCHER_NAME);
  const record = join(dir, RECORD_NAME);
  if (isBundleFresh(bundle, record) && existsSync(file)) return { file, rebuilt: false };

  const tsx = pathToFileURL(createRequire(join(ampx.packageDir, 'package.json')).resolve('tsx')).href;
  const env = { ...process.env };
  // Set by `node --test` for its own children; the build is not a test.
  delete env['NODE_TEST_CONTEXT'];
  const child = spawnSync(process.execPath, ['--import', tsx, BUILDER, ampx.entry, bundle, record], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: BUILD_TIMEOUT_MS,
  });
  if (child.error) throw child.error;
  if (child.status !== 0) {
    const reason = child.stderr.trim().split('\n').at(-1) || (child.signal ? `killed by ${child.signal}` : `exit code ${child.status}`);
    throw new Error(reason);
  }
  if (!existsSync(file)) throw new Error(`the bundler did not write ${file}`);
  return { file, rebuilt: true };
}
