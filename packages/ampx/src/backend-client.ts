import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { AmpxError } from './ampx-error.ts';
import type { AwsContext } from './aws-context.ts';

export interface BackendIdentifier { namespace: string; name: string; type: 'branch' | 'sandbox' }

export interface Deployment {
  deploymentId: string;
  status: string;
  error?: string;
  plan?: unknown;
}

/** The bootstrap deploy role of `cdk bootstrap` (created by `gantry bootstrap`). */
export const deployRoleArn = (account: string, region: string): string =>
  `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${region}`;

/**
 * One event of a deployment, as the server's `GET /stacks/{stackName}/events` answers it: CloudFormation's
 * DescribeStackEvents names (`StackEvent`), the same the real CLI reads.
 */
export interface DeploymentEvent {
  seq?: number;
  timestamp?: string;
  logicalResourceId?: string;
  resourceType?: string;
  physicalResourceId?: string;
  resourceStatus?: string;
  resourceStatusReason?: string;
}

/** Signed calls to Gantry's backend deploy API (`/_gantry/backends`, signed for `cloudformation`). */
export class BackendClient {
  constructor(private readonly context: AwsContext, private readonly credentials: () => Promise<AwsCredentialIdentity>) {}

  /**
   * As CDK does, deployments run as the account's bootstrap deploy role: the caller needs the permission to
   * assume it (AmplifyBackendDeployFullAccess grants it), and the role holds the stack permissions.
   */
  static async asDeployRole(context: AwsContext): Promise<BackendClient> {
    const roleArn = deployRoleArn(context.account, context.region);
    try {
      const out = await new STSClient({ endpoint: context.endpoint, region: context.region, credentials: context.credentials })
        .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ampx-deploy' }));
      const c = out.Credentials!;
      const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration };
      return new BackendClient(context, async () => session);
    } catch (error) {
      throw new AmpxError('BackendDeployAccessDeniedError',
        `${context.callerArn} could not assume the deploy role ${roleArn}: ${(error as Error).message}`,
        `Bootstrap the account and region (gantry bootstrap --region ${context.region}) and give the deploying principal the AWS managed policy AmplifyBackendDeployFullAccess.`,
        { cause: error });
    }
  }

  static asCaller(context: AwsContext): BackendClient {
    return new BackendClient(context, context.credentials);
  }

  deploy(stackName: string, body: { backendId: BackendIdentifier; manifest: unknown; allowDestructive?: boolean }): Promise<{ deployment: Deployment }> {
    return this.call('POST', `/stacks/${stackName}/deployments`, body);
  }

  deployment(stackName: string, id: string): Promise<{ deployment: Deployment }> {
    return this.call('GET', `/stacks/${stackName}/deployments/${id}`);
  }

  events(stackName: string, deploymentId: string, nextToken?: string): Promise<{ events: DeploymentEvent[]; nextToken?: string; deploymentStatus?: string }> {
    const query = new URLSearchParams({ deploymentId, ...(nextToken ? { nextToken } : {}) });
    return this.call('GET', `/stacks/${stackName}/events?${query}`);
  }

  stack(stackName: string): Promise<{ stack: { status: string } }> {
    return this.call('GET', `/stacks/${stackName}`);
  }

  outputs(stackName: string, version: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/stacks/${stackName}/outputs?version=${encodeURIComponent(version)}`);
  }

  remove(stackName: string): Promise<{ deployment: Deployment }> {
    return this.call('DELETE', `/stacks/${stackName}`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(`${this.context.endpoint}/_gantry/backends${path}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const signer = new SignatureV4({ credentials: this.credentials, region: this.context.region, service: 'cloudformation', sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.sign({
      method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: url.pathname,
      query: Object.fromEntries(url.searchParams), headers: { host: url.host, ...(text ? { 'content-type': 'application/json' } : {}) }, body: text,
    });
    const response = await fetch(url, { method, headers: signed.headers as Record<string, string>, body: text });
    const raw = await response.text();
    const json = raw ? JSON.parse(raw) : {};
    if (!response.ok) {
      const type = response.headers.get('x-amzn-errortype') ?? String(response.status);
      throw new BackendApiError(type, response.status, json.message ?? raw);
    }
    return json as T;
  }
}

export class BackendApiError extends Error {
  constructor(readonly type: string, readonly status: number, message: string) {
    super(message);
  }
}
