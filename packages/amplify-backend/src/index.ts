/**
 * `@gantry/amplify-backend`: runs an Amplify Gen 2 app's `amplify/backend.ts` against Gantry's own
 * `@aws-amplify/backend` and describes the result as a {@link BackendManifest}.
 *
 * - `loadBackend(appDir)` — the entry point for the backend deploy engine and the `ampx` CLI.
 * - `./backend` — the `@aws-amplify/backend` implementation the app's code sees (not for Gantry callers).
 * - `./original-locations` — the esbuild plugin that keeps `import.meta.url` and `__dirname` of bundled files
 *   pointing at the originals (also used to bundle ampx).
 */
export { loadBackend, type LoadBackendOptions } from './load-backend.ts';
export type { BackendLoadErrorDetails, BackendLoadFailure } from './load-errors.ts';
export type * from './backend-manifest.ts';
export { toAppSyncAuthorizationType } from './synth/authorization-types.ts';
