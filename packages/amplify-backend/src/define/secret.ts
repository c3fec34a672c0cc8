/**
 * `secret(name)`: a reference to a value set with `ampx sandbox secret set` (or the console's secrets). Gantry
 * records the name only; the value is resolved by whoever deploys the manifest.
 */
const SECRET = Symbol.for('gantry.amplify-backend.secret');

export interface BackendSecret {
  readonly secretName: string;
  /** Real Amplify resolves this to a CDK SecretValue at synth; not available here. */
  resolve(): never;
  resolvePath(): never;
}

export function secret(name: string): BackendSecret {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError('secret(name) needs the secret\'s name, e.g. secret("GOOGLE_CLIENT_ID").');
  }
  const unavailable = (): never => {
    throw new Error(`secret("${name}") can only be referenced in a define* call; its value is not available while the backend is synthesised.`);
  };
  return Object.freeze({ [SECRET]: true, secretName: name, resolve: unavailable, resolvePath: unavailable });
}

export function isSecret(value: unknown): value is BackendSecret {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SECRET] === true;
}
