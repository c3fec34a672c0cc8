import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GantryError } from '@gantry/core';
import { compileRules, encodePath, sameSitePath, evaluateRules, validateCustomRules, type CustomRule, type RuleRequest } from './rewrite-rules.ts';

const SPA = '</^[^.]+$|\\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|woff2|ttf|map|json|webp)$)([^.]+$)/>';

function run(rules: CustomRule[], path: string, extra: Partial<RuleRequest> & { files?: string[] } = {}) {
  const files = new Set(extra.files ?? []);
  const q = path.indexOf('?');
  return evaluateRules(compileRules(rules, { strict: true }), {
    path: q === -1 ? path : path.slice(0, q),
    query: q === -1 ? '' : path.slice(q + 1),
    host: extra.host,
    country: extra.country,
    exists: (p) => files.has(p),
  });
}

describe('customRules evaluation', () => {
  it('rewrites SPA routes to /index.html with the documented regex, leaving asset extensions alone', () => {
    const rules = [{ source: SPA, target: '/index.html', status: '200' }];
    assert.deepEqual(run(rules, '/dashboard/settings'), { type: 'rewrite', status: 200, path: '/index.html' });
    assert.deepEqual(run(rules, '/'), { type: 'rewrite', status: 200, path: '/index.html' });
    assert.deepEqual(run(rules, '/user.profile'), { type: 'rewrite', status: 200, path: '/index.html' });
    for (const asset of ['/app.js', '/styles/site.css', '/logo.svg', '/data.json', '/font.woff2', '/img.webp']) {
      assert.equal(run(rules, asset), undefined, asset);
    }
  });

  it('accepts a target without a leading slash, as in the docs ("index.html")', () => {
    assert.deepEqual(run([{ source: SPA, target: 'index.html', status: '200' }], '/x'), { type: 'rewrite', status: 200, path: '/index.html' });
  });

  it('redirects with <*>, forwarding the query string when the target has none', () => {
    const rules = [{ source: '/docs/<*>', target: '/documents/<*>', status: '301' }];
    assert.deepEqual(run(rules, '/docs/a/b.html?x=1&y=2'), { type: 'redirect', status: 301, location: '/documents/a/b.html?x=1&y=2' });
    assert.deepEqual(run(rules, '/docs/'), { type: 'redirect', status: 301, location: '/documents/' });
    assert.equal(run(rules, '/docs'), undefined);
    assert.equal(run(rules, '/other/docs/x'), undefined);
  });

  it('does not forward the query when the target has its own', () => {
    const rules = [{ source: '/old', target: '/new?from=old', status: '302' }];
    assert.deepEqual(run(rules, '/old?utm=1'), { type: 'redirect', status: 302, location: '/new?from=old' });
  });

  it('binds named placeholders to one path segment each', () => {
    const rules = [{ source: '/docs/<year>/<month>/<date>/<itemid>', target: '/documents/<year>/<month>/<date>/<itemid>', status: '301' }];
    assert.deepEqual(run(rules, '/docs/2024/05/17/42'), { type: 'redirect', status: 301, location: '/documents/2024/05/17/42' });
    assert.equal(run(rules, '/docs/2024/05/17'), undefined);
    assert.equal(run(rules, '/docs/2024/05/17/42/extra'), undefined);
  });

  it('matches query placeholders and uses them in the target', () => {
    const rules = [{ source: '/docs?id=<my-blog-id-value>', target: '/documents/<my-blog-id-value>', status: '301' }];
    assert.deepEqual(run(rules, '/docs?id=hello&x=1'), { type: 'redirect', status: 301, location: '/documents/hello?id=hello&x=1' });
    assert.equal(run(rules, '/docs?other=1'), undefined);
    assert.equal(run(rules, '/docs'), undefined);
  });

  it('percent-encodes placeholder values in redirect locations', () => {
    const rules = [{ source: '/p/<*>', target: '/q/<*>', status: '302' }];
    assert.deepEqual(run(rules, '/p/a b/ü'), { type: 'redirect', status: 302, location: '/q/a%20b/%C3%BC' });
    assert.equal(encodePath('/x?y#z'), '/x%3Fy%23z');
  });

  it('applies the first matching rule, top to bottom', () => {
    const specificFirst = [
      { source: '/docs/specific-filename.html', target: '/documents/different-filename.html', status: '301' },
      { source: '/docs/<*>', target: '/documents/<*>', status: '301' },
    ];
    assert.equal((run(specificFirst, '/docs/specific-filename.html') as { location: string }).location, '/documents/different-filename.html');
    const genericFirst = [specificFirst[1]!, specificFirst[0]!];
    assert.equal((run(genericFirst, '/docs/specific-filename.html') as { location: string }).location, '/documents/specific-filename.html');
  });

  it('404-200 and 404 only apply when the request does not resolve to a file', () => {
    const rewrite = [{ source: '/<*>', target: '/index.html', status: '404-200' }];
    assert.equal(run(rewrite, '/app.js', { files: ['/app.js'] }), undefined);
    assert.deepEqual(run(rewrite, '/missing', { files: ['/app.js'] }), { type: 'rewrite', status: 200, path: '/index.html' });
    const notFound = [{ source: '/<*>', target: '/404.html', status: '404' }];
    assert.deepEqual(run(notFound, '/missing'), { type: 'rewrite', status: 404, path: '/404.html' });
    assert.equal(run(notFound, '/there', { files: ['/there'] }), undefined);
  });

  it('a skipped 404 rule lets later rules apply', () => {
    const rules = [
      { source: '/<*>', target: '/index.html', status: '404-200' },
      { source: '/legacy', target: '/modern', status: '301' },
    ];
    assert.deepEqual(run(rules, '/legacy', { files: ['/legacy'] }), { type: 'redirect', status: 301, location: '/modern' });
  });

  it('200 rewrites apply even when the file exists (as on Amplify)', () => {
    assert.deepEqual(run([{ source: '/<*>', target: '/index.html', status: '200' }], '/app.js', { files: ['/app.js'] }), {
      type: 'rewrite',
      status: 200,
      path: '/index.html',
    });
  });

  it('a 200 rule with an absolute target is a reverse proxy, query forwarded', () => {
    assert.deepEqual(run([{ source: '/api/<*>', target: 'https://api.example.com/v1/<*>', status: '200' }], '/api/users?limit=5'), {
      type: 'proxy',
      url: 'https://api.example.com/v1/users?limit=5',
    });
  });

  it('a missing status is a 301', () => {
    assert.deepEqual(run([{ source: '/a', target: '/b' }], '/a'), { type: 'redirect', status: 301, location: '/b' });
    assert.deepEqual(run([{ source: '/a', target: '/b', status: 302 }], '/a'), { type: 'redirect', status: 302, location: '/b' });
  });

  it('domain sources match the host and append the path', () => {
    const rules = [{ source: 'https://Example.com', target: 'https://www.example.com', status: '301' }];
    assert.deepEqual(run(rules, '/shop/item?id=3', { host: 'example.com' }), {
      type: 'redirect',
      status: 301,
      location: 'https://www.example.com/shop/item?id=3',
    });
    assert.equal(run(rules, '/shop', { host: 'www.example.com' }), undefined);
  });

  it('country conditions apply only when the viewer country is known and equal', () => {
    const rules = [{ source: '/documents', target: '/documents/us/', status: '302', condition: '<US>' }];
    assert.equal(run(rules, '/documents'), undefined);
    assert.equal(run(rules, '/documents', { country: 'DE' }), undefined);
    assert.deepEqual(run(rules, '/documents', { country: 'us' }), { type: 'redirect', status: 302, location: '/documents/us/' });
  });

  it('regex rules test the decoded path only (not the query)', () => {
    const rules = [{ source: '</^\\/blog\\/\\d+$/>', target: '/blog/index.html', status: '200' }];
    assert.deepEqual(run(rules, '/blog/12?x=.js'), { type: 'rewrite', status: 200, path: '/blog/index.html' });
    assert.equal(run(rules, '/blog/x'), undefined);
  });

  it('rejects invalid rules in strict mode with a ValidationError and skips them otherwise', () => {
    const bad: CustomRule[] = [
      { source: '</([/>', target: '/x', status: '200' },
      { source: '/a', target: '/b', status: '307' },
      { source: 'relative', target: '/b', status: '301' },
      { source: 'https://example.com/path', target: 'https://b', status: '301' },
      { source: '/a', target: '/b', status: '301', condition: 'USA' },
      { source: '', target: '/b' },
    ];
    for (const rule of bad) {
      assert.throws(() => validateCustomRules([rule]), (e: unknown) => e instanceof GantryError && e.code === 'ValidationError', JSON.stringify(rule));
    }
    const compiled = compileRules([...bad, { source: '/ok', target: '/fine', status: '302' }]);
    assert.equal(compiled.rules.length, 1);
    assert.equal(compiled.skipped.length, bad.length);
  });

  it('never redirects off-site through a protocol-relative target (//host or /\\host)', () => {
    const location = (rules: CustomRule[], path: string) => {
      const outcome = run(rules, path);
      assert.ok(outcome?.type === 'redirect', `${path}: ${JSON.stringify(outcome)}`);
      return outcome.location;
    };
    // A captured path turning the relative target into another host.
    const wildcard = [{ source: '/<*>', target: '/<*>', status: '302' }];
    assert.equal(location(wildcard, '//evil.example'), '/evil.example');
    assert.equal(location(wildcard, '///evil.example/x?a=1'), '/evil.example/x?a=1');
    const bare = [{ source: '/go/<*>', target: '<*>', status: '301' }];
    assert.equal(location(bare, '/go//evil.example'), '/evil.example');
    const segment = [{ source: '/r/<to>', target: '/<to>', status: '301' }];
    assert.equal(location(segment, '/r/\\evil.example'), '/%5Cevil.example');
    // Targets written so by the rule itself.
    assert.equal(location([{ source: '/a', target: '//evil.example', status: '301' }], '/a'), '/evil.example');
    assert.equal(location([{ source: '/a', target: '/\\evil.example', status: '301' }], '/a'), '/evil.example');
    assert.equal(location([{ source: '/a', target: '/\t/evil.example', status: '301' }], '/a'), '/evil.example');
    // Domain rules append the request path.
    assert.deepEqual(run([{ source: 'https://old.example', target: '/', status: '301' }], '//evil.example', { host: 'old.example' }), {
      type: 'redirect',
      status: 301,
      location: '/evil.example',
    });
    for (const path of ['//evil.example', '/\\evil.example', '//\\//evil.example']) {
      const out = location(wildcard, path);
      assert.ok(!out.startsWith('//') && !out.startsWith('/\\'), out);
    }
    // Absolute targets are the rule author's choice and stay as written.
    assert.equal(location([{ source: '/a', target: 'https://other.example/', status: '302' }], '/a'), 'https://other.example/');
    assert.equal(sameSitePath('/ok/path'), '/ok/path');
  });
});
