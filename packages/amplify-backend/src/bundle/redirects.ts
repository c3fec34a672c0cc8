/** Which specifiers the app's code sees redirected (bundle-backend.ts applies them). */

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
