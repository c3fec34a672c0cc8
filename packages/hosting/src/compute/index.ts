/**
 * Compute hosting for builds that follow Amplify Hosting's deployment specification
 * (`.amplify-hosting/deploy-manifest.json`): checking the manifest, routing requests to its targets, running
 * each version's compute resources as sandboxed Node.js processes, and proxying requests to them.
 */
export * from './deploy-manifest.ts';
export * from './manifest-routes.ts';
export * from './compute-process.ts';
export * from './compute-pool.ts';
export * from './compute-proxy.ts';
export * from './compute-bundles.ts';
export * from './serve-deployment.ts';
