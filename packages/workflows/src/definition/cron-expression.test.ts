import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextScheduleTime, parseCronExpression } from './cron-expression.ts';

const next = (expression: string, after: string) => nextScheduleTime(expression, new Date(after))?.toISOString();

describe('AWS cron expressions', () => {
  it('accept the documented forms', () => {
    for (const expression of ['0 0 ? * MON-FRI *', '0/15 * * * ? *', '0 9 L * ? *', '0 9 15W * ? *', '0 12 ? * 6L *', '0 10 ? * 2#1 2025-2030', '30 2 1 JAN,JUL ? *', '0 8 LW * ? *']) {
      const check = parseCronExpression(expression);
      assert.ok(check.ok, `${expression}: ${check.ok ? '' : check.problem}`);
    }
  });

  it('reject what AWS rejects, saying why', () => {
    const problem = (expression: string) => {
      const check = parseCronExpression(expression);
      assert.equal(check.ok, false, expression);
      return check.ok ? '' : check.problem;
    };
    assert.match(problem('0 9 * * *'), /expected 6 fields.*five-field Unix cron/);
    assert.match(problem('0 9 * * MON *'), /cannot both be given/);
    assert.match(problem('0 9 ? * ? *'), /both "\?"/);
    assert.match(problem('60 9 ? * MON *'), /minutes: 60 is out of range 0-59/);
    assert.match(problem('0 24 ? * MON *'), /hours: 24 is out of range/);
    assert.match(problem('0 9 ? FOO MON *'), /month: "FOO" is not a value/);
    assert.match(problem('0 9 ? * 5-2 *'), /goes backwards/);
    assert.match(problem('0 9 ? * MON/2 *'), /"\/" is not allowed in day-of-week/);
    assert.match(problem('0 9 30 2 ? *'), /never matches/);
    assert.match(problem('0 9 1 * ? 1969'), /year: 1969 is out of range/);
    assert.match(problem('cron(0 9 ? * MON *)'), /without the cron\( \) wrapper/);
  });

  it('give the next time, in UTC, strictly after the given one', () => {
    // 2025-01-04 is a Saturday
    assert.equal(next('0 0 ? * MON-FRI *', '2025-01-04T12:00:00Z'), '2025-01-06T00:00:00.000Z');
    assert.equal(next('0 9 ? * MON-FRI *', '2025-01-06T09:00:00Z'), '2025-01-07T09:00:00.000Z');
    assert.equal(next('0/15 * * * ? *', '2025-01-06T09:07:30Z'), '2025-01-06T09:15:00.000Z');
    assert.equal(next('0/15 * * * ? *', '2025-12-31T23:59:00Z'), '2026-01-01T00:00:00.000Z');
    assert.equal(next('0 9 L * ? *', '2024-02-10T00:00:00Z'), '2024-02-29T09:00:00.000Z');
    assert.equal(next('0 12 ? * 6L *', '2025-01-01T00:00:00Z'), '2025-01-31T12:00:00.000Z'); // last Friday
    assert.equal(next('0 10 ? * 2#1 *', '2025-01-07T00:00:00Z'), '2025-02-03T10:00:00.000Z'); // first Monday
    assert.equal(next('0 9 15W * ? *', '2025-06-01T00:00:00Z'), '2025-06-16T09:00:00.000Z'); // 15th is a Sunday
    assert.equal(next('0 9 1W * ? *', '2025-01-02T00:00:00Z'), '2025-02-03T09:00:00.000Z'); // 1 Feb is a Saturday: Monday 3rd
    assert.equal(next('30 2 1 JAN,JUL ? *', '2025-01-01T02:30:00Z'), '2025-07-01T02:30:00.000Z');
    assert.equal(next('0 0 29 2 ? *', '2025-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
  });

  it('give nothing once the year field has passed', () => {
    assert.equal(nextScheduleTime('0 0 1 1 ? 2020', new Date('2021-01-01T00:00:00Z')), undefined);
    assert.throws(() => nextScheduleTime('0 0 * * *', new Date()), /invalid cron expression/);
  });
});
