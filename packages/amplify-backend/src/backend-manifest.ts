/**
 * The backend manifest: what an app's `amplify/` folder asks for, as plain JSON. `loadBackend` produces it by
 * running the app's `amplify/backend.ts` against Gantry's `@aws-amplify/backend`; the backend deploy engine
 * plans and applies it, and the outputs writer turns the deployed result into `amplify_outputs.json`.
 *
 * Files are relative to the app directory with `/` separators, so a manifest is the same on every machine
 * (it is part of a release's content-addressed artifact).
 */
export interface BackendManifest {
  /** Bumped on any incompatible change. */
  manifestVersion: 1;
  /** `defineData`, when the backend has one. */
  data?: DataManifest;
  /** `defineAuth`, when the backend has one. */
  auth?: AuthManifest;
  /** Every `defineStorage` in the backend (first is the default unless one says `isDefault`). */
  storage?: StorageManifest[];
  /** Every `defineFunction` passed to defineBackend or referenced by another resource. */
  functions?: FunctionManifest[];
  /** `backend.addOutput(...)` payloads, deep-merged: the `custom` block and friends of amplify_outputs.json. */
  customOutputs?: Record<string, unknown>;
  /**
   * Everything the app asked for that Gantry does not implement (yet). Listed, never silently dropped.
   * Whether any of these fails a deploy is the caller's decision (e.g. a strict mode that refuses, or a
   * plan that shows them as warnings); loadBackend itself never fails because of them.
   */
  unsupported: UnsupportedConstruct[];
}

export interface UnsupportedConstruct {
  /**
   * What was used, by the name the app wrote, e.g. `defineStorage`, `defineAuth triggers.postConfirmation`,
   * `backend.data.resources.cfnResources.cfnGraphqlApi.xrayEnabled`, `@auth(allow: owner) on Todo`.
   */
  construct: string;
  /** The app file that used it (relative to the app dir). */
  file: string;
  line?: number;
  /** What Gantry does about it and what the app can do instead. */
  hint: string;
}

/** AppSync authorization types, as amplify_outputs.json and AppSync name them. */
export type AppSyncAuthorizationType = 'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

/** Amplify's camelCase authorization mode names (`defaultAuthorizationMode` in defineData). */
export type AuthorizationModeName = 'apiKey' | 'userPool' | 'identityPool' | 'iam' | 'oidc' | 'lambda';

export interface DataManifest {
  /** `defineData({ name })`. @default undefined (Amplify calls the API "amplifyData") */
  name?: string;
  /** The file that called defineData. */
  file: string;
  /**
   * The Amplify-directive SDL (`schema.transform().schema`; several joined with a newline for
   * `a.combine`). This is the transformer's input, not the final AppSync schema.
   */
  schema: string;
  /**
   * `model_introspection` for amplify_outputs.json, exactly as `@aws-amplify/graphql-generator`
   * `generateModels({ schema, target: 'introspection' })` makes it from `schema`. Absent when loadBackend was
   * told not to generate it (the Gantry server derives it from `schema`).
   */
  modelIntrospection?: Record<string, unknown>;
  /** The API's default mode, resolved the way Amplify does (explicit value, else userPool with auth, else apiKey). */
  defaultAuthorizationMode: AuthorizationModeName;
  /** The same as `default_authorization_type` in amplify_outputs.json. */
  defaultAuthorizationType: AppSyncAuthorizationType;
  /** Every enabled mode, default first (Amplify names). */
  authorizationModes: AuthorizationModeName[];
  /** Every enabled mode except the default: `authorization_types` in amplify_outputs.json. */
  additionalAuthorizationTypes: AppSyncAuthorizationType[];
  /** Present when API-key auth is enabled. */
  /** Custom operations' `@function(name:)` handlers: the directive's name → the defineFunction name it stands for. */
  functionHandlers?: Record<string, string>;
  apiKey?: {
    /** @default 7 (Amplify's default) */
    expiresInDays: number;
    description?: string;
  };
}

export interface AuthManifest {
  /** `defineAuth({ name })`. */
  name?: string;
  file: string;
  loginWith: {
    email?: {
      verificationEmailStyle: 'CODE' | 'LINK';
      verificationEmailSubject?: string;
      /** The body with the code placeholder Cognito uses (`{####}`, or `{##Verify Email##}` for links). */
      verificationEmailBody?: string;
      otpLogin?: boolean;
    };
    phone?: { verificationMessage?: string; otpLogin?: boolean };
    /** Names of configured external providers and the OAuth settings (secrets by name only). */
    externalProviders?: {
      providers: string[];
      callbackUrls: string[];
      logoutUrls: string[];
      scopes?: string[];
      domainPrefix?: string;
    };
    webAuthn?: boolean | Record<string, unknown>;
  };
  /** Cognito username attributes: `email` and/or `phone_number` (amplify_outputs `username_attributes`). */
  usernameAttributes: Array<'email' | 'phone_number'>;
  /** Attributes Cognito verifies (amplify_outputs `user_verification_types`). */
  verificationMechanisms: Array<'email' | 'phone_number'>;
  /**
   * Attributes by Cognito name (`given_name`, `phone_number`, `custom:tier`), with Amplify's camelCase
   * names translated. Login attributes are always present and required.
   */
  userAttributes: Record<string, { required: boolean; mutable: boolean; dataType?: string; custom: boolean }>;
  /** Names of standard attributes that are required (amplify_outputs `standard_required_attributes`). */
  standardRequiredAttributes: string[];
  groups: string[];
  mfa: { mode: 'OFF' | 'OPTIONAL' | 'REQUIRED'; types: Array<'SMS' | 'TOTP' | 'EMAIL'> };
  accountRecovery: string;
  /** Amplify's defaults (Cognito's): 8 characters, all four character classes. */
  passwordPolicy: {
    minLength: number;
    requireLowercase: boolean;
    requireUppercase: boolean;
    requireNumbers: boolean;
    requireSymbols: boolean;
  };
  /** Guest (unauthenticated identity pool) access, on by default in Amplify. */
  unauthenticatedIdentitiesEnabled: boolean;
}

export interface StorageManifest {
  name: string;
  file: string;
  isDefault: boolean;
  /**
   * Path rules as amplify_outputs.json `storage.buckets[].paths` writes them:
   * `{ 'media/*': { guest: ['get','list'], authenticated: [...], entityidentity: [...], groupsadmin: [...] } }`
   * (`read` expands to `get` + `list`; function grants are omitted and listed as unsupported).
   */
  paths: Record<string, Record<string, string[]>>;
}

export interface FunctionManifest {
  name: string;
  file: string;
  /** Absolute entry file would leak the build machine: relative to the app dir. */
  entry?: string;
  timeoutSeconds: number;
  memoryMB: number;
  runtime: number;
  /** Plain values as given; secrets as `{ secret: name }`. */
  environment: Record<string, string | { secret: string }>;
  schedule?: string[];
  /** True when defined with a CDK provider function rather than props. */
  custom: boolean;
  /** The handler bundled into one CommonJS file (its `handler` export is the Lambda handler). */
  code?: string;
}
