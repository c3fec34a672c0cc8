import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AWS_MANAGED_POLICIES, findAwsManagedPolicy, type ManagedPolicyDefinition } from './index.ts';
import { parsePolicyDocument } from '../policy/validate-policy.ts';
import type { Statement } from '../policy/policy-types.ts';

const byName = (name: string): ManagedPolicyDefinition => {
  const policy = AWS_MANAGED_POLICIES.find((p) => p.name === name);
  assert.ok(policy, `${name} is built in`);
  return policy;
};
const statements = (policy: ManagedPolicyDefinition): Statement[] =>
  Array.isArray(policy.document.Statement) ? policy.document.Statement : [policy.document.Statement];

describe('AWS managed policies', () => {
  it('ships AdministratorAccess, ReadOnlyAccess, AmplifyBackendDeployFullAccess and AdministratorAccess-Amplify', () => {
    assert.deepEqual(
      AWS_MANAGED_POLICIES.map((p) => p.arn).sort(),
      [
        'arn:aws:iam::aws:policy/AdministratorAccess',
        'arn:aws:iam::aws:policy/AdministratorAccess-Amplify',
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess',
      ],
    );
  });

  for (const policy of AWS_MANAGED_POLICIES) {
    it(`${policy.name}: valid identity policy with consistent metadata`, () => {
      const text = JSON.stringify(policy.document);
      assert.deepEqual(parsePolicyDocument(text, 'identity'), policy.document);
      assert.equal(policy.arn, `arn:aws:iam::aws:policy${policy.path}${policy.name}`);
      assert.match(policy.path, /^\/(?:[\w+=,.@-]+\/)*$/);
      assert.match(policy.versionId, /^v\d+$/);
      assert.equal(policy.document.Version, '2012-10-17');
      assert.ok(!Number.isNaN(Date.parse(policy.createDate)) && !Number.isNaN(Date.parse(policy.updateDate)));
      assert.ok(Date.parse(policy.createDate) <= Date.parse(policy.updateDate));
      assert.ok(policy.description.length > 0);
      assert.equal(findAwsManagedPolicy(policy.arn), policy);
    });
  }

  it('AdministratorAccess allows everything', () => {
    const policy = byName('AdministratorAccess');
    assert.equal(policy.versionId, 'v1');
    assert.deepEqual(policy.document, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  });

  it('AmplifyBackendDeployFullAccess is v9 under /service-role/ with its 11 statements', () => {
    const policy = byName('AmplifyBackendDeployFullAccess');
    assert.equal(policy.path, '/service-role/');
    assert.equal(policy.versionId, 'v9');
    assert.deepEqual(
      statements(policy).map((s) => s.Sid),
      [
        'CDKPreDeploy',
        'AmplifyMetadata',
        'AmplifyHotSwappableResources',
        'AmplifyHotSwappableFunctionResource',
        'AmplifySandboxLambdaLogsStreamingListTags',
        'AmplifySandboxLambdaLogsStreamingFilterLogEvents',
        'AmplifySchema',
        'CDKDeploy',
        'AmplifySSM',
        'AmplifyModifySSMParam',
        'AmplifyDiscoverRDSVpcConfig',
      ],
    );
    const cdkDeploy = statements(policy).find((s) => s.Sid === 'CDKDeploy');
    assert.deepEqual(cdkDeploy?.Action, ['sts:AssumeRole']);
    assert.deepEqual(cdkDeploy?.Condition, { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } });
  });

  it('ReadOnlyAccess is the long, read-only action list', () => {
    const policy = byName('ReadOnlyAccess');
    const actions = statements(policy).flatMap((s) => (Array.isArray(s.Action) ? s.Action : s.Action ? [s.Action] : []));
    assert.ok(actions.length > 2000, `${actions.length} actions`);
    assert.ok(actions.includes('s3:Get*') && actions.includes('iam:List*') && actions.includes('sts:GetCallerIdentity'));
    assert.equal(new Set(actions).size, actions.length, 'no duplicate actions');
    for (const s of statements(policy)) assert.equal(s.Effect, 'Allow');
  });

  it('AdministratorAccess-Amplify limits its CloudFormation-managed statement with aws:CalledVia', () => {
    const policy = byName('AdministratorAccess-Amplify');
    assert.equal(statements(policy).length, 11);
    const viaCfn = statements(policy).find((s) => s.Sid === 'CLIManageviaCFNPolicy');
    assert.deepEqual(viaCfn?.Condition, { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } });
  });
});
