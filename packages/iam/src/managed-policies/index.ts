/**
 * AWS managed policies that Gantry ships built in, under `arn:aws:iam::aws:policy/...`.
 *
 * Each JSON file next to this one is the policy document exactly as AWS publishes it (the default
 * version's `Document`, statements and action lists in AWS's order); only the indentation is ours.
 * The texts are AWS's: we store them verbatim as facts and do not edit them. Sources:
 *
 * - AdministratorAccess: v1 (created and last edited 2015-02-06). AWS managed policy reference,
 *   https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
 * - ReadOnlyAccess: v182, version created 2026-04-03T15:27:12Z, 3 statements (ReadOnlyActionsGroup1,
 *   ReadOnlyActionsGroup2, S3ExpressReadOnlySessionObjectAccess). Document as returned by IAM
 *   GetPolicyVersion, archived in the public managed-policy history kept by zoph-io (policies/ReadOnlyAccess);
 *   the same policy is listed in the AWS managed policy reference,
 *   https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html
 *   AWS revises this policy often (new read-only actions every few weeks): a newer default version may exist.
 * - AmplifyBackendDeployFullAccess (path /service-role/): v9, edited 2024-11-14T19:09:39Z, 11 statements.
 *   AWS managed policy reference,
 *   https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmplifyBackendDeployFullAccess.html
 *   (identical to the IAM GetPolicyVersion copy in the zoph-io archive).
 * - AdministratorAccess-Amplify: v12, edited 2024-04-04T20:35:31Z, 11 statements (the `CLIManageviaCFNPolicy`
 *   statement only applies through CloudFormation: `ForAnyValue:StringEquals aws:CalledVia`).
 *   AWS managed policy reference,
 *   https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess-Amplify.html
 *   (identical to the IAM GetPolicyVersion copy in the zoph-io archive).
 *
 * Where the reference gives creation times only to the minute, `createDate` has `:00` seconds.
 */
import type { PolicyDocument } from '../policy/policy-types.ts';
import administratorAccess from './administrator-access.json' with { type: 'json' };
import readOnlyAccess from './read-only-access.json' with { type: 'json' };
import amplifyBackendDeployFullAccess from './amplify-backend-deploy-full-access.json' with { type: 'json' };
import administratorAccessAmplify from './administrator-access-amplify.json' with { type: 'json' };

export interface ManagedPolicyDefinition {
  /** Policy name, e.g. `AdministratorAccess`. */
  name: string;
  /** `/` or `/service-role/` (always begins and ends with `/`). */
  path: string;
  /** `arn:aws:iam::aws:policy${path}${name}`. */
  arn: string;
  description: string;
  /** The default version, e.g. `v9`. */
  versionId: string;
  document: PolicyDocument;
  /** ISO-8601 time the policy was first created. */
  createDate: string;
  /** ISO-8601 time the default version was created (the policy's last edit). */
  updateDate: string;
}

const AWS_POLICY_ARN_PREFIX = 'arn:aws:iam::aws:policy';

function define(def: Omit<ManagedPolicyDefinition, 'arn'>): ManagedPolicyDefinition {
  return { ...def, arn: `${AWS_POLICY_ARN_PREFIX}${def.path}${def.name}` };
}

export const AWS_MANAGED_POLICIES: ManagedPolicyDefinition[] = [
  define({
    name: 'AdministratorAccess',
    path: '/',
    description: 'Provides full access to AWS services and resources.',
    versionId: 'v1',
    document: administratorAccess as PolicyDocument,
    createDate: '2015-02-06T18:39:46Z',
    updateDate: '2015-02-06T18:39:46Z',
  }),
  define({
    name: 'ReadOnlyAccess',
    path: '/',
    description: 'Provides read-only access to AWS services and resources.',
    versionId: 'v182',
    document: readOnlyAccess as PolicyDocument,
    createDate: '2015-02-06T18:39:48Z',
    updateDate: '2026-04-03T15:27:12Z',
  }),
  define({
    name: 'AmplifyBackendDeployFullAccess',
    path: '/service-role/',
    description:
      'Provides Amplify full access permissions to deploy Amplify backend resources (AWS AppSync, Amazon Cognito, ' +
      'Amazon S3 and other related services) via the AWS Cloud Development Kit (AWS CDK)',
    versionId: 'v9',
    document: amplifyBackendDeployFullAccess as PolicyDocument,
    createDate: '2023-10-06T21:32:00Z',
    updateDate: '2024-11-14T19:09:39Z',
  }),
  define({
    name: 'AdministratorAccess-Amplify',
    path: '/',
    description:
      'Grants account administrative permissions while explicitly allowing direct access to resources needed by ' +
      'Amplify applications.',
    versionId: 'v12',
    document: administratorAccessAmplify as PolicyDocument,
    createDate: '2020-12-01T19:03:00Z',
    updateDate: '2024-04-04T20:35:31Z',
  }),
];

/** Looks up a built-in AWS managed policy by ARN. */
export function findAwsManagedPolicy(arn: string): ManagedPolicyDefinition | undefined {
  return AWS_MANAGED_POLICIES.find((policy) => policy.arn === arn);
}
