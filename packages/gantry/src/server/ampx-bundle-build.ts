// Builds Gantry's ampx into one ESM file with esbuild. Run as its own process by `ensureAmpxBundle`
// (ampx-bundle.ts), so the server's start stays synchronous:
//
//   node --import tsx ampx-bundle-build.ts <entry main.ts> <bundle file> <record file>
//
// The bundle must behave exactly like `packages/ampx/bin/ampx.mjs` running the sources through tsx:
// - every `import.meta.url` (`.dirname`, `.filename`) becomes the ORIGINAL file's value, so paths computed from
//   it (amplify-backend's child-process files and tsx, yargs' locales) still point at the files on disk;
// - CommonJS modules get their own `__dirname`/`__filename` the same way;
// - CommonJS `require()` of Node's built-ins works through a `require` made with `createRequire`;
// - the AWS SDK's notice about its coming Node 22 requirement stays off, as the tsx bin has it.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { nearestFile, originalLocations } from '@gantry/amplify-backend/original-locations';
import { recordFor } from './ampx-bundle.ts';

const BANNER = [
  '#!/usr/bin/env node',
  "// Gantry's ampx (packages/ampx/src/main.ts) in one file; @gantry/gantry's ampx-bundle-build.ts writes it.",
  "import { createRequire as __gantryCreateRequire } from 'node:module';",
  'const require = __gantryCreateRequire(import.meta.url);',
  "process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';",
  '',
].join('\n');

/**
 * Bundles `entry` into `bundleFile` (mode 0755) and writes `recordFile`, the files the bundle was made from. Both
 * are written under temporary names and renamed into place, the bundle first: a reader never sees a half-written
 * file, and a record always describes the bundle it names (see `isBundleFresh`).
 */
export async function buildAmpxBundle(entry: string, bundleFile: string, recordFile: string): Promise<void> {
  const workingDir = dirname(entry);
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: workingDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
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
  // Any other `import.meta` (say `import.meta.resolve`) would now answer for the bundle's location, not the file's.
  if (/\bimport\.meta\b/.test(code.slice(BANNER.length))) {
    throw new Error('a bundled module uses import.meta beyond url, dirname and filename');
  }

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
  const bundleTemp = join(dirname(bundleFile), `${basename(bundleFile)}${suffix}`);
  const recordTemp = join(dirname(recordFile), `${basename(recordFile)}${suffix}`);
  try {
    writeFileSync(bundleTemp, code, { mode: 0o755 });
    writeFileSync(recordTemp, JSON.stringify(recordFor(bundleTemp, [...inputs].sort())));
    renameSync(bundleTemp, bundleFile);
    renameSync(recordTemp, recordFile);
  } finally {
    rmSync(bundleTemp, { force: true });
    rmSync(recordTemp, { force: true });
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
