/**
 * The child process's entry: imports the app's `amplify/backend.ts` (with the redirects from register.ts in
 * place), builds the manifest from what the define* calls recorded, and writes the result to the file the
 * parent named. Never writes to stdout, which belongs to the app's code.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getRegistry } from '../define/registry.ts';
import { serializeError, type ChildResult } from './child-result.ts';

const appDir = process.env['GANTRY_AMPLIFY_APP_DIR'];
const resultFile = process.env['GANTRY_AMPLIFY_RESULT_FILE'];
const modelIntrospection = process.env['GANTRY_AMPLIFY_MODEL_INTROSPECTION'] !== 'false';
if (!appDir || !resultFile) throw new Error('child-main is started by loadBackend(), which sets GANTRY_AMPLIFY_APP_DIR and GANTRY_AMPLIFY_RESULT_FILE.');
delete process.env['GANTRY_AMPLIFY_RESULT_FILE'];
delete process.env['GANTRY_AMPLIFY_MODEL_INTROSPECTION'];

let written = false;
function finish(result: ChildResult): never {
  if (!written) {
    written = true;
    writeFileSync(resultFile!, JSON.stringify(result));
  }
  process.exit(0);
}

process.on('uncaughtException', (error) => finish({ ok: false, phase: 'uncaught', error: serializeError(error) }));
process.on('unhandledRejection', (reason) => finish({ ok: false, phase: 'uncaught', error: serializeError(reason) }));

try {
  await import(pathToFileURL(path.join(appDir, 'amplify', 'backend.ts')).href);
} catch (error) {
  finish({ ok: false, phase: 'import', error: serializeError(error) });
}
try {
  const { buildManifest } = await import('../synth/build-manifest.ts');
  const manifest = await buildManifest(getRegistry(), appDir, { modelIntrospection });
  finish({ ok: true, manifest });
} catch (error) {
  finish({ ok: false, phase: 'synth', error: serializeError(error) });
}
