// Builds Gantry's ampx into one CommonJS file with esbuild, and the launcher that runs it. Run as its own process
// by `ensureAmpxBundle` (ampx-bundle.ts), so the server's start stays synchronous:
//
//   node --import tsx ampx-bundle-build.ts <entry main.ts> <bundle file> <record file>
//
// The bundle must behave exactly like `packages/ampx/bin/ampx.mjs` running the sources through tsx:
// - every `import.meta.url` (`.dirname`, `.filename`) becomes the ORIGINAL file's value, so paths computed from
//   it (amplify-backend's child entry, yargs' locales) still point at the files on disk (original-locations.ts
//   of @gantry/amplify-backend);
// - CommonJS modules get their own `__dirname`/`__filename` the same way;
// - the AWS SDK's notice about its coming Node 22 requirement stays off, as the tsx bin has it.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { nearestFile, originalLocations } from '@gantry/amplify-backend/original-locations';
import { BUNDLE_NAME, CODE_CACHE_NAME, LAUNCHER_NAME, recordFor } from './ampx-bundle.ts';

const BANNER = [
  "// Gantry's ampx (packages/ampx/src/main.ts) in one file; @gantry/gantry's ampx-bundle-build.ts writes it.",
  "process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';",
  '',
].join('\n');

/**
 * What `tools/bin/ampx` runs: the bundle (beside it), compiled with V8's code cache. Node 20 has no compile cache
 * of its own, and compiling the 1.6 MB bundle is a third of ampx's start-up otherwise. The cache is written by
 * the first run (and again whenever V8 rejects it, as after a rebuild), atomically.
 */
export const LAUNCHER = `#!/usr/bin/env node
// Gantry's ampx: runs ${BUNDLE_NAME} with V8's code cache (${CODE_CACHE_NAME}). Written by ampx-bundle-build.ts.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const file = path.join(__dirname, '${BUNDLE_NAME}');
const cacheFile = path.join(__dirname, '${CODE_CACHE_NAME}');
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {}
// import() of Node's built-ins (left in the bundle by esbuild) goes to Node's own loader.
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {
  filename: file,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cachedData === undefined || script.cachedDataRejected) {
  process.once('exit', () => {
    const temp = cacheFile + '.' + process.pid + '.tmp';
    try {
      fs.writeFileSync(temp, script.createCachedData());
      fs.renameSync(temp, cacheFile);
    } catch {
      fs.rmSync(temp, { force: true });
    }
  });
}
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = Module._nodeModulePaths(__dirname);
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, __dirname);
`;

/**
 * Bundles `entry` into `bundleFile`, writes the launcher beside it and `recordFile`, the files the bundle was made
 * from. All are written under temporary names and renamed into place, the record last: a reader never sees a
 * half-written file, and a record always describes the bundle it names (see `isBundleFresh`).
 */
export async function buildAmpxBundle(entry: string, bundleFile: string, recordFile: string): Promise<void> {
  const workingDir = dirname(entry);
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: workingDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    banner: { js: BANNER },
    // Names as in the sources: esbuild renames clashing top-level symbols, and `keepNames` keeps their `.name`
    // (error and class names show in messages).
    keepNames: true,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [originalLocations],
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild wrote no output');
  const code = output.text;
  // Any other `import.meta` (say `import.meta.resolve`) has no meaning in the CommonJS bundle.
  if (/\bimport\.meta\b/.test(code)) throw new Error('a bundled module uses import.meta beyond url, dirname and filename');

  const inputs = new Set<string>();
  for (const path of Object.keys(result.metafile.inputs)) {
    const file = resolve(workingDir, path);
    inputs.add(file);
    // What decides how a file is resolved and compiled: its package.json (exports, type) and tsconfig.json.
    const manifest = nearestFile(dirname(file), 'package.json');
    if (manifest) inputs.add(manifest);
    if (/\.[cm]?tsx?$/.test(file)) {
      const tsconfig = nearestFile(dirname(file), 'tsconfig.json');
      if (tsconfig) inputs.add(tsconfig);
    }
  }
  // The recipe itself, and the esbuild that followed it.
  inputs.add(fileURLToPath(import.meta.url));
  inputs.add(fileURLToPath(import.meta.resolve('@gantry/amplify-backend/original-locations')));
  inputs.add(createRequire(import.meta.url).resolve('esbuild/package.json'));

  mkdirSync(dirname(bundleFile), { recursive: true });
  removeAbandonedTemporaries(dirname(bundleFile));
  const suffix = `.${process.pid}.${Date.now().toString(36)}.tmp`;
  const launcherFile = join(dirname(bundleFile), LAUNCHER_NAME);
  const bundleTemp = join(dirname(bundleFile), `${basename(bundleFile)}${suffix}`);
  const launcherTemp = join(dirname(launcherFile), `${LAUNCHER_NAME}${suffix}`);
  const recordTemp = join(dirname(recordFile), `${basename(recordFile)}${suffix}`);
  try {
    writeFileSync(bundleTemp, code);
    writeFileSync(launcherTemp, LAUNCHER, { mode: 0o755 });
    writeFileSync(recordTemp, JSON.stringify(recordFor(bundleTemp, [...inputs].sort())));
    renameSync(bundleTemp, bundleFile);
    renameSync(launcherTemp, launcherFile);
    renameSync(recordTemp, recordFile);
  } finally {
    for (const temp of [bundleTemp, launcherTemp, recordTemp]) rmSync(temp, { force: true });
  }
}

/** Temporary files of builds that were killed before renaming them (a build takes about a second). */
function removeAbandonedTemporaries(dir: string): void {
  const before = Date.now() - 10 * 60_000;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.tmp')) continue;
    const stat = statSync(join(dir, name), { throwIfNoEntry: false });
    if (stat && stat.mtimeMs < before) rmSync(join(dir, name), { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, bundleFile, recordFile] = process.argv.slice(2);
  if (!entry || !bundleFile || !recordFile) {
    console.error('usage: ampx-bundle-build.ts <entry> <bundle file> <record file>');
    process.exit(2);
  }
  try {
    await buildAmpxBundle(entry, bundleFile, recordFile);
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const first = errors?.[0];
    const message = first ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}` : (error as Error).message;
    console.error(message.replace(/\s+/g, ' '));
    process.exit(1);
  }
}
