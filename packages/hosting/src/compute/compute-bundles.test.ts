// The compute bundle store: content-addressed copies made readable for the sandbox user, symlinks kept but not
// ones leading out of the resource, Amplify's size limit per resource.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComputeBundleStore } from './compute-bundles.ts';
import { loadDeployManifest } from './deploy-manifest.ts';
import { tempDir } from './test-support.ts';

const MANIFEST = {
  version: 1,
  routes: [{ path: '/*', target: { kind: 'Compute', src: 'default' } }],
  computeResources: [{ name: 'default', runtime: 'nodejs20.x', entrypoint: 'server.js' }],
  framework: { name: 'test', version: '1.0.0' },
};

describe('ComputeBundleStore', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let n = 0;
  const bundle = async (files: Record<string, string>, links: Record<string, string> = {}) => {
    const hosting = join(dir.path, `build-${++n}`, '.amplify-hosting');
    await mkdir(join(hosting, 'compute', 'default'), { recursive: true });
    await writeFile(join(hosting, 'deploy-manifest.json'), JSON.stringify(MANIFEST));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(hosting, 'compute', 'default', path, '..'), { recursive: true });
      await writeFile(join(hosting, 'compute', 'default', path), content);
    }
    for (const [path, target] of Object.entries(links)) await symlink(target, join(hosting, 'compute', 'default', path));
    return hosting;
  };

  before(async () => {
    dir = await tempDir('gantry-bundles-');
  });
  after(() => dir?.remove());

  it('stores a bundle once, readable by everyone, symlinks kept', async () => {
    const store = new ComputeBundleStore({ root: join(dir.path, 'store') });
    const hosting = await bundle({ 'server.js': 'server', 'node_modules/.pnpm/x@1/index.js': 'x', 'bin/run': '#!/bin/sh' }, { 'node_modules/x': '.pnpm/x@1' });
    await chmod(join(hosting, 'compute/default/server.js'), 0o600);
    await chmod(join(hosting, 'compute/default/bin/run'), 0o700);
    const first = await store.ingest(await loadDeployManifest(hosting));
    assert.match(first.bundleId, /^[0-9a-f]{64}$/);
    assert.equal(first.created, true);
    assert.equal(first.computeRoot, join(store.root, 'bundles', first.bundleId, 'compute'));
    assert.equal(await readFile(join(first.computeRoot, 'default/server.js'), 'utf8'), 'server');
    assert.equal((await lstat(join(first.computeRoot, 'default/server.js'))).mode & 0o777, 0o644);
    assert.equal((await lstat(join(first.computeRoot, 'default/bin/run'))).mode & 0o777, 0o755);
    assert.equal((await lstat(join(first.computeRoot, 'default/node_modules'))).mode & 0o777, 0o755);
    assert.equal(await readlink(join(first.computeRoot, 'default/node_modules/x')), '.pnpm/x@1');
    assert.equal(await readFile(join(first.computeRoot, 'default/node_modules/x/index.js'), 'utf8'), 'x');

    // The same content from another build: the same id, nothing written.
    const hosting2 = await bundle({ 'server.js': 'server', 'node_modules/.pnpm/x@1/index.js': 'x', 'bin/run': '#!/bin/sh' }, { 'node_modules/x': '.pnpm/x@1' });
    await chmod(join(hosting2, 'compute/default/bin/run'), 0o755);
    const again = await store.ingest(await loadDeployManifest(hosting2));
    assert.equal(again.bundleId, first.bundleId);
    assert.equal(again.created, false);

    // One byte changed: another bundle.
    const changed = await store.ingest(await loadDeployManifest(await bundle({ 'server.js': 'server!' })));
    assert.notEqual(changed.bundleId, first.bundleId);

    const got = await store.get(first.bundleId);
    assert.deepEqual(got?.manifest.computeResources, [{ name: 'default', runtime: 'nodejs20.x', nodeMajor: 20, entrypoint: 'server.js' }]);
    assert.equal(await store.get('../x'), undefined);
    await store.remove(changed.bundleId);
    assert.equal(await store.get(changed.bundleId), undefined);
  });

  it('rejects symlinks leading out of the resource', async () => {
    const store = new ComputeBundleStore({ root: join(dir.path, 'store2') });
    const hosting = await bundle({ 'server.js': '' }, { 'passwd': '/etc/passwd', 'up': '../../static' });
    await assert.rejects(store.ingest(await loadDeployManifest(hosting)), (error: Error) => {
      assert.match(error.message, /compute\/default\/passwd is a symlink to \/etc\/passwd, outside compute\/default: a compute resource must be self-contained/);
      assert.match(error.message, /compute\/default\/up is a symlink to \.\.\/\.\.\/static/);
      return true;
    });
  });

  it('enforces the size limit of a compute resource', async () => {
    const store = new ComputeBundleStore({ root: join(dir.path, 'store3'), maxResourceBytes: 1000 });
    const hosting = await bundle({ 'server.js': 'x'.repeat(600), 'big.js': 'y'.repeat(600) });
    await assert.rejects(store.ingest(await loadDeployManifest(hosting)), /compute\/default holds 1200 bytes; a compute resource may hold at most 1000 bytes uncompressed/);
  });
});
