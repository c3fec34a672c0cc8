/**
 * Copies a directory of a finished build into a deployment bundle without letting the build reach anything
 * outside its own checkout. A build is untrusted: its output may hold symbolic links to the server's files or
 * hard links (regular files with more than one name, which may be the same file as one outside the build).
 * Symbolic links that resolve inside the tree being copied stay links (relative, so pnpm's and workspaces'
 * layouts keep one copy of each package, and `react` stays a single instance); links to elsewhere inside the
 * checkout are copied as what they point to; links outside the checkout, dangling links and hard links are
 * refused. Sockets, FIFOs and devices are refused as well.
 */
import { copyFile, lstat, mkdir, readdir, readlink, realpath, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

export interface CopyTreeOptions {
  /** The build's checkout: nothing outside it is ever read. */
  root: string;
  /**
   * Whether to copy an entry, by its POSIX path relative to the source directory (`node_modules/.cache`).
   * A directory left out is not entered.
   */
  include?: (relativePath: string, isDirectory: boolean) => boolean;
}

export interface CopyTreeResult {
  files: number;
  bytes: number;
  /** Why entries were refused; empty when everything was copied. */
  problems: string[];
}

/** Whether `path` is `root` or below it (both absolute and resolved). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Copies `source` (a directory) to `destination`, creating it. Problems do not stop the copy: they are returned,
 * and the caller decides (the bundler refuses the build when there are any).
 */
export async function copyTree(source: string, destination: string, options: CopyTreeOptions): Promise<CopyTreeResult> {
  const root = await realpath(options.root);
  const sourceReal = await realpath(source);
  const result: CopyTreeResult = { files: 0, bytes: 0, problems: [] };
  if (!isInside(root, sourceReal)) {
    result.problems.push(`${source} resolves to ${sourceReal}, outside the build directory`);
    return result;
  }
  await mkdir(destination, { recursive: true });
  await copyDirectory({ root, sourceReal, destinationRoot: destination, include: options.include }, sourceReal, destination, '', new Set([sourceReal]), result);
  return result;
}

interface CopyContext {
  root: string;
  sourceReal: string;
  destinationRoot: string;
  include?: CopyTreeOptions['include'];
}

async function copyDirectory(context: CopyContext, from: string, to: string, rel: string, ancestors: Set<string>, result: CopyTreeResult): Promise<void> {
  const entries = await readdir(from, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(from, entry.name);
    const target = join(to, entry.name);
    const entryRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      if (context.include && !context.include(entryRel, true)) continue;
      await mkdir(target, { recursive: true });
      await copyDirectory(context, path, target, entryRel, new Set([...ancestors, path]), result);
    } else if (entry.isFile()) {
      if (context.include && !context.include(entryRel, false)) continue;
      await copyRegularFile(path, target, entryRel, result);
    } else if (entry.isSymbolicLink()) {
      await copyLink(context, path, target, entryRel, ancestors, result);
    } else {
      result.problems.push(`${entryRel} is not a regular file, directory or symbolic link`);
    }
  }
}

async function copyRegularFile(path: string, target: string, rel: string, result: CopyTreeResult): Promise<void> {
  const info = await lstat(path);
  if (info.nlink > 1) {
    result.problems.push(`${rel} is a hard link (${info.nlink} names for one file), which may be a file from outside the build`);
    return;
  }
  await copyFile(path, target);
  result.files += 1;
  result.bytes += info.size;
}

async function copyLink(context: CopyContext, path: string, target: string, rel: string, ancestors: Set<string>, result: CopyTreeResult): Promise<void> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    result.problems.push(`${rel} is a symbolic link to ${await readlink(path).catch(() => '?')}, which does not exist`);
    return;
  }
  if (!isInside(context.root, real)) {
    result.problems.push(`${rel} is a symbolic link to ${real}, outside the build directory`);
    return;
  }
  const info = await stat(real);
  if (context.include && !context.include(rel, info.isDirectory())) return;
  if (isInside(context.sourceReal, real)) {
    // Stays a link, pointing at the same entry of the copy (unless that entry is left out).
    const linkedRel = relative(context.sourceReal, real).split(sep).join('/');
    if (context.include && linkedRel !== '' && !context.include(linkedRel, info.isDirectory())) return;
    const linked = join(context.destinationRoot, relative(context.sourceReal, real));
    await symlink(relative(dirname(target), linked) || '.', target);
    result.files += 1;
    return;
  }
  if (info.isDirectory()) {
    if (ancestors.has(real)) {
      result.problems.push(`${rel} is a symbolic link to one of its own parent directories`);
      return;
    }
    await mkdir(target, { recursive: true });
    await copyDirectory(context, real, target, rel, new Set([...ancestors, real]), result);
  } else if (info.isFile()) {
    await copyRegularFile(real, target, rel, result);
  } else {
    result.problems.push(`${rel} is a symbolic link to something that is not a regular file or directory`);
  }
}
