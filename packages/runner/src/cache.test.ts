import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCachePattern, resolveCachePaths } from './cache-paths.ts';
import { restoreCache, saveCache } from './cache.ts';

let root: string;
let counter = 0;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'gantry-cache-test-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const fresh = (name = 'dir') => {
  const dir = join(root, `${name}${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

function write(base: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(base, path)), { recursive: true });
    writeFileSync(join(base, path), content);
  }
}

describe('cache paths', () => {
  test('`dir/**/*` is the directory; globs expand; nothing outside workDir', async () => {
    assert.deepEqual(parseCachePattern('node_modules/**/*'), ['node_modules']);
    assert.deepEqual(parseCachePattern('./.npm/**'), ['.npm']);
    assert.deepEqual(parseCachePattern('**/*'), []);
    for (const bad of ['/etc/**/*', '../up/**/*', 'a/../../b', '~/.cache/**/*', 'a/**/b', '']) {
      assert.throws(() => parseCachePattern(bad), { code: 'ValidationError' }, bad);
    }

    const work = fresh();
    write(work, {
      'node_modules/a/index.js': 'a',
      'packages/one/node_modules/x.js': 'x',
      'packages/two/node_modules/y.js': 'y',
      'packages/three/src.ts': '',
      'logs/a.log': '',
      'logs/b.txt': '',
    });
    symlinkSync('/etc', join(work, 'escape'));
    const paths = await resolveCachePaths(work, ['node_modules/**/*', 'node_modules/a/**/*', 'packages/*/node_modules/**/*', 'logs/*.log', 'missing/**/*', 'escape/**/*', 'escape/passwd']);
    // `escape` itself (a symlink) may be archived as a link; what lies behind it may not.
    assert.deepEqual(paths, ['escape', 'logs/a.log', 'node_modules', 'packages/one/node_modules', 'packages/two/node_modules']);
  });
});

describe('saveCache / restoreCache', () => {
  test('round trip: contents, modes, symlinks; merged into an existing tree', async () => {
    const build = fresh('build');
    write(build, {
      'node_modules/pkg/index.js': 'module.exports = 1;\n',
      'node_modules/.bin/.keep': '',
      '.npm/_cacache/index': 'cached',
      'src/app.ts': 'not cached',
    });
    chmodSync(join(build, 'node_modules/pkg/index.js'), 0o755);
    symlinkSync('../pkg/index.js', join(build, 'node_modules/.bin/pkg'));
    const cacheFile = join(root, 'caches', `c${++counter}`, 'main.tar');
    const logs: string[] = [];

    const saved = await saveCache(cacheFile, build, ['node_modules/**/*', '.npm/**/*', 'absent/**/*'], { onLog: (t) => logs.push(t) });
    assert.equal(saved.saved, true);
    assert.deepEqual(saved.paths, ['.npm', 'node_modules']);
    assert.ok(saved.bytes > 0 && statSync(cacheFile).size === saved.bytes);
    assert.match(logs.join(''), /# Saved the build cache: \.npm, node_modules/);
    // No temporary file is left beside it.
    assert.deepEqual(readdirSync(dirname(cacheFile)), ['main.tar']);

    const next = fresh('next');
    write(next, { 'src/app.ts': 'fresh checkout', 'node_modules/stale.js': 'from the repo' });
    const restored = await restoreCache(cacheFile, next, { onLog: (t) => logs.push(t) });
    assert.equal(restored.restored, true);
    assert.equal(readFileSync(join(next, 'node_modules/pkg/index.js'), 'utf8'), 'module.exports = 1;\n');
    assert.equal(statSync(join(next, 'node_modules/pkg/index.js')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(next, 'node_modules/.bin/pkg')), '../pkg/index.js');
    assert.equal(readFileSync(join(next, '.npm/_cacache/index'), 'utf8'), 'cached');
    assert.equal(readFileSync(join(next, 'src/app.ts'), 'utf8'), 'fresh checkout');
    assert.equal(readFileSync(join(next, 'node_modules/stale.js'), 'utf8'), 'from the repo');
    // The staging directory is gone.
    assert.deepEqual(readdirSync(next).sort(), ['.npm', 'node_modules', 'src']);
  });

  test('restores gzip archives too (a worker without zstd writes those)', async () => {
    const build = fresh('build');
    write(build, { 'node_modules/g.js': 'gz' });
    const cacheFile = join(fresh('caches'), 'c.tar');
    const tar = spawnSync('tar', ['-czf', cacheFile, '-C', build, 'node_modules']);
    assert.equal(tar.status, 0, String(tar.stderr));
    const next = fresh('next');
    assert.equal((await restoreCache(cacheFile, next)).restored, true);
    assert.equal(readFileSync(join(next, 'node_modules/g.js'), 'utf8'), 'gz');
  });

  test('saving again replaces the cache', async () => {
    const build = fresh('build');
    const cacheFile = join(fresh('caches'), 'c.tar');
    write(build, { 'node_modules/v1.js': '1' });
    await saveCache(cacheFile, build, ['node_modules/**/*']);
    rmSync(join(build, 'node_modules'), { recursive: true });
    write(build, { 'node_modules/v2.js': '2' });
    await saveCache(cacheFile, build, ['node_modules/**/*']);
    const next = fresh('next');
    await restoreCache(cacheFile, next);
    assert.deepEqual(readdirSync(join(next, 'node_modules')), ['v2.js']);
  });

  test('refuses absolute paths and .. before writing anything', async () => {
    const build = fresh('build');
    const cacheFile = join(fresh('caches'), 'c.tar');
    for (const bad of [['/etc/**/*'], ['../**/*'], ['node_modules/../../x']]) {
      await assert.rejects(saveCache(cacheFile, build, bad), { code: 'ValidationError' }, bad[0]);
    }
    assert.equal(existsSync(cacheFile), false);
  });

  test('nothing to cache keeps the old cache', async () => {
    const build = fresh('build');
    const cacheFile = join(fresh('caches'), 'c.tar');
    writeFileSync(cacheFile, 'old');
    const result = await saveCache(cacheFile, build, ['node_modules/**/*']);
    assert.equal(result.saved, false);
    assert.equal(readFileSync(cacheFile, 'utf8'), 'old');
  });

  test('a missing cache is a no-op', async () => {
    const next = fresh('next');
    const logs: string[] = [];
    const result = await restoreCache(join(root, 'no-such-cache.tar'), next, { onLog: (t) => logs.push(t) });
    assert.deepEqual(result, { restored: false, reason: 'missing' });
    assert.deepEqual(readdirSync(next), []);
    assert.deepEqual(logs, []);
  });

  test('a corrupt or truncated cache is reported and ignored, leaving nothing behind', async () => {
    const build = fresh('build');
    write(build, Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`node_modules/m${i}/index.js`, `${i}`.repeat(2000) + Math.random()])));
    const good = join(fresh('caches'), 'good.tar');
    await saveCache(good, build, ['node_modules/**/*']);
    const bytes = readFileSync(good);

    const cases: Record<string, Buffer> = {
      garbage: Buffer.from('this is not an archive at all\n'.repeat(40)),
      truncated: bytes.subarray(0, Math.floor(bytes.length / 2)),
      'bad body': Buffer.concat([bytes.subarray(0, 64), Buffer.alloc(bytes.length - 64, 0x55)]),
      empty: Buffer.alloc(0),
    };
    for (const [name, content] of Object.entries(cases)) {
      const cacheFile = join(root, `corrupt-${name.replace(' ', '-')}.tar`);
      writeFileSync(cacheFile, content);
      const next = fresh('next');
      writeFileSync(join(next, 'kept'), 'x');
      const logs: string[] = [];
      const result = await restoreCache(cacheFile, next, { onLog: (t) => logs.push(t) });
      assert.equal(result.restored, false, name);
      assert.equal(result.reason, 'unreadable', name);
      assert.match(logs.join(''), /# Ignoring the build cache corrupt-.*\.tar: .*Building without it/, name);
      assert.deepEqual(readdirSync(next), ['kept'], `${name}: nothing half-restored`);
    }
  });

  test('a restored symlink is replaced, not followed, when the tree already has one there', async () => {
    const build = fresh('build');
    write(build, { 'out/file.txt': 'from cache' });
    const cacheFile = join(fresh('caches'), 'c.tar');
    await saveCache(cacheFile, build, ['out/**/*']);

    const outside = fresh('outside');
    const next = fresh('next');
    symlinkSync(outside, join(next, 'out'));
    await restoreCache(cacheFile, next);
    assert.ok(lstatSync(join(next, 'out')).isDirectory());
    assert.deepEqual(readdirSync(outside), []);
  });
});
