/**
 * Action / NotAction, Resource / NotResource, Principal / NotPrincipal, from the IAM JSON policy elements
 * reference (reference_policies_elements_*.md).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContextKeys, PrincipalElement, RequestPrincipal } from './policy-types.ts';
import { actionMatches, compileNotPrincipal, compilePrincipal, compileResources } from './statement-matching.ts';
import { RequestContext } from './request-context.ts';
import { A, B, allow, anonymous, decide, deny, policy, request, root, service, session, user } from './test-fixtures.ts';

describe('Action: case-insensitive globs (elements_action)', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['an exact action matches itself', 'iam:ListAccessKeys', 'iam:ListAccessKeys', true],
    ['"iam:ListAccessKeys is the same as IAM:listaccesskeys"', 'iam:ListAccessKeys', 'IAM:listaccesskeys', true],
    ['the request may be in any case too', 'IAM:LISTACCESSKEYS', 'iam:ListAccessKeys', true],
    ['a bare * matches every action', '*', 'sts:AssumeRole', true],
    ['service:* matches every action of that service', 's3:*', 's3:GetObject', true],
    ['service:* does not match another service', 's3:*', 'sqs:SendMessage', false],
    ['service prefixes are whole: s3:* does not match s3control:…', 's3:*', 's3control:GetJobTagging', false],
    ['iam:*AccessKey* matches iam:CreateAccessKey (doc example)', 'iam:*AccessKey*', 'iam:CreateAccessKey', true],
    ['iam:*AccessKey* matches iam:ListAccessKeys', 'iam:*AccessKey*', 'iam:ListAccessKeys', true],
    ['iam:*AccessKey* does not match iam:ListUsers', 'iam:*AccessKey*', 'iam:ListUsers', false],
    ['a prefix glob matches its prefix', 's3:Get*', 's3:GetObjectAcl', true],
    ['a prefix glob does not match other verbs', 's3:Get*', 's3:PutObject', false],
    ['no wildcard means no prefix match', 's3:GetObject', 's3:GetObjectAcl', false],
    ['? matches exactly one character', 'ec2:DescribeVpc?', 'ec2:DescribeVpcs', true],
    ['? does not match zero characters', 'ec2:DescribeVpc?', 'ec2:DescribeVpc', false],
    ['? does not match two characters', 'ec2:DescribeVpc?', 'ec2:DescribeVpcsX', false],
    ['a wildcard service prefix matches any service', '*:List*', 's3:ListBucket', true],
    ['a trailing * matches the longer AssumeRole* actions', 'sts:AssumeRole*', 'sts:AssumeRoleWithSAML', true],
    ['the same verb in another service is another action', 'sqs:GetObject', 's3:GetObject', false],
  ];
  for (const [name, pattern, action, expected] of cases) {
    test(name, () => assert.equal(actionMatches(pattern, action), expected));
  }
});

describe('NotAction (elements_notaction)', () => {
  const alice = user();
  test('Allow + NotAction grants every action except the listed ones', () => {
    const identity = [policy('p', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })];
    assert.equal(decide(request(alice, 's3:GetObject', 'arn:aws:s3:::b/k'), { identity }), 'Allow');
  });
  test('Allow + NotAction does not grant the listed actions', () => {
    const identity = [policy('p', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })];
    assert.equal(decide(request(alice, 'iam:CreateUser', '*'), { identity }), 'ImplicitDeny');
  });
  test('Deny + NotAction denies everything else, whatever else allows it', () => {
    const identity = [policy('p', allow('*'), { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' })];
    assert.equal(decide(request(alice, 's3:GetObject', 'arn:aws:s3:::b/k'), { identity }), 'ExplicitDeny');
  });
  test('Deny + NotAction leaves the listed actions to the Allow', () => {
    const identity = [policy('p', allow('*'), { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' })];
    assert.equal(decide(request(alice, 'iam:ListUsers', '*'), { identity }), 'Allow');
  });
  test('NotAction is case-insensitive like Action', () => {
    const identity = [policy('p', { Effect: 'Allow', NotAction: 'IAM:*', Resource: '*' })];
    assert.equal(decide(request(alice, 'iam:ListUsers', '*'), { identity }), 'ImplicitDeny');
  });
  test('Allow + NotAction is still limited by Resource', () => {
    const identity = [policy('p', { Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b/*' })];
    assert.equal(decide(request(alice, 's3:GetObject', 'arn:aws:s3:::other/k'), { identity }), 'ImplicitDeny');
  });
});

function resourceMatches(pattern: string | string[], resource: string, context: ContextKeys = {}, variables = true): boolean {
  const patterns = Array.isArray(pattern) ? pattern : [pattern];
  return compileResources(patterns, variables)(resource, new RequestContext(context));
}

describe('Resource: case-sensitive globs over the whole ARN (elements_resource)', () => {
  const cases: Array<[string, string | string[], string, boolean]> = [
    ['an exact ARN matches itself', 'arn:aws:s3:::bucket', 'arn:aws:s3:::bucket', true],
    ['resources are case-sensitive', 'arn:aws:s3:::Bucket', 'arn:aws:s3:::bucket', false],
    ['* spans / in object keys', 'arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c.txt', true],
    ['* spans : (whole-ARN glob)', 'arn:aws:lambda:*', 'arn:aws:lambda:us-east-1:111122223333:function:f', true],
    ['bucket/* does not match the bucket itself', 'arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
    ['no wildcard means no prefix match', 'arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/key', false],
    ['* may match nothing', 'arn:aws:s3:::bucket*', 'arn:aws:s3:::bucket', true],
    ['? matches exactly one character', 'arn:aws:s3:::bucket-?', 'arn:aws:s3:::bucket-1', true],
    ['? does not match two characters', 'arn:aws:s3:::bucket-?', 'arn:aws:s3:::bucket-10', false],
    ['a bare * matches any resource', '*', 'arn:aws:iam::111122223333:role/x', true],
    ['a bare * matches the * of resource-less actions', '*', '*', true],
    ['an ARN pattern does not match the * of resource-less actions', 'arn:aws:s3:::b', '*', false],
    ['the account segment can be a wildcard', 'arn:aws:iam::*:role/cdk-*', 'arn:aws:iam::111122223333:role/cdk-x', true],
    ['several patterns OR together', ['arn:aws:s3:::a', 'arn:aws:s3:::b'], 'arn:aws:s3:::b', true],
    ['middle wildcards are matched in order', 'arn:aws:s3:::cdk-*-assets-*-*', 'arn:aws:s3:::cdk-hnb659fds-assets-111122223333-us-west-2', true],
    ['middle wildcards need every literal piece', 'arn:aws:s3:::cdk-*-assets-*-*', 'arn:aws:s3:::cdk-hnb659fds-assets-only', false],
  ];
  for (const [name, pattern, resource, expected] of cases) {
    test(name, () => assert.equal(resourceMatches(pattern, resource), expected));
  }

  test('${aws:username} in Resource is the caller’s own folder (policy variables doc)', () => {
    const ctx = { 'aws:username': 'alice' };
    assert.equal(resourceMatches('arn:aws:s3:::mybucket/${aws:username}/*', 'arn:aws:s3:::mybucket/alice/notes.txt', ctx), true);
    assert.equal(resourceMatches('arn:aws:s3:::mybucket/${aws:username}/*', 'arn:aws:s3:::mybucket/bob/notes.txt', ctx), false);
  });
  test('a Resource whose variable has no value matches nothing, even with a trailing *', () => {
    assert.equal(resourceMatches('arn:aws:s3:::mybucket/${aws:username}*', 'arn:aws:s3:::mybucket/x', {}), false);
  });
  test('a substituted value is literal: a * in the user name is not a wildcard', () => {
    const ctx = { 'aws:username': 'a*' };
    assert.equal(resourceMatches('arn:aws:s3:::b/${aws:username}/k', 'arn:aws:s3:::b/abc/k', ctx), false);
    assert.equal(resourceMatches('arn:aws:s3:::b/${aws:username}/k', 'arn:aws:s3:::b/a*/k', ctx), true);
  });
  test('without Version 2012-10-17 a ${...} in Resource is literal text', () => {
    const ctx = { 'aws:username': 'alice' };
    assert.equal(resourceMatches('arn:aws:s3:::b/${aws:username}', 'arn:aws:s3:::b/alice', ctx, false), false);
    assert.equal(resourceMatches('arn:aws:s3:::b/${aws:username}', 'arn:aws:s3:::b/${aws:username}', ctx, false), true);
  });
});

describe('NotResource (elements_notresource)', () => {
  const alice = user();
  const identity = [
    policy('p', allow('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::hr', 'arn:aws:s3:::hr/*'] }),
  ];
  test('Deny + NotResource denies every resource except the listed ones', () => {
    assert.equal(decide(request(alice, 's3:GetObject', 'arn:aws:s3:::payroll/k'), { identity }), 'ExplicitDeny');
  });
  test('Deny + NotResource leaves the listed resources to the Allow', () => {
    assert.equal(decide(request(alice, 's3:GetObject', 'arn:aws:s3:::hr/k'), { identity }), 'Allow');
  });
  test('Allow + NotResource grants every resource except the listed ones', () => {
    const grants = [policy('p', { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' })];
    assert.equal(decide(request(alice, 's3:GetObject', 'arn:aws:s3:::public/k'), { identity: grants }), 'Allow');
    assert.equal(decide(request(alice, 's3:GetObject', 'arn:aws:s3:::secret/k'), { identity: grants }), 'ImplicitDeny');
  });
  test('a statement with neither Resource nor NotResource matches nothing in an identity policy', () => {
    const grants = [policy('p', { Effect: 'Allow', Action: 's3:*' })];
    assert.equal(decide(request(alice, 's3:GetObject', 'arn:aws:s3:::b/k'), { identity: grants }), 'ImplicitDeny');
  });
});

describe('Principal (elements_principal)', () => {
  const match = (element: PrincipalElement, principal: RequestPrincipal) => compilePrincipal(element)(principal);
  const cases: Array<[string, PrincipalElement, RequestPrincipal, ReturnType<typeof match>]> = [
    ['"*" names every principal', '*', user(), 'wildcard'],
    ['{"AWS": "*"} is the same as "*"', { AWS: '*' }, session(), 'wildcard'],
    ['a bare account id names every principal of the account', { AWS: A }, user(), 'account'],
    ['arn:aws:iam::ACCOUNT:root is the same as the bare account id', { AWS: `arn:aws:iam::${A}:root` }, session(), 'account'],
    ['an account does not name principals of another account', { AWS: B }, user(), undefined],
    ['an account names its root user', { AWS: A }, root(), 'account'],
    ['an IAM user ARN names that user', { AWS: `arn:aws:iam::${A}:user/alice` }, user('alice'), 'exact'],
    ['an IAM user ARN does not name another user', { AWS: `arn:aws:iam::${A}:user/bob` }, user('alice'), undefined],
    ['a user ARN is per account', { AWS: `arn:aws:iam::${B}:user/alice` }, user('alice'), undefined],
    ['a role ARN names the sessions of that role', { AWS: `arn:aws:iam::${A}:role/deployer` }, session('deployer'), 'role'],
    ['a role ARN with a path names sessions of that role', { AWS: `arn:aws:iam::${A}:role/ci/deployer` }, session('deployer', 'r', A, '/ci/'), 'role'],
    ['a role ARN does not name sessions of another role', { AWS: `arn:aws:iam::${A}:role/other` }, session('deployer'), undefined],
    ['an assumed-role session ARN names that session', { AWS: `arn:aws:sts::${A}:assumed-role/deployer/run-1` }, session('deployer', 'run-1'), 'exact'],
    ['a session ARN does not name another session of the role', { AWS: `arn:aws:sts::${A}:assumed-role/deployer/run-1` }, session('deployer', 'run-2'), undefined],
    ['principal ARNs take no wildcards other than "*"', { AWS: `arn:aws:iam::${A}:user/*` }, user('alice'), undefined],
    ['a role ARN does not name a user of the same name', { AWS: `arn:aws:iam::${A}:role/alice` }, user('alice'), undefined],
    ['Service names a service principal', { Service: 'codecatalyst-runner.amazonaws.com' }, service('codecatalyst-runner.amazonaws.com'), 'service'],
    ['Service may list several services', { Service: ['amplify.amazonaws.com', 'codebuild.amazonaws.com'] }, service('codebuild.amazonaws.com'), 'service'],
    ['Service does not name another service', { Service: 'amplify.amazonaws.com' }, service('codebuild.amazonaws.com'), undefined],
    ['"*" covers service principals too (for Deny)', '*', service('amplify.amazonaws.com'), 'wildcard'],
    ['an AWS account does not name a service principal', { AWS: A }, service('amplify.amazonaws.com'), undefined],
    ['Service does not name IAM users', { Service: 'amplify.amazonaws.com' }, user(), undefined],
    ['"*" covers anonymous callers', '*', anonymous(), 'wildcard'],
    ['an account does not name anonymous callers', { AWS: A }, anonymous(), undefined],
    ['Federated principals are not IAM users', { Federated: 'cognito-identity.amazonaws.com' }, user(), undefined],
    ['AWS and Service entries combine (either names the caller)', { AWS: `arn:aws:iam::${A}:user/alice`, Service: 'amplify.amazonaws.com' }, user('alice'), 'exact'],
  ];
  for (const [name, element, principal, expected] of cases) {
    test(name, () => assert.equal(match(element, principal), expected));
  }
});

describe('NotPrincipal (elements_notprincipal)', () => {
  const applies = (element: PrincipalElement, principal: RequestPrincipal) => compileNotPrincipal(element)(principal) !== undefined;
  const bobAndAccount = { AWS: [`arn:aws:iam::${B}:user/Bob`, `arn:aws:iam::${B}:root`] };
  test('Deny + NotPrincipal exempts the named user (doc example: Bob and his account)', () => {
    assert.equal(applies(bobAndAccount, user('Bob', B)), false);
  });
  test('Deny + NotPrincipal applies to every other user', () => {
    assert.equal(applies(bobAndAccount, user('Alice', B)), true);
  });
  const auditSession = {
    AWS: [
      `arn:aws:sts::${B}:assumed-role/cross-account-read-only-role/cross-account-audit-app`,
      `arn:aws:iam::${B}:role/cross-account-read-only-role`,
      `arn:aws:iam::${B}:root`,
    ],
  };
  test('a session is exempt when its session ARN and role ARN are listed (doc example)', () => {
    assert.equal(applies(auditSession, session('cross-account-read-only-role', 'cross-account-audit-app', B)), false);
  });
  test('another session of the same role is not exempt', () => {
    assert.equal(applies(auditSession, session('cross-account-read-only-role', 'other-app', B)), true);
  });
  test('listing only the session ARN, without its role, does not exempt the session', () => {
    const onlySession = { AWS: `arn:aws:sts::${B}:assumed-role/r/s` };
    assert.equal(applies(onlySession, session('r', 's', B)), true);
  });
  test('listing only the role ARN does not exempt its sessions', () => {
    assert.equal(applies({ AWS: `arn:aws:iam::${B}:role/r` }, session('r', 's', B)), true);
  });
  test('listing an account exempts only its root, not its users', () => {
    assert.equal(applies({ AWS: B }, root(B)), false);
    assert.equal(applies({ AWS: B }, user('Bob', B)), true);
  });
  test('NotPrincipal "*" exempts everyone', () => {
    assert.equal(applies('*', user()), false);
  });
  test('Allow + NotPrincipal reaches anonymous callers, as the doc warns', () => {
    assert.equal(applies({ AWS: A }, anonymous()), true);
  });
  test('a listed service principal is exempt', () => {
    assert.equal(applies({ Service: 'amplify.amazonaws.com' }, service('amplify.amazonaws.com')), false);
  });
  test('a resource-policy Deny + NotPrincipal denies the unlisted caller end to end', () => {
    const resource = policy('bucket', { Effect: 'Deny', NotPrincipal: bobAndAccount, Action: 's3:*', Resource: 'arn:aws:s3:::b/*' });
    const identity = [policy('p', allow('s3:*'))];
    assert.equal(decide(request(user('alice'), 's3:GetObject', 'arn:aws:s3:::b/k'), { identity, resource }), 'ExplicitDeny');
    assert.equal(decide(request(user('Bob', B), 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: B }), { identity, resource }), 'Allow');
  });
  test('a Deny in a resource policy with neither Principal nor NotPrincipal names nobody', () => {
    const resource = policy('bucket', deny('s3:*'));
    assert.equal(decide(request(user(), 's3:GetObject', 'arn:aws:s3:::b/k'), { identity: [policy('p', allow('s3:*'))], resource }), 'Allow');
  });
});
