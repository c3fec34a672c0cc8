/**
 * What the child process runs (bundled with the app's code by bundle-backend.ts): imports the app's
 * `amplify/backend.ts`, builds the manifest from what the define* calls recorded, and writes the result to the
 * file the parent named. Never writes to stdout, which belongs to the app's code.
 */
import { writeFileSync } from 'node:fs';
import { getRegistry } from '../define/registry.ts';
import { buildManifest } from '../synth/build-manifest.ts';
import { serializeError, type ChildResult } from './child-result.ts';

export async function runChild(importApp: () => Promise<unknown>): Promise<void> {
  const appDir = process.env['GANTRY_AMPLIFY_APP_DIR'];
  const resultFile = process.env['GANTRY_AMPLIFY_RESULT_FILE'];
  if (!appDir || !resultFile) throw new Error('The child is started by loadBackend(), which sets GANTRY_AMPLIFY_APP_DIR and GANTRY_AMPLIFY_RESULT_FILE.');
  const modelIntrospection = process.env['GANTRY_AMPLIFY_MODEL_INTROSPECTION'] !== 'false';
  delete process.env['GANTRY_AMPLIFY_RESULT_FILE'];
  delete process.env['GANTRY_AMPLIFY_MODEL_INTROSPECTION'];

  let written = false;
  const finish = (result: ChildResult): never => {
    if (!written) {
      written = true;
      writeFileSync(resultFile, JSON.stringify(result));
    }
    process.exit(0);
  };
  process.on('uncaughtException', (error) => finish({ ok: false, phase: 'uncaught', error: serializeError(error) }));
  process.on('unhandledRejection', (reason) => finish({ ok: false, phase: 'uncaught', error: serializeError(reason) }));

  try {
    await importApp();
  } catch (error) {
    finish({ ok: false, phase: 'import', error: serializeError(error) });
  }
  try {
    finish({ ok: true, manifest: await buildManifest(getRegistry(), appDir, { modelIntrospection }) });
  } catch (error) {
    finish({ ok: false, phase: 'synth', error: serializeError(error) });
  }
}
