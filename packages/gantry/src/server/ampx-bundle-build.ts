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
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Loader, type Plugin } from 'esbuild';
import { recordFor } from './ampx-bundle.ts';

const BANNER = [
  '#!/usr/bin/env node',
  "// Gantry's ampx (packages/ampx/src/main.ts) in one file; @gantry/gantry's ampx-bundle-build.ts writes it.",
  "import { createRequire as __gantryCreateRequire } from 'node:module';",
  'const require = __gantryCreateRequire(import.meta.url);',
  "process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';",
  '',
].join('\n');

const LOADERS: Record<string, Loader> = { '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx', '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx' };
const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const CJS_FILE_VARIABLES = /(?<![\w$.'"`])__(dirname|filename)(?![\w$'"`])/g;
const DECLARES_FILE_VARIABLES = /\b(?:var|let|const|function|class)\s+__(?:dirname|filename)\b/;

/** Replaces what depends on a module's own location with the values it has when Node loads the file itself. */
const originalLocations: Plugin = {
  name: 'original-locations',
  setup(builder) {
    builder.onLoad({ filter: /\.(?:[cm]?[jt]s|[jt]sx)$/ }, async (args) => {
      if (args.namespace !== 'file') return undefined;
      const source = await readFile(args.path, 'utf8');
      const file = args.path;
      let contents = source.replace(IMPORT_META, (_, property: string) =>
        JSON.stringify(property === 'url' ? pathToFileURL(file).href : property === 'dirname' ? dirname(file) : file));
      if (/__(?:dirname|filename)/.test(contents) && isCommonJs(file) && !DECLARES_FILE_VARIABLES.test(contents)) {
        contents = contents.replace(CJS_FILE_VARIABLES, (_, which: string) => JSON.stringify(which === 'dirname' ? dirname(file) : file));
      }
      if (contents === source) return undefined;
      return { contents, loader: LOADERS[extname(file)] ?? 'js' };
    });
  },
};

/** Whether Node runs `file` as CommonJS: by its extension, else by the nearest package.json's `type`. */
function isCommonJs(file: string): boolean {
  const ext = extname(file);
  if (ext === '.cjs' || ext === '.cts') return true;
  if (ext === '.mjs' || ext === '.mts') return false;
  const manifest = nearestFile(dirname(file), 'package.json');
  if (!manifest) return true;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type !== 'module';
  } catch {
    return true;
  }
}

const nearestCache = new Map<string, string | undefined>();
function nearestFile(dir: string, name: string): string | undefined {
  const key = `${dir}\0${name}`;
  if (nearestCache.has(key)) return nearestCache.get(key);
  let found: string | undefined;
  try {
    if (statSync(join(dir, name)).isFile()) found = join(dir, name);
  } catch {
    found = undefined;
  }
  if (!found && dirname(dir) !== dir) found = nearestFile(dirname(dir), name);
  nearestCache.set(key, found);
  return found;
}

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
