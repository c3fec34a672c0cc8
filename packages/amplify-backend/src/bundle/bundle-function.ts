/**
 * Bundles a `defineFunction` handler the way Amplify's NodejsFunction does: one CommonJS file for Node 20 whose
 * `handler` export is the Lambda handler, with
 * - `$amplify/env/<name>` resolved to a module exporting `env` (= `process.env`; Amplify generates a typed
 *   file for it, the values are the function's environment at run time);
 * - `@aws-sdk/*` left as `require`s: the Lambda Node runtime provides them, as Gantry's workers do.
 * Runs synchronously (esbuild's buildSync) because the manifest of a function is built synchronously.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync, type Message } from 'esbuild';

/** The handler's code could not be bundled; the message names each file:line esbuild complained about. */
export class FunctionBundleError extends Error {
  readonly file?: string;
  readonly line?: number;
  constructor(functionName: string, readonly errors: Message[]) {
    const first = errors.find((e) => e.location)?.location;
    super(`defineFunction '${functionName}': its handler could not be bundled:\n${errors.map(describeMessage).join('\n')}`);
    // Reported by the loader like any other mistake in the backend definition, with its location.
    this.name = 'BackendDefinitionError';
    if (first) {
      this.file = first.file;
      this.line = first.line;
    }
  }
}

function describeMessage(message: Message): string {
  const at = message.location;
  const where = at ? `${at.file}:${at.line}:${at.column + 1}: ` : '';
  const source = at?.lineText ? `\n    ${at.lineText.trim()}` : '';
  return `  ${where}${message.text}${source}`;
}

let envModulesDir: string | undefined;

/** A directory holding `<name>.js` modules that export `env`, for the `$amplify/env/<name>` alias. */
function envModules(functionName: string): string {
  envModulesDir ??= mkdtempSync(path.join(os.tmpdir(), 'gantry-amplify-env-'));
  const dir = path.join(envModulesDir, 'env');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${functionName}.js`), 'module.exports.env = process.env;\n');
  return dir;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The bundled CommonJS source of a function's handler. `entry` is absolute; errors name files relative to `appDir`. */
export function bundleFunction(appDir: string, functionName: string, entry: string): string {
  if (!FUNCTION_NAME.test(functionName)) {
    throw new FunctionBundleError(functionName, [{ id: '', pluginName: '', text: 'the name must be 1 to 64 letters, digits, "-" or "_"', location: null, notes: [], detail: undefined }]);
  }
  try {
    const result = buildSync({
      entryPoints: [entry],
      absWorkingDir: appDir,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // Amplify's default: error and class names stay readable in logs and traces.
      keepNames: true,
      alias: { [`$amplify/env/${functionName}`]: path.join(envModules(functionName), `${functionName}.js`) },
      external: ['@aws-sdk/*'],
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (errors?.length) throw new FunctionBundleError(functionName, errors);
    throw error;
  }
}
