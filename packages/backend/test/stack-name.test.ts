import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parseStackName, toStackName, validateBackendId } from '../src/index.ts';

const hash = (namespace: string, name: string) => createHash('sha512').update(namespace + name).digest('hex').slice(0, 10);

test('branch stacks are amplify-<appId>-<branch>-branch-<sha512(appId+branch)[0..10]>', () => {
  for (const [appId, branch] of [['d1abcd2345', 'main'], ['d2xyz98765', 'staging'], ['dqwertyuiop123', 'prod']] as const) {
    assert.equal(toStackName({ namespace: appId, name: branch, type: 'branch' }), `amplify-${appId}-${branch}-branch-${hash(appId, branch)}`);
  }
});

test('sandbox stacks use the project and user', () => {
  assert.equal(toStackName({ namespace: 'my-app', name: 'alice', type: 'sandbox' }), `amplify-myapp-alice-sandbox-${hash('my-app', 'alice')}`);
});

test('non-alphanumerics are removed from the parts but the hash covers the raw values (Amplify test vector)', () => {
  const id = { namespace: 't-_e.s,@ t--T@,,  !@#$%^&*(){}:":<>?/|\\[]   H/I. .S', name: 't-_h.i,@ ng1-&&%2@@3-   _', type: 'branch' as const };
  assert.equal(toStackName(id), 'amplify-testTHIS-thing123-branch-70899a9dd1');
  assert.equal(toStackName({ namespace: 'main', name: 'feature/login', type: 'branch' }), `amplify-main-featurelogin-branch-${hash('main', 'feature/login')}`);
});

test('long names are cut to 50 characters and long namespaces to what fits in 128 (Amplify test vectors)', () => {
  const longName = 'InsanelyLongUserNameProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGreatBigName';
  const longNamespace = 'InsanelyLongNamespaceProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGreatBigNameButItIsStillTheoreticallyPossible';
  assert.equal(toStackName({ namespace: 'reasonableName', name: longName, type: 'sandbox' }), 'amplify-reasonableName-InsanelyLongUserNameProvidedByCustomerDoNotKnowWha-sandbox-25ed708259');
  const both = toStackName({ namespace: longNamespace, name: 'userName', type: 'sandbox' });
  assert.equal(both, 'amplify-InsanelyLongNamespaceProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGre-userName-sandbox-119c592989');
  assert.ok(both.length <= 128);
  assert.ok(toStackName({ namespace: longNamespace, name: longName, type: 'branch' }).length <= 128);
});

test('stack names parse back into their (sanitised) parts', () => {
  assert.deepEqual(parseStackName('amplify-d1abcd2345-main-branch-1a2b3c4d5e'), { namespace: 'd1abcd2345', name: 'main', type: 'branch', hash: '1a2b3c4d5e' });
  assert.equal(parseStackName('amplify-missing-sandbox-hash'), undefined);
  assert.equal(parseStackName('other-a-b-branch-hash'), undefined);
  assert.equal(parseStackName('amplify-a-b-standalone-hash'), undefined);
});

test('backend ids are checked field by field', () => {
  assert.throws(() => validateBackendId(undefined), /backendId must be an object/);
  assert.throws(() => validateBackendId({ namespace: '--', name: 'main', type: 'branch' }), /backendId.namespace/);
  assert.throws(() => validateBackendId({ namespace: 'app', name: 'main', type: 'standalone' }), /backendId.type must be "branch" or "sandbox"/);
});
