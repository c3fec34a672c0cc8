/** The identity pool a backend's `defineAuth` comes with, over the backend's user pool and web client. */
export interface IdentityPoolSpec {
  /** Names the pool and its two roles. */
  name: string;
  allowUnauthenticated: boolean;
  userPoolId: string;
  clientId: string;
}

export interface IdentityPoolIds {
  identityPoolId: string;
  /** The role signed-in users get (Amplify's `authRole`). */
  authenticatedRoleArn: string;
  /** The role guests get (Amplify's `unauthRole`). */
  unauthenticatedRoleArn: string;
}

/**
 * The part of the identity pools service (`@gantry/auth`) the deploy engine uses, composed by the server as
 * the auth plane is, so the engine does not import the auth package.
 */
export interface IdentityPoolPlane {
  create(scope: { account: string; region: string }, spec: IdentityPoolSpec): Promise<IdentityPoolIds>;
  /** Makes the pool and its roles match the spec; identities are kept. */
  update(ids: IdentityPoolIds, spec: IdentityPoolSpec): Promise<void>;
  /** Deletes the pool, its identities and its roles. Removing an unknown pool is not an error. */
  remove(ids: IdentityPoolIds): Promise<void>;
}
