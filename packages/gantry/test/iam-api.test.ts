import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachRolePolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand,
  DeleteAccessKeyCommand, DeletePolicyCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DeleteUserCommand, DetachRolePolicyCommand,
  GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, GetUserCommand, ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand, ListPoliciesCommand, ListRolesCommand, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand,
  SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand, UpdateAssumeRolePolicyCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { allow, trust, unique, userWithKey } from './support/iam-fixtures.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let ts: TestServer;
let iam: IAMClient;
before(async () => {
  ts = await startTestServer();
  iam = ts.iam(ts.admin);
});
after(() => ts.stop());

const ROLE_TRUST = () => trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` });
const DEPLOY = 'arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess';

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('identity of the caller', () => {
  test('GetCallerIdentity names the management administrator', async () => {
    const id = await ts.sts(ts.admin).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, ts.managementAccount);
    assert.equal(id.Arn, `arn:aws:iam::${ts.managementAccount}:user/gantry-admin`);
    assert.match(id.UserId!, /^AIDA[A-Z2-7]{16}$/);
  });
});

describe('users and access keys', () => {
  test('create, get, list keys, delete in the order IAM requires', async () => {
    const name = unique('alice');
    const created = await iam.send(new CreateUserCommand({ UserName: name, Path: '/team/', Tags: [{ Key: 'team', Value: 'web' }] }));
    assert.equal(created.User!.Arn, `arn:aws:iam::${ts.managementAccount}:user/team/${name}`);
    const got = await iam.send(new GetUserCommand({ UserName: name }));
    assert.equal(got.User!.UserId, created.User!.UserId);
    assert.deepEqual(got.User!.Tags, [{ Key: 'team', Value: 'web' }]);
    assert.ok(got.User!.CreateDate instanceof Date);

    const k1 = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    assert.match(k1.AccessKey!.AccessKeyId!, /^AKIA/);
    assert.equal(k1.AccessKey!.SecretAccessKey!.length, 40);
    await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    await rejects(iam.send(new CreateAccessKeyCommand({ UserName: name })), 'LimitExceededException', /AccessKeysPerUser: 2/);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: name }));
    assert.equal(keys.AccessKeyMetadata!.length, 2);
    assert.equal((keys.AccessKeyMetadata![0] as any).SecretAccessKey, undefined, 'secrets are never returned after creation');

    await rejects(iam.send(new DeleteUserCommand({ UserName: name })), 'DeleteConflictException', /access keys first/);
    for (const key of keys.AccessKeyMetadata!) await iam.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: key.AccessKeyId }));
    await iam.send(new DeleteUserCommand({ UserName: name }));
    await rejects(iam.send(new GetUserCommand({ UserName: name })), 'NoSuchEntityException', new RegExp(`user with name ${name} cannot be found`));
  });

  test('names are unique ignoring case, like IAM', async () => {
    const name = unique('Bob');
    await iam.send(new CreateUserCommand({ UserName: name }));
    await rejects(iam.send(new CreateUserCommand({ UserName: name.toLowerCase() })), 'EntityAlreadyExistsException');
  });

  test('an invalid user name is a validation error naming the constraint', async () => {
    await rejects(iam.send(new CreateUserCommand({ UserName: 'has space' })), 'ValidationError', /regular expression pattern/);
  });

  test('a deleted access key stops working at once', async () => {
    const { credentials } = await userWithKey(ts, ts.admin, { name: unique('short') });
    assert.ok((await ts.sts(credentials).send(new GetCallerIdentityCommand({}))).Arn);
    const name = (await ts.sts(credentials).send(new GetCallerIdentityCommand({}))).Arn!.split('/').pop()!;
    await iam.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: credentials.accessKeyId }));
    await rejects(ts.sts(credentials).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
  });
});

describe('roles', () => {
  test('create with path, tags and max session; get returns the URL-encoded trust policy', async () => {
    const name = unique('deployer');
    const doc = ROLE_TRUST();
    const created = await iam.send(new CreateRoleCommand({ RoleName: name, Path: '/ci/', AssumeRolePolicyDocument: doc, MaxSessionDuration: 7200, Description: 'CI role' }));
    assert.equal(created.Role!.Arn, `arn:aws:iam::${ts.managementAccount}:role/ci/${name}`);
    assert.match(created.Role!.RoleId!, /^AROA/);
    const got = await iam.send(new GetRoleCommand({ RoleName: name }));
    assert.equal(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!), doc);
    assert.equal(got.Role!.MaxSessionDuration, 7200);
    assert.equal(got.Role!.Description, 'CI role');
  });

  test('UpdateAssumeRolePolicy replaces the trust policy and validates it', async () => {
    const name = unique('r');
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ROLE_TRUST() }));
    const next = trust({ Service: 'codecatalyst-runner.amazonaws.com' });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: next }));
    assert.equal(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!), next);
    await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: '{"Statement":' })), 'MalformedPolicyDocumentException');
    assert.equal(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!), next, 'a rejected update changes nothing');
  });

  test('attach, list and detach managed policies; delete needs detaching first', async () => {
    const name = unique('amp');
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ROLE_TRUST() }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: DEPLOY }));
    const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
    assert.deepEqual(listed.AttachedPolicies, [{ PolicyName: 'AmplifyBackendDeployFullAccess', PolicyArn: DEPLOY }]);
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: name })), 'DeleteConflictException', /detach all policies/);
    await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: DEPLOY }));
    await iam.send(new DeleteRoleCommand({ RoleName: name }));
    await rejects(iam.send(new GetRoleCommand({ RoleName: name })), 'NoSuchEntityException');
  });

  test('attaching a policy that does not exist is NoSuchEntity', async () => {
    const name = unique('r');
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ROLE_TRUST() }));
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })), 'NoSuchEntityException');
  });

  test('inline role policies: put, get, delete', async () => {
    const name = unique('r');
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ROLE_TRUST() }));
    const doc = JSON.stringify(allow('s3:GetObject', 'arn:aws:s3:::bucket/*'));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read', PolicyDocument: doc }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'read' }));
    assert.equal(decodeURIComponent(got.PolicyDocument!), doc);
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: name })), 'DeleteConflictException', /delete policies first/);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'read' }));
    await rejects(iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'read' })), 'NoSuchEntityException');
  });

  test('a permissions boundary is recorded on the role', async () => {
    const name = unique('bounded');
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ROLE_TRUST() }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: DEPLOY }));
    const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
    assert.deepEqual(role.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: DEPLOY });
  });

  test('ListRoles pages with Marker and MaxItems', async () => {
    const prefix = `/page${process.pid}/`;
    for (let i = 0; i < 5; i++) await iam.send(new CreateRoleCommand({ RoleName: unique('p'), Path: prefix, AssumeRolePolicyDocument: ROLE_TRUST() }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListRolesCommand({ PathPrefix: prefix, MaxItems: 2, Marker: marker }));
      seen.push(...page.Roles!.map((r) => r.RoleName!));
      marker = page.IsTruncated ? page.Marker : undefined;
      pages++;
    } while (marker);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 5);
  });
});

describe('managed policies', () => {
  test('create, versions, default version, delete', async () => {
    const name = unique('pol');
    const v1 = JSON.stringify(allow('s3:ListBucket', 'arn:aws:s3:::a'));
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: v1, Description: 'test' }));
    const arn = created.Policy!.Arn!;
    assert.equal(arn, `arn:aws:iam::${ts.managementAccount}:policy/${name}`);
    assert.equal(created.Policy!.DefaultVersionId, 'v1');
    const v2 = JSON.stringify(allow('s3:ListBucket', 'arn:aws:s3:::b'));
    const version = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: v2, SetAsDefault: true }));
    assert.equal(version.PolicyVersion!.VersionId, 'v2');
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId, 'v2');
    const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    assert.equal(decodeURIComponent(got.PolicyVersion!.Document!), v1);
    assert.equal(got.PolicyVersion!.IsDefaultVersion, false);
    for (let i = 3; i <= 5; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: v2 }));
    await rejects(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: v2 })), 'LimitExceededException', /up to 5 versions/);
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflictException', /versions/);
  });

  test('a policy attached to a role cannot be deleted', async () => {
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: unique('pol'), PolicyDocument: JSON.stringify(allow('s3:*')) }));
    const role = unique('r');
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: ROLE_TRUST() }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: created.Policy!.Arn }));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: created.Policy!.Arn }))).Policy!.AttachmentCount, 1);
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: created.Policy!.Arn })), 'DeleteConflictException', /attached/);
    await iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: created.Policy!.Arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: created.Policy!.Arn }));
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: created.Policy!.Arn })), 'NoSuchEntityException');
  });

  test('AWS managed policies are built in with their real documents', async () => {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: DEPLOY }))).Policy!;
    assert.equal(policy.PolicyName, 'AmplifyBackendDeployFullAccess');
    assert.equal(policy.Path, '/service-role/');
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: DEPLOY, VersionId: policy.DefaultVersionId }));
    const doc = JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!));
    assert.ok(doc.Statement.some((s: any) => s.Sid === 'CDKDeploy'));
    for (const arn of ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'])
      assert.ok((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.Arn);
  });

  test('ListPolicies filters by scope and pages', async () => {
    await iam.send(new CreatePolicyCommand({ PolicyName: unique('local'), PolicyDocument: JSON.stringify(allow('s3:*')) }));
    const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    assert.ok(local.Policies!.length >= 1);
    assert.ok(local.Policies!.every((p) => !p.Arn!.startsWith('arn:aws:iam::aws:')));
    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 1 }));
    assert.equal(aws.Policies!.length, 1);
    assert.equal(aws.IsTruncated, true);
    const next = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 1, Marker: aws.Marker }));
    assert.notEqual(next.Policies![0]!.Arn, aws.Policies![0]!.Arn);
  });

  test('malformed policy documents are refused with a message naming the problem, and nothing is stored', async () => {
    const name = unique('bad');
    const cases: Array<[string, RegExp]> = [
      ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"', /Syntax errors/],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 's3:*', Resource: '*' }] }), /Effect/],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }), /actions/],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] }), /resources/],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'GetObject', Resource: '*' }] }), /vendor/],
      [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] }), /principal/i],
    ];
    for (const [doc, message] of cases)
      await rejects(iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc })), 'MalformedPolicyDocumentException', message);
    const listed = await iam.send(new ListPoliciesCommand({ Scope: 'Local', MaxItems: 1000 }));
    assert.ok(!listed.Policies!.some((p) => p.PolicyName === name));
  });
});

describe('policy simulator', () => {
  test('SimulateCustomPolicy answers allowed / implicitDeny / explicitDeny with matched statements', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::docs/*' },
        { Sid: 'NoSecrets', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::docs/secret/*' },
      ],
    }, null, 2);
    const out = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [policy], ActionNames: ['s3:GetObject', 's3:PutObject'],
      ResourceArns: ['arn:aws:s3:::docs/readme', 'arn:aws:s3:::docs/secret/key'],
    }));
    const decision = (a: string, r: string) => out.EvaluationResults!.find((e) => e.EvalActionName === a && e.EvalResourceName === r)!.EvalDecision;
    assert.equal(decision('s3:GetObject', 'arn:aws:s3:::docs/readme'), 'allowed');
    assert.equal(decision('s3:PutObject', 'arn:aws:s3:::docs/readme'), 'implicitDeny');
    assert.equal(decision('s3:GetObject', 'arn:aws:s3:::docs/secret/key'), 'explicitDeny');
    const allowed = out.EvaluationResults!.find((e) => e.EvalDecision === 'allowed')!;
    assert.equal(allowed.MatchedStatements![0]!.StartPosition!.Line, 4, 'the Read statement opens on line 4');
  });

  test('SimulateCustomPolicy honours context entries and a permissions boundary', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }] });
    const run = (region: string, boundary?: string) => iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [policy], ActionNames: ['ec2:RunInstances'],
      ContextEntries: [{ ContextKeyName: 'aws:RequestedRegion', ContextKeyValues: [region], ContextKeyType: 'string' }],
      PermissionsBoundaryPolicyInputList: boundary ? [boundary] : undefined,
    }));
    assert.equal((await run('eu-west-1')).EvaluationResults![0]!.EvalDecision, 'allowed');
    assert.equal((await run('us-east-1')).EvaluationResults![0]!.EvalDecision, 'implicitDeny');
    assert.equal((await run('eu-west-1', JSON.stringify(allow('s3:*')))).EvaluationResults![0]!.EvalDecision, 'implicitDeny');
  });

  test('SimulatePrincipalPolicy evaluates a role holding AmplifyBackendDeployFullAccess', async () => {
    const name = unique('sim');
    const role = (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ROLE_TRUST() }))).Role!;
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: DEPLOY }));
    const account = ts.managementAccount;
    const out = await iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: role.Arn, ActionNames: ['sts:AssumeRole', 'iam:CreateRole'],
      ResourceArns: [`arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-us-west-2`],
    }));
    const byAction = Object.fromEntries(out.EvaluationResults!.map((e) => [e.EvalActionName, e.EvalDecision]));
    assert.deepEqual(byAction, { 'sts:AssumeRole': 'allowed', 'iam:CreateRole': 'implicitDeny' });
  });
});
