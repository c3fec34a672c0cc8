/**
 * An esbuild plugin for bundles that must behave like their files loaded one by one: whatever a module computes
 * from its own location — `import.meta.url` (`.dirname`, `.filename`), and `__dirname` / `__filename` in
 * CommonJS files — becomes the value it has when Node loads that file itself, as a string literal. Paths built
 * from it (a package's data files, an app's `./handler.ts` next to its resource file) still point at the files on
 * disk, wherever the bundle is written.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader, Plugin } from 'esbuild';

const LOADERS: Record<string, Loader> = { '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx', '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx' };
const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const CJS_FILE_VARIABLES = /(?<![\w$.'"`])__(dirname|filename)(?![\w$'"`])/g;
const DECLARES_FILE_VARIABLES = /\b(?:var|let|const|function|class)\s+__(?:dirname|filename)\b/;

export const originalLocations: Plugin = {
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

/** The nearest file called `name` in `dir` or a directory above it (remembered per process). */
export function nearestFile(dir: string, name: string): string | undefined {
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
