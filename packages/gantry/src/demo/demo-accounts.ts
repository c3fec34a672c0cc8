import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, ListAttachedRolePoliciesCommand, NoSuchEntityException, UpdateAssumeRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { bootstrapAccount } from '../commands/bootstrap-command.ts';
import type { DemoProgress } from './demo-progress.ts';
import type { Credentials, DemoSession } from './demo-session.ts';

export type Stage = 'staging' | 'production';

/** The scenario's two accounts: staging and production, isolated, in different regions. */
export const STAGES: ReadonlyArray<{ stage: Stage; region: string }> = [
  { stage: 'staging', region: 'us-west-2' },
  { stage: 'production', region: 'eu-west-1' },
];

export const DEPLOY_ROLE = 'gantry-deploy';
export const HOSTING_SERVICE_ROLE = 'gantry-hosting-service';
export const DEPLOY_POLICY_ARN = 'arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess';
const WORKFLOW_RUNNER = 'codecatalyst-runner.amazonaws.com';
const HOSTING_SERVICE = 'amplify.amazonaws.com';

/** An account as the accounts API answers it (the fields the demo reads). */
interface DemoAccount { id: string; name: string; defaultRegion: string }

export interface StageAccount {
  stage: Stage;
  id: string;
  region: string;
  /** Administrator credentials in the account (through its OrganizationAccountAccessRole). */
  admin: Credentials;
}

/**
 * Step 2: each stage's account (created by name unless it exists), bootstrapped for its region, with the role
 * workflow actions deploy with (trusted by the workflow service for the space's projects) and the role hosting
 * builds read the backend with (trusted by the hosting service). Both hold AmplifyBackendDeployFullAccess.
 */
export async function ensureStageAccounts(session: DemoSession, space: string, progress: DemoProgress): Promise<Record<Stage, StageAccount>> {
  const { accounts } = await session.call<{ accounts: DemoAccount[] }>('organizations', 'GET', '/_gantry/accounts');
  const result = {} as Record<Stage, StageAccount>;
  for (const { stage, region } of STAGES) {
    let account = accounts.find((a) => a.name === stage);
    if (account) {
      progress.note(`account ${stage} exists: ${account.id} (default region ${account.defaultRegion})`);
    } else {
      account = (await session.call<{ account: DemoAccount }>('organizations', 'POST', '/_gantry/accounts', { body: { name: stage, defaultRegion: region } })).account;
      progress.note(`created account ${stage}: ${account.id}, default region ${region}`);
    }
    // The stages' regions are default regions, usable by every account whatever its profile's region.
    const admin = await session.memberAdmin(account.id, stage, region);
    const iam = session.iam(admin, region);
    const boot = await bootstrapAccount(iam, account.id, region);
    const deploy = await ensureRole(iam, DEPLOY_ROLE, {
      Principal: { Service: WORKFLOW_RUNNER },
      Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:codecatalyst:::space/${space}/project/*` } },
    }, `Workflow actions of space ${space} deploy backends with it`);
    const hosting = await ensureRole(iam, HOSTING_SERVICE_ROLE, { Principal: { Service: HOSTING_SERVICE } }, 'Hosting builds read the deployed backend with it');
    progress.note(`${stage}: bootstrap ${boot.created ? 'done' : 'up to date'} in ${region}; role ${DEPLOY_ROLE} ${deploy}; role ${HOSTING_SERVICE_ROLE} ${hosting}`);
    result[stage] = { stage, id: account.id, region, admin };
  }
  return result;
}

/** Creates the role or brings its trust policy up to date, and attaches AmplifyBackendDeployFullAccess if it is not. */
async function ensureRole(iam: IAMClient, name: string, trust: { Principal: object; Condition?: object }, description: string): Promise<'created' | 'up to date'> {
  const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...trust }] });
  let created = false;
  try {
    await iam.send(new GetRoleCommand({ RoleName: name }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: document }));
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: document, Description: description }));
    created = true;
  }
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
  if (!attached.AttachedPolicies?.some((p) => p.PolicyArn === DEPLOY_POLICY_ARN)) {
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: DEPLOY_POLICY_ARN }));
  }
  return created ? 'created' : 'up to date';
}
