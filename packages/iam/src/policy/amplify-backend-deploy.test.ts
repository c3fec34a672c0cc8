/**
 * The AWS managed policy AmplifyBackendDeployFullAccess, v9, verbatim: the policy Gantry's production
 * deployment role carries. Its statements gate on `aws:ResourceAccount` = `${aws:PrincipalAccount}`, so
 * these cases also check how the integrator must populate those two keys.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApplicablePolicies, AuthorizationRequest, SourcedPolicy } from './policy-types.ts';
import { authorize } from './evaluate-policies.ts';
import { A, B, allow, deny, policy, request, roleArn, session } from './test-fixtures.ts';

/**
 * AmplifyBackendDeployFullAccess v9 (default), as AWS publishes it (arn:aws:iam::aws:policy/service-role/
 * AmplifyBackendDeployFullAccess, edited 2024-11-14), spacing included.
 */
const AMPLIFY_BACKEND_DEPLOY_FULL_ACCESS_V9 = `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Sid" : "CDKPreDeploy",
      "Effect" : "Allow",
      "Action" : [
        "cloudformation:DescribeStacks",
        "cloudformation:DescribeStackEvents",
        "cloudformation:GetTemplate",
        "cloudformation:ListStackResources",
        "cloudformation:GetTemplateSummary",
        "cloudformation:DeleteStack"
      ],
      "Resource" : [
        "arn:aws:cloudformation:*:*:stack/amplify-*",
        "arn:aws:cloudformation:*:*:stack/CDKToolkit/*"
      ],
      "Condition" : {
        "StringEquals" : {
          "aws:ResourceAccount" : "\${aws:PrincipalAccount}"
        }
      }
    },
    {
      "Sid" : "AmplifyMetadata",
      "Effect" : "Allow",
      "Action" : [
        "amplify:ListApps",
        "cloudformation:ListStacks",
        "ssm:DescribeParameters",
        "appsync:GetIntrospectionSchema",
        "amplify:GetBackendEnvironment"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "AmplifyHotSwappableResources",
      "Effect" : "Allow",
      "Action" : [
        "appsync:GetSchemaCreationStatus",
        "appsync:StartSchemaCreation",
        "appsync:UpdateResolver",
        "appsync:ListFunctions",
        "appsync:UpdateFunction",
        "appsync:UpdateApiKey"
      ],
      "Resource" : [
        "*"
      ]
    },
    {
      "Sid" : "AmplifyHotSwappableFunctionResource",
      "Effect" : "Allow",
      "Action" : [
        "lambda:InvokeFunction",
        "lambda:UpdateFunctionCode",
        "lambda:GetFunction",
        "lambda:UpdateFunctionConfiguration"
      ],
      "Resource" : [
        "arn:aws:lambda:*:*:function:amplify-*"
      ],
      "Condition" : {
        "StringEquals" : {
          "aws:ResourceAccount" : "\${aws:PrincipalAccount}"
        }
      }
    },
    {
      "Sid" : "AmplifySandboxLambdaLogsStreamingListTags",
      "Effect" : "Allow",
      "Action" : [
        "lambda:ListTags"
      ],
      "Resource" : [
        "arn:aws:lambda:*:*:function:amplify-*"
      ]
    },
    {
      "Sid" : "AmplifySandboxLambdaLogsStreamingFilterLogEvents",
      "Effect" : "Allow",
      "Action" : [
        "logs:FilterLogEvents"
      ],
      "Resource" : [
        "arn:aws:logs:*:*:log-group:/aws/lambda/amplify-*:*",
        "arn:aws:logs:*:*:log-group:amplify-*:*"
      ]
    },
    {
      "Sid" : "AmplifySchema",
      "Effect" : "Allow",
      "Action" : [
        "s3:GetObject"
      ],
      "Resource" : [
        "arn:aws:s3:::*amplify*",
        "arn:aws:s3:::cdk-*-assets-*-*"
      ],
      "Condition" : {
        "StringEquals" : {
          "aws:ResourceAccount" : "\${aws:PrincipalAccount}"
        }
      }
    },
    {
      "Sid" : "CDKDeploy",
      "Effect" : "Allow",
      "Action" : [
        "sts:AssumeRole"
      ],
      "Resource" : [
        "arn:aws:iam::*:role/cdk-*-deploy-role-*-*",
        "arn:aws:iam::*:role/cdk-*-file-publishing-role-*-*",
        "arn:aws:iam::*:role/cdk-*-image-publishing-role-*-*",
        "arn:aws:iam::*:role/cdk-*-lookup-role-*-*"
      ],
      "Condition" : {
        "StringEquals" : {
          "aws:ResourceAccount" : "\${aws:PrincipalAccount}"
        }
      }
    },
    {
      "Sid" : "AmplifySSM",
      "Effect" : "Allow",
      "Action" : [
        "ssm:GetParametersByPath",
        "ssm:GetParameters",
        "ssm:GetParameter"
      ],
      "Resource" : [
        "arn:aws:ssm:*:*:parameter/amplify/*",
        "arn:aws:ssm:*:*:parameter/cdk-bootstrap/*"
      ],
      "Condition" : {
        "StringEquals" : {
          "aws:ResourceAccount" : "\${aws:PrincipalAccount}"
        }
      }
    },
    {
      "Sid" : "AmplifyModifySSMParam",
      "Effect" : "Allow",
      "Action" : [
        "ssm:PutParameter",
        "ssm:DeleteParameter",
        "ssm:DeleteParameters"
      ],
      "Resource" : "arn:aws:ssm:*:*:parameter/amplify/*",
      "Condition" : {
        "StringEquals" : {
          "aws:ResourceAccount" : "\${aws:PrincipalAccount}"
        }
      }
    },
    {
      "Sid" : "AmplifyDiscoverRDSVpcConfig",
      "Effect" : "Allow",
      "Action" : [
        "rds:DescribeDBProxies",
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        "ec2:DescribeSubnets",
        "rds:DescribeDBSubnetGroups"
      ],
      "Resource" : [
        "arn:aws:rds:*:*:db:*",
        "arn:aws:rds:*:*:cluster:*",
        "arn:aws:rds:*:*:db-proxy:*",
        "arn:aws:rds:*:*:subgrp:*",
        "arn:aws:ec2:*:*:subnet/*"
      ],
      "Condition" : {
        "StringEquals" : {
          "aws:ResourceAccount" : "\${aws:PrincipalAccount}"
        }
      }
    }
  ]
}`;

const managed: SourcedPolicy = {
  id: 'arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess',
  document: JSON.parse(AMPLIFY_BACKEND_DEPLOY_FULL_ACCESS_V9),
  text: AMPLIFY_BACKEND_DEPLOY_FULL_ACCESS_V9,
};

/** A session of the production deployment role in account A. */
const deployer = session('amplify-deploy-role', 'codecatalyst-run', A);

function ask(action: string, resource: string, options: { resourceAccount?: string; drop?: string[] } = {}, extra: Partial<ApplicablePolicies> = {}) {
  const req: AuthorizationRequest = request(deployer, action, resource, { resourceAccount: options.resourceAccount });
  for (const key of options.drop ?? []) delete req.context[key];
  return authorize(req, { identity: [managed], ...extra });
}

const cdkRole = (kind: string, account = A) => `arn:aws:iam::${account}:role/cdk-hnb659fds-${kind}-role-${account}-us-west-2`;

describe('AmplifyBackendDeployFullAccess v9: the document', () => {
  test('it has the 11 statements of v9, all Allow', () => {
    const statements = managed.document.Statement as Array<{ Effect: string }>;
    assert.equal(statements.length, 11);
    assert.ok(statements.every((s) => s.Effect === 'Allow'));
  });
});

describe('AmplifyBackendDeployFullAccess v9: CDKDeploy (sts:AssumeRole on the CDK bootstrap roles)', () => {
  for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
    test(`assuming the CDK ${kind} role in the same account is allowed by CDKDeploy`, () => {
      const result = ask('sts:AssumeRole', cdkRole(kind));
      assert.equal(result.decision, 'Allow');
      assert.deepEqual(result.matched.map((m) => m.sid), ['CDKDeploy']);
    });
  }
  test('the CDK CloudFormation execution role is not in the list', () => {
    assert.equal(ask('sts:AssumeRole', cdkRole('cfn-exec')).decision, 'ImplicitDeny');
  });
  test('a deploy role in another account fails the aws:ResourceAccount = ${aws:PrincipalAccount} condition', () => {
    const result = ask('sts:AssumeRole', cdkRole('deploy', B), { resourceAccount: B }, {
      resource: policy('trust', { Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }),
      resourcePolicyRequired: true,
    });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['identity']);
  });
  test('without aws:ResourceAccount in the context the condition is false', () => {
    assert.equal(ask('sts:AssumeRole', cdkRole('deploy'), { drop: ['aws:ResourceAccount'] }).decision, 'ImplicitDeny');
  });
  test('without aws:PrincipalAccount the ${aws:PrincipalAccount} variable has no value, so StringEquals is false', () => {
    assert.equal(ask('sts:AssumeRole', cdkRole('deploy'), { drop: ['aws:PrincipalAccount'] }).decision, 'ImplicitDeny');
  });
  test('with the CDK deploy role’s trust policy (account root) as resource policy: allowed', () => {
    const trust = policy('trust', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' });
    const result = ask('sts:AssumeRole', cdkRole('deploy'), {}, { resource: trust, resourcePolicyRequired: true });
    assert.equal(result.decision, 'Allow');
    assert.deepEqual(result.matched.map((m) => [m.kind, m.sid]), [['identity', 'CDKDeploy'], ['resource', undefined]]);
  });
  test('a trust policy that names another account’s root denies even though CDKDeploy allows', () => {
    const trust = policy('trust', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'sts:AssumeRole' });
    assert.equal(ask('sts:AssumeRole', cdkRole('deploy'), {}, { resource: trust, resourcePolicyRequired: true }).decision, 'ImplicitDeny');
  });
  test('a permissions boundary without sts:* caps the managed policy', () => {
    assert.equal(ask('sts:AssumeRole', cdkRole('deploy'), {}, { boundary: policy('b', allow('cloudformation:*')) }).decision, 'ImplicitDeny');
  });
  test('an explicit Deny on sts:AssumeRole in another attached policy wins', () => {
    assert.equal(ask('sts:AssumeRole', cdkRole('deploy'), {}, { identity: [managed, policy('guard', deny('sts:*'))] }).decision, 'ExplicitDeny');
  });
  test('the matched statement reports CDKDeploy’s position in the published text', () => {
    const [match] = ask('sts:AssumeRole', cdkRole('deploy')).matched;
    const brace = AMPLIFY_BACKEND_DEPLOY_FULL_ACCESS_V9.lastIndexOf('{', AMPLIFY_BACKEND_DEPLOY_FULL_ACCESS_V9.indexOf('"CDKDeploy"'));
    const line = AMPLIFY_BACKEND_DEPLOY_FULL_ACCESS_V9.slice(0, brace).split('\n').length;
    assert.deepEqual(match.start, { line, column: 6 });
    assert.equal(match.index, 7);
  });
});

describe('AmplifyBackendDeployFullAccess v9: the other statements', () => {
  const stack = (name: string) => `arn:aws:cloudformation:us-west-2:${A}:stack/${name}/6b9d6e00-0000-11ef-9c4b-0a1b2c3d4e5f`;
  const cases: Array<[string, string, string, 'Allow' | 'ImplicitDeny', string?]> = [
    ['CDKPreDeploy: DescribeStacks on an amplify-* stack', 'cloudformation:DescribeStacks', stack('amplify-d1abc-main-branch-7d6f6c854a'), 'Allow', 'CDKPreDeploy'],
    ['CDKPreDeploy: DeleteStack on an amplify-* stack', 'cloudformation:DeleteStack', stack('amplify-d1abc-main-branch-7d6f6c854a'), 'Allow', 'CDKPreDeploy'],
    ['CDKPreDeploy: GetTemplate on the CDKToolkit stack', 'cloudformation:GetTemplate', stack('CDKToolkit'), 'Allow', 'CDKPreDeploy'],
    ['CDKPreDeploy: DeleteStack on another stack is not allowed', 'cloudformation:DeleteStack', stack('payments'), 'ImplicitDeny'],
    ['CDKPreDeploy: CreateStack is not in the policy', 'cloudformation:CreateStack', stack('amplify-x'), 'ImplicitDeny'],
    ['actions are case-insensitive: CLOUDFORMATION:describestacks', 'CLOUDFORMATION:describestacks', stack('amplify-x'), 'Allow', 'CDKPreDeploy'],
    ['AmplifyMetadata: amplify:ListApps on * without conditions', 'amplify:ListApps', '*', 'Allow', 'AmplifyMetadata'],
    ['AmplifyMetadata: amplify:DeleteApp is not included', 'amplify:DeleteApp', '*', 'ImplicitDeny'],
    ['AmplifyHotSwappableResources: appsync:UpdateResolver on *', 'appsync:UpdateResolver', `arn:aws:appsync:us-west-2:${A}:apis/abc/types/Query/resolvers/listTodos`, 'Allow', 'AmplifyHotSwappableResources'],
    ['AmplifyHotSwappableFunctionResource: UpdateFunctionCode on an amplify-* function', 'lambda:UpdateFunctionCode', `arn:aws:lambda:us-west-2:${A}:function:amplify-d1abc-main-sayhello`, 'Allow', 'AmplifyHotSwappableFunctionResource'],
    ['AmplifyHotSwappableFunctionResource: not on other functions', 'lambda:UpdateFunctionCode', `arn:aws:lambda:us-west-2:${A}:function:billing`, 'ImplicitDeny'],
    ['AmplifySandboxLambdaLogsStreamingListTags: lambda:ListTags', 'lambda:ListTags', `arn:aws:lambda:us-west-2:${A}:function:amplify-x`, 'Allow', 'AmplifySandboxLambdaLogsStreamingListTags'],
    ['AmplifySandboxLambdaLogsStreamingFilterLogEvents: /aws/lambda/amplify-* log group', 'logs:FilterLogEvents', `arn:aws:logs:us-west-2:${A}:log-group:/aws/lambda/amplify-d1abc-fn:*`, 'Allow', 'AmplifySandboxLambdaLogsStreamingFilterLogEvents'],
    ['AmplifySchema: s3:GetObject on a key in an *amplify* bucket (* spans /)', 's3:GetObject', 'arn:aws:s3:::amplify-d1abc-main-branch-bucket/model-schema.graphql', 'Allow', 'AmplifySchema'],
    ['AmplifySchema: s3:GetObject on the CDK assets bucket', 's3:GetObject', `arn:aws:s3:::cdk-hnb659fds-assets-${A}-us-west-2/asset.zip`, 'Allow', 'AmplifySchema'],
    ['AmplifySchema: resources are case-sensitive (Amplify ≠ amplify)', 's3:GetObject', 'arn:aws:s3:::Amplify-bucket/x', 'ImplicitDeny'],
    ['AmplifySSM: ssm:GetParameter under /amplify/', 'ssm:GetParameter', `arn:aws:ssm:us-west-2:${A}:parameter/amplify/d1abc/main/SECRET`, 'Allow', 'AmplifySSM'],
    ['AmplifySSM: ssm:GetParameters under /cdk-bootstrap/', 'ssm:GetParameters', `arn:aws:ssm:us-west-2:${A}:parameter/cdk-bootstrap/hnb659fds/version`, 'Allow', 'AmplifySSM'],
    ['AmplifyModifySSMParam: PutParameter under /amplify/', 'ssm:PutParameter', `arn:aws:ssm:us-west-2:${A}:parameter/amplify/d1abc/main/SECRET`, 'Allow', 'AmplifyModifySSMParam'],
    ['AmplifyModifySSMParam: PutParameter under /cdk-bootstrap/ is not allowed', 'ssm:PutParameter', `arn:aws:ssm:us-west-2:${A}:parameter/cdk-bootstrap/hnb659fds/version`, 'ImplicitDeny'],
    ['AmplifyDiscoverRDSVpcConfig: rds:DescribeDBInstances', 'rds:DescribeDBInstances', `arn:aws:rds:us-west-2:${A}:db:orders`, 'Allow', 'AmplifyDiscoverRDSVpcConfig'],
    ['AmplifyDiscoverRDSVpcConfig: ec2:DescribeSubnets', 'ec2:DescribeSubnets', `arn:aws:ec2:us-west-2:${A}:subnet/subnet-0abc`, 'Allow', 'AmplifyDiscoverRDSVpcConfig'],
    ['nothing grants IAM changes', 'iam:CreateRole', roleArn('anything'), 'ImplicitDeny'],
  ];
  for (const [name, action, resource, expected, sid] of cases) {
    test(name, () => {
      const result = ask(action, resource);
      assert.equal(result.decision, expected);
      if (sid !== undefined) assert.deepEqual(result.matched.map((m) => m.sid), [sid]);
    });
  }
  test('the same-account condition also guards CDKPreDeploy across accounts', () => {
    assert.equal(ask('cloudformation:DeleteStack', stack('amplify-x').replace(A, B), { resourceAccount: B }).decision, 'ImplicitDeny');
  });
});
