/**
 * Which specifiers the child process redirects. Shared by the ESM resolve hook and the CommonJS patch.
 */

/** Packages that resolve to Gantry's implementation, whatever the app has installed. */
export const BACKEND_SPECIFIERS = new Set([
  '@aws-amplify/backend',
  '@aws-amplify/backend-data',
  '@aws-amplify/backend-auth',
  '@aws-amplify/backend-storage',
  '@aws-amplify/backend-function',
]);

/** Resolved from the app first (its own copy, matching its types), else from Gantry's dependencies. */
export function isDataSchemaSpecifier(specifier: string): boolean {
  return specifier === '@aws-amplify/data-schema' || specifier.startsWith('@aws-amplify/data-schema/');
}

/** What the parent passes to the hooks (JSON-serialisable). */
export interface RedirectConfig {
  /** file: URL of Gantry's `@aws-amplify/backend` implementation. */
  backendUrl: string;
  /** file: URL of a file inside the app (`amplify/backend.ts`) to resolve the app's own packages from. */
  appParentUrl: string;
  /** file: URL of a file inside this package, to resolve Gantry's own dependencies from. */
  ownParentUrl: string;
}
