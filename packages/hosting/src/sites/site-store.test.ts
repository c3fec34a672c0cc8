import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { GantryError } from '@gantry/core';
import { SiteStore, normaliseSitePath } from './site-store.ts';
import { buildVersion, tempDir, writeArtifacts } from './test-support.ts';

const isCode = (code: string) => (e: unknown) => e instanceof GantryError && e.code === code;

describe('site store', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let store: SiteStore;
  let scratch: string;

  before(async () => {
    dir = await tempDir();
    store = new SiteStore({ root: join(dir.path, 'sites') });
    scratch = join(dir.path, 'scratch');
  });
  after(() => dir.remove());

  it('copies artifacts into a content-addressed version with a manifest', async () => {
    const js = `export const x = ${JSON.stringify('a'.repeat(5000))};\n`;
    const result = await buildVersion(store, scratch, {
      'index.html': '<!doctype html><p>hi</p>',
      'assets/app.js': js,
      'img/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, ...new Array(3000).fill(7)]),
    });
    assert.equal(result.created, true);
    assert.match(result.versionId, /^[0-9a-f]{64}$/);
    assert.equal(result.fileCount, 3);

    const manifest = await store.manifest(result.versionId);
    const root = store.versionRoot(result.versionId);
    const app = manifest.files['/assets/app.js']!;
    assert.equal(app.size, Buffer.byteLength(js));
    assert.equal(app.sha256, createHash('sha256').update(js).digest('hex'));
    assert.equal(app.etag, `"${app.sha256.slice(0, 32)}"`);
    assert.equal(app.contentType, 'text/javascript; charset=utf-8');
    assert.equal(await readFile(join(root, app.path), 'utf8'), js);
    assert.ok(app.br && app.gzip, 'compressible file above 1 KiB gets variants');
    assert.equal(brotliDecompressSync(await readFile(join(root, app.br.path))).toString(), js);
    assert.equal(gunzipSync(await readFile(join(root, app.gzip.path))).toString(), js);
    assert.equal((await stat(join(root, app.br.path))).size, app.br.size);

    assert.equal(manifest.files['/index.html']!.contentType, 'text/html; charset=utf-8');
    assert.equal(manifest.files['/index.html']!.br, undefined, 'small files are not precompressed');
    assert.equal(manifest.files['/img/logo.png']!.gzip, undefined, 'images are not precompressed');
  });

  it('gives identical artifacts the same version id and stores them once', async () => {
    const files = { 'index.html': 'same', 'a/b.txt': 'bee' };
    const first = await buildVersion(store, scratch, files);
    const second = await buildVersion(store, scratch, files);
    assert.equal(second.versionId, first.versionId);
    assert.equal(second.created, false);
    const third = await buildVersion(store, scratch, { ...files, 'a/b.txt': 'changed' });
    assert.notEqual(third.versionId, first.versionId);
    const headers = await buildVersion(store, scratch, files, { customHeaders: [{ pattern: '**/*', headers: [{ key: 'x-a', value: '1' }] }] });
    assert.notEqual(headers.versionId, first.versionId, 'custom headers are part of the version');
    assert.deepEqual((await store.manifest(headers.versionId)).customHeaders, [{ pattern: '**/*', headers: [{ key: 'x-a', value: '1' }] }]);
    assert.deepEqual(await readdir(join(store.root, 'tmp')), [], 'no temp directories left behind');
  });

  it('rejects unsafe or ambiguous targets', async () => {
    const [input] = await writeArtifacts(join(scratch, 'targets'), { 'f.txt': 'x' });
    for (const target of ['../escape.txt', 'a/../../b', './a', 'a//b', 'a\\..\\b', '', 'a/\0b', '/', 'a/.']) {
      await assert.rejects(store.createVersion([{ source: input!.source, target }]), isCode('ValidationError'), JSON.stringify(target));
    }
    await assert.rejects(store.createVersion([{ source: input!.source, target: 'x' }, { source: input!.source, target: '/x' }]), isCode('ValidationError'));
    await assert.rejects(store.createVersion([{ source: input!.source, target: 'x' }, { source: input!.source, target: 'x/y' }]), isCode('ValidationError'));
    assert.equal(normaliseSitePath('/a/b.html'), 'a/b.html');
  });

  it('refuses symlinked sources and sources outside sourceRoot', async () => {
    const base = join(scratch, 'links');
    await mkdir(base, { recursive: true });
    const secret = join(dir.path, 'secret.txt');
    await writeFile(secret, 'root:x:0:0');
    await symlink(secret, join(base, 'passwd.txt'));
    await assert.rejects(store.createVersion([{ source: join(base, 'passwd.txt'), target: 'passwd.txt' }]), isCode('ValidationError'));
    await assert.rejects(store.createVersion([{ source: secret, target: 's.txt' }], { sourceRoot: base }), isCode('ValidationError'));
    await assert.rejects(store.createVersion([{ source: join(base, 'nope.txt'), target: 'n.txt' }]), isCode('ValidationError'));
    await assert.rejects(store.createVersion([{ source: base, target: 'dir' }]), isCode('ValidationError'));
    await writeFile(join(base, 'ok.txt'), 'ok');
    const ok = await store.createVersion([{ source: join(base, 'ok.txt'), target: 'ok.txt' }], { sourceRoot: base });
    assert.equal(ok.fileCount, 1);
  });

  it('activates atomically, keeps history and rolls back', async () => {
    const key = 'd1store/main';
    assert.equal(await store.live(key), undefined);
    await assert.rejects(store.rollback(key), isCode('NotFound'));
    const v1 = await buildVersion(store, scratch, { 'index.html': 'one' });
    const v2 = await buildVersion(store, scratch, { 'index.html': 'two' });
    const v3 = await buildVersion(store, scratch, { 'index.html': 'three' });

    await store.activate(key, v1.versionId);
    await assert.rejects(store.rollback(key), isCode('Conflict'));
    await store.activate(key, v2.versionId);
    const pointer = await store.activate(key, v3.versionId);
    assert.deepEqual(pointer.history.map((h) => h.versionId), [v3.versionId, v2.versionId, v1.versionId]);
    assert.equal((await store.live(key))?.versionId, v3.versionId);

    const listed = await store.listVersions(key);
    assert.deepEqual(listed.map((v) => [v.versionId, v.live]), [[v3.versionId, true], [v2.versionId, false], [v1.versionId, false]]);

    const back = await store.rollback(key);
    assert.equal(back.versionId, v2.versionId);
    assert.equal((await store.live(key))?.versionId, v2.versionId);
    const live = await store.live(key);
    assert.equal(await readFile(join(live!.root, live!.manifest.files['/index.html']!.path), 'utf8'), 'two');
    assert.equal((await store.rollback(key)).versionId, v1.versionId);
    await assert.rejects(store.rollback(key), isCode('Conflict'));

    // The pointer on disk is complete JSON and no temp pointer files remain.
    const branchDirs = await readdir(join(store.root, 'branches'));
    for (const d of branchDirs) {
      const names = await readdir(join(store.root, 'branches', d));
      assert.deepEqual(names, ['live.json']);
      JSON.parse(await readFile(join(store.root, 'branches', d, 'live.json'), 'utf8'));
    }
    // All versions are still listed by the store.
    const all = (await store.listVersions()).map((v) => v.versionId);
    for (const v of [v1, v2, v3]) assert.ok(all.includes(v.versionId));
  });

  it('rejects unknown or malformed version ids', async () => {
    await assert.rejects(store.activate('d1store/x', '0'.repeat(64)), isCode('NotFound'));
    await assert.rejects(store.activate('d1store/x', '../../etc'), isCode('ValidationError'));
    await assert.rejects(store.manifest('A'.repeat(64)), isCode('ValidationError'));
  });

  it('serialises concurrent activations of one branch', async () => {
    const key = 'd1store/race';
    const versions = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => buildVersion(store, scratch, { 'index.html': `race ${i}` })));
    await Promise.all(versions.map((v) => store.activate(key, v.versionId)));
    const pointer = await store.pointer(key);
    assert.equal(pointer?.history.length, versions.length);
    assert.equal(new Set(pointer?.history.map((h) => h.versionId)).size, versions.length);
    assert.equal(pointer?.versionId, pointer?.history[0]?.versionId);
  });

  it('sees activations made by another store instance (another process) after the pointer TTL', async () => {
    const key = 'd1store/shared';
    const other = new SiteStore({ root: store.root, pointerTtlMs: 0 });
    const a = await buildVersion(store, scratch, { 'index.html': 'A' });
    const b = await buildVersion(store, scratch, { 'index.html': 'B' });
    await store.activate(key, a.versionId);
    assert.equal((await other.live(key))?.versionId, a.versionId);
    await store.activate(key, b.versionId);
    assert.equal((await other.live(key))?.versionId, b.versionId);
  });

  it('prunes versions no branch references, deletes branches', async () => {
    const key = 'd1store/prune';
    const kept = await buildVersion(store, scratch, { 'index.html': 'kept' });
    const orphan = await buildVersion(store, scratch, { 'index.html': 'orphan' });
    await store.activate(key, kept.versionId);
    const deleted = await store.prune({ graceMs: 0 });
    assert.ok(deleted.includes(orphan.versionId));
    assert.ok(!deleted.includes(kept.versionId));
    await assert.rejects(store.manifest(orphan.versionId), isCode('NotFound'));
    await store.deleteBranch(key);
    assert.equal(await store.live(key), undefined);
  });
});
