/**
 * Preloaded in the child process (`node --import <tsx> --import <this>`): installs the specifier redirects for
 * ESM (`module.register`) and for CommonJS (apps whose package.json has no `"type": "module"` are run by tsx
 * as CommonJS, and Node 20's async hooks do not see `require`).
 */
import Module, { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BACKEND_SPECIFIERS, isDataSchemaSpecifier, type RedirectConfig } from './redirects.ts';

const raw = process.env['GANTRY_AMPLIFY_REDIRECTS'];
if (!raw) throw new Error('GANTRY_AMPLIFY_REDIRECTS is not set: this file is only meant to be preloaded by loadBackend().');
const config = JSON.parse(raw) as RedirectConfig;
delete process.env['GANTRY_AMPLIFY_REDIRECTS'];

register('./resolve-hooks.ts', import.meta.url, { data: config });

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };
const original = moduleInternals._resolveFilename;
const backendPath = fileURLToPath(config.backendUrl);
const appRequire = createRequire(config.appParentUrl);
const ownRequire = createRequire(config.ownParentUrl);

let resolvingDataSchema = false;
moduleInternals._resolveFilename = function resolveFilename(request, parent, isMain, options) {
  if (BACKEND_SPECIFIERS.has(request)) return backendPath;
  // require.resolve below comes back through this function: let those calls through untouched.
  if (isDataSchemaSpecifier(request) && !resolvingDataSchema) {
    resolvingDataSchema = true;
    try {
      return appRequire.resolve(request);
    } catch {
      return ownRequire.resolve(request);
    } finally {
      resolvingDataSchema = false;
    }
  }
  return original.call(this, request, parent, isMain, options);
};
