import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveReferences, type VariableContext } from '../src/runs/run-variables.ts';

const context: VariableContext = {
  commitId: 'abc123',
  branchName: 'main',
  outputs: { Build: { VERSION: '1.0.0' }, Sub: { X: 'y' } },
  secret: (name) => (name === 'token' ? 'p@ss' : undefined),
};

describe('resolveReferences', () => {
  it('replaces source, action (also through a group) and secret references', () => {
    assert.deepEqual(resolveReferences('${WorkflowSource.CommitId}/${WorkflowSource.BranchName}/${Build.VERSION}/${Group.Sub.X}', context, 'value'),
      { text: 'abc123/main/1.0.0/y', secrets: {} });
    assert.deepEqual(resolveReferences('t=${Secrets.token}', context, 'value'), { text: 't=p@ss', secrets: { CATALYST_SECRETS_token: 'p@ss' } });
    assert.deepEqual(resolveReferences('curl -H "x: ${Secrets.token}"', context, 'command'),
      { text: 'curl -H "x: ${CATALYST_SECRETS_token}"', secrets: { CATALYST_SECRETS_token: 'p@ss' } });
  });

  it('leaves shell variables alone', () => {
    assert.equal(resolveReferences('echo ${HOME} $PATH ${A:-b}', context, 'command').text, 'echo ${HOME} $PATH ${A:-b}');
  });

  it('says what is wrong with an unresolvable reference', () => {
    assert.throws(() => resolveReferences('${Build.NOPE}', context, 'value'), /produced no output variable "NOPE"/);
    assert.throws(() => resolveReferences('${Other.V}', context, 'value'), /action "Other", which has not succeeded/);
    assert.throws(() => resolveReferences('${WorkflowSource.Tag}', context, 'value'), /use CommitId or BranchName/);
    assert.throws(() => resolveReferences('${Secrets.none}', context, 'value'), /create a secret called "none"/);
  });
});
