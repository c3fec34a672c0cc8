/**
 * The decision logic: reference_policies_evaluation-logic (within one account), ...-cross-account,
 * access_policies_boundaries (boundaries, session policies, resource-based policies), and the principal
 * types that have no identity policies.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourcedPolicy } from './policy-types.ts';
import { authorize } from './evaluate-policies.ts';
import { A, B, allow, anonymous, decide, deny, policy, request, root, roleArn, service, session, user } from './test-fixtures.ts';

const OBJECT = 'arn:aws:s3:::bucket/key';
const get = (principal = user(), options: Parameters<typeof request>[3] = {}) => request(principal, 's3:GetObject', OBJECT, options);
const grantGet = () => policy('grant-get', allow('s3:GetObject', 'arn:aws:s3:::bucket/*'));
const grantAll = () => policy('grant-all', allow('*'));
const denyGet = () => policy('deny-get', deny('s3:GetObject'));
/** A resource-based policy on the bucket naming `principal` in `Principal.AWS`. */
const bucketPolicy = (aws: string | string[], effect: 'Allow' | 'Deny' = 'Allow'): SourcedPolicy =>
  policy('bucket', { Effect: effect, Principal: { AWS: aws }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' });

describe('explicit deny and implicit deny (one account)', () => {
  test('with no policy at all the request is implicitly denied', () => {
    const result = authorize(get(), { identity: [] });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['identity']);
  });
  test('an identity-policy Allow allows', () => {
    assert.equal(decide(get(), { identity: [grantGet()] }), 'Allow');
  });
  test('a Deny in the same policy overrides its Allow', () => {
    assert.equal(decide(get(), { identity: [policy('p', allow('s3:*'), deny('s3:GetObject'))] }), 'ExplicitDeny');
  });
  test('a Deny in another identity policy overrides an Allow', () => {
    assert.equal(decide(get(), { identity: [grantAll(), denyGet()] }), 'ExplicitDeny');
  });
  test('a Deny alone, without any Allow, is still an explicit deny', () => {
    assert.equal(decide(get(), { identity: [denyGet()] }), 'ExplicitDeny');
  });
  test('a Deny for another action does not apply', () => {
    assert.equal(decide(request(user(), 's3:PutObject', OBJECT), { identity: [grantAll(), denyGet()] }), 'Allow');
  });
  test('a Deny whose condition is false does not apply', () => {
    const conditional = policy('p', deny('s3:*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    assert.equal(decide(get(user(), { context: { 'aws:SecureTransport': 'true' } }), { identity: [grantAll(), conditional] }), 'Allow');
  });
  test('a Deny whose condition is true applies', () => {
    const conditional = policy('p', deny('s3:*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    assert.equal(decide(get(user(), { context: { 'aws:SecureTransport': 'false' } }), { identity: [grantAll(), conditional] }), 'ExplicitDeny');
  });
  test('an Allow whose condition is false grants nothing', () => {
    const conditional = policy('p', allow('s3:*', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ops' } } }));
    assert.equal(decide(get(), { identity: [conditional] }), 'ImplicitDeny');
  });
  test('an Allow with an unknown condition operator grants nothing', () => {
    const bad = policy('p', allow('s3:*', '*', { Condition: { StringSortOf: { 'aws:PrincipalTag/team': 'ops' } } }));
    assert.equal(decide(get(), { identity: [bad] }), 'ImplicitDeny');
  });
  test('a Deny with an unknown condition operator does not apply', () => {
    const bad = policy('p', deny('s3:*', '*', { Condition: { StringSortOf: { 'aws:PrincipalTag/team': 'ops' } } }));
    assert.equal(decide(get(), { identity: [grantAll(), bad] }), 'Allow');
  });
  test('statements OR together: any matching Allow is enough', () => {
    assert.equal(decide(get(), { identity: [policy('p', allow('s3:PutObject'), allow('s3:GetObject'))] }), 'Allow');
  });
  test('a statement whose Effect is neither Allow nor Deny is ignored', () => {
    assert.equal(decide(get(), { identity: [{ id: 'p', document: { Version: '2012-10-17', Statement: [{ Effect: 'allow' as 'Allow', Action: '*', Resource: '*' }] } }] }), 'ImplicitDeny');
  });
  test('a Statement given as a single object (not an array) works', () => {
    assert.equal(decide(get(), { identity: [{ id: 'p', document: { Version: '2012-10-17', Statement: allow('s3:GetObject') } }] }), 'Allow');
  });
  test('a statement with both Action and NotAction matches nothing', () => {
    const both = policy('p', { Effect: 'Allow', Action: '*', NotAction: 'iam:*', Resource: '*' });
    assert.equal(decide(get(), { identity: [both] }), 'ImplicitDeny');
  });
});

describe('permissions boundaries (access_policies_boundaries)', () => {
  const boundary = (statement = allow('s3:*')) => policy('boundary', statement);
  test('identity and boundary both allow: allowed (the intersection)', () => {
    assert.equal(decide(get(), { identity: [grantGet()], boundary: boundary() }), 'Allow');
  });
  test('the boundary does not allow: implicitly denied, and the boundary is what lacked an allow', () => {
    const result = authorize(get(), { identity: [grantGet()], boundary: boundary(allow('ec2:*')) });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['boundary']);
  });
  test('a boundary grants nothing by itself', () => {
    const result = authorize(get(), { identity: [], boundary: boundary() });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['identity']);
  });
  test('an explicit Deny in the boundary is an explicit deny', () => {
    assert.equal(decide(get(), { identity: [grantAll()], boundary: policy('boundary', allow('*'), deny('s3:GetObject')) }), 'ExplicitDeny');
  });
  test('an empty boundary allows nothing', () => {
    assert.equal(decide(get(), { identity: [grantAll()], boundary: policy('boundary') }), 'ImplicitDeny');
  });
  test('a boundary applies to role sessions too', () => {
    assert.equal(decide(get(session()), { identity: [grantAll()], boundary: boundary(allow('ec2:*')) }), 'ImplicitDeny');
  });
});

describe('session policies (access_policies session policies)', () => {
  const s = session();
  test('identity and session policy both allow: allowed', () => {
    assert.equal(decide(get(s), { identity: [grantAll()], session: [policy('session', allow('s3:GetObject'))] }), 'Allow');
  });
  test('the session policy does not allow: implicitly denied, missing the session', () => {
    const result = authorize(get(s), { identity: [grantAll()], session: [policy('session', allow('ec2:*'))] });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['session']);
  });
  test('a session policy cannot grant more than the role’s identity policies', () => {
    assert.equal(decide(get(s), { identity: [], session: [policy('session', allow('*'))] }), 'ImplicitDeny');
  });
  test('session === undefined: the session is not limited', () => {
    assert.equal(decide(get(s), { identity: [grantAll()], session: undefined }), 'Allow');
  });
  test('an empty session list is the same as no session policy', () => {
    assert.equal(decide(get(s), { identity: [grantAll()], session: [] }), 'Allow');
  });
  test('with an inline and a managed session policy, either allowing is enough', () => {
    const session = [policy('session', allow('ec2:*')), policy('arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', allow('s3:Get*'))];
    assert.equal(decide(get(s), { identity: [grantAll()], session }), 'Allow');
  });
  test('a Deny in a session policy is an explicit deny', () => {
    assert.equal(decide(get(s), { identity: [grantAll()], session: [policy('session', allow('*'), deny('s3:*'))] }), 'ExplicitDeny');
  });
  test('identity ∩ boundary ∩ session: all three allow', () => {
    assert.equal(decide(get(s), { identity: [grantAll()], boundary: policy('b', allow('s3:*')), session: [policy('s', allow('s3:Get*'))] }), 'Allow');
  });
  test('identity ∩ boundary ∩ session: the boundary alone lacking an allow denies', () => {
    const result = authorize(get(s), { identity: [grantAll()], boundary: policy('b', allow('ec2:*')), session: [policy('s', allow('s3:Get*'))] });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['boundary']);
  });
});

describe('resource-based policies in the same account (evaluation-logic table)', () => {
  test('naming the IAM user ARN grants without any identity policy', () => {
    const result = authorize(get(user('alice')), { identity: [], resource: bucketPolicy(`arn:aws:iam::${A}:user/alice`) });
    assert.equal(result.decision, 'Allow');
    assert.deepEqual(result.missingAllow, ['identity']);
  });
  test('naming the IAM user ARN is "not limited by an implicit deny in ... a permissions boundary"', () => {
    const policies = { identity: [], boundary: policy('b', allow('ec2:*')), resource: bucketPolicy(`arn:aws:iam::${A}:user/alice`) };
    assert.equal(decide(get(user('alice')), policies), 'Allow');
  });
  test('naming the role ARN grants its session without an identity policy', () => {
    assert.equal(decide(get(session('deployer')), { identity: [], resource: bucketPolicy(roleArn('deployer')) }), 'Allow');
  });
  test('naming the role ARN is still limited by an implicit deny in the permissions boundary', () => {
    const policies = { identity: [], boundary: policy('b', allow('ec2:*')), resource: bucketPolicy(roleArn('deployer')) };
    assert.equal(decide(get(session('deployer')), policies), 'ImplicitDeny');
  });
  test('naming the role ARN is still limited by an implicit deny in a session policy', () => {
    const policies = { identity: [], session: [policy('s', allow('ec2:*'))], resource: bucketPolicy(roleArn('deployer')) };
    assert.equal(decide(get(session('deployer')), policies), 'ImplicitDeny');
  });
  test('naming the role ARN with a boundary that allows: allowed', () => {
    const policies = { identity: [], boundary: policy('b', allow('s3:*')), resource: bucketPolicy(roleArn('deployer')) };
    assert.equal(decide(get(session('deployer')), policies), 'Allow');
  });
  test('naming the role-session ARN is not limited by identity, boundary or session policies', () => {
    const policies = {
      identity: [],
      boundary: policy('b', allow('ec2:*')),
      session: [policy('s', allow('ec2:*'))],
      resource: bucketPolicy(`arn:aws:sts::${A}:assumed-role/deployer/run-1`),
    };
    assert.equal(decide(get(session('deployer', 'run-1')), policies), 'Allow');
  });
  test('naming the account only delegates: without an identity Allow it is denied', () => {
    assert.equal(decide(get(), { identity: [], resource: bucketPolicy(A) }), 'ImplicitDeny');
  });
  test('naming the account with an identity Allow: allowed', () => {
    assert.equal(decide(get(), { identity: [grantGet()], resource: bucketPolicy(`arn:aws:iam::${A}:root`) }), 'Allow');
  });
  test('naming "*" grants everyone in the account, no identity policy needed', () => {
    assert.equal(decide(get(), { identity: [], resource: bucketPolicy('*') }), 'Allow');
  });
  test('a Deny in the resource policy overrides an identity Allow', () => {
    assert.equal(decide(get(user('alice')), { identity: [grantAll()], resource: bucketPolicy(`arn:aws:iam::${A}:user/alice`, 'Deny') }), 'ExplicitDeny');
  });
  test('an identity Allow is enough when the resource policy names someone else', () => {
    const result = authorize(get(user('alice')), { identity: [grantGet()], resource: bucketPolicy(`arn:aws:iam::${A}:user/bob`) });
    assert.equal(result.decision, 'Allow');
    assert.deepEqual(result.missingAllow, ['resource']);
  });
  test('a resource-policy Allow for another action grants nothing', () => {
    const resource = policy('bucket', { Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bucket/*' });
    assert.equal(decide(get(), { identity: [], resource }), 'ImplicitDeny');
  });
  test('a resource-policy Allow whose condition fails grants nothing', () => {
    const resource = policy('bucket', {
      Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    });
    assert.equal(decide(get(user(), { context: { 'aws:SourceIp': '192.0.2.1' } }), { identity: [], resource }), 'ImplicitDeny');
  });
  test('a resource-policy Allow without Principal names nobody', () => {
    assert.equal(decide(get(), { identity: [], resource: policy('bucket', allow('s3:GetObject')) }), 'ImplicitDeny');
  });
  test('no resourceAccount means the caller’s own account', () => {
    const req = get(user('alice'));
    delete req.resourceAccount;
    assert.equal(decide(req, { identity: [], resource: bucketPolicy(`arn:aws:iam::${A}:user/alice`) }), 'Allow');
  });
});

describe('cross-account access (evaluation-logic-cross-account)', () => {
  const elsewhere = (principal = user('alice')) => get(principal, { resourceAccount: B });
  test('identity Allow and a resource policy naming the caller’s account: allowed', () => {
    assert.equal(decide(elsewhere(), { identity: [grantGet()], resource: bucketPolicy(A) }), 'Allow');
  });
  test('the resource policy allows but the identity policy does not: denied, missing identity', () => {
    const result = authorize(elsewhere(), { identity: [], resource: bucketPolicy(A) });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['identity']);
  });
  test('the identity policy allows but there is no resource policy: denied, missing resource', () => {
    const result = authorize(elsewhere(), { identity: [grantGet()] });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['resource']);
  });
  test('naming the exact user ARN is not enough across accounts without an identity Allow', () => {
    assert.equal(decide(elsewhere(), { identity: [], resource: bucketPolicy(`arn:aws:iam::${A}:user/alice`) }), 'ImplicitDeny');
  });
  test('naming the exact user ARN with an identity Allow: allowed', () => {
    assert.equal(decide(elsewhere(), { identity: [grantGet()], resource: bucketPolicy(`arn:aws:iam::${A}:user/alice`) }), 'Allow');
  });
  test('the caller’s permissions boundary still caps cross-account access', () => {
    const policies = { identity: [grantGet()], boundary: policy('b', allow('ec2:*')), resource: bucketPolicy(A) };
    assert.equal(decide(elsewhere(), policies), 'ImplicitDeny');
  });
  test('the caller’s session policy still caps cross-account access, even when the session is named', () => {
    const policies = {
      identity: [grantGet()],
      session: [policy('s', allow('ec2:*'))],
      resource: bucketPolicy(`arn:aws:sts::${A}:assumed-role/deployer/run-1`),
    };
    assert.equal(decide(elsewhere(session('deployer', 'run-1')), policies), 'ImplicitDeny');
  });
  test('a Deny in the resource policy wins across accounts', () => {
    assert.equal(decide(elsewhere(), { identity: [grantGet()], resource: bucketPolicy(A, 'Deny') }), 'ExplicitDeny');
  });
  test('a Deny in the caller’s identity policy wins across accounts', () => {
    assert.equal(decide(elsewhere(), { identity: [grantAll(), denyGet()], resource: bucketPolicy(A) }), 'ExplicitDeny');
  });
  test('a resource policy naming a third account does not trust the caller', () => {
    assert.equal(decide(elsewhere(), { identity: [grantGet()], resource: bucketPolicy('999988887777') }), 'ImplicitDeny');
  });
  test('a resource policy naming "*" counts as the resource side across accounts', () => {
    assert.equal(decide(elsewhere(), { identity: [grantGet()], resource: bucketPolicy('*') }), 'Allow');
  });
});

describe('service principals, anonymous callers and the root user', () => {
  const runner = service('codecatalyst-runner.amazonaws.com');
  const serviceBucket = (services: string | string[]) =>
    policy('bucket', { Effect: 'Allow', Principal: { Service: services }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' });
  test('a resource policy naming the service in Principal.Service allows it', () => {
    assert.equal(decide(get(runner), { identity: [], resource: serviceBucket('codecatalyst-runner.amazonaws.com') }), 'Allow');
  });
  test('a resource policy allowing "*" does not name the service, so the service is denied', () => {
    assert.equal(decide(get(runner), { identity: [], resource: bucketPolicy('*') }), 'ImplicitDeny');
  });
  test('a resource policy naming another service does not allow it', () => {
    const result = authorize(get(runner), { identity: [], resource: serviceBucket('amplify.amazonaws.com') });
    assert.equal(result.decision, 'ImplicitDeny');
    assert.deepEqual(result.missingAllow, ['resource']);
  });
  test('identity policies handed in for a service are ignored (services have none)', () => {
    assert.equal(decide(get(runner), { identity: [grantAll()] }), 'ImplicitDeny');
  });
  test('a resource-policy Deny on "*" applies to services', () => {
    const resource = policy('bucket', ...[
      { Effect: 'Allow' as const, Principal: { Service: 'codecatalyst-runner.amazonaws.com' }, Action: 's3:*', Resource: '*' },
      { Effect: 'Deny' as const, Principal: '*' as const, Action: 's3:GetObject', Resource: '*' },
    ]);
    assert.equal(decide(get(runner), { identity: [], resource }), 'ExplicitDeny');
  });
  test('an anonymous caller is allowed by a public ("*") resource policy', () => {
    assert.equal(decide(get(anonymous()), { identity: [], resource: bucketPolicy('*') }), 'Allow');
  });
  test('an anonymous caller is not allowed by a policy naming an account', () => {
    assert.equal(decide(get(anonymous()), { identity: [], resource: bucketPolicy(A) }), 'ImplicitDeny');
  });
  test('an anonymous caller is allowed by Allow + NotPrincipal, as the NotPrincipal doc warns', () => {
    const resource = policy('bucket', { Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 's3:GetObject', Resource: '*' });
    assert.equal(decide(get(anonymous()), { identity: [], resource }), 'Allow');
  });
  test('the root user is allowed in its own account without identity policies', () => {
    const result = authorize(get(root()), { identity: [] });
    assert.equal(result.decision, 'Allow');
    assert.deepEqual(result.missingAllow, []);
  });
  test('a resource-policy Deny applies to the root user', () => {
    assert.equal(decide(get(root()), { identity: [], resource: bucketPolicy(A, 'Deny') }), 'ExplicitDeny');
  });
  test('the root user needs the resource policy across accounts', () => {
    assert.equal(decide(get(root(), { resourceAccount: B }), { identity: [] }), 'ImplicitDeny');
    assert.equal(decide(get(root(), { resourceAccount: B }), { identity: [], resource: bucketPolicy(A) }), 'Allow');
  });
});

describe('the result: matched statements and missing allows', () => {
  test('every matched statement is reported, allows and denies, in policy order', () => {
    const identity = [policy('one', { Sid: 'AllowAll', ...allow('*') }, allow('ec2:*')), policy('two', { Sid: 'NoGet', ...deny('s3:GetObject') })];
    const result = authorize(get(), { identity, boundary: policy('b', allow('s3:*')) });
    assert.equal(result.decision, 'ExplicitDeny');
    assert.deepEqual(result.matched, [
      { policyId: 'one', kind: 'identity', index: 0, sid: 'AllowAll', effect: 'Allow' },
      { policyId: 'two', kind: 'identity', index: 0, sid: 'NoGet', effect: 'Deny' },
      { policyId: 'b', kind: 'boundary', index: 0, effect: 'Allow' },
    ]);
  });
  test('resource-policy matches are reported with kind "resource"', () => {
    const result = authorize(get(), { identity: [grantGet()], resource: bucketPolicy(A) });
    assert.deepEqual(
      result.matched.map((m) => [m.policyId, m.kind]),
      [['grant-get', 'identity'], ['bucket', 'resource']],
    );
  });
  test('nothing lacks an allow when every kind present allows', () => {
    const result = authorize(get(session()), { identity: [grantGet()], boundary: policy('b', allow('*')), session: [policy('s', allow('*'))], resource: bucketPolicy(A) });
    assert.deepEqual(result.missingAllow, []);
  });
  test('every kind that lacks an allow is listed, in identity/boundary/session/resource order', () => {
    const result = authorize(get(session(), { resourceAccount: B }), { identity: [], boundary: policy('b'), session: [policy('s')] });
    assert.deepEqual(result.missingAllow, ['identity', 'boundary', 'session', 'resource']);
  });
  test('statement positions are reported when the policy text is known', () => {
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
    const result = authorize(get(), { identity: [{ id: 'p', document: JSON.parse(text), text }] });
    assert.deepEqual(result.matched[0].start, { line: 1, column: 39 });
    // Just past the statement's `}`, which is followed by `]}`.
    assert.deepEqual(result.matched[0].end, { line: 1, column: text.length - 1 });
  });
  test('statement positions are absent when the text is not known', () => {
    const result = authorize(get(), { identity: [grantGet()] });
    assert.equal(result.matched[0].start, undefined);
  });
  test('the same document object gives the same answers on repeated calls (compiled once)', () => {
    const identity = [grantGet()];
    assert.equal(decide(get(), { identity }), 'Allow');
    assert.equal(decide(request(user(), 's3:PutObject', OBJECT), { identity }), 'ImplicitDeny');
    assert.equal(decide(get(), { identity }), 'Allow');
  });
});
