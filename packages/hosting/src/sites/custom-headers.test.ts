import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GantryError } from '@gantry/core';
import { compileCustomHeaders, validateCustomHeaders, type CustomHeaderRule } from './custom-headers.ts';

const rule = (pattern: string, key = 'x-hit', value = pattern): CustomHeaderRule => ({ pattern, headers: [{ key, value }] });

function matches(pattern: string, path: string, filePath?: string): boolean {
  return compileCustomHeaders([rule(pattern)]).resolve(path, filePath).length > 0;
}

describe('customHeaders patterns', () => {
  it('matches the documented pattern shapes', () => {
    const table: Array<[string, string, boolean]> = [
      ['**/*', '/index.html', true],
      ['**/*', '/a/b/c.js', true],
      ['**', '/.well-known/x', true],
      ['*.json', '/data.json', true],
      ['*.json', '/api/v1/data.json', true],
      ['*.json', '/data.json5', false],
      ['/path/*', '/path/file.txt', true],
      ['/path/*', '/path/sub/file.txt', false],
      ['/path/*', '/other/file.txt', false],
      ['/path/*.json', '/path/x.json', true],
      ['/path/*.json', '/path/x.js', false],
      ['/assets/**', '/assets/a/b/c.css', true],
      ['/assets/**', '/static/a.css', false],
      ['assets/**', '/assets/x.js', true],
      ['*.{js,css}', '/a/b.css', true],
    ];
    for (const [pattern, path, expected] of table) assert.equal(matches(pattern, path), expected, `${pattern} ~ ${path}`);
  });

  it('matches the request path or the served file path', () => {
    assert.equal(matches('*.html', '/about', '/about.html'), true);
    assert.equal(matches('*.html', '/about'), false);
  });

  it('merges in order: later rules replace earlier values of the same header (case-insensitive)', () => {
    const compiled = compileCustomHeaders([
      { pattern: '**/*', headers: [{ key: 'Cache-Control', value: 'no-cache' }, { key: 'X-A', value: '1' }] },
      { pattern: '*.js', headers: [{ key: 'cache-control', value: 'max-age=60' }] },
    ]);
    assert.deepEqual(compiled.resolve('/x.js'), [['x-a', '1'], ['cache-control', 'max-age=60']]);
    assert.deepEqual(compiled.resolve('/x.css'), [['cache-control', 'no-cache'], ['x-a', '1']]);
    assert.equal(compileCustomHeaders([]).empty, true);
    assert.equal(compileCustomHeaders(undefined).resolve('/x').length, 0);
  });

  it('rejects invalid entries when validating and skips them when serving', () => {
    const bad = [
      { pattern: '', headers: [{ key: 'x', value: '1' }] },
      { pattern: '**', headers: [{ key: 'bad header', value: '1' }] },
      { pattern: '**', headers: [{ key: 'x-a', value: 'a\r\nb' }] },
      { pattern: '**', headers: [{ key: 'x-a', value: 'cake 🍰' }] },
      { pattern: '**', headers: [{ key: 'Content-Length', value: '1' }] },
      { pattern: '**', headers: 'x' },
    ] as unknown as CustomHeaderRule[];
    for (const entry of bad) {
      assert.throws(() => validateCustomHeaders([entry]), (e: unknown) => e instanceof GantryError && e.code === 'ValidationError', JSON.stringify(entry));
    }
    const compiled = compileCustomHeaders([...bad, rule('**', 'x-ok', 'yes')]);
    assert.deepEqual(compiled.resolve('/x'), [['x-ok', 'yes']]);
  });
});
