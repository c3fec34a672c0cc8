import type { Argv } from 'yargs';
import { CreateRoleCommand, GetRoleCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { resolveClientSettings } from '../client/gantry-client.ts';

/** The qualifier CDK uses for its default bootstrap resources. */
export const CDK_QUALIFIER = 'hnb659fds';
export const deployRoleName = (account: string, region: string): string => `cdk-${CDK_QUALIFIER}-deploy-role-${account}-${region}`;

export interface BootstrapResult {
  roleArn: string;
  /** False when the role existed and was only brought up to date. */
  created: boolean;
}

/**
 * Creates (or brings up to date) an account's CDK deploy role for a region, with an IAM client acting in that
 * account. Principals holding AmplifyBackendDeployFullAccess may assume it (its `CDKDeploy` statement); the role
 * holds the stack permissions backend deployments need. Safe to repeat.
 */
export async function bootstrapAccount(iam: IAMClient, account: string, region: string): Promise<BootstrapResult> {
  const name = deployRoleName(account, region);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
  });
  const permissions = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CloudFormationPermissions', Effect: 'Allow', Action: 'cloudformation:*', Resource: `arn:aws:cloudformation:${region}:${account}:stack/*` },
      { Sid: 'ReadVersion', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: `arn:aws:ssm:${region}:${account}:parameter/cdk-bootstrap/${CDK_QUALIFIER}/version` },
    ],
  });
  let created = false;
  try {
    await iam.send(new GetRoleCommand({ RoleName: name }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust }));
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, Description: `Backend deployments in ${region}` }));
    created = true;
  }
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'default', PolicyDocument: permissions }));
  return { roleArn: `arn:aws:iam::${account}:role/${name}`, created };
}

/**
 * `gantry bootstrap`, in the spirit of `cdk bootstrap`: creates (or brings up to date) the account's deploy
 * role for a region.
 */
export function bootstrapCommand(yargs: Argv) {
  return yargs.command(
    'bootstrap',
    'Prepare an account and region for backend deployments (the CDK bootstrap deploy role)',
    (y) => y.option('region', { type: 'string', describe: 'Region to bootstrap (default: the profile\'s region)' })
      .option('profile', { type: 'string', describe: 'AWS profile to use (default: AWS_PROFILE or default)' }),
    async (args) => {
      if (args.profile) process.env.AWS_PROFILE = args.profile;
      const settings = await resolveClientSettings();
      const region = args.region ?? settings.region;
      const client = { endpoint: settings.endpoint, region, credentials: fromNodeProviderChain() };
      const { Account: account } = await new STSClient(client).send(new GetCallerIdentityCommand({}));
      const { roleArn, created } = await bootstrapAccount(new IAMClient(client), account!, region);
      console.log(`${created ? 'bootstrapped' : 'already bootstrapped (updated)'} ${account} in ${region}: ${roleArn}`);
    },
  );
}
