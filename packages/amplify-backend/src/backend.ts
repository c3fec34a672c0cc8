/**
 * Gantry's `@aws-amplify/backend`. When Gantry runs an app's `amplify/backend.ts`, the specifier
 * `@aws-amplify/backend` resolves here whatever the app has installed. `a` and `ClientSchema` are the real
 * `@aws-amplify/data-schema` (the app's own copy when it has one).
 */
export { a, type ClientSchema } from '@aws-amplify/data-schema';
export { defineBackend, type Backend, type BackendBase, type BackendResource } from './define/define-backend.ts';
export { defineData, type DataProps, type AuthorizationModes, type DefaultAuthorizationMode, type DataSchemaInput } from './define/define-data.ts';
export { defineAuth, type AuthProps } from './define/define-auth.ts';
export { defineStorage, type StorageProps } from './define/define-storage.ts';
export { defineFunction, type FunctionProps } from './define/define-function.ts';
export { secret, type BackendSecret } from './define/secret.ts';
export { referenceAuth, type ReferenceAuthProps } from './define/reference-auth.ts';
