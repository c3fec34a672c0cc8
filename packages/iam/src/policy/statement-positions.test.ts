/** Statement positions as the IAM policy simulator reports them (API Statement: StartPosition/EndPosition). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statementPositions } from './statement-positions.ts';

describe('statementPositions', () => {
  test('the AWS CLI simulate-custom-policy example: StartPosition 1:38, EndPosition 1:167', () => {
    const text =
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    assert.deepEqual(statementPositions(text), [{ start: { line: 1, column: 38 }, end: { line: 1, column: 167 } }]);
  });

  test('each element of a multi-line Statement array gets its own lines', () => {
    const text = [
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": [',
      '    {',
      '      "Effect": "Allow",',
      '      "Action": "s3:*",',
      '      "Resource": "*"',
      '    },',
      '    { "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*" }',
      '  ]',
      '}',
    ].join('\n');
    assert.deepEqual(statementPositions(text), [
      { start: { line: 4, column: 6 }, end: { line: 8, column: 6 } },
      { start: { line: 9, column: 6 }, end: { line: 9, column: 71 } },
    ]);
  });

  test('Statement may come after other members such as Id', () => {
    const text = '{"Id":"x","Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    const open = text.indexOf('[{') + 1;
    assert.deepEqual(statementPositions(text)[0].start, { line: 1, column: open + 2 });
  });

  test('braces, brackets and escaped quotes inside strings are not structure', () => {
    const text = '{"Statement":[{"Sid":"a\\"}]{[","Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}';
    const positions = statementPositions(text);
    assert.equal(positions.length, 2);
    assert.equal(positions[1].start.column, text.indexOf('{"Effect":"Deny"') + 2);
  });

  test('nested objects and arrays inside a statement do not end it', () => {
    const text = '{"Statement":[{"Effect":"Allow","Action":["a:b","c:d"],"Resource":"*","Condition":{"Bool":{"k:x":[true]}}}]}';
    assert.deepEqual(statementPositions(text), [{ start: { line: 1, column: 16 }, end: { line: 1, column: text.length - 1 } }]);
  });

  test('CRLF line endings count as one line break', () => {
    const text = '{\r\n"Statement": [\r\n  {"Effect":"Allow","Action":"*","Resource":"*"}\r\n]\r\n}';
    assert.deepEqual(statementPositions(text)[0].start, { line: 3, column: 4 });
  });

  test('an empty Statement array has no positions', () => {
    assert.deepEqual(statementPositions('{"Version":"2012-10-17","Statement":[]}'), []);
  });

  test('a document without Statement has no positions', () => {
    assert.deepEqual(statementPositions('{"Version":"2012-10-17"}'), []);
  });

  test('text that is not JSON has no positions', () => {
    assert.deepEqual(statementPositions('{"Statement":[{"Effect":'), []);
    assert.deepEqual(statementPositions('not json'), []);
  });
});
