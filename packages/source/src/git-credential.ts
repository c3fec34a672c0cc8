import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

export type GitCredentialOperation = 'get' | 'store' | 'erase';

export interface AwsCredentialsLike {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface GitCredentialOptions {
  /**
   * The Gantry server the helper answers for: only requests to this host (and port) get credentials.
   * @default AWS_ENDPOINT_URL_CODECOMMIT, else AWS_ENDPOINT_URL, else the profile's `endpoint_url`
   * @example 'http://127.0.0.1:4750'
   */
  endpoint?: string;
  /** @default AWS_PROFILE, else 'default' */
  profile?: string;
  /** Where the credentials come from. @default the AWS SDK's node provider chain (env, profiles, SSO, roles…) */
  credentials?: () => Promise<AwsCredentialsLike>;
}

/**
 * A git credential helper (git's `credential.helper` protocol: attributes `key=value`, one per line, on
 * stdin; the answer the same way on stdout) that hands git the caller's AWS credentials in the form the
 * source service accepts: `username=<accessKeyId>`, `password=<secretAccessKey>` (temporary credentials:
 * `<secretAccessKey>:<sessionToken>`).
 *
 *     git -c credential.helper='!npx gantry git-credential' clone http://127.0.0.1:4750/git/default/default/app
 *
 * Credentials are only given to the Gantry server: the request's host must be the configured endpoint's
 * (so the helper may even be configured globally without leaking keys to other git hosts). With no endpoint
 * configured it answers only when git passes a path under `git/` (which needs `credential.useHttpPath`).
 * `store` and `erase` do nothing: the credentials live in the AWS configuration, not in the helper.
 * An empty answer lets git fall through to its next helper or prompt.
 */
export async function gitCredential(operation: GitCredentialOperation, input: string, options: GitCredentialOptions = {}): Promise<string> {
  if (operation !== 'get') return '';
  const request = parseCredentialInput(input);
  if (request.protocol !== 'http' && request.protocol !== 'https') return '';
  if (request.path !== undefined && !request.path.replace(/^\//, '').startsWith('git/')) return '';
  const endpoint = options.endpoint ?? (await configuredEndpoint(options.profile));
  if (endpoint) {
    if (!request.host || request.host.toLowerCase() !== endpointHost(endpoint)) return '';
  } else if (request.path === undefined) return '';

  const provider = options.credentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  const credentials = await provider();
  // A user name written into the remote URL chooses the key; another key's secret must not answer it.
  if (request.username && request.username !== credentials.accessKeyId) return '';
  const password = credentials.sessionToken ? `${credentials.secretAccessKey}:${credentials.sessionToken}` : credentials.secretAccessKey;
  return `username=${credentials.accessKeyId}\npassword=${password}\n`;
}

interface CredentialRequest {
  protocol?: string;
  host?: string;
  path?: string;
  username?: string;
}

/** Reads git's attributes; `url=` (sent by newer gits) is split into its parts. */
export function parseCredentialInput(input: string): CredentialRequest {
  const request: CredentialRequest = {};
  for (const line of input.split('\n')) {
    if (line.trim() === '') break;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).replace(/\r$/, '');
    if (key === 'protocol' || key === 'host' || key === 'path' || key === 'username') request[key] = value;
    else if (key === 'url') {
      try {
        const url = new URL(value);
        request.protocol ??= url.protocol.replace(/:$/, '');
        request.host ??= url.host;
        if (url.pathname.length > 1) request.path ??= url.pathname.slice(1);
        if (url.username) request.username ??= decodeURIComponent(url.username);
      } catch {
        // Not a URL: ignored like any unknown attribute.
      }
    }
  }
  return request;
}

/** `host[:port]` of the endpoint as git writes `host=` (no port when it is the scheme's default). */
function endpointHost(endpoint: string): string | undefined {
  try {
    return new URL(endpoint).host.toLowerCase();
  } catch {
    return undefined;
  }
}

async function configuredEndpoint(profile = process.env.AWS_PROFILE ?? 'default'): Promise<string | undefined> {
  const fromEnv = process.env.AWS_ENDPOINT_URL_CODECOMMIT ?? process.env.AWS_ENDPOINT_URL;
  if (fromEnv) return fromEnv;
  try {
    const { configFile } = await loadSharedConfigFiles({ ignoreCache: true });
    return configFile[profile]?.endpoint_url;
  } catch {
    return undefined;
  }
}
