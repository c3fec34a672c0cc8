import type { AuthorizationType } from '../manifest.ts';

/** An API key the data API must accept until it expires. */
export interface DataApiKey {
  /** The key itself (`da2-…`): AppSync's key id is the secret clients send in `x-api-key`. */
  id: string;
  expiresAt: Date;
}

/** Everything the data plane needs to serve one API. */
export interface DataApiSpec {
  /** The Amplify-directive SDL the API is generated from. */
  sdl: string;
  modelIntrospection: Record<string, unknown>;
  apiKeys: DataApiKey[];
  defaultAuthorizationType: AuthorizationType;
  additionalAuthorizationTypes: AuthorizationType[];
  /** The stack's user pool, whose tokens AMAZON_COGNITO_USER_POOLS requests carry. */
  userPoolId?: string;
  /** The functions custom operations invoke: `@function(name:)` → deployed function name, in the API's account and region. */
  functions?: { scope: { account: string; region: string }; handlers: Record<string, string> };
  /** May the change drop models (and their items)? The engine has already checked; the plane may check again. */
  allowDestructive: boolean;
}

/** The data plane's view of a change, in words: what changes and what is deleted for good. */
export interface DataChangeSummary {
  details: string[];
  deletes: string[];
}

/**
 * The small part of the data plane (`@gantry/data`) the deploy engine uses. The server composes it with a
 * thin adapter, so the engine neither imports the data package nor knows how items are stored.
 */
export interface DataPlane {
  /** Optional dry run: what `deploy` would change, or a thrown error when the SDL cannot be served. */
  plan?(apiId: string, spec: DataApiSpec): Promise<DataChangeSummary>;
  /** Creates or updates the API (idempotent for the same spec). */
  deploy(apiId: string, spec: DataApiSpec): Promise<void>;
  /** Deletes the API and all its items. Removing an unknown API is not an error. */
  remove(apiId: string): Promise<void>;
}
