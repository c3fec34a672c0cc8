import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GantryError } from '@gantry/core';
import { parsePolicyDocument, policySize, POLICY_SIZE_LIMITS, type PolicyKind } from './validate-policy.ts';
import { AWS_MANAGED_POLICIES } from '../managed-policies/index.ts';

const ACCOUNT = '111122223333';

/** An identity policy with one statement; `extra` replaces or adds statement elements. */
const identity = (statement: Record<string, unknown>): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...statement }] });

/** A trust policy with one statement. */
const trust = (statement: Record<string, unknown>): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole', ...statement }],
  });

/** Asserts that parsing throws a GantryError with `code` whose message contains every fragment. */
function rejects(text: string, kind: PolicyKind, fragments: Array<string | RegExp>, code = 'MalformedPolicyDocument', maxLength?: number): GantryError {
  let caught: unknown;
  try {
    parsePolicyDocument(text, kind, maxLength === undefined ? {} : { maxLength });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof GantryError, `expected a GantryError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const fragment of fragments) {
    if (typeof fragment === 'string') assert.ok(caught.message.includes(fragment), `"${caught.message}" should contain "${fragment}"`);
    else assert.match(caught.message, fragment);
  }
  return caught;
}

describe('parsePolicyDocument: valid documents', () => {
  it('returns the parsed document unchanged', () => {
    const text = identity({ Sid: 'ReadObjects', Resource: ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket'] });
    assert.deepEqual(parsePolicyDocument(text, 'identity'), JSON.parse(text));
  });

  it('accepts a single statement object, NotAction/NotResource, a missing Version and an Id', () => {
    const text = JSON.stringify({ Id: 'p1', Statement: { Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:iam::*:role/x' } });
    assert.equal(parsePolicyDocument(text, 'identity').Id, 'p1');
  });

  it('accepts Version 2008-10-17', () => {
    parsePolicyDocument(JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), 'identity');
  });

  it('accepts policy variables, wildcards and mixed-case actions', () => {
    parsePolicyDocument(identity({ Action: ['IAM:listaccesskeys', 'ec2:Describe*', 'sts:Get?allerIdentity'], Resource: 'arn:aws:iam::*:user/${aws:username}' }), 'identity');
  });

  it('accepts a trust policy with every principal type and the sts actions', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: [ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/ci`, `arn:aws:sts::${ACCOUNT}:assumed-role/ci/run`] }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
        { Effect: 'Allow', Principal: { Service: 'codecatalyst-runner.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:org/*' } } },
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } },
      ],
    });
    parsePolicyDocument(text, 'trust');
  });

  it('accepts a resource policy with NotPrincipal and no Resource', () => {
    parsePolicyDocument(JSON.stringify({ Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` }, Action: 'ecr:*' }] }), 'resource');
  });

  it('accepts every condition operator family, IfExists and the set prefixes', () => {
    const Condition = {
      StringEqualsIfExists: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] },
      'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] },
      'ForAllValues:StringLike': { 'aws:TagKeys': 'team-*' },
      NumericLessThanEquals: { 's3:max-keys': 10 },
      DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
      BoolIfExists: { 'aws:MultiFactorAuthPresent': false },
      BinaryEquals: { 'aws:SomeKey': 'QmluYXJ5' },
      NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/admin-*' },
      Null: { 'aws:TokenIssueTime': 'true' },
      stringnotequalsignorecase: { 'aws:username': 'root' },
    };
    parsePolicyDocument(identity({ Condition }), 'identity');
  });

  for (const policy of AWS_MANAGED_POLICIES) {
    it(`accepts the AWS managed policy ${policy.name} as an identity policy`, () => {
      parsePolicyDocument(JSON.stringify(policy.document, null, 2), 'identity');
    });
  }

  it('accepts a document that starts with a byte-order mark', () => {
    parsePolicyDocument('\uFEFF' + identity({}), 'identity');
  });
});

describe('parsePolicyDocument: JSON syntax', () => {
  it('reports the line and column of a syntax error', () => {
    const error = rejects('{\n  "Version": "2012-10-17",\n  "Statement": [ }\n}', 'identity', ['Syntax errors in policy.', 'line 3, column 18']);
    assert.deepEqual(error.details, { line: 3, column: 18 });
    assert.equal(error.status, 400);
  });

  it('rejects an unterminated document', () => {
    rejects('{"Statement": [', 'identity', ['Syntax errors in policy.', 'Unexpected end of input']);
  });

  it('rejects trailing text after the document', () => {
    rejects(identity({}) + ' x', 'identity', ['Syntax errors in policy.', 'after the end of the document']);
  });

  it('rejects duplicate keys instead of keeping the last one', () => {
    rejects('{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}', 'identity', ['Syntax errors in policy.', 'Duplicate key "Effect"', 'line 1, column 33']);
  });

  it('rejects hostile nesting without exhausting the stack', () => {
    rejects('['.repeat(100000), 'identity', ['Syntax errors in policy.', 'Nesting deeper than']);
  });

  it('rejects a document that is not an object', () => {
    rejects('["a"]', 'identity', ['Syntax errors in policy.']);
  });
});

describe('parsePolicyDocument: document elements', () => {
  it('allows only Version, Id and Statement at the top level', () => {
    rejects(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }], Extra: 1 }), 'identity', ['Syntax errors in policy.', 'Unknown top-level element "Extra"']);
  });

  it('rejects an unknown Version', () => {
    rejects(JSON.stringify({ Version: '2012-10-18', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), 'identity', ['The policy failed legacy parsing', '"2012-10-18"']);
  });

  it('requires Statement', () => {
    rejects(JSON.stringify({ Version: '2012-10-17' }), 'identity', ['Missing required field Statement.']);
  });

  it('rejects an empty Statement list', () => {
    rejects(JSON.stringify({ Version: '2012-10-17', Statement: [] }), 'identity', ['Statement must contain at least one statement']);
  });

  it('rejects a Statement that is neither an object nor an array', () => {
    rejects(JSON.stringify({ Statement: 'Allow everything' }), 'identity', ['Statement must be an object or an array']);
  });

  it('rejects unknown statement elements, naming the statement', () => {
    rejects(identity({ Sid: 'S1', Actions: 's3:*' }), 'identity', ['Unknown statement element "Actions"', 'Statement[0]', 'Sid "S1"']);
  });
});

describe('parsePolicyDocument: Effect', () => {
  it('requires Effect', () => {
    rejects(JSON.stringify({ Statement: [{ Action: '*', Resource: '*' }] }), 'identity', ['Missing required field Effect.', 'Statement[0]']);
  });

  it('accepts only "Allow" and "Deny" exactly', () => {
    rejects(identity({ Effect: 'allow' }), 'identity', ['Invalid effect: "allow"']);
  });
});

describe('parsePolicyDocument: Action', () => {
  it('requires Action or NotAction', () => {
    rejects(JSON.stringify({ Statement: [{ Effect: 'Allow', Resource: '*' }] }), 'identity', ['Policy statement must contain actions.']);
  });

  it('rejects both Action and NotAction', () => {
    rejects(identity({ NotAction: 'iam:*' }), 'identity', ['both Action and NotAction']);
  });

  it('rejects an empty Action list', () => {
    rejects(identity({ Action: [] }), 'identity', ['Policy statement must contain actions.']);
  });

  it('requires a vendor prefix', () => {
    rejects(identity({ Action: 'GetObject' }), 'identity', ['Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.']);
  });

  it('allows only letters, digits and hyphens in the vendor', () => {
    rejects(identity({ Action: 's3_x:GetObject' }), 'identity', ['Vendor s3_x is not valid']);
  });

  it('rejects an Action that is not a string or list of strings', () => {
    rejects(identity({ Action: 42 }), 'identity', ['Action must be a string or an array of strings']);
  });

  it('rejects anything but sts actions in a trust policy', () => {
    rejects(trust({ Action: ['sts:AssumeRole', 's3:GetObject'] }), 'trust', ['AssumeRole policy may only specify STS AssumeRole actions.']);
  });
});

describe('parsePolicyDocument: Resource', () => {
  it('requires Resource in identity, boundary and session policies', () => {
    const text = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*' }] });
    for (const kind of ['identity', 'boundary', 'session'] as const) rejects(text, kind, ['Policy statement must contain resources.']);
  });

  it('prohibits Resource in trust policies', () => {
    rejects(trust({ Resource: '*' }), 'trust', ['Has prohibited field Resource.']);
  });

  it('prohibits NotResource in trust policies', () => {
    rejects(trust({ NotResource: '*' }), 'trust', ['Has prohibited field NotResource.']);
  });

  it('rejects both Resource and NotResource', () => {
    rejects(identity({ NotResource: '*' }), 'identity', ['both Resource and NotResource']);
  });

  it('requires an ARN with six segments or "*"', () => {
    rejects(identity({ Resource: 'arn:aws:s3:bucket' }), 'identity', ['Resource arn:aws:s3:bucket must be in ARN format or "*".']);
    rejects(identity({ Resource: 'my-bucket' }), 'identity', ['Resource my-bucket must be in ARN format or "*".']);
  });

  it('accepts resource ARNs with spaces and extra colons', () => {
    parsePolicyDocument(identity({ Resource: ['arn:aws:s3:::bucket/my file.txt', 'arn:aws:logs:*:*:log-group:/aws/lambda/x:*'] }), 'identity');
  });

  it('rejects wildcards in the service segment', () => {
    rejects(identity({ Resource: 'arn:aws:s*:::bucket' }), 'identity', ['Resource vendor must be fully qualified and cannot contain regexes']);
  });
});

describe('parsePolicyDocument: Principal', () => {
  it('rejects Principal in identity policies', () => {
    rejects(identity({ Principal: '*' }), 'identity', ['Policy document should not specify a principal.']);
  });

  it('rejects NotPrincipal in session policies', () => {
    rejects(identity({ NotPrincipal: { AWS: ACCOUNT } }), 'session', ['Policy document should not specify a principal.']);
  });

  it('requires Principal in trust and resource policies', () => {
    const text = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    rejects(text, 'trust', ['Missing required field Principal']);
    rejects(text, 'resource', ['Missing required field Principal']);
  });

  it('prohibits NotPrincipal in trust policies', () => {
    rejects(JSON.stringify({ Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] }), 'trust', ['Has prohibited field NotPrincipal.']);
  });

  it('rejects AWS principals that are not *, an account id or an IAM/STS ARN', () => {
    rejects(trust({ Principal: { AWS: 'alice' } }), 'trust', ['Invalid principal in policy: "AWS":"alice"']);
    rejects(trust({ Principal: { AWS: 'arn:aws:s3:::bucket' } }), 'trust', ['Invalid principal in policy: "AWS":"arn:aws:s3:::bucket"']);
    rejects(trust({ Principal: { AWS: 'arn:aws:iam::*:role/x' } }), 'trust', ['Invalid principal in policy']);
  });

  it('rejects unknown principal types and bare strings other than "*"', () => {
    rejects(trust({ Principal: { User: 'alice' } }), 'trust', ['Invalid principal in policy: "User":"alice"']);
    rejects(trust({ Principal: ACCOUNT }), 'trust', ['Invalid principal in policy']);
  });
});

describe('parsePolicyDocument: Condition', () => {
  it('rejects unknown operators', () => {
    rejects(identity({ Condition: { StringEqual: { 'aws:username': 'a' } } }), 'identity', ['Unsupported condition operator StringEqual']);
  });

  it('rejects IfExists on Null', () => {
    rejects(identity({ Condition: { NullIfExists: { 'aws:username': 'true' } } }), 'identity', ['Unsupported condition operator NullIfExists']);
  });

  it('rejects unknown set prefixes', () => {
    rejects(identity({ Condition: { 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'a' } } }), 'identity', ['Unsupported condition operator']);
  });

  it('requires each operator to map keys to values', () => {
    rejects(identity({ Condition: { StringEquals: 'aws:username' } }), 'identity', ['must map condition keys to values']);
  });

  it('rejects condition values that are objects or null', () => {
    rejects(identity({ Condition: { StringEquals: { 'aws:username': { a: 1 } } } }), 'identity', ['Condition values must be strings, numbers or booleans']);
    rejects(identity({ Condition: { StringEquals: { 'aws:username': [null] } } }), 'identity', ['Condition values must be strings, numbers or booleans']);
  });

  it('requires condition keys to have a vendor prefix', () => {
    rejects(identity({ Condition: { StringEquals: { username: 'a' } } }), 'identity', ['Actions/Conditions must be prefaced by a vendor']);
  });
});

describe('parsePolicyDocument: Sid', () => {
  it('rejects duplicate Sids', () => {
    const text = JSON.stringify({
      Statement: [
        { Sid: 'One', Effect: 'Allow', Action: '*', Resource: '*' },
        { Sid: 'One', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
      ],
    });
    const error = rejects(text, 'identity', ['Statement IDs (SID) in a single policy must be unique.', 'Statement[1]', 'Sid "One"']);
    assert.equal(error.details?.statementIndex, 1);
  });

  it('allows only letters and digits in identity policy Sids', () => {
    rejects(identity({ Sid: 'read-objects' }), 'identity', ['Statement IDs (SID) must be alpha-numeric']);
  });

  it('allows other characters in resource policy Sids', () => {
    parsePolicyDocument(JSON.stringify({ Statement: [{ Sid: 'Allow CI pulls', Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'ecr:BatchGetImage' }] }), 'resource');
  });
});

describe('parsePolicyDocument: positions in errors', () => {
  it('gives the line and column of the offending statement', () => {
    const text = ['{', '  "Version": "2012-10-17",', '  "Statement": [', '    {"Effect": "Allow", "Action": "*", "Resource": "*"},', '    {"Sid": "Bad", "Effect": "Allow", "Action": "*"}', '  ]', '}'].join('\n');
    const error = rejects(text, 'identity', ['Policy statement must contain resources.', 'Statement[1]', 'Sid "Bad"', 'line 5, column 5']);
    assert.deepEqual(error.details, { statementIndex: 1, sid: 'Bad', line: 5, column: 5 });
  });
});

describe('parsePolicyDocument: size limits', () => {
  const big = (n: number): string => identity({ Action: Array.from({ length: n }, (_, i) => `s3:GetObjectVersion${i}`) });

  it('counts characters without white space', () => {
    assert.equal(policySize('{ "a" : "b c" }'), '{"a":"b c"}'.length);
    const pretty = JSON.stringify(JSON.parse(big(10)), null, 4);
    assert.equal(policySize(pretty), big(10).length);
  });

  it('throws LimitExceeded over the managed policy quota', () => {
    const text = big(300);
    assert.ok(policySize(text) > POLICY_SIZE_LIMITS.managed);
    rejects(text, 'identity', ['Cannot exceed quota for PolicySize: 6144'], 'LimitExceeded', POLICY_SIZE_LIMITS.managed);
  });

  it('throws PackedPolicyTooLarge for an oversized session policy', () => {
    rejects(big(100), 'session', ['Packed policy consumes', 'please use smaller policy for session'], 'PackedPolicyTooLarge', POLICY_SIZE_LIMITS.session);
  });

  it('accepts a policy exactly at the limit, even with white space around it', () => {
    const text = identity({});
    parsePolicyDocument(`  ${text}\n`, 'identity', { maxLength: text.length });
  });
});
