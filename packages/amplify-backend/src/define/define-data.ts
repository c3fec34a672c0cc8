import { captureCallSite } from './call-site.ts';
import { makeFactory, type ResourceFactory } from './factory.ts';
import { recordDefinition } from './registry.ts';

/** Authorization modes as Amplify names them (camelCase). `identityPool` and `iam` both mean AWS_IAM. */
export type DefaultAuthorizationMode = 'iam' | 'identityPool' | 'userPool' | 'oidc' | 'apiKey' | 'lambda';

export interface ApiKeyAuthorizationModeProps {
  description?: string;
  /**
   * Days from deploy until the API key expires.
   * @default 7
   */
  expiresInDays?: number;
}

export interface LambdaAuthorizationModeProps {
  /** A `defineFunction(...)` result. */
  function: unknown;
  /** @default 60 */
  timeToLiveInSeconds?: number;
}

export interface OIDCAuthorizationModeProps {
  oidcProviderName: string;
  oidcIssuerUrl: string;
  clientId?: string;
  tokenExpiryFromAuthInSeconds: number;
  tokenExpireFromIssueInSeconds: number;
}

export interface AuthorizationModes {
  /** Only required when more than one mode is enabled. */
  defaultAuthorizationMode?: DefaultAuthorizationMode;
  apiKeyAuthorizationMode?: ApiKeyAuthorizationModeProps;
  lambdaAuthorizationMode?: LambdaAuthorizationModeProps;
  oidcAuthorizationMode?: OIDCAuthorizationModeProps;
  allowListedRoleNames?: string[];
}

/** A schema built with `a.schema(...)`: anything with `transform()` returning the Amplify-directive SDL. */
export interface TransformableSchema {
  transform(): { schema: string };
}

/** `a.combine([...])`. */
export interface CombinedSchema {
  schemas: readonly TransformableSchema[];
}

/** A raw GraphQL string, an `a.schema(...)`, or `a.combine([...])`. */
export type DataSchemaInput = string | TransformableSchema | CombinedSchema;

export interface DataProps {
  schema: DataSchemaInput;
  /** Name of the API. @default the name Amplify derives ("amplifyData"). */
  name?: string;
  authorizationModes?: AuthorizationModes;
  /** Functions invokable by the API (Amplify-specific). */
  functions?: Record<string, unknown>;
  /** SQL data sources. Not supported by Gantry. */
  schemaConfiguration?: unknown;
  logging?: unknown;
}

export type DataFactory = ResourceFactory<'data'>;

/** Gantry's `defineData`: records the schema and authorization modes. */
export function defineData(props: DataProps): DataFactory {
  const callSite = captureCallSite();
  if (!props || typeof props !== 'object' || props.schema === undefined || props.schema === null) {
    throw new TypeError('defineData({ schema }) needs a schema: pass the result of a.schema({...}).');
  }
  const id = recordDefinition({ kind: 'data', props, callSite });
  return makeFactory('data', id, 'defineData');
}
