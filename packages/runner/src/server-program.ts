/**
 * The absolute path of a program the server starts for a build (bubblewrap), looked up on the server's own
 * PATH once. Spawned by name it would be looked up on the PATH of the environment it is given, the session's,
 * which the build's owner sets (amplify.yml's `env`, an app's or an action's variables): `PATH=.` would start
 * a `bwrap` from the checkout, as root and outside any sandbox.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** `name` as an absolute path: as given when it holds a `/`, else found on the server's PATH; undefined if missing. */
export function serverProgram(name: string): string | undefined {
  if (name.includes('/')) return resolve(name);
  // Relative entries of the server's own PATH depend on where it was started: not where to find a launcher.
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter((dir) => isAbsolute(dir))) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: the next directory.
    }
  }
  return undefined;
}
