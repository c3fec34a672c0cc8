import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';

/**
 * Removes a finished build's or action's directory in a separate, low-priority process.
 *
 * Removing a `node_modules` tree is tens of thousands of unlink calls. Done in the server (even with
 * `fs.promises.rm`) they fill libuv's thread pool, which is also what serves sites' files: pages stall until
 * the tree is gone. A `nice`d `rm -rf` keeps the server free and yields the CPU to running builds. Falls back to
 * `fs.rm` where the commands are missing.
 */
export function removeTree(dir: string): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('nice', ['-n', '19', 'rm', '-rf', '--', dir], { stdio: 'ignore' });
    child.on('error', () => void rm(dir, { recursive: true, force: true }).catch(() => {}).then(resolve));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else void rm(dir, { recursive: true, force: true }).catch(() => {}).then(resolve);
    });
  });
}
