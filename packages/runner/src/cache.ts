/**
 * Build caches: chosen directories of a build (`node_modules`, `.npm`, `.next/cache`) saved into one compressed
 * tar file after a successful build and extracted before the next one. The system `tar` does the work (GNU tar:
 * it refuses absolute and `..` member names on extraction).
 *
 * A cache only ever speeds a build up, so restoring never fails one: a missing file is a no-op, and an
 * unreadable one is reported in the log and ignored. It is extracted into a staging directory first and moved
 * into place only when the whole archive was read, so a truncated file leaves no half-restored tree behind.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { GantryError } from '@gantry/core';
import { detectCacheFormat, hasZstd, tarCompressionArgs } from './cache-compression.ts';
import { resolveCachePaths } from './cache-paths.ts';

export interface CacheOptions {
  /** Where progress and problems are reported (whole lines). */
  onLog?(text: string): void;
}

export interface RestoreCacheResult {
  restored: boolean;
  /** Why nothing was restored. */
  reason?: 'missing' | 'unreadable';
  /** Size of the cache file, when restored. */
  bytes?: number;
}

export interface SaveCacheResult {
  saved: boolean;
  /** The entries archived, relative to workDir. */
  paths: string[];
  /** Size of the cache file written. */
  bytes: number;
}

/** Extracts `cacheFile` into `workDir`, replacing what is there. Never throws for a missing or bad cache. */
export async function restoreCache(cacheFile: string, workDir: string, options: CacheOptions = {}): Promise<RestoreCacheResult> {
  checkAbsolute(cacheFile, 'cacheFile');
  checkAbsolute(workDir, 'workDir');
  const log = (line: string) => options.onLog?.(`${line}\n`);
  const info = await stat(cacheFile).catch(() => undefined);
  if (!info) return { restored: false, reason: 'missing' };
  const ignore = (why: string): RestoreCacheResult => {
    log(`# Ignoring the build cache ${basename(cacheFile)}: ${why}. Building without it; a successful build writes a new one.`);
    return { restored: false, reason: 'unreadable' };
  };
  if (!info.isFile()) return ignore('it is not a file');

  const format = await detectCacheFormat(cacheFile).catch(() => undefined);
  if (!format) return ignore('it is not a tar, gzip or zstd archive');
  if (format === 'zstd' && !(await hasZstd())) return ignore('it is compressed with zstd, which is not installed on this worker');

  await mkdir(workDir, { recursive: true });
  // In workDir so that the final moves are renames on one filesystem.
  const staging = await mkdtemp(join(workDir, '.gantry-cache-'));
  try {
    const result = await runTar(['-x', '-f', cacheFile, ...tarCompressionArgs(format), '-C', staging, '--no-same-owner']);
    if (result.code !== 0) return ignore(`tar could not read it (${result.stderr || `exit code ${result.code}`})`);
    await moveInto(staging, workDir);
    log(`# Restored the build cache (${formatBytes(info.size)})`);
    return { restored: true, bytes: info.size };
  } catch (error) {
    return ignore(error instanceof Error ? error.message : String(error));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Archives the entries `paths` select under `workDir` into `cacheFile`, replacing it atomically (a reader sees
 * the old file or the new one, never a partial one). Refused paths throw a ValidationError before anything is
 * written; when nothing selected exists, the old cache is kept.
 */
export async function saveCache(cacheFile: string, workDir: string, paths: readonly string[], options: CacheOptions = {}): Promise<SaveCacheResult> {
  checkAbsolute(cacheFile, 'cacheFile');
  checkAbsolute(workDir, 'workDir');
  const log = (line: string) => options.onLog?.(`${line}\n`);
  if (!(await stat(workDir).then((info) => info.isDirectory(), () => false))) {
    throw new GantryError('ValidationError', `Cannot save a build cache from ${workDir}: it is not an existing directory.`);
  }
  const entries = await resolveCachePaths(workDir, paths);
  if (entries.length === 0) {
    log(`# Nothing to cache: none of ${paths.join(', ')} exists`);
    return { saved: false, paths: [], bytes: 0 };
  }

  await mkdir(dirname(cacheFile), { recursive: true });
  const temporary = `${cacheFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const format = (await hasZstd()) ? 'zstd' : 'gzip';
    // Names go through stdin, NUL-separated and verbatim, so no entry can be read as a tar option.
    const result = await runTar(['-c', '-f', temporary, ...tarCompressionArgs(format), '-C', workDir, '--null', '--verbatim-files-from', '-T', '-'], entries.map((entry) => `${entry}\0`).join(''));
    // GNU tar exits 1 when a file changed while it was read: the archive is still whole.
    if (result.code !== 0 && result.code !== 1) {
      throw new GantryError('InternalFailure', `Could not write the build cache ${cacheFile}: tar failed (${result.stderr || `exit code ${result.code}`}).`);
    }
    const { size } = await stat(temporary);
    await rename(temporary, cacheFile);
    log(`# Saved the build cache: ${entries.join(', ')} (${formatBytes(size)})`);
    return { saved: true, paths: entries, bytes: size };
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Moves every entry of `from` into `to`, merging directories and replacing anything else. */
async function moveInto(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    const existing = await lstat(target).catch(() => undefined);
    if (!existing) await rename(source, target);
    // Only descend into real directories: a symlink in the build tree must not lead the restore elsewhere.
    else if (entry.isDirectory() && existing.isDirectory()) await moveInto(source, target);
    else {
      await rm(target, { recursive: true, force: true });
      await rename(source, target);
    }
  }
}

function runTar(args: string[], input?: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, {
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.once('error', (cause: NodeJS.ErrnoException) =>
      reject(new GantryError('ServiceUnavailable', `Could not run tar for the build cache: ${cause.code === 'ENOENT' ? 'it is not installed (install GNU tar)' : cause.message}`, { cause })),
    );
    child.once('close', (code, signal) => resolve({ code: code ?? 128, stderr: stderr.trim().split('\n').slice(0, 3).join('; ') + (signal ? ` (${signal})` : '') }));
    if (input !== undefined) {
      child.stdin!.on('error', () => {}); // tar may exit before reading all names; its exit code says why.
      child.stdin!.end(input);
    }
  });
}

function checkAbsolute(path: string, what: string): void {
  if (!isAbsolute(path)) throw new GantryError('ValidationError', `${what} must be an absolute path, not ${JSON.stringify(path)}.`);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
