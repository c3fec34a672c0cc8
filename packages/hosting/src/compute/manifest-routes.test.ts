// Routing as Amplify Hosting does it: first match wins, `*` matches 0 or more characters (slashes included),
// the query string is ignored, fallbacks only for GET/HEAD.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDeployManifest } from './deploy-manifest.ts';
import { compileRoutePattern, fallbackAllowed, matchRoute, routeTableFor } from './manifest-routes.ts';

describe('compileRoutePattern', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['/*', ['/', '/a', '/a/b/c.js', '/%20'], []],
    ['/about', ['/about'], ['/about/', '/About', '/about.html', '/aboutx']],
    ['/_next/static/*', ['/_next/static/', '/_next/static/chunks/main.js'], ['/_next/static', '/_next/statics/x', '/x/_next/static/a']],
    ['/*.*', ['/favicon.ico', '/a/b/c.css', '/blog/2021/01/01/hello.world', '/.well-known'], ['/', '/about', '/a/b']],
    ['/*.js', ['/a.js', '/x/y/z.js', '/.js'], ['/a.jsx', '/js', '/a.js/b']],
    ['/api/*/edit', ['/api/1/edit', '/api/a/b/edit', '/api//edit'], ['/api/edit', '/api/1/edit/x']],
    ['/a*b*c', ['/abc', '/a-b-c', '/aXXbYYc', '/a/b/c'], ['/ab', '/acb', '/abcd']],
    ['/$file(1).txt', ['/$file(1).txt'], ['/$file1.txt']],
    ["/~user/@me:x+y'\"", ["/~user/@me:x+y'\""], ['/~user/@me:x y']],
  ];
  for (const [pattern, yes, no] of cases) {
    it(pattern, () => {
      const match = compileRoutePattern(pattern);
      for (const path of yes) assert.equal(match(path), true, `${pattern} should match ${path}`);
      for (const path of no) assert.equal(match(path), false, `${pattern} should not match ${path}`);
    });
  }
});

describe('matchRoute', () => {
  const { manifest } = parseDeployManifest({
    version: 1,
    routes: [
      { path: '/_nuxt/image', target: { kind: 'ImageOptimization', cacheControl: 'public, max-age=3600, immutable' } },
      { path: '/_nuxt/builds/meta/*', target: { kind: 'Static', cacheControl: 'public, max-age=31536000, immutable' } },
      { path: '/_nuxt/builds/*', target: { kind: 'Static', cacheControl: 'public, max-age=1, immutable' } },
      { path: '/_nuxt/*', target: { kind: 'Static', cacheControl: 'public, max-age=31536000, immutable' } },
      { path: '/api/*', target: { kind: 'Compute', src: 'api' } },
      { path: '/*.*', target: { kind: 'Static' }, fallback: { kind: 'Compute', src: 'default' } },
      { path: '/*', target: { kind: 'Compute', src: 'default' } },
    ],
    computeResources: [
      { name: 'default', runtime: 'nodejs20.x', entrypoint: 'server.js' },
      { name: 'api', runtime: 'nodejs20.x', entrypoint: 'api.js' },
    ],
    imageSettings: { sizes: [100], domains: [], remotePatterns: [], formats: ['image/webp'], minimumCacheTTL: 60, dangerouslyAllowSVG: false },
    framework: { name: 'nuxt', version: '3.8.1' },
  });
  const at = (path: string) => matchRoute(manifest.routes, path)!;

  it('takes the first matching route, in manifest order', () => {
    assert.equal(at('/_nuxt/builds/meta/abc.json').index, 1);
    assert.equal(at('/_nuxt/builds/latest.json').index, 2);
    assert.equal(at('/_nuxt/entry.js').index, 3);
    assert.equal(at('/_nuxt/image').target.kind, 'ImageOptimization');
    assert.equal(at('/_nuxt/image').target.cacheControl, 'public, max-age=3600, immutable');
    // /_nuxt/image?w=100 is the same path.
    assert.equal(at('/_nuxt/image?url=/a.png&w=100').index, 0);
  });

  it('sends compute routes to their resource', () => {
    assert.deepEqual(at('/api/users?id=1').target, { kind: 'Compute', src: 'api' });
    assert.deepEqual(at('/blog/my-post').target, { kind: 'Compute', src: 'default' });
    assert.deepEqual(at('/').target, { kind: 'Compute', src: 'default' });
  });

  it('gives paths with a dot the static target with its compute fallback', () => {
    const m = at('/favicon.ico');
    assert.equal(m.index, 5);
    assert.deepEqual(m.target, { kind: 'Static' });
    assert.deepEqual(m.fallback, { kind: 'Compute', src: 'default' });
    assert.equal(at('/blog/2021/01/01/hello.world').index, 5);
    // The query string is not part of the path: no dot here.
    assert.equal(at('/search?q=a.b').index, 6);
  });

  it('matches the path as received (case-sensitive, percent-encoding kept)', () => {
    assert.equal(at('/_NUXT/entry.js').index, 5);
    assert.equal(at('/_nuxt%2Fentry').index, 6);
  });

  it('compiles a route list once', () => {
    assert.equal(routeTableFor(manifest.routes), routeTableFor(manifest.routes));
  });

  it('allows fallbacks only for GET and HEAD', () => {
    assert.equal(fallbackAllowed('GET'), true);
    assert.equal(fallbackAllowed('HEAD'), true);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', undefined]) assert.equal(fallbackAllowed(method), false);
  });
});
