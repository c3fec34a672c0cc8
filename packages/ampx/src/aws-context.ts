import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { AwsCredentialIdentity } from '@smithy/types';
import { AmpxError } from './ampx-error.ts';

/** Where and as whom ampx acts: the standard AWS environment and profile chain, as every AWS tool resolves it. */
export interface AwsContext {
  endpoint: string;
  region: string;
  account: string;
  callerArn: string;
  credentials: () => Promise<AwsCredentialIdentity>;
}

export async function resolveAwsContext(profile?: string): Promise<AwsContext> {
  const profileName = profile ?? process.env.AWS_PROFILE ?? 'default';
  const { configFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const section = configFile[profileName] ?? {};
  const endpoint = process.env.AWS_ENDPOINT_URL ?? section.endpoint_url;
  if (!endpoint)
    throw new AmpxError('NoEndpointError', 'No Gantry endpoint is configured.', 'Set AWS_ENDPOINT_URL, or use an AWS profile with endpoint_url (the profiles Gantry writes have it).');
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? section.region;
  if (!region) throw new AmpxError('InvalidCredentialError', 'No region is configured.', 'Set AWS_REGION or give the profile a region.');
  const credentials = fromNodeProviderChain(profile ? { profile } : {});
  try {
    const identity = await new STSClient({ endpoint, region, credentials }).send(new GetCallerIdentityCommand({}));
    return { endpoint: endpoint.replace(/\/+$/, ''), region, account: identity.Account!, callerArn: identity.Arn!, credentials };
  } catch (error) {
    throw new AmpxError('InvalidCredentialError', `Failed to get caller identity: ${(error as Error).message}`,
      'Make sure your AWS credentials are set up correctly: AWS_PROFILE, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.', { cause: error });
  }
}
