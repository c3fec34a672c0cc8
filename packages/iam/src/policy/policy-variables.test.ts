/** Policy variables (reference_policies_variables), through the evaluator and the template parser. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConditionBlock, ContextKeys, PolicyDocument } from './policy-types.ts';
import { parseTemplate, resolveText } from './policy-variables.ts';
import { RequestContext } from './request-context.ts';
import { A, decide, request, user } from './test-fixtures.ts';

/** Whether a one-statement identity policy with this Resource and Condition allows s3:GetObject on `resource`. */
function allows(
  { resource = '*', condition, version = '2012-10-17' }: { resource?: string; condition?: ConditionBlock; version?: string },
  target: string,
  context: ContextKeys,
): boolean {
  const document: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource, Condition: condition }] };
  if (version !== '') document.Version = version;
  const req = request(user('alice'), 's3:GetObject', target, { context });
  delete req.context['aws:username'];
  Object.assign(req.context, context);
  return decide(req, { identity: [{ id: 'p', document }] }) === 'Allow';
}

describe('where variables apply', () => {
  test('${aws:username} in Resource gives each user a home folder', () => {
    assert.equal(allows({ resource: 'arn:aws:s3:::mybucket/${aws:username}/*' }, 'arn:aws:s3:::mybucket/David/x', { 'aws:username': 'David' }), true);
  });
  test('${aws:username} in Resource does not reach another user’s folder', () => {
    assert.equal(allows({ resource: 'arn:aws:s3:::mybucket/${aws:username}/*' }, 'arn:aws:s3:::mybucket/Adele/x', { 'aws:username': 'David' }), false);
  });
  test('StringLike s3:prefix "home/${aws:username}/" (doc example) matches the user’s prefix', () => {
    const condition = { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/'] } };
    assert.equal(allows({ condition }, '*', { 'aws:username': 'David', 's3:prefix': 'home/David/' }), true);
  });
  test('StringLike s3:prefix "home/${aws:username}/" rejects another user’s prefix', () => {
    const condition = { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/'] } };
    assert.equal(allows({ condition }, '*', { 'aws:username': 'David', 's3:prefix': 'home/Adele/' }), false);
  });
  test('${aws:PrincipalTag/department} names a bucket folder from a tag', () => {
    assert.equal(allows({ resource: 'arn:aws:s3:::bucket/${aws:PrincipalTag/department}' }, 'arn:aws:s3:::bucket/hr', { 'aws:PrincipalTag/department': 'hr' }), true);
  });
  test('StringEquals aws:ResourceAccount ${aws:PrincipalAccount} (the Amplify managed policy) holds in the same account', () => {
    const condition = { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } };
    assert.equal(allows({ condition }, '*', { 'aws:ResourceAccount': A, 'aws:PrincipalAccount': A }), true);
  });
  test('StringEquals aws:ResourceAccount ${aws:PrincipalAccount} fails across accounts', () => {
    const condition = { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } };
    assert.equal(allows({ condition }, '*', { 'aws:ResourceAccount': '444455556666', 'aws:PrincipalAccount': A }), false);
  });
  test('variables are substituted in ArnEquals values', () => {
    const condition = { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:${aws:PrincipalAccount}:topic' } };
    assert.equal(allows({ condition }, '*', { 'aws:SourceArn': `arn:aws:sns:us-east-1:${A}:topic`, 'aws:PrincipalAccount': A }), true);
  });
  test('two variables in one value are both substituted', () => {
    const condition = { StringEquals: { 'k:path': '${aws:PrincipalAccount}/${aws:username}' } };
    assert.equal(allows({ condition }, '*', { 'k:path': `${A}/David`, 'aws:username': 'David', 'aws:PrincipalAccount': A }), true);
  });
  test('variable names are case-insensitive like keys (${AWS:UserName})', () => {
    assert.equal(allows({ resource: 'arn:aws:s3:::b/${AWS:UserName}' }, 'arn:aws:s3:::b/David', { 'aws:username': 'David' }), true);
  });
});

describe('Version', () => {
  test('"Version": "2008-10-17" treats ${aws:username} as literal text', () => {
    assert.equal(allows({ resource: 'arn:aws:s3:::b/${aws:username}', version: '2008-10-17' }, 'arn:aws:s3:::b/David', { 'aws:username': 'David' }), false);
  });
  test('"Version": "2008-10-17" matches the literal ${aws:username} text', () => {
    assert.equal(allows({ resource: 'arn:aws:s3:::b/${aws:username}', version: '2008-10-17' }, 'arn:aws:s3:::b/${aws:username}', { 'aws:username': 'David' }), true);
  });
  test('no Version element treats variables as literal text', () => {
    assert.equal(allows({ resource: 'arn:aws:s3:::b/${aws:username}', version: '' }, 'arn:aws:s3:::b/David', { 'aws:username': 'David' }), false);
  });
  test('no Version element treats a condition variable as literal text', () => {
    const condition = { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } };
    assert.equal(allows({ condition, version: '' }, '*', { 'aws:ResourceAccount': A, 'aws:PrincipalAccount': A }), false);
  });
});

describe('missing values and defaults', () => {
  test('a default value is used when the key is missing (${aws:PrincipalTag/team, \'company-wide\'})', () => {
    const condition = { StringEquals: { 's3:prefix': "${aws:PrincipalTag/team, 'company-wide'}" } };
    assert.equal(allows({ condition }, '*', { 's3:prefix': 'company-wide' }), true);
  });
  test('the default value is ignored when the key is present', () => {
    const condition = { StringEquals: { 's3:prefix': "${aws:PrincipalTag/team, 'company-wide'}" } };
    assert.equal(allows({ condition }, '*', { 's3:prefix': 'company-wide', 'aws:PrincipalTag/team': 'ops' }), false);
  });
  test('a default value works in Resource too', () => {
    assert.equal(allows({ resource: "arn:aws:s3:::bucket/${aws:userid, 'anonymous'}" }, 'arn:aws:s3:::bucket/anonymous', {}), true);
  });
  test('a missing variable makes a positive operator false (StringEquals)', () => {
    assert.equal(allows({ condition: { StringEquals: { 's3:prefix': '${aws:username}' } } }, '*', { 's3:prefix': '' }), false);
  });
  test('a missing variable makes a negated operator true (StringNotEquals)', () => {
    assert.equal(allows({ condition: { StringNotEquals: { 's3:prefix': '${aws:username}' } } }, '*', { 's3:prefix': 'x' }), true);
  });
  test('a missing variable makes StringNotLike true', () => {
    assert.equal(allows({ condition: { StringNotLike: { 's3:prefix': 'home/${aws:username}/*' } } }, '*', { 's3:prefix': 'home/x/y' }), true);
  });
  test('a missing variable makes StringLike false even next to a *', () => {
    assert.equal(allows({ condition: { StringLike: { 's3:prefix': '${aws:username}*' } } }, '*', { 's3:prefix': 'anything' }), false);
  });
  test('a multi-valued key cannot be substituted, so it counts as missing', () => {
    assert.equal(allows({ condition: { StringEquals: { 's3:prefix': '${aws:TagKeys}' } } }, '*', { 's3:prefix': 'a', 'aws:TagKeys': ['a'] }), false);
  });
});

describe('special characters and literal substitution', () => {
  test('${*} is a literal asterisk in StringLike, not a wildcard', () => {
    const condition = { StringLike: { 's3:prefix': 'a${*}b' } };
    assert.equal(allows({ condition }, '*', { 's3:prefix': 'a*b' }), true);
    assert.equal(allows({ condition }, '*', { 's3:prefix': 'axb' }), false);
  });
  test('${?} is a literal question mark', () => {
    const condition = { StringLike: { 's3:prefix': 'why${?}' } };
    assert.equal(allows({ condition }, '*', { 's3:prefix': 'why?' }), true);
    assert.equal(allows({ condition }, '*', { 's3:prefix': 'whys' }), false);
  });
  test('${$} is a literal dollar sign', () => {
    assert.equal(allows({ condition: { StringEquals: { 's3:prefix': 'cost${$}' } } }, '*', { 's3:prefix': 'cost$' }), true);
  });
  test('${*} in Resource is a literal asterisk', () => {
    assert.equal(allows({ resource: 'arn:aws:s3:::b/${*}' }, 'arn:aws:s3:::b/anything', {}), false);
    assert.equal(allows({ resource: 'arn:aws:s3:::b/${*}' }, 'arn:aws:s3:::b/*', {}), true);
  });
  test('a substituted value is not a pattern: "a*" as a user name does not match "abc"', () => {
    const condition = { StringLike: { 's3:prefix': '${aws:username}' } };
    assert.equal(allows({ condition }, '*', { 'aws:username': 'a*', 's3:prefix': 'abc' }), false);
    assert.equal(allows({ condition }, '*', { 'aws:username': 'a*', 's3:prefix': 'a*' }), true);
  });
});

describe('parseTemplate', () => {
  const resolve = (text: string, context: ContextKeys, enabled = true) => resolveText(parseTemplate(text, enabled), new RequestContext(context));
  test('text without ${ is one static part', () => {
    assert.deepEqual(parseTemplate('arn:aws:s3:::b/*', true), { parts: [{ kind: 'text', text: 'arn:aws:s3:::b/*' }], static: true });
  });
  test('escapes alone keep the template static', () => {
    assert.equal(parseTemplate('a${*}b', true).static, true);
  });
  test('a variable makes the template depend on the request', () => {
    assert.equal(parseTemplate('home/${aws:username}', true).static, false);
  });
  test('an unterminated ${ stays literal text', () => {
    assert.equal(resolve('home/${aws:username', { 'aws:username': 'x' }), 'home/${aws:username');
  });
  test('an empty ${} stays literal text', () => {
    assert.equal(resolve('a${}b', {}), 'a${}b');
  });
  test('the default may be written without the space after the comma', () => {
    assert.equal(resolve("${aws:userid,'anonymous'}", {}), 'anonymous');
  });
  test('a default may contain a closing brace inside its quotes', () => {
    assert.equal(resolve("${k:x, 'a}b'}", {}), 'a}b');
  });
  test('an empty-string value is a value, not a missing key', () => {
    assert.equal(resolve("[${k:x, 'default'}]", { 'k:x': '' }), '[]');
  });
});
