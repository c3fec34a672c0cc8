import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { SessionEventParser } from './session-events.ts';
import { buildSessionScript, checkRelativeDirectory, quote } from './shell-script.ts';

describe('buildSessionScript', () => {
  test('quote() survives bash for any text', () => {
    for (const text of ["it's", "''", 'a\nb', '$HOME `id` $(id) \\ "x"', '!event', '']) {
      const echoed = spawnSync('bash', ['-c', `printf '%s' ${quote(text)}`], { encoding: 'utf8' }).stdout;
      assert.equal(echoed, text);
    }
  });

  test('lists steps in order, with the cd a phase asks for', () => {
    const { steps } = buildSessionScript({
      workDir: '/w',
      phases: [
        { name: 'a', commands: ['one', 'two'] },
        { name: 'b', cwd: './apps/web/', commands: ['three'] },
      ],
    });
    assert.deepEqual(steps, [
      { index: 0, phaseIndex: 0, command: 'one' },
      { index: 1, phaseIndex: 0, command: 'two' },
      { index: 2, phaseIndex: 1, command: 'cd apps/web' },
      { index: 3, phaseIndex: 1, command: 'three' },
    ]);
  });

  test('refuses NUL characters and directories outside workDir', () => {
    assert.throws(() => buildSessionScript({ workDir: '/w', phases: [{ name: 'a', commands: ['a\0b'] }] }), { code: 'ValidationError' });
    assert.throws(() => checkRelativeDirectory('a/../../b', 'p'), { code: 'ValidationError' });
    assert.equal(checkRelativeDirectory('a/../b/', 'p'), 'b');
    assert.equal(checkRelativeDirectory('.', 'p'), '.');
  });
});

describe('SessionEventParser', () => {
  test('reads events cut anywhere, and drops unknown kinds', () => {
    const bytes = Buffer.from('P\x000\x00S\x000\x00X\x000\x0017\x00junk\x00V\x00NAME\x00two\nlines é\x00Q\x000\x00D\x00');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parser = new SessionEventParser();
      const events = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
      assert.deepEqual(events, [
        { kind: 'phase-start', phase: 0 },
        { kind: 'step-start', step: 0 },
        { kind: 'step-end', step: 0, exitCode: 17 },
        { kind: 'export', name: 'NAME', value: 'two\nlines é' },
        { kind: 'phase-end', phase: 0 },
        { kind: 'done' },
      ]);
    }
  });
});
