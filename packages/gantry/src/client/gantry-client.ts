import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Hash } from '@smithy/hash-node';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Points the AWS profile chain at a Gantry data directory's generated profile files, unless the user has
 * chosen their own with AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE.
 */
export function useDataDirProfiles(dataDir: string): void {
  const config = join(resolve(dataDir), 'aws-config');
  if (!process.env.AWS_CONFIG_FILE && existsSync(config)) {
    process.env.AWS_CONFIG_FILE = config;
    process.env.AWS_SHARED_CREDENTIALS_FILE ||= join(resolve(dataDir), 'credentials');
  }
}

export interface ClientSettings {
  endpoint: string;
  region: string;
  profile: string;
}

/** Endpoint and region the way the AWS SDKs find them: environment first, then the profile. */
export async function resolveClientSettings(): Promise<ClientSettings> {
  const profile = process.env.AWS_PROFILE ?? 'default';
  const { configFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const section = configFile[profile] ?? {};
  const endpoint = process.env.AWS_ENDPOINT_URL ?? section.endpoint_url;
  if (!endpoint)
    throw new Error(`No Gantry endpoint: set AWS_ENDPOINT_URL, or use a profile with endpoint_url (profile '${profile}' has none). Start a server with 'gantry server' to get generated profiles.`);
  return { endpoint: endpoint.replace(/\/$/, ''), region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? section.region ?? 'us-west-2', profile };
}

/** A SigV4-signed JSON request to a Gantry REST endpoint, with credentials from the AWS profile chain. */
export async function signedJson<T = any>(method: string, path: string, options: { service: string; body?: unknown; headers?: Record<string, string> }): Promise<T> {
  const settings = await resolveClientSettings();
  const url = new URL(settings.endpoint + path);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const signer = new SignatureV4({ credentials: profileCredentials(), region: settings.region, service: options.service, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body,
  });
  const response = await fetch(url, { method, headers: signed.headers as Record<string, string>, body });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) throw new Error(`${response.headers.get('x-amzn-errortype')?.split(':')[0] ?? json.code ?? json.__type ?? response.status}: ${json.message ?? text}`);
  return json as T;
}

let chain: ReturnType<typeof fromNodeProviderChain> | undefined;
/** One credential provider per process: it caches what it resolves (a member profile's AssumeRole, once). */
const profileCredentials = () => (chain ??= fromNodeProviderChain());

/** Where and as whom a signed request goes, when it is not the profile chain's choice. */
export interface ExplicitCaller {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** A failed signed request: the HTTP status and the service's error code, kept so callers can tell "absent" from "broken". */
export class SignedRequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SignedRequestError';
  }
}

/**
 * A SigV4-signed JSON request like {@link signedJson}, with explicit endpoint, region and credentials: for
 * callers acting in several accounts at once (each with its own assumed-role credentials).
 */
export async function signedJsonAs<T = any>(caller: ExplicitCaller, method: string, path: string, options: { service: string; body?: unknown }): Promise<T> {
  const url = new URL(caller.endpoint.replace(/\/$/, '') + path);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const signer = new SignatureV4({ credentials: caller.credentials, region: caller.region, service: options.service, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...(body ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  const response = await fetch(url, { method, headers: signed.headers as Record<string, string>, body });
  const text = await response.text();
  let json: any = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { message: text };
  }
  if (!response.ok) throw new SignedRequestError(response.status, String(json.code ?? response.headers.get('x-amzn-errortype')?.split(':')[0] ?? response.status), json.message ?? text);
  return json as T;
}
