/** The user pool a backend's `defineAuth` asks for, in Cognito's terms. */
export interface UserPoolSpec {
  name: string;
  /** Sign in with these instead of a username. */
  usernameAttributes: Array<'email' | 'phone_number'>;
  /** Verified by a code at sign-up. */
  autoVerifiedAttributes: Array<'email' | 'phone_number'>;
  passwordPolicy: { minLength: number; requireLowercase: boolean; requireUppercase: boolean; requireNumbers: boolean; requireSymbols: boolean };
  mfa: 'OFF' | 'OPTIONAL';
  /** The pool's schema: standard attributes by their Cognito name (`email`), custom ones without `custom:`. */
  attributes: Array<{ name: string; dataType: string; mutable: boolean; required: boolean }>;
  /** Cognito groups; a group's precedence is its position. */
  groups: string[];
}

export interface UserPoolIds {
  userPoolId: string;
  /** The web app client (no secret, SRP and refresh flows), as Amplify creates it. */
  clientId: string;
}

/**
 * The small part of the user pools service (`@gantry/auth`) the deploy engine uses, composed by the server as
 * the data plane is, so the engine does not import the auth package.
 */
export interface AuthPlane {
  create(scope: { account: string; region: string }, spec: UserPoolSpec): Promise<UserPoolIds>;
  /** Makes the pool match the spec; its users, and the groups still asked for, are kept. */
  update(ids: UserPoolIds, spec: UserPoolSpec): Promise<void>;
  /** Deletes the pool and its users. Removing an unknown pool is not an error. */
  remove(ids: UserPoolIds): Promise<void>;
}
