import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { SiteStore } from './site-store.ts';
import { buildVersion, send, startSiteServer, tempDir, type SiteServer } from './test-support.ts';
import { FileCache } from './file-cache.ts';

const SPA = '</^[^.]+$|\\.(?!(css|gif|ico|jpg|js|png|txt|svg|woff|woff2|ttf|map|json|webp)$)([^.]+$)/>';
const BIG_JS = `console.log(${JSON.stringify('lorem ipsum dolor sit amet '.repeat(400))});\n`;
const BINARY = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));

const FILES = {
  'index.html': '<!doctype html><title>home</title><script src="/assets/index-DiwrgTda.js"></script>',
  'about.html': '<!doctype html><title>about</title>',
  'guide/index.html': '<!doctype html><title>guide</title>',
  '404.html': '<!doctype html><title>custom 404</title>',
  'assets/index-DiwrgTda.js': BIG_JS,
  'assets/style.css': 'body{color:red}',
  'app.js': 'console.log(1)',
  'data.json': '{"a":1}',
  'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
  'img/photo.png': BINARY,
  'robots.txt': 'User-agent: *',
  'module.wasm': Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
  'font.woff2': Buffer.from('wOF2'),
  'archive.unknownext': 'x',
  'my file.html': 'spaced',
  '.well-known/security.txt': 'Contact: x',
};

describe('serveSite', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let store: SiteStore;
  let server: SiteServer;
  const key = 'd1serve/main';

  before(async () => {
    dir = await tempDir();
    store = new SiteStore({ root: join(dir.path, 'sites') });
    const v = await buildVersion(store, join(dir.path, 'scratch'), FILES);
    await store.activate(key, v.versionId);
    // A file next to the store that no path may reach.
    await writeFile(join(dir.path, 'secret.txt'), 'TOP-SECRET root:x:0:0');
    await writeFile(join(dir.path, 'sites', 'secret.txt'), 'TOP-SECRET root:x:0:0');
    server = await startSiteServer(store, key);
  });
  after(async () => {
    await server.close();
    await dir.remove();
  });
  beforeEach(() => {
    server.config.customRules = undefined;
    server.config.customHeaders = undefined;
    server.config.options = undefined;
  });

  const get = (path: string, headers?: Record<string, string>) => send(server.port, path, { headers });

  describe('files', () => {
    it('serves files with their content type and length', async () => {
      const expected: Record<string, string> = {
        '/index.html': 'text/html; charset=utf-8',
        '/assets/style.css': 'text/css; charset=utf-8',
        '/app.js': 'text/javascript; charset=utf-8',
        '/data.json': 'application/json; charset=utf-8',
        '/logo.svg': 'image/svg+xml',
        '/img/photo.png': 'image/png',
        '/robots.txt': 'text/plain; charset=utf-8',
        '/module.wasm': 'application/wasm',
        '/font.woff2': 'font/woff2',
        '/archive.unknownext': 'application/octet-stream',
      };
      for (const [path, type] of Object.entries(expected)) {
        const res = await get(path);
        assert.equal(res.status, 200, path);
        assert.equal(res.headers['content-type'], type, path);
        assert.equal(Number(res.headers['content-length']), res.body.length, path);
      }
      assert.deepEqual((await get('/img/photo.png')).body, BINARY);
      assert.equal((await get('/.well-known/security.txt')).body.toString(), 'Contact: x');
      assert.equal((await get('/my%20file.html')).body.toString(), 'spaced');
    });

    it('serves index.html at / and clean URLs like Amplify', async () => {
      assert.match((await get('/')).body.toString(), /home/);
      assert.match((await get('/about')).body.toString(), /about/);
      const redirect = await get('/guide?ref=nav');
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.location, '/guide/?ref=nav');
      assert.match((await get('/guide/')).body.toString(), /guide/);
      assert.match((await get('/guide/index.html')).body.toString(), /guide/);
      assert.match((await get('//about')).body.toString(), /about/, 'repeated slashes collapse');
    });

    it('answers unknown paths with the site 404.html and status 404', async () => {
      const res = await get('/nope/nothing');
      assert.equal(res.status, 404);
      assert.match(res.body.toString(), /custom 404/);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    });

    it('sets Cache-Control by kind of file', async () => {
      assert.equal((await get('/index.html')).headers['cache-control'], 'no-cache');
      assert.equal((await get('/assets/index-DiwrgTda.js')).headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal((await get('/assets/style.css')).headers['cache-control'], 'public, max-age=0, must-revalidate');
      assert.equal((await get('/robots.txt')).headers['cache-control'], 'public, max-age=0, must-revalidate');
    });

    it('answers HEAD with the GET headers and no body', async () => {
      const full = await get('/assets/index-DiwrgTda.js');
      const head = await send(server.port, '/assets/index-DiwrgTda.js', { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      for (const h of ['content-type', 'content-length', 'etag', 'last-modified', 'cache-control']) assert.equal(head.headers[h], full.headers[h], h);
      const missing = await send(server.port, '/missing', { method: 'HEAD' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.length, 0);
    });

    it('answers other methods with 405 and Allow', async () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        const res = await send(server.port, '/index.html', { method });
        assert.equal(res.status, 405, method);
        assert.equal(res.headers.allow, 'GET, HEAD');
      }
    });
  });

  describe('conditional requests', () => {
    it('sends a strong ETag and answers If-None-Match with 304', async () => {
      const first = await get('/about.html');
      const etag = first.headers.etag!;
      assert.match(etag, /^"[0-9a-f]{32}"$/);
      const again = await get('/about.html', { 'if-none-match': etag });
      assert.equal(again.status, 304);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, etag);
      assert.equal((await get('/about.html', { 'if-none-match': `W/${etag}` })).status, 304);
      assert.equal((await get('/about.html', { 'if-none-match': `"nope", ${etag}` })).status, 304);
      assert.equal((await get('/about.html', { 'if-none-match': '*' })).status, 304);
      assert.equal((await get('/about.html', { 'if-none-match': '"other"' })).status, 200);
      assert.equal((await get('/about.html', { 'if-none-match': etag.slice(0, -3) + '"' })).status, 200);
    });

    it('matches any representation of the same content', async () => {
      const br = await get('/assets/index-DiwrgTda.js', { 'accept-encoding': 'br' });
      assert.match(br.headers.etag!, /-br"$/);
      const plain = await get('/assets/index-DiwrgTda.js');
      const cross = await get('/assets/index-DiwrgTda.js', { 'accept-encoding': 'br', 'if-none-match': plain.headers.etag! });
      assert.equal(cross.status, 304);
      assert.equal(cross.headers.etag, br.headers.etag);
    });

    it('answers If-Modified-Since when there is no If-None-Match', async () => {
      const first = await get('/robots.txt');
      const lastModified = first.headers['last-modified']!;
      assert.ok(!Number.isNaN(Date.parse(lastModified)));
      assert.equal((await get('/robots.txt', { 'if-modified-since': lastModified })).status, 304);
      assert.equal((await get('/robots.txt', { 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() })).status, 304);
      assert.equal((await get('/robots.txt', { 'if-modified-since': 'Thu, 01 Jan 1998 00:00:00 GMT' })).status, 200);
      assert.equal((await get('/robots.txt', { 'if-modified-since': lastModified, 'if-none-match': '"different"' })).status, 200);
    });
  });

  describe('compression', () => {
    it('serves the precompressed brotli or gzip variant by Accept-Encoding, with Vary', async () => {
      const cases: Array<[string, string | undefined]> = [
        ['br', 'br'],
        ['gzip', 'gzip'],
        ['gzip, deflate, br, zstd', 'br'],
        ['br;q=0.5, gzip;q=1', 'gzip'],
        ['br;q=0, gzip', 'gzip'],
        ['*', 'br'],
        ['identity', undefined],
        ['deflate', undefined],
      ];
      for (const [accept, encoding] of cases) {
        const res = await get('/assets/index-DiwrgTda.js', { 'accept-encoding': accept });
        assert.equal(res.status, 200, accept);
        assert.equal(res.headers['content-encoding'], encoding, accept);
        assert.equal(res.headers.vary, 'Accept-Encoding', accept);
        assert.equal(Number(res.headers['content-length']), res.body.length, accept);
        const body = encoding === 'br' ? brotliDecompressSync(res.body) : encoding === 'gzip' ? gunzipSync(res.body) : res.body;
        assert.equal(body.toString(), BIG_JS, accept);
        if (encoding) assert.ok(res.body.length < Buffer.byteLength(BIG_JS));
      }
      const none = await get('/assets/index-DiwrgTda.js');
      assert.equal(none.headers['content-encoding'], undefined);
    });

    it('does not compress small or incompressible files', async () => {
      const small = await get('/app.js', { 'accept-encoding': 'br, gzip' });
      assert.equal(small.headers['content-encoding'], undefined);
      assert.equal(small.headers.vary, undefined);
      const png = await get('/img/photo.png', { 'accept-encoding': 'br, gzip' });
      assert.equal(png.headers['content-encoding'], undefined);
      assert.deepEqual(png.body, BINARY);
    });
  });

  describe('ranges', () => {
    it('serves one byte range with 206', async () => {
      const cases: Array<[string, number, number]> = [
        ['bytes=0-9', 0, 9],
        ['bytes=100-', 100, BINARY.length - 1],
        ['bytes=-16', BINARY.length - 16, BINARY.length - 1],
        ['bytes=4990-999999', 4990, BINARY.length - 1],
      ];
      for (const [range, start, end] of cases) {
        const res = await get('/img/photo.png', { range });
        assert.equal(res.status, 206, range);
        assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${BINARY.length}`, range);
        assert.deepEqual(res.body, BINARY.subarray(start, end + 1), range);
        assert.equal(res.headers['accept-ranges'], 'bytes');
      }
    });

    it('answers unsatisfiable ranges with 416 and ignores multi-range or malformed ones', async () => {
      const res = await get('/img/photo.png', { range: 'bytes=99999-' });
      assert.equal(res.status, 416);
      assert.equal(res.headers['content-range'], `bytes */${BINARY.length}`);
      const multi = await get('/img/photo.png', { range: 'bytes=0-1,5-6' });
      assert.equal(multi.status, 200);
      assert.deepEqual(multi.body, BINARY);
      assert.equal((await get('/img/photo.png', { range: 'items=0-1' })).status, 200);
      assert.equal((await get('/img/photo.png', { range: 'bytes=9-2' })).status, 200);
    });

    it('ranges the identity representation even when compression is accepted, and honours If-Range', async () => {
      const res = await get('/assets/index-DiwrgTda.js', { range: 'bytes=0-6', 'accept-encoding': 'br, gzip' });
      assert.equal(res.status, 206);
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.body.toString(), BIG_JS.slice(0, 7));
      const etag = (await get('/img/photo.png')).headers.etag!;
      assert.equal((await get('/img/photo.png', { range: 'bytes=0-1', 'if-range': etag })).status, 206);
      assert.equal((await get('/img/photo.png', { range: 'bytes=0-1', 'if-range': '"stale"' })).status, 200);
    });

    it('streams large files from disk (bigger than the memory cache limit)', async () => {
      const big = Buffer.alloc(600 * 1024, 'z');
      const other = await startSiteServer(store, 'd1serve/big');
      try {
        const v = await buildVersion(store, join(dir.path, 'scratch'), { 'big.bin': big });
        await store.activate('d1serve/big', v.versionId);
        other.config.options = { fileCache: new FileCache({ maxFileBytes: 1024 }) };
        const res = await send(other.port, '/big.bin');
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, big);
        const part = await send(other.port, '/big.bin', { headers: { range: 'bytes=1000-1999' } });
        assert.equal(part.body.length, 1000);
      } finally {
        await other.close();
      }
    });
  });

  describe('custom rules', () => {
    it('SPA fallback: routes rewrite to index.html, assets and missing assets do not', async () => {
      server.config.customRules = [{ source: SPA, target: '/index.html', status: '200' }];
      const route = await get('/dashboard/settings?tab=2');
      assert.equal(route.status, 200);
      assert.match(route.body.toString(), /home/);
      assert.equal(route.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal((await get('/app.js')).body.toString(), 'console.log(1)');
      assert.equal((await get('/missing.js')).status, 404);
    });

    it('redirects with placeholders and forwards the query', async () => {
      server.config.customRules = [
        { source: '/docs/<*>', target: '/documents/<*>', status: '301' },
        { source: '/blog/<year>/<slug>', target: '/posts/<slug>?year=<year>', status: '302' },
        { source: '/external', target: 'https://example.com/landing', status: '302' },
      ];
      const docs = await get('/docs/a/b?x=1');
      assert.equal(docs.status, 301);
      assert.equal(docs.headers.location, '/documents/a/b?x=1');
      assert.equal(docs.body.length, 0);
      const blog = await get('/blog/2024/hello?utm=z');
      assert.equal(blog.status, 302);
      assert.equal(blog.headers.location, '/posts/hello?year=2024');
      assert.equal((await get('/external?q=1')).headers.location, 'https://example.com/landing?q=1');
      server.config.customRules = [{ source: '/café', target: '/menü 🍰', status: '302' }];
      const unicode = await get('/caf%C3%A9');
      assert.equal(unicode.status, 302);
      assert.equal(unicode.headers.location, '/men%C3%BC%20%F0%9F%8D%B0');
    });

    it('404-200 rewrites only what does not exist', async () => {
      server.config.customRules = [{ source: '/<*>', target: '/index.html', status: '404-200' }];
      const missing = await get('/some/client/route');
      assert.equal(missing.status, 200);
      assert.match(missing.body.toString(), /home/);
      assert.equal((await get('/robots.txt')).body.toString(), 'User-agent: *');
      assert.match((await get('/about')).body.toString(), /about/, 'clean URLs count as existing');
    });

    it('404 serves the target with status 404', async () => {
      server.config.customRules = [{ source: '/docs/<*>', target: '/about.html', status: '404' }];
      const res = await get('/docs/missing');
      assert.equal(res.status, 404);
      assert.match(res.body.toString(), /about/);
    });

    it('200 rewrites apply to existing files too, and a missing target is a 404', async () => {
      server.config.customRules = [
        { source: '/app.js', target: '/data.json', status: '200' },
        { source: '/gone', target: '/not-there.html', status: '200' },
      ];
      const res = await get('/app.js');
      assert.equal(res.body.toString(), '{"a":1}');
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal((await get('/gone')).status, 404);
    });

    it('regex rules and first-match-wins ordering', async () => {
      server.config.customRules = [
        { source: '</^\\/item\\/\\d+$/>', target: '/about.html', status: '200' },
        { source: '/item/<id>', target: '/data.json', status: '200' },
      ];
      assert.match((await get('/item/42')).body.toString(), /about/);
      assert.equal((await get('/item/abc')).body.toString(), '{"a":1}');
    });

    it('prefixes site-relative redirects with basePath (path-form addressing)', async () => {
      server.config.customRules = [{ source: '/old', target: '/new', status: '301' }];
      server.config.options = { basePath: '/_sites/d1serve/main' };
      assert.equal((await get('/old')).headers.location, '/_sites/d1serve/main/new');
      assert.equal((await get('/guide')).headers.location, '/_sites/d1serve/main/guide/');
    });

    it('serves options.path instead of req.url', async () => {
      server.config.options = { path: '/about' };
      assert.match((await get('/_sites/whatever/x/about')).body.toString(), /about/);
    });

    it('reverse-proxies 200 rules with absolute targets', async () => {
      const upstream = createServer((req, res) => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-up': 'yes' });
        res.end(JSON.stringify({ url: req.url, method: req.method, host: req.headers.host }));
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const port = (upstream.address() as AddressInfo).port;
      try {
        server.config.customRules = [{ source: '/api/<*>', target: `http://127.0.0.1:${port}/v1/<*>`, status: '200' }];
        const res = await get('/api/users?limit=2');
        assert.equal(res.status, 201);
        assert.equal(res.headers['x-up'], 'yes');
        assert.deepEqual(JSON.parse(res.body.toString()), { url: '/v1/users?limit=2', method: 'GET', host: `127.0.0.1:${port}` });
        const post = await send(server.port, '/api/items', { method: 'POST' });
        assert.equal(JSON.parse(post.body.toString()).method, 'POST');
        assert.equal((await send(server.port, '/index.html', { method: 'POST' })).status, 405);
      } finally {
        upstream.close();
      }
    });

    it('domain and country rules use the Host and CloudFront-Viewer-Country headers', async () => {
      server.config.customRules = [
        { source: 'http://old.example', target: 'https://new.example', status: '301' },
        { source: '/where', target: '/about.html', status: '200', condition: '<DE>' },
      ];
      const moved = await get('/shop?id=1', { host: `old.example:${server.port}` });
      assert.equal(moved.status, 301);
      assert.equal(moved.headers.location, 'https://new.example/shop?id=1');
      assert.equal((await get('/where', { 'cloudfront-viewer-country': 'DE' })).status, 200);
      assert.equal((await get('/where')).status, 404);
    });

    it('skips invalid rules instead of failing the site', async () => {
      server.config.customRules = [
        { source: '</([/>', target: '/about.html', status: '200' },
        { source: '/x', target: '/about.html', status: '200' },
      ];
      assert.match((await get('/x')).body.toString(), /about/);
    });
  });

  describe('custom headers', () => {
    it('applies headers by glob pattern, later rules winning, custom replacing defaults', async () => {
      server.config.customHeaders = [
        { pattern: '**/*', headers: [{ key: 'X-Frame-Options', value: 'DENY' }, { key: 'X-Which', value: 'all' }] },
        { pattern: '*.js', headers: [{ key: 'Cache-Control', value: 'no-store' }, { key: 'X-Which', value: 'js' }] },
        { pattern: '/assets/**', headers: [{ key: 'X-Asset', value: '1' }] },
        { pattern: '*.html', headers: [{ key: 'X-Html', value: '1' }] },
      ];
      const js = await get('/assets/index-DiwrgTda.js');
      assert.equal(js.headers['x-frame-options'], 'DENY');
      assert.equal(js.headers['x-which'], 'js');
      assert.equal(js.headers['cache-control'], 'no-store');
      assert.equal(js.headers['x-asset'], '1');
      const css = await get('/assets/style.css');
      assert.equal(css.headers['x-which'], 'all');
      assert.equal(css.headers['x-asset'], '1');
      assert.equal(css.headers['cache-control'], 'public, max-age=0, must-revalidate');
      const root = await get('/');
      assert.equal(root.headers['x-html'], '1', 'matched through the served file index.html');
      assert.equal(root.headers['x-asset'], undefined);
      const top = await get('/app.js');
      assert.equal(top.headers['x-which'], 'js');
      assert.equal(top.headers['x-asset'], undefined);
      const notFound = await get('/nothing-here');
      assert.equal(notFound.status, 404);
      assert.equal(notFound.headers['x-frame-options'], 'DENY');
      const notModified = await get('/app.js', { 'if-none-match': top.headers.etag! });
      assert.equal(notModified.status, 304);
      assert.equal(notModified.headers['x-which'], 'js');
    });

    it('uses the custom headers stored with the version when the site passes none', async () => {
      const other = await startSiteServer(store, 'd1serve/headers');
      try {
        const v = await buildVersion(store, join(dir.path, 'scratch'), { 'index.html': 'h' }, {
          customHeaders: [{ pattern: '**', headers: [{ key: 'Strict-Transport-Security', value: 'max-age=31536000' }] }],
        });
        await store.activate('d1serve/headers', v.versionId);
        const res = await send(other.port, '/');
        assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
      } finally {
        await other.close();
      }
    });
  });

  describe('path safety', () => {
    const attempts = [
      '/../../etc/passwd',
      '/../secret.txt',
      '/../../secret.txt',
      '/../../../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/%2e%2e/secret.txt',
      '/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/..%2f..%2fsecret.txt',
      '/..%5c..%5csecret.txt',
      '/..\\..\\secret.txt',
      '/assets\\..\\..\\secret.txt',
      '/%252e%252e/%252e%252e/secret.txt',
      '/%c0%ae%c0%ae/secret.txt',
      '/secret.txt%00.html',
      '/./index.html',
      '/%',
      '/%zz',
      'secret.txt',
      '/files/index.html',
      '/manifest.json',
      '/versions',
    ];
    for (const path of attempts) {
      it(`never serves anything outside the site for ${JSON.stringify(path)}`, async () => {
        const res = await get(path);
        assert.ok(res.status === 400 || res.status === 404, `${path} → ${res.status}`);
        assert.doesNotMatch(res.body.toString(), /TOP-SECRET|root:x|"formatVersion"/);
      });
    }

    it('still applies with catch-all rules', async () => {
      server.config.customRules = [{ source: '/<*>', target: '/<*>', status: '200' }];
      for (const path of ['/../secret.txt', '/%2e%2e/secret.txt']) {
        const res = await get(path);
        assert.ok(res.status === 400 || res.status === 404, path);
        assert.doesNotMatch(res.body.toString(), /TOP-SECRET/);
      }
    });
  });

  describe('atomic activation', () => {
    it('a request in flight during activation gets the old version whole; later ones the new', async () => {
      const branch = 'd1serve/atomic';
      const scratch = join(dir.path, 'scratch');
      const oldBig = Buffer.alloc(4 * 1024 * 1024, 'o');
      const newBig = Buffer.alloc(4 * 1024 * 1024, 'n');
      const v1 = await buildVersion(store, scratch, { 'index.html': 'v1', 'big.bin': oldBig });
      const v2 = await buildVersion(store, scratch, { 'index.html': 'v2', 'big.bin': newBig });
      await store.activate(branch, v1.versionId);
      const site = await startSiteServer(store, branch);
      try {
        // Start reading the old big file slowly, switch versions mid-stream, then finish reading.
        const inFlight = new Promise<Buffer>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: site.port, path: '/big.bin', agent: false }, (res) => {
            const chunks: Buffer[] = [];
            let switched = false;
            res.on('data', (chunk: Buffer) => {
              chunks.push(chunk);
              if (!switched) {
                switched = true;
                res.pause();
                store.activate(branch, v2.versionId).then(() => setTimeout(() => res.resume(), 50), reject);
              }
            });
            res.on('end', () => resolve(Buffer.concat(chunks)));
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end();
        });
        const body = await inFlight;
        assert.equal(body.length, oldBig.length);
        assert.ok(body.equals(oldBig), 'the in-flight response is entirely the old version');
        assert.equal((await send(site.port, '/index.html')).body.toString(), 'v2');
        assert.ok((await send(site.port, '/big.bin')).body.equals(newBig));

        // The old version is still there for rollback, and serves whole again after it.
        await store.rollback(branch);
        assert.equal((await send(site.port, '/index.html')).body.toString(), 'v1');
        assert.ok((await send(site.port, '/big.bin')).body.equals(oldBig));
      } finally {
        await site.close();
      }
    });

    it('under concurrent switching every response is one version, whole, with its own ETag', async () => {
      const branch = 'd1serve/flip';
      const scratch = join(dir.path, 'scratch');
      const bodies = [Buffer.alloc(300 * 1024, 'a'), Buffer.alloc(300 * 1024, 'b')];
      const versions = [
        await buildVersion(store, scratch, { 'page.bin': bodies[0]!, 'index.html': 'A' }),
        await buildVersion(store, scratch, { 'page.bin': bodies[1]!, 'index.html': 'B' }),
      ];
      await store.activate(branch, versions[0]!.versionId);
      const site = await startSiteServer(store, branch);
      const etags = new Map<string, Buffer>();
      for (const [i, v] of versions.entries()) etags.set((await store.manifest(v.versionId)).files['/page.bin']!.etag, bodies[i]!);
      let flipping = true;
      const flipper = (async () => {
        let i = 0;
        while (flipping) await store.activate(branch, versions[++i % 2]!.versionId);
      })();
      try {
        const seen = new Set<string>();
        const results = await Promise.all(Array.from({ length: 60 }, () => send(site.port, '/page.bin')));
        for (const res of results) {
          assert.equal(res.status, 200);
          const expected = etags.get(res.headers.etag!);
          assert.ok(expected, 'ETag of a known version');
          assert.ok(res.body.equals(expected), 'body is exactly that version');
          seen.add(res.headers.etag!);
        }
        assert.ok(seen.size >= 1);
      } finally {
        flipping = false;
        await flipper;
        await site.close();
      }
    });
  });
});
