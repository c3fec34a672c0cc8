import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { branchSubdomain, parseSiteRequest, siteUrl, sitePath } from './host-routing.ts';

describe('site host routing', () => {
  it('parses <branch>.<appId>.localhost:<port>', () => {
    assert.deepEqual(parseSiteRequest('main.d1abc2def3.localhost:4750', '/about?x=1'), {
      appId: 'd1abc2def3',
      branch: 'main',
      branchLabel: 'main',
      path: '/about?x=1',
      via: 'host',
      basePath: '',
    });
    assert.equal(parseSiteRequest('Feature-X.D1ABC.LOCALHOST', '/')?.branchLabel, 'feature-x');
    assert.equal(parseSiteRequest('main.d1abc.localhost.', '/')?.appId, 'd1abc');
  });

  it('ignores hosts that are not sites', () => {
    for (const host of ['127.0.0.1:4750', 'localhost:4750', 'd1abc.localhost', 'a.b.d1abc.localhost', 'main.d1abc.example.com', '[::1]:4750', 'main.d1_abc.localhost', '-x.d1abc.localhost']) {
      assert.equal(parseSiteRequest(host, '/'), undefined, host);
    }
    assert.equal(parseSiteRequest(undefined, '/'), undefined);
  });

  it('uses a configured site domain', () => {
    const address = parseSiteRequest('dev.d9z.apps.example.com', '/', { siteDomain: 'apps.example.com' });
    assert.equal(address?.appId, 'd9z');
    assert.equal(address?.branch, 'dev');
    assert.equal(parseSiteRequest('dev.d9z.localhost', '/', { siteDomain: 'apps.example.com' }), undefined);
  });

  it('parses the path form with an exact, percent-decoded branch name', () => {
    assert.deepEqual(parseSiteRequest('127.0.0.1:4750', '/_sites/d1abc/feature%2Flogin/assets/app.js?v=2'), {
      appId: 'd1abc',
      branch: 'feature/login',
      branchLabel: 'feature-login',
      path: '/assets/app.js?v=2',
      via: 'path',
      basePath: '/_sites/d1abc/feature%2Flogin',
    });
    const bare = parseSiteRequest(undefined, '/_sites/d1abc/main?x=1');
    assert.equal(bare?.path, '/?x=1');
    assert.equal(bare?.redirectTo, '/_sites/d1abc/main/?x=1');
    assert.equal(parseSiteRequest(undefined, '/_sites/d1abc'), undefined);
    assert.equal(parseSiteRequest(undefined, '/_sites//main/'), undefined);
    assert.equal(parseSiteRequest(undefined, '/_sites/d1abc/%E0%A4%A/'), undefined);
    assert.equal(parseSiteRequest(undefined, '/apps/d1abc/main/'), undefined);
  });

  it('maps branch names to DNS labels: "/" and other characters become "-"', () => {
    assert.equal(branchSubdomain('feature/login'), 'feature-login');
    assert.equal(branchSubdomain('Release_1.2'), 'release-1-2');
    assert.equal(branchSubdomain('/weird/'), 'weird');
    assert.equal(branchSubdomain('x'.repeat(80)).length, 63);
    assert.equal(branchSubdomain('///'), 'branch');
  });

  it('builds site URLs in both forms', () => {
    assert.equal(siteUrl('d1abc', 'feature/x', 'http://localhost:4750'), 'http://feature-x.d1abc.localhost:4750/');
    assert.equal(siteUrl('d1abc', 'main', 'https://apps.example.com'), 'https://main.d1abc.apps.example.com/');
    assert.equal(sitePath('d1abc', 'feature/x'), '/_sites/d1abc/feature%2Fx/');
    const parsed = parseSiteRequest(undefined, sitePath('d1abc', 'feature/x'));
    assert.equal(parsed?.branch, 'feature/x');
  });
});
