import { mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildTools {
  /** The global npm prefix (`npm_config_prefix`). */
  prefix: string;
  /** `<prefix>/bin`, first on builds' PATH. */
  bin: string;
  /** npm's settings for builds and actions: `npm_config_prefix`, `npm_config_cache`, `npm_config_globalconfig`. */
  npmEnvironment: Record<string, string>;
}

/**
 * Gantry's own CLIs as a global npm prefix for builds: `<dataDir>/tools/bin/ampx`. With `npm_config_prefix`
 * naming that prefix and its `bin` on PATH, `npx ampx …` in a build runs Gantry's ampx when the app installs
 * none — and never fetches the unrelated `ampx` package from the registry.
 */
export function prepareBuildTools(dataDir: string): BuildTools {
  const prefix = join(dataDir, 'tools');
  const bin = join(prefix, 'bin');
  mkdirSync(bin, { recursive: true });
  const ampx = join(dirname(fileURLToPath(import.meta.resolve('@gantry/ampx'))), '..', 'bin', 'ampx.mjs');
  const link = join(bin, 'ampx');
  let current: string | undefined;
  try {
    current = readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current !== ampx) {
    rmSync(link, { force: true });
    symlinkSync(ampx, link);
  }
  // One npm cache for every build and action (npm's cache is safe to share): `npm ci` in a fresh working
  // directory then downloads each package once per machine instead of once per build.
  const npmCache = process.env.GANTRY_NPM_CACHE ?? join(prefix, 'npm-cache');
  // A prefix of our own would also move npm's global config to `<prefix>/etc/npmrc`: keep reading the machine's
  // (its registry and CA settings), where npm itself looks for it, beside the Node that runs Gantry.
  const globalConfig = process.env.npm_config_globalconfig ?? join(dirname(dirname(process.execPath)), 'etc', 'npmrc');
  return { prefix, bin, npmEnvironment: { npm_config_prefix: prefix, npm_config_cache: npmCache, npm_config_globalconfig: globalConfig } };
}
