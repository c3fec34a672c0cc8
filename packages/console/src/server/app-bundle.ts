import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** One built asset, kept in memory with its gzip form. */
export interface Asset {
  body: Buffer;
  gzip: Buffer;
  contentType: string;
  /** Content hash: asset URLs carry it, so browsers may cache them forever. */
  hash: string;
}

export interface AppBundle {
  js: Asset;
  css: Asset;
  /**
   * Code split off the entry, loaded by dynamic `import()` only on the pages that need it (the YAML editor, the
   * graph layout): named `chunk-<hash>.js`, so each name is its content.
   */
  chunks: Map<string, Asset>;
}

const APP_DIR = resolve(import.meta.dirname, '../app');

/**
 * The browser app, bundled by esbuild in memory the first time it is asked for and kept for the life of the
 * process: there is no build step, and nothing is fetched at run time. With `rebuildOnChange` (development) it
 * is rebuilt when a file under src/app is newer than the last build, which costs a directory walk per request.
 */
export class AppBundler {
  private current: Promise<AppBundle> | undefined;
  private builtAt = 0;

  constructor(private readonly options: { rebuildOnChange?: boolean } = {}) {}

  get(): Promise<AppBundle> {
    if (this.current && this.options.rebuildOnChange && newestMtime(APP_DIR) > this.builtAt) this.current = undefined;
    if (!this.current) {
      this.builtAt = Date.now();
      this.current = bundle();
      // A failed build is not cached: the next request tries again.
      this.current.catch(() => (this.current = undefined));
    }
    return this.current;
  }
}

async function bundle(): Promise<AppBundle> {
  const result = await build({
    entryPoints: [join(APP_DIR, 'main.tsx'), join(APP_DIR, 'styles.css')],
    bundle: true,
    minify: true,
    write: false,
    outdir: '/console-assets',
    format: 'esm',
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const asset = (contents: Uint8Array, contentType: string): Asset => {
    const body = Buffer.from(contents);
    return { body, gzip: gzipSync(body, { level: 9 }), hash: createHash('sha256').update(body).digest('hex').slice(0, 16), contentType };
  };
  const named = (name: string) => result.outputFiles.find((f) => basename(f.path) === name)?.contents ?? new Uint8Array();
  const chunks = new Map(result.outputFiles.filter((f) => basename(f.path).startsWith('chunk-')).map((f) => [basename(f.path), asset(f.contents, JS)]));
  return { js: asset(named('main.js'), JS), css: asset(named('styles.css'), 'text/css; charset=utf-8'), chunks };
}

const JS = 'text/javascript; charset=utf-8';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
