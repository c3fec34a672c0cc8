import type { Scope } from './hosting-context.ts';

/**
 * The account's Parameter Store, as hosting reads it for the account's own apps (no API caller is involved:
 * a build or a compute server acting for its app). The server wires it to the parameters service.
 */
export interface SecretParameters {
  /** Every parameter under `path` (ending in `/`), at every level, decrypted, by its full name. */
  readTree(scope: Scope, path: string): Promise<Map<string, string>>;
}

/** A name that can be an environment variable of a compute server. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An app's environment secrets for a branch, where Amplify keeps them: `/amplify/shared/<appId>/<name>` for every
 * branch, overlaid with `/amplify/<appId>/<branch>/<name>`; keyed by `<name>`. Builds get them as the JSON
 * variable `secrets` (as on Amplify), compute servers as variables of their own names.
 */
export async function branchSecrets(parameters: SecretParameters | undefined, scope: Scope, appId: string, branch: string): Promise<Record<string, string>> {
  if (!parameters) return {};
  const secrets: Record<string, string> = {};
  for (const prefix of [`/amplify/shared/${appId}/`, `/amplify/${appId}/${branch}/`]) {
    for (const [name, value] of await parameters.readTree(scope, prefix)) secrets[name.slice(prefix.length)] = value;
  }
  return secrets;
}

/** The secrets that can be environment variables (names such as `API_KEY`), for a compute server. */
export const secretVariables = (secrets: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(secrets).filter(([name]) => VARIABLE_NAME.test(name)));
