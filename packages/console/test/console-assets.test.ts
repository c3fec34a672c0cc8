import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../gantry/test/support/test-server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.stop());

/** The chunks a script imports, statically or with `import()`, by their names in /_console/assets/. */
const importsOf = (js: string) => ({
  static: [...new Set([...js.matchAll(/from\s*"\.\/(chunk-[A-Z0-9]+\.js)"|import\s*"\.\/(chunk-[A-Z0-9]+\.js)"/g)].map((m) => m[1] ?? m[2]!))],
  dynamic: [...new Set([...js.matchAll(/import\("\.\/(chunk-[A-Z0-9]+\.js)"\)/g)].map((m) => m[1]!))],
});

test('the editor and the graph layout are split off the first load and fetched by name', async () => {
  const html = await (await fetch(ts.url + '/')).text();
  const main = await (await fetch(ts.url + /src="(\/_console\/assets\/app\.js\?v=[0-9a-f]+)"/.exec(html)![1]!)).text();
  const { static: eager, dynamic: lazy } = importsOf(main);
  assert.ok(lazy.length >= 2, `main.js loads chunks on demand: ${lazy}`);
  let firstLoad = main.length;
  for (const name of eager) {
    const chunk = await fetch(`${ts.url}/_console/assets/${name}`);
    assert.equal(chunk.status, 200);
    firstLoad += (await chunk.text()).length;
  }
  const sizes: Record<string, number> = {};
  for (const name of lazy) {
    const chunk = await fetch(`${ts.url}/_console/assets/${name}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(chunk.status, 200);
    assert.match(chunk.headers.get('content-type')!, /text\/javascript/);
    assert.match(chunk.headers.get('cache-control')!, /immutable/, 'a chunk name is its content');
    sizes[name] = (await chunk.text()).length;
  }
  const biggest = Math.max(...Object.values(sizes));
  assert.ok(biggest > 300_000, `CodeMirror is a chunk of its own (${JSON.stringify(sizes)})`);
  assert.ok(firstLoad < 200_000, `the first load stays small without it: ${firstLoad} bytes`);
  assert.ok(Object.values(sizes).some((s) => s > 30_000 && s < 100_000), 'dagre is a chunk of its own');
  assert.equal((await fetch(`${ts.url}/_console/assets/chunk-NOTACHUNK.js`)).status, 404);
  assert.equal((await fetch(`${ts.url}/_console/assets/..%2Fapp.js`)).status, 404);
});

test('each page has its own style nonce, and the policy admits style elements with it only', async () => {
  const nonces = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(ts.url + '/console/workflows');
    const csp = response.headers.get('content-security-policy')!;
    const meta = /<meta name="gantry-style-nonce" content="([^"]+)">/.exec(await response.text())![1]!;
    assert.match(meta, /^[A-Za-z0-9+/]{22}==$/);
    assert.match(csp, new RegExp(`style-src 'self' 'nonce-${meta.replace(/[+/]/g, '\\$&')}';`));
    assert.match(csp, /script-src 'self';/, 'scripts are still this server\'s files only');
    nonces.push(meta);
  }
  assert.notEqual(nonces[0], nonces[1]);
});
