/**
 * Compiles an app's `amplify/` code, with Gantry's `@aws-amplify/backend` and the child's entry, into one ESM
 * file that plain `node` runs: no TypeScript loader and no resolve hooks in the child, which then starts in a
 * fraction of the time (esbuild needs a few tens of milliseconds for an app's backend).
 *
 * What is bundled: the app's own files and Gantry's implementation (TypeScript). What stays an import, by
 * absolute path, for Node to load as it would: every installed package (the app's, else Gantry's), Node's
 * built-ins. Redirected as the Amplify toolchain would see it:
 * - `@aws-amplify/backend` and its category packages → Gantry's implementation, whatever the app installed;
 * - `@aws-amplify/data-schema` → the app's own copy (matching its types) when it has one, else Gantry's.
 * Inline source maps let `--enable-source-maps` report the app's own files and lines in stacks, which is how
 * define* calls find their call sites.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type ImportKind, type Message, type Plugin } from 'esbuild';
import { BACKEND_SPECIFIERS, isDataSchemaSpecifier } from './redirects.ts';
import { originalLocations } from './original-locations.ts';

const SRC_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BACKEND = path.join(SRC_DIR, 'backend.ts');
const CHILD_MAIN = path.join(SRC_DIR, 'child', 'child-main.ts');
/**
 * `require` for CommonJS code in the bundle (esbuild turns `require(x)` into a call of this). Spelled so that
 * this file's own text has no `import.meta` member access for original-locations.ts to rewrite when this file
 * is itself bundled (into ampx).
 */
const BANNER = `import { createRequire as __gantryCreateRequire } from 'node:module';\nconst require = __gantryCreateRequire(${'import'}.meta.url);`;
const TYPESCRIPT = /\.[cm]?tsx?$/;

/** esbuild could not compile the app's code: its messages, with locations. */
export class BackendBuildError extends Error {
  constructor(readonly errors: Message[]) {
    super(errors.map((e) => e.text).join('\n'));
    this.name = 'BackendBuildError';
  }
}

/** Writes the bundle that runs `<appDir>/amplify/backend.ts` and reports the manifest, to `outfile`. */
export async function bundleBackend(appDir: string, outfile: string): Promise<void> {
  const entry = path.join(appDir, 'amplify', 'backend.ts');
  const contents = `import { runChild } from ${JSON.stringify(CHILD_MAIN)};\nawait runChild(() => import(${JSON.stringify(entry)}));\n`;
  try {
    await build({
      stdin: { contents, resolveDir: appDir, sourcefile: 'gantry-backend-entry.ts', loader: 'ts' },
      outfile,
      // Error locations relative to the app.
      absWorkingDir: appDir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      // Error and class names show in messages (esbuild would rename clashing ones).
      keepNames: true,
      banner: { js: BANNER },
      logLevel: 'silent',
      plugins: [redirects(appDir), originalLocations],
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (errors?.length) throw new BackendBuildError(errors);
    throw error;
  }
}

/** See the module comment: which packages are bundled, redirected or left to Node. */
function redirects(appDir: string): Plugin {
  return {
    name: 'gantry-backend-redirects',
    setup(builder) {
      const resolveFrom = (specifier: string, kind: ImportKind, resolveDir: string) =>
        builder.resolve(specifier, { kind, resolveDir, pluginData: { inner: true } });
      builder.onResolve({ filter: /^[^./]/ }, async (args) => {
        if ((args.pluginData as { inner?: boolean } | undefined)?.inner || args.path.startsWith('node:')) return undefined;
        if (BACKEND_SPECIFIERS.has(args.path)) return { path: BACKEND };
        let resolved = await resolveFrom(args.path, args.kind, isDataSchemaSpecifier(args.path) ? appDir : args.resolveDir);
        if (resolved.errors.length > 0 && isDataSchemaSpecifier(args.path)) resolved = await resolveFrom(args.path, args.kind, SRC_DIR);
        // Unresolvable: esbuild reports it where the import is. Built-ins: left as they are.
        if (resolved.errors.length > 0 || resolved.external) return undefined;
        // A package shipped as TypeScript (a monorepo's workspace package) is compiled with the app.
        if (TYPESCRIPT.test(resolved.path)) return { path: resolved.path };
        return { path: resolved.path, external: true };
      });
    },
  };
}
