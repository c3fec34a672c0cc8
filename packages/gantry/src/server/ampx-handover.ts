import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `ampx` in builds and workflow actions is Gantry's, whatever the app installed. An app's `npm ci` installs
 * `@aws-amplify/backend-cli`, and its `node_modules/.bin/ampx` comes first for `npx ampx`, `npm exec ampx`,
 * `npm run <script>`, `yarn ampx` and `pnpm exec ampx` (each puts `node_modules/.bin` ahead of PATH), and for
 * `node_modules/.bin/ampx` itself: the real CLI would then deploy with CDK against Gantry and fail.
 *
 * Every one of those ends in a Node process whose main script is the real package's bin, so that is where the
 * handover happens: ampx-handover.cjs, preloaded through `NODE_OPTIONS=--require …` into every Node process of a
 * build, runs Gantry's ampx in that process, same arguments, when its main script is the real bin, and does
 * nothing otherwise. Why not the others:
 * - resolving `@aws-amplify/backend-cli` to Gantry's package (npm settings or hooks): npm has no setting that
 *   replaces an installed package, and rewriting the app's node_modules after `npm ci` means watching every
 *   command of the build;
 * - fixing node_modules/.bin after each shell command: fragile, and blind to commands that install and run in one;
 * - PATH order: npx, npm exec and npm run put `node_modules/.bin` first, whatever PATH says;
 * - `--import` rather than `--require`: a module given to `--import` makes Node load every main script, CommonJS
 *   ones too, through its ES module loader, which changes and slows every other Node process of the build.
 * The npx front (npx-front.ts) still runs Gantry's ampx without npm's CLI for `npx ampx`, also when the app's
 * node_modules/.bin/ampx is the real one, so `npx ampx …` keeps working even where a build step replaces
 * NODE_OPTIONS outright.
 *
 * The preload's path must exist wherever NODE_OPTIONS names it (a missing `--require` module stops every Node
 * process), so it lives in the tools prefix the builds' sandbox mounts, beside the `bin/ampx` it runs.
 */
export const HANDOVER_SOURCE = new URL('./ampx-handover.cjs', import.meta.url);

/** Where {@link installAmpxHandover} puts the preload: `<prefix>/gantry/ampx-handover.cjs` (it runs `<prefix>/bin/ampx`). */
export function ampxHandoverFile(prefix: string): string {
  return join(prefix, 'gantry', 'ampx-handover.cjs');
}

/**
 * Copies the preload into the tools prefix (only when its content changed, atomically: two servers may prepare
 * the same tools) and returns the `NODE_OPTIONS` that loads it. Throws when it cannot be written.
 */
export function installAmpxHandover(prefix: string): string {
  const file = ampxHandoverFile(prefix);
  const source = readFileSync(HANDOVER_SOURCE, 'utf8');
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== source) {
    mkdirSync(join(prefix, 'gantry'), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, source, { mode: 0o644 });
      renameSync(temp, file);
    } finally {
      rmSync(temp, { force: true });
    }
  }
  return `--require ${nodeOptionsWord(file)}`;
}

/**
 * `value` as one word of NODE_OPTIONS, which Node splits at spaces, except inside double quotes (where a backslash
 * escapes the next character).
 */
export function nodeOptionsWord(value: string): string {
  return /[\s"\\']/.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : value;
}
