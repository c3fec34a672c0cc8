import { AmplifyClient } from '@aws-sdk/client-amplify';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ORGANIZATION_ACCESS_ROLE } from '@gantry/iam';
import { signedJsonAs, SignedRequestError, type ExplicitCaller } from '../client/gantry-client.ts';
import type { DemoServer } from './demo-server.ts';

export interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

const READ_ATTEMPTS = 6;

/** fetch's own failure (no HTTP answer at all), as opposed to an error the server answered with. */
const isConnectionFailure = (error: unknown): boolean => error instanceof TypeError && error.message === 'fetch failed';

/** fetch says only "fetch failed": the cause says why (refused, reset, timed out). */
function withCause(error: unknown): unknown {
  if (!isConnectionFailure(error)) return error;
  const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
  return new Error(`the server did not answer: ${cause?.code ?? ''} ${cause?.message ?? ''}`.trim(), { cause: error });
}

/** Where the management account's spaces live: the CodeCatalyst-style API is not regional, any region signs. */
const HOME_REGION = 'us-west-2';

/** The demo's clients: every call is a real signed request to the server, as an SDK or the CLI would make it. */
export class DemoSession {
  constructor(readonly server: DemoServer) {}

  get admin(): Credentials {
    return this.server.admin;
  }

  /** Administrator credentials in a member account, the AWS Organizations way: its OrganizationAccountAccessRole. */
  async memberAdmin(accountId: string, accountName: string, region: string): Promise<Credentials> {
    // Asked in the account's default region, as its profile is set up.
    const sts = new STSClient({ endpoint: this.server.url, region, credentials: this.admin, maxAttempts: 1 });
    const out = await sts.send(new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${ORGANIZATION_ACCESS_ROLE}`, RoleSessionName: `gantry-demo-${accountName}`,
    }));
    return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
  }

  iam(credentials: Credentials, region: string): IAMClient {
    return new IAMClient({ endpoint: this.server.url, region, credentials, maxAttempts: 3 });
  }

  amplify(credentials: Credentials, region: string): AmplifyClient {
    return new AmplifyClient({ endpoint: this.server.url, region, credentials, maxAttempts: 3 });
  }

  /** A signed REST-JSON call (`codecatalyst` for `/v1`, `organizations` for accounts, `cloudformation` for backends). */
  async call<T = any>(service: string, method: string, path: string, options: { credentials?: Credentials; region?: string; body?: unknown } = {}): Promise<T> {
    const caller: ExplicitCaller = { endpoint: this.server.url, region: options.region ?? HOME_REGION, credentials: options.credentials ?? this.admin };
    const send = () => signedJsonAs<T>(caller, method, path, { service, ...(options.body === undefined ? {} : { body: options.body }) });
    // Reads are repeated when the connection itself failed: a server busy with a large build (possibly this very
    // process) can miss a connect deadline, which says nothing about the pipeline being followed.
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (method !== 'GET' || attempt >= READ_ATTEMPTS || !isConnectionFailure(error)) throw withCause(error);
        await new Promise((resolve) => setTimeout(resolve, 2000 * attempt));
      }
    }
  }

  /** Like {@link call}, but a 404 answers `undefined`: for look-ups before creating. */
  async find<T = any>(service: string, path: string, options: { credentials?: Credentials; region?: string } = {}): Promise<T | undefined> {
    try {
      return await this.call<T>(service, 'GET', path, options);
    } catch (error) {
      if (error instanceof SignedRequestError && error.status === 404) return undefined;
      throw error;
    }
  }
}
