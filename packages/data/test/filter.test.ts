import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesFilter } from '../src/index.ts';

const item = { s: 'hello world', n: 5, f: 2.5, b: true, nul: null, list: ['a', 'b'], map: { x: 1 }, e: 'draft' };

describe('filter semantics (DynamoDB)', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['eq string', { s: { eq: 'hello world' } }, true],
    ['eq mismatch', { s: { eq: 'hello' } }, false],
    ['eq missing', { missing: { eq: 'x' } }, false],
    ['eq type mismatch', { n: { eq: '5' } }, false],
    ['eq null value', { nul: { eq: null } }, true],
    ['ne', { s: { ne: 'x' } }, true],
    ['ne equal', { n: { ne: 5 } }, false],
    ['ne missing is true', { missing: { ne: 'x' } }, true],
    ['gt number', { n: { gt: 4 } }, true],
    ['gt equal', { n: { gt: 5 } }, false],
    ['ge', { n: { ge: 5 } }, true],
    ['lt', { f: { lt: 3 } }, true],
    ['le', { f: { le: 2.5 } }, true],
    ['le false', { f: { le: 2.4 } }, false],
    ['gt string lexicographic', { s: { gt: 'hello' } }, true],
    ['gt type mismatch', { n: { gt: '1' } }, false],
    ['gt missing', { missing: { gt: 1 } }, false],
    ['between inclusive', { n: { between: [5, 6] } }, true],
    ['between out', { n: { between: [6, 9] } }, false],
    ['between strings', { s: { between: ['h', 'i'] } }, true],
    ['contains substring', { s: { contains: 'lo wo' } }, true],
    ['contains list member', { list: { contains: 'b' } }, true],
    ['contains list non-member', { list: { contains: 'c' } }, false],
    ['contains missing', { missing: { contains: 'x' } }, false],
    ['notContains', { s: { notContains: 'xyz' } }, true],
    ['notContains present', { s: { notContains: 'hello' } }, false],
    ['notContains missing is true', { missing: { notContains: 'x' } }, true],
    ['beginsWith', { s: { beginsWith: 'hell' } }, true],
    ['beginsWith no', { s: { beginsWith: 'world' } }, false],
    ['beginsWith number', { n: { beginsWith: '5' } }, false],
    ['attributeExists true', { s: { attributeExists: true } }, true],
    ['attributeExists null-valued', { nul: { attributeExists: true } }, true],
    ['attributeExists false on missing', { missing: { attributeExists: false } }, true],
    ['attributeExists false on present', { s: { attributeExists: false } }, false],
    ['attributeType string', { s: { attributeType: 'string' } }, true],
    ['attributeType number', { n: { attributeType: 'number' } }, true],
    ['attributeType bool', { b: { attributeType: 'bool' } }, true],
    ['attributeType _null', { nul: { attributeType: '_null' } }, true],
    ['attributeType list', { list: { attributeType: 'list' } }, true],
    ['attributeType map', { map: { attributeType: 'map' } }, true],
    ['attributeType wrong', { s: { attributeType: 'number' } }, false],
    ['size of string', { s: { size: { eq: 11 } } }, true],
    ['size of list', { list: { size: { gt: 1, lt: 3 } } }, true],
    ['size between', { s: { size: { between: [1, 5] } } }, false],
    ['size missing', { missing: { size: { ge: 0 } } }, false],
    ['two operators ANDed', { n: { gt: 1, lt: 5 } }, false],
    ['two fields ANDed', { n: { eq: 5 }, s: { eq: 'nope' } }, false],
    ['and', { and: [{ n: { eq: 5 } }, { b: { eq: true } }] }, true],
    ['and false', { and: [{ n: { eq: 5 } }, { b: { eq: false } }] }, false],
    ['or', { or: [{ n: { eq: 1 } }, { b: { eq: true } }] }, true],
    ['or false', { or: [{ n: { eq: 1 } }, { b: { eq: false } }] }, false],
    ['not', { not: { n: { eq: 5 } } }, false],
    ['not of false', { not: { n: { eq: 6 } } }, true],
    ['nested', { or: [{ and: [{ n: { ge: 5 } }, { not: { e: { eq: 'published' } } }] }, { s: { eq: 'x' } }] }, true],
    ['in (subscriptions)', { e: { in: ['draft', 'published'] } }, true],
    ['notIn (subscriptions)', { e: { notIn: ['draft'] } }, false],
    ['null filter value ignored', { s: null }, true],
  ];
  for (const [name, filter, expected] of cases) {
    it(name, () => assert.equal(matchesFilter(item, filter), expected));
  }

  it('between needs exactly two values', () => {
    assert.throws(() => matchesFilter(item, { n: { between: [1] } }), /BETWEEN/);
  });
});
