/**
 * Turns the cache paths of a build spec (`node_modules/**\/*`, `.npm/**\/*`, `packages/*\/node_modules`) into the
 * existing entries under a working directory that go into the cache archive. A trailing `**\/*` (or `**`, or
 * `*`) means "the directory and everything in it", so `dir/**\/*` caches the directory `dir`. Other segments may
 * use `*` and `?`. Nothing may point outside the working directory: absolute paths, `~` and `..` are refused,
 * and so is an entry reached through a symlink that leaves it.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { GantryError } from '@gantry/core';

/** Checks and simplifies one pattern into path segments (`[]` is the working directory itself). */
export function parseCachePattern(pattern: string): string[] {
  const refuse = (why: string) =>
    new GantryError('ValidationError', `The cache path ${JSON.stringify(pattern)} is refused: ${why}. Cache paths are relative to the build directory, e.g. "node_modules/**/*".`);
  const trimmed = pattern.trim();
  if (trimmed.length === 0) throw refuse('it is empty');
  if (trimmed.includes('\0')) throw refuse('it contains a NUL character');
  if (trimmed.startsWith('/') || /^[A-Za-z]:/.test(trimmed)) throw refuse('it is absolute');
  if (trimmed.startsWith('~')) throw refuse('a home-relative path must be resolved by the caller against the home directory');
  const segments = trimmed.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw refuse('it contains ".."');
  while (segments.length > 0 && ['**', '*'].includes(segments[segments.length - 1]!)) segments.pop();
  if (segments.includes('**')) throw refuse('"**" is only supported at the end (as in "dir/**/*")');
  return segments;
}

const isGlob = (segment: string) => /[*?]/.test(segment);

function segmentMatcher(segment: string): RegExp {
  const source = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`);
}

/**
 * The existing entries the patterns select, relative to `workDir` with `/` separators, sorted, without an entry
 * that is inside another selected one (tar would store it twice).
 */
export async function resolveCachePaths(workDir: string, patterns: readonly string[]): Promise<string[]> {
  const parsed = patterns.map(parseCachePattern);
  const root = await realpath(workDir);
  const selected = new Set<string>();
  for (const segments of parsed) {
    for (const path of await expand(workDir, segments)) {
      if (await staysInside(root, workDir, path)) selected.add(path);
    }
  }
  const sorted = [...selected].sort();
  return sorted.filter((path) => !sorted.some((other) => other !== path && (other === '.' || path.startsWith(`${other}/`))));
}

async function expand(workDir: string, segments: string[]): Promise<string[]> {
  let prefixes = [''];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const next: string[] = [];
    for (const prefix of prefixes) {
      if (!isGlob(segment)) {
        next.push(prefix ? `${prefix}/${segment}` : segment);
        continue;
      }
      const matcher = segmentMatcher(segment);
      const entries: Dirent[] = await readdir(join(workDir, prefix), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (!matcher.test(entry.name) || (!last && !entry.isDirectory())) continue;
        next.push(prefix ? `${prefix}/${entry.name}` : entry.name);
      }
    }
    prefixes = next;
  }
  const existing: string[] = [];
  for (const path of prefixes) {
    if (path === '') existing.push('.');
    else if (await lstat(join(workDir, path)).then(() => true, () => false)) existing.push(path);
  }
  return existing;
}

/** The entry's parent directory, symlinks resolved, must be the working directory or inside it. */
async function staysInside(root: string, workDir: string, path: string): Promise<boolean> {
  if (path === '.') return true;
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
  const real = await realpath(join(workDir, parent)).catch(() => undefined);
  return real !== undefined && (real === root || real.startsWith(root + sep));
}
