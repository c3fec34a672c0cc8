import { GantryError } from '@gantry/core';

/**
 * The part of `@gantry/amplify-backend`'s `BackendManifest` the deploy engine reads. It is declared here,
 * structurally, so this package does not depend on the synthesiser: a manifest from that package is
 * assignable to this type as it is.
 */
export interface BackendManifest {
  manifestVersion: 1;
  data?: DataManifest;
  auth?: AuthManifest;
  /** Present but not deployable yet: a non-empty list fails the plan. */
  storage?: Array<{ name: string; file: string }>;
  functions?: Array<{ name: string; file: string }>;
  /** `backend.addOutput(...)` payloads, merged into amplify_outputs.json. */
  customOutputs?: Record<string, unknown>;
  /** Constructs the app used that Gantry does not implement; any entry fails the plan. */
  unsupported: UnsupportedConstruct[];
}

export interface UnsupportedConstruct {
  construct: string;
  file: string;
  line?: number;
  hint?: string;
}

export const AUTHORIZATION_TYPES = ['API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT', 'AWS_LAMBDA'] as const;
export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];
export type AuthorizationModeName = 'apiKey' | 'userPool' | 'identityPool' | 'iam' | 'oidc' | 'lambda';

/** Amplify's camelCase mode names → AppSync authorization types. */
export const MODE_TO_TYPE: Record<AuthorizationModeName, AuthorizationType> = {
  apiKey: 'API_KEY', userPool: 'AMAZON_COGNITO_USER_POOLS', identityPool: 'AWS_IAM', iam: 'AWS_IAM', oidc: 'OPENID_CONNECT', lambda: 'AWS_LAMBDA',
};

export interface DataManifest {
  name?: string;
  file?: string;
  /** Amplify-directive SDL (the transformer's input). */
  schema: string;
  /** `model_introspection` of amplify_outputs.json; {@link readManifest} derives it from `schema` when absent. */
  modelIntrospection: Record<string, unknown>;
  defaultAuthorizationMode?: AuthorizationModeName;
  /** Wins over `defaultAuthorizationMode` when both are given. */
  defaultAuthorizationType?: AuthorizationType;
  authorizationModes?: AuthorizationModeName[];
  additionalAuthorizationTypes?: AuthorizationType[];
  /** Present when API-key auth is enabled. */
  apiKey?: { expiresInDays?: number; description?: string };
  /** Custom operations' `@function(name:)` → the defineFunction name it stands for. */
  functionHandlers?: Record<string, string>;
}

export interface AuthManifest {
  name?: string;
  file?: string;
  loginWith?: Record<string, unknown>;
  usernameAttributes?: Array<'email' | 'phone_number'>;
  verificationMechanisms?: Array<'email' | 'phone_number'>;
  userAttributes?: Record<string, { required: boolean; mutable: boolean; dataType?: string; custom: boolean }>;
  standardRequiredAttributes?: string[];
  groups?: string[];
  mfa?: { mode: 'OFF' | 'OPTIONAL' | 'REQUIRED'; types: Array<'SMS' | 'TOTP' | 'EMAIL'> };
  passwordPolicy?: { minLength: number; requireLowercase: boolean; requireUppercase: boolean; requireNumbers: boolean; requireSymbols: boolean };
  unauthenticatedIdentitiesEnabled?: boolean;
}

const invalid = (path: string, problem: string): GantryError =>
  new GantryError('ValidationError', `Malformed backend manifest: ${path} ${problem}. Synthesise it again with \`ampx\` from the app's amplify/ folder.`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringArray(v: unknown, path: string, allowed?: readonly string[]): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalid(path, 'must be an array of strings');
  const bad = allowed && v.find((x) => !allowed.includes(x));
  if (bad) throw invalid(path, `contains ${JSON.stringify(bad)}; allowed: ${allowed!.join(', ')}`);
}

/**
 * A manifest from a request, checked and completed: the first wrong field is named; unknown fields are kept
 * (newer synthesisers may add some) and stored with the deployment; a data schema without model introspection
 * gets it derived from its SDL.
 */
export async function readManifest(value: unknown, introspectionOf: (sdl: string) => Promise<Record<string, unknown>>): Promise<BackendManifest> {
  const manifest = validateManifest(value);
  const data = manifest.data;
  if (data && data.modelIntrospection === undefined) {
    try {
      data.modelIntrospection = await introspectionOf(data.schema);
    } catch (error) {
      throw new GantryError('ValidationError', `The data schema${data.file ? ` defined in ${data.file}` : ''} is not one Amplify can generate models from: ${(error as Error).message}. Fix the schema, then deploy again.`);
    }
  }
  return manifest;
}

/** Checks the shape of a manifest, naming the first wrong field; only what the engine reads is checked. */
function validateManifest(value: unknown): BackendManifest {
  if (!isObject(value)) throw invalid('manifest', 'must be a JSON object');
  if (value.manifestVersion !== 1) throw invalid('manifest.manifestVersion', `must be 1 (got ${JSON.stringify(value.manifestVersion)})`);
  if (!Array.isArray(value.unsupported)) throw invalid('manifest.unsupported', 'must be an array (empty when everything is supported)');
  value.unsupported.forEach((u, i) => {
    if (!isObject(u) || typeof u.construct !== 'string' || typeof u.file !== 'string') throw invalid(`manifest.unsupported[${i}]`, 'must be { construct, file }');
  });
  if (value.data !== undefined) validateData(value.data);
  if (value.auth !== undefined) validateAuth(value.auth);
  for (const key of ['storage', 'functions'] as const) {
    const list = value[key];
    if (list !== undefined && (!Array.isArray(list) || !list.every((x) => isObject(x) && typeof x.name === 'string'))) throw invalid(`manifest.${key}`, 'must be an array of { name, file }');
  }
  if (value.customOutputs !== undefined && !isObject(value.customOutputs)) throw invalid('manifest.customOutputs', 'must be an object');
  return value as unknown as BackendManifest;
}

function validateData(data: unknown): void {
  if (!isObject(data)) throw invalid('manifest.data', 'must be an object');
  if (typeof data.schema !== 'string' || !data.schema.trim()) throw invalid('manifest.data.schema', 'must be the non-empty SDL of the data schema');
  if (data.modelIntrospection !== undefined && !isObject(data.modelIntrospection)) throw invalid('manifest.data.modelIntrospection', 'must be the model introspection object, or be left out');
  if (data.defaultAuthorizationType !== undefined && !AUTHORIZATION_TYPES.includes(data.defaultAuthorizationType as AuthorizationType))
    throw invalid('manifest.data.defaultAuthorizationType', `must be one of ${AUTHORIZATION_TYPES.join(', ')}`);
  const modes = Object.keys(MODE_TO_TYPE);
  if (data.defaultAuthorizationMode !== undefined && !modes.includes(data.defaultAuthorizationMode as string))
    throw invalid('manifest.data.defaultAuthorizationMode', `must be one of ${modes.join(', ')}`);
  if (data.defaultAuthorizationType === undefined && data.defaultAuthorizationMode === undefined)
    throw invalid('manifest.data', 'needs defaultAuthorizationType or defaultAuthorizationMode');
  stringArray(data.authorizationModes, 'manifest.data.authorizationModes', modes);
  stringArray(data.additionalAuthorizationTypes, 'manifest.data.additionalAuthorizationTypes', AUTHORIZATION_TYPES);
  if (data.apiKey !== undefined) {
    if (!isObject(data.apiKey)) throw invalid('manifest.data.apiKey', 'must be an object { expiresInDays }');
    const days = data.apiKey.expiresInDays;
    // AppSync accepts API keys valid for 1 to 365 days.
    if (days !== undefined && (!Number.isInteger(days) || (days as number) < 1 || (days as number) > 365))
      throw invalid('manifest.data.apiKey.expiresInDays', 'must be a whole number of days from 1 to 365');
  }
}

function validateAuth(auth: unknown): void {
  if (!isObject(auth)) throw invalid('manifest.auth', 'must be an object');
  stringArray(auth.usernameAttributes, 'manifest.auth.usernameAttributes', ['email', 'phone_number']);
  stringArray(auth.verificationMechanisms, 'manifest.auth.verificationMechanisms', ['email', 'phone_number']);
  stringArray(auth.standardRequiredAttributes, 'manifest.auth.standardRequiredAttributes');
  stringArray(auth.groups, 'manifest.auth.groups');
  const policy = auth.passwordPolicy;
  if (policy !== undefined) {
    if (!isObject(policy)) throw invalid('manifest.auth.passwordPolicy', 'must be an object');
    const min = policy.minLength;
    if (!Number.isInteger(min) || (min as number) < 6 || (min as number) > 99) throw invalid('manifest.auth.passwordPolicy.minLength', 'must be a whole number from 6 to 99');
  }
  if (auth.mfa !== undefined) {
    if (!isObject(auth.mfa) || !['OFF', 'OPTIONAL', 'REQUIRED'].includes(auth.mfa.mode as string)) throw invalid('manifest.auth.mfa.mode', 'must be OFF, OPTIONAL or REQUIRED');
    stringArray(auth.mfa.types, 'manifest.auth.mfa.types', ['SMS', 'TOTP', 'EMAIL']);
  }
}
