import { GantryError } from '@gantry/core';
import type { StackOutputs } from '../engine/engine-types.ts';
import { AUTH_OUTPUT_KEY } from '../providers/auth-provider.ts';
import { CUSTOM_OUTPUT_KEY } from '../providers/custom-outputs-provider.ts';
import { GRAPHQL_OUTPUT_KEY } from '../providers/data-provider.ts';
import { IDENTITY_POOL_OUTPUT_KEY } from '../providers/identity-pool-provider.ts';
import { STORAGE_OUTPUT_KEY } from '../providers/storage-provider.ts';

/** The amplify_outputs.json versions `ampx --outputs-version` offers (v0, the Gen 1 format, is not). */
export const CLIENT_CONFIG_VERSIONS = ['1', '1.1', '1.2', '1.3', '1.4', '1.5'] as const;
export type ClientConfigVersion = (typeof CLIENT_CONFIG_VERSIONS)[number];
/** What the template's locked CLI (client-config 1.5.0) writes. */
export const DEFAULT_CLIENT_CONFIG_VERSION: ClientConfigVersion = '1.3';

export type ClientConfig = Record<string, unknown> & { version: string };

const STANDARD_ATTRIBUTES = new Set(['address', 'birthdate', 'email', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name',
  'nickname', 'phone_number', 'picture', 'preferred_username', 'profile', 'sub', 'updated_at', 'website', 'zoneinfo']);

const parse = <T>(text: string | undefined, fallback: T): T => {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

const at = (version: ClientConfigVersion, minimum: ClientConfigVersion): boolean =>
  CLIENT_CONFIG_VERSIONS.indexOf(version) >= CLIENT_CONFIG_VERSIONS.indexOf(minimum);

/**
 * amplify_outputs.json for a stack's outputs, in the shape of one schema version. Fields a version does not
 * know are left out (its schema forbids additional properties). Version "1" is written as "1.1": the
 * official schema_v1.json pins `version` to "1.1", and that file is what clients validate against.
 */
export function buildClientConfig(outputs: StackOutputs, options: { version?: string } = {}): ClientConfig {
  const version = (options.version ?? DEFAULT_CLIENT_CONFIG_VERSION) as ClientConfigVersion;
  if (!CLIENT_CONFIG_VERSIONS.includes(version))
    throw new GantryError('ValidationError', `Unsupported outputs version ${JSON.stringify(options.version)}: use one of ${CLIENT_CONFIG_VERSIONS.join(', ')}.`);
  const config: ClientConfig = { version: version === '1' ? '1.1' : version };
  const auth = outputs[AUTH_OUTPUT_KEY]?.payload;
  if (auth) config.auth = authSection(auth, version);
  const identityPool = outputs[IDENTITY_POOL_OUTPUT_KEY]?.payload;
  if (auth && identityPool) Object.assign(config.auth as object, { identity_pool_id: identityPool.identityPoolId, unauthenticated_identities_enabled: identityPool.allowUnauthenticatedIdentities !== 'false' });
  const storage = outputs[STORAGE_OUTPUT_KEY]?.payload;
  if (storage) config.storage = storageSection(storage);
  const data = outputs[GRAPHQL_OUTPUT_KEY]?.payload;
  if (data) config.data = dataSection(data);
  const custom = outputs[CUSTOM_OUTPUT_KEY]?.payload.customOutputs;
  // addOutput payloads merge over the generated sections, as Amplify's client config generator does.
  if (custom) deepMerge(config, parse<Record<string, unknown>>(custom, {}));
  config.version = version === '1' ? '1.1' : version;
  return config;
}

function dataSection(p: Record<string, string>): Record<string, unknown> {
  const data: Record<string, unknown> = {
    aws_region: p.awsAppsyncRegion,
    url: p.awsAppsyncApiEndpoint,
    default_authorization_type: p.awsAppsyncAuthenticationType,
    authorization_types: p.awsAppsyncAdditionalAuthenticationTypes ? p.awsAppsyncAdditionalAuthenticationTypes.split(',') : [],
  };
  if (p.awsAppsyncApiKey) data.api_key = p.awsAppsyncApiKey;
  if (p.amplifyApiModelIntrospection) data.model_introspection = parse(p.amplifyApiModelIntrospection, {});
  return data;
}

/** Amplify's storage payload → the outputs' `storage` section (`buckets` with their path rules). */
function storageSection(p: Record<string, string>): Record<string, unknown> {
  const buckets = parse<Array<{ name: string; bucketName: string; storageRegion: string; paths?: Record<string, unknown> }>>(p.buckets, []);
  return {
    aws_region: p.storageRegion,
    bucket_name: p.bucketName,
    buckets: buckets.map((b) => ({ name: b.name, bucket_name: b.bucketName, aws_region: b.storageRegion, ...(b.paths && { paths: b.paths }) })),
  };
}

function authSection(p: Record<string, string>, version: ClientConfigVersion): Record<string, unknown> {
  const auth: Record<string, unknown> = { aws_region: p.authRegion, user_pool_id: p.userPoolId, user_pool_client_id: p.webClientId };
  if (p.identityPoolId) auth.identity_pool_id = p.identityPoolId;
  if (p.passwordPolicyMinLength) {
    const requirements = parse<string[]>(p.passwordPolicyRequirements, []);
    auth.password_policy = {
      min_length: Number(p.passwordPolicyMinLength),
      require_numbers: requirements.includes('REQUIRES_NUMBERS'),
      require_lowercase: requirements.includes('REQUIRES_LOWERCASE'),
      require_uppercase: requirements.includes('REQUIRES_UPPERCASE'),
      require_symbols: requirements.includes('REQUIRES_SYMBOLS'),
    };
  }
  // The schemas only know standard attributes here; custom ones (`custom:tier`) are not listed.
  auth.standard_required_attributes = parse<string[]>(p.signupAttributes, []).filter((a) => STANDARD_ATTRIBUTES.has(a));
  const usernames = parse<string[]>(p.usernameAttributes, []);
  if (usernames.length) auth.username_attributes = usernames; // the schema wants at least one when present
  auth.user_verification_types = parse<string[]>(p.verificationMechanisms, []);
  auth.unauthenticated_identities_enabled = p.allowUnauthenticatedIdentities !== 'false';
  auth.mfa_configuration = p.mfaConfiguration === 'ON' ? 'REQUIRED' : p.mfaConfiguration === 'OPTIONAL' ? 'OPTIONAL' : 'NONE';
  // EMAIL as an MFA method arrived in 1.4.
  auth.mfa_methods = parse<string[]>(p.mfaTypes, []).filter((m) => m !== 'EMAIL' || at(version, '1.4'));
  if (at(version, '1.3')) auth.groups = parse<Array<Record<string, { precedence: number }>>>(p.groups, []);
  return auth;
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(existing) && isPlainObject(value)) deepMerge(existing, value);
    else target[key] = value;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
