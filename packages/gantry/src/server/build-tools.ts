import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureAmpxBundle, gantryAmpx } from './ampx-bundle.ts';
import { installAmpxHandover } from './ampx-handover.ts';
import { findRealNpx, removeNpxFront, writeNpxFront } from './npx-front.ts';

export { appendNodeOptions } from '@gantry/runner';

export interface BuildTools {
  /** The global npm prefix (`npm_config_prefix`). */
  prefix: string;
  /** `<prefix>/bin`, first on builds' PATH. */
  bin: string;
  /** npm's settings for builds and actions: `npm_config_prefix`, `npm_config_cache`, `npm_config_globalconfig`. */
  npmEnvironment: Record<string, string>;
  /**
   * `NODE_OPTIONS` for builds and actions: `--require <prefix>/gantry/ampx-handover.cjs`, which runs Gantry's ampx
   * wherever the app's `@aws-amplify/backend-cli` bin would run (ampx-handover.ts); empty when it could not be
   * installed. An app's own NODE_OPTIONS must keep it: `appendNodeOptions(appValue, nodeOptions)`.
   */
  nodeOptions: string;
  /** Everything builds and actions get from their tools: {@link npmEnvironment}, and NODE_OPTIONS when there is one. */
  environment: Record<string, string>;
  /** What `<bin>/ampx` runs: the bundled ampx, or the tsx bin when bundling failed. */
  ampx: string;
}

export interface BuildToolsOptions {
  /** Where the bundled ampx is cached. @default `<repo>/node_modules/.cache/gantry` */
  bundleCacheDir?: string;
}

/**
 * Gantry's own CLIs as a global npm prefix for builds: `<dataDir>/tools/bin/ampx`. With `npm_config_prefix`
 * naming that prefix and its `bin` on PATH, `npx ampx …` in a build runs Gantry's ampx when the app installs
 * none — and never fetches the unrelated `ampx` package from the registry. When the app does install the real
 * `@aws-amplify/backend-cli`, the preload in {@link BuildTools.nodeOptions} runs Gantry's ampx in place of its bin,
 * however it is started (ampx-handover.ts).
 *
 * Start-up time is most of what ampx costs a pipeline, so `ampx` is the bundled ampx (one file, no TypeScript to
 * compile; rebuilt only when its sources change), and `<bin>/npx` runs it without loading npm's CLI when npx
 * would run it anyway (npx-front.ts). Neither may break a build: if bundling fails, `ampx` is the tsx bin and
 * one warning line goes to stderr; without a real npx to hand the rest to, there is no front; if the preload
 * cannot be written, builds get no NODE_OPTIONS from the tools and one warning line goes to stderr.
 */
export function prepareBuildTools(dataDir: string, options: BuildToolsOptions = {}): BuildTools {
  const prefix = join(dataDir, 'tools');
  const bin = join(prefix, 'bin');
  mkdirSync(bin, { recursive: true });
  const ampx = gantryAmpx();
  let target = ampx.bin;
  try {
    target = ensureAmpxBundle({ ampx, cacheDir: options.bundleCacheDir }).file;
  } catch (error) {
    process.stderr.write(`gantry: warning: builds run ampx through tsx (slower start), bundling it failed: ${oneLine(error)}\n`);
  }
  replaceSymlink(join(bin, 'ampx'), target);

  const realNpx = findRealNpx(bin);
  if (realNpx) writeNpxFront({ prefix, realNpx, ownAmpx: ampx.bin });
  else removeNpxFront(prefix);

  let nodeOptions = '';
  try {
    nodeOptions = installAmpxHandover(prefix);
  } catch (error) {
    process.stderr.write(`gantry: warning: builds may run an app's own @aws-amplify/backend-cli, installing the ampx handover failed: ${oneLine(error)}\n`);
  }

  // One npm cache per account (the sandbox mounts the account's own directory here; its index could otherwise be
  // forged for another account): `npm ci` in a fresh working directory downloads each package once per account.
  const npmCache = process.env.GANTRY_NPM_CACHE ?? join(prefix, 'npm-cache');
  // A prefix of our own would also move npm's global config to `<prefix>/etc/npmrc`: keep reading the machine's
  // (its registry and CA settings), where npm itself looks for it, beside the Node that runs Gantry.
  const globalConfig = process.env.npm_config_globalconfig ?? join(dirname(dirname(process.execPath)), 'etc', 'npmrc');
  const npmEnvironment = { npm_config_prefix: prefix, npm_config_cache: npmCache, npm_config_globalconfig: globalConfig };
  return {
    prefix,
    bin,
    npmEnvironment,
    nodeOptions,
    environment: { ...npmEnvironment, ...(nodeOptions && { NODE_OPTIONS: nodeOptions }) },
    ampx: target,
  };
}

/** Points `link` at `target`, replacing an older link atomically (two servers may prepare the same tools). */
function replaceSymlink(link: string, target: string): void {
  let current: string | undefined;
  try {
    current = readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current === target) return;
  const temp = `${link}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  symlinkSync(target, temp);
  renameSync(temp, link);
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}
