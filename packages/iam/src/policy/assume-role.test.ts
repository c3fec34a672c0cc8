/**
 * How `sts:AssumeRole` is authorised: the role's trust policy is a resource-based policy that must itself
 * allow the caller, even in the same account (evaluation-logic: "IAM role trust policies ... must explicitly
 * allow"; reference §1.3 truth table from iam-simulate's sameAccount/differentAccount cases), plus the
 * caller's identity side where the trust policy only delegates to the account or the role is elsewhere.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApplicablePolicies, Decision, PrincipalElement, RequestPrincipal, SourcedPolicy, Statement } from './policy-types.ts';
import { authorize } from './evaluate-policies.ts';
import { A, B, allow, decide, deny, policy, request, roleArn, service, session, user } from './test-fixtures.ts';

const caller = user('test-user', A);
const callerArn = caller.arn;

/** The role being assumed, in the caller's account or in account B. */
const target = (account: string) => roleArn('target-role', account);

const trust = (principal: PrincipalElement, extra: Partial<Statement> = {}): SourcedPolicy =>
  policy('trust', { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });

const identityAllowing = (account: string) => [policy('caller-policy', allow('sts:AssumeRole', target(account)))];

function assume(
  principal: RequestPrincipal,
  account: string,
  policies: Omit<ApplicablePolicies, 'resourcePolicyRequired'>,
  context: Record<string, string> = {},
) {
  const req = request(principal, 'sts:AssumeRole', target(account), { resourceAccount: account, context });
  return authorize(req, { ...policies, resourcePolicyRequired: true });
}

describe('AssumeRole truth table', () => {
  type Row = [trustNames: string, principal: PrincipalElement | undefined, identityAllows: boolean, sameAccount: Decision, crossAccount: Decision];
  const rows: Row[] = [
    ['no trust policy', undefined, true, 'ImplicitDeny', 'ImplicitDeny'],
    ['another principal', { AWS: `arn:aws:iam::${A}:user/someone-else` }, false, 'ImplicitDeny', 'ImplicitDeny'],
    ['another principal', { AWS: `arn:aws:iam::${A}:user/someone-else` }, true, 'ImplicitDeny', 'ImplicitDeny'],
    ['the caller’s exact ARN', { AWS: callerArn }, false, 'Allow', 'ImplicitDeny'],
    ['the caller’s exact ARN', { AWS: callerArn }, true, 'Allow', 'Allow'],
    ['the caller’s account root', { AWS: `arn:aws:iam::${A}:root` }, false, 'ImplicitDeny', 'ImplicitDeny'],
    ['the caller’s account root', { AWS: `arn:aws:iam::${A}:root` }, true, 'Allow', 'Allow'],
    ['the caller’s bare account id', { AWS: A }, false, 'ImplicitDeny', 'ImplicitDeny'],
    ['the caller’s bare account id', { AWS: A }, true, 'Allow', 'Allow'],
    ['"*"', { AWS: '*' }, true, 'Allow', 'Allow'],
  ];
  for (const [trustNames, principal, identityAllows, sameAccount, crossAccount] of rows) {
    for (const [where, account, expected] of [['same account', A, sameAccount], ['cross-account', B, crossAccount]] as const) {
      const identity = identityAllows ? identityAllowing(account) : [];
      const name = `trust names ${trustNames}, identity ${identityAllows ? 'allows' : 'does not allow'}, ${where}: ${expected}`;
      test(name, () => {
        const resource = principal === undefined ? undefined : trust(principal);
        assert.equal(assume(caller, account, { identity, resource }).decision, expected);
      });
    }
  }
  for (const [where, account] of [['same account', A], ['cross-account', B]] as const) {
    test(`trust names the caller, identity allows, plus a Deny in the identity policy, ${where}: ExplicitDeny`, () => {
      const identity = [...identityAllowing(account), policy('no-assume', deny('sts:AssumeRole'))];
      assert.equal(assume(caller, account, { identity, resource: trust({ AWS: callerArn }) }).decision, 'ExplicitDeny');
    });
    test(`trust names the caller, plus a Deny for the caller in the trust policy, ${where}: ExplicitDeny`, () => {
      const resource = policy(
        'trust',
        { Effect: 'Allow', Principal: { AWS: callerArn }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: callerArn }, Action: 'sts:AssumeRole' },
      );
      assert.equal(assume(caller, account, { identity: identityAllowing(account), resource }).decision, 'ExplicitDeny');
    });
  }
  test('trust names the role’s own account while the caller is in another: ImplicitDeny', () => {
    assert.equal(assume(caller, B, { identity: identityAllowing(B), resource: trust({ AWS: B }) }).decision, 'ImplicitDeny');
  });
  test('a trust policy that does not allow reports the resource policy as lacking an allow', () => {
    const result = assume(caller, A, { identity: identityAllowing(A), resource: trust({ AWS: `arn:aws:iam::${A}:user/x` }) });
    assert.deepEqual(result.missingAllow, ['resource']);
  });
  test('a trust policy for another action (AssumeRoleWithWebIdentity) does not allow AssumeRole', () => {
    const resource = trust({ AWS: callerArn }, { Action: 'sts:AssumeRoleWithWebIdentity' });
    assert.equal(assume(caller, A, { identity: identityAllowing(A), resource }).decision, 'ImplicitDeny');
  });
});

describe('role chaining: a role session assuming another role', () => {
  const chained = session('ci-role', 'build-7', A);
  test('trust names the caller’s role ARN, same account, no identity policy: allowed', () => {
    assert.equal(assume(chained, A, { identity: [], resource: trust({ AWS: roleArn('ci-role') }) }).decision, 'Allow');
  });
  test('trust names the caller’s role ARN: still limited by the caller’s permissions boundary', () => {
    const policies = { identity: [], boundary: policy('b', allow('s3:*')), resource: trust({ AWS: roleArn('ci-role') }) };
    assert.equal(assume(chained, A, policies).decision, 'ImplicitDeny');
  });
  test('trust names the session ARN: not limited by the boundary', () => {
    const sessionArn = `arn:aws:sts::${A}:assumed-role/ci-role/build-7`;
    const policies = { identity: [], boundary: policy('b', allow('s3:*')), resource: trust({ AWS: sessionArn }) };
    assert.equal(assume(chained, A, policies).decision, 'Allow');
  });
  test('trust names the caller’s role ARN cross-account, identity allows: allowed', () => {
    const caller = session('ci-role', 'build-7', A);
    assert.equal(assume(caller, B, { identity: identityAllowing(B), resource: trust({ AWS: roleArn('ci-role', A) }) }).decision, 'Allow');
  });
  test('trust names the caller’s role ARN cross-account, identity does not allow: denied', () => {
    assert.equal(assume(chained, B, { identity: [], resource: trust({ AWS: roleArn('ci-role', A) }) }).decision, 'ImplicitDeny');
  });
  test('a session policy without sts:AssumeRole caps a chained assume through the account root', () => {
    const policies = { identity: identityAllowing(A), session: [policy('s', allow('s3:*'))], resource: trust({ AWS: A }) };
    assert.equal(assume(chained, A, policies).decision, 'ImplicitDeny');
  });
});

describe('service principals in trust policies', () => {
  const runnerTrust = trust({ Service: 'codecatalyst-runner.amazonaws.com' });
  test('a trust policy naming the workflow runner service lets the service assume the role', () => {
    assert.equal(assume(service('codecatalyst-runner.amazonaws.com'), A, { identity: [], resource: runnerTrust }).decision, 'Allow');
  });
  test('a trust policy naming a service does not let an IAM user assume the role', () => {
    assert.equal(assume(caller, A, { identity: identityAllowing(A), resource: runnerTrust }).decision, 'ImplicitDeny');
  });
  test('a trust policy naming another service does not let this service assume the role', () => {
    assert.equal(assume(service('amplify.amazonaws.com'), A, { identity: [], resource: runnerTrust }).decision, 'ImplicitDeny');
  });
});

describe('ExternalId (sts:ExternalId in the trust policy)', () => {
  const withExternalId = trust({ AWS: A }, { Condition: { StringEquals: { 'sts:ExternalId': 'Unique-Id-1234' } } });
  const run = (context: Record<string, string>) =>
    decide(request(caller, 'sts:AssumeRole', target(B), { resourceAccount: B, context }), {
      identity: identityAllowing(B),
      resource: withExternalId,
      resourcePolicyRequired: true,
    });
  test('the right ExternalId: allowed', () => {
    assert.equal(run({ 'sts:ExternalId': 'Unique-Id-1234' }), 'Allow');
  });
  test('no ExternalId passed: the key is absent, StringEquals is false, implicitly denied', () => {
    assert.equal(run({}), 'ImplicitDeny');
  });
  test('a wrong ExternalId: implicitly denied', () => {
    assert.equal(run({ 'sts:ExternalId': 'guess' }), 'ImplicitDeny');
  });
  test('ExternalId is compared case-sensitively by StringEquals', () => {
    assert.equal(run({ 'sts:ExternalId': 'unique-id-1234' }), 'ImplicitDeny');
  });
  test('a Deny on StringNotEquals sts:ExternalId also denies a caller who passed none (negated, missing key)', () => {
    const resource = policy(
      'trust',
      { Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' },
      { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'sts:ExternalId': 'Unique-Id-1234' } } },
    );
    const result = decide(request(caller, 'sts:AssumeRole', target(B), { resourceAccount: B }), {
      identity: identityAllowing(B),
      resource,
      resourcePolicyRequired: true,
    });
    assert.equal(result, 'ExplicitDeny');
  });
});

describe('session tags need sts:TagSession in the trust policy (id_session-tags)', () => {
  const tagSession = (resource: SourcedPolicy) =>
    decide(request(caller, 'sts:TagSession', target(A)), {
      identity: [policy('p', allow(['sts:AssumeRole', 'sts:TagSession'], target(A)))],
      resource,
      resourcePolicyRequired: true,
    });
  test('a trust policy allowing only sts:AssumeRole does not allow sts:TagSession', () => {
    assert.equal(tagSession(trust({ AWS: A })), 'ImplicitDeny');
  });
  test('the usual trust statement with ["sts:AssumeRole", "sts:TagSession"] allows it', () => {
    assert.equal(tagSession(trust({ AWS: A }, { Action: ['sts:AssumeRole', 'sts:TagSession'] })), 'Allow');
  });
});
