import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GantryError } from '@gantry/core';
import { planBuild } from './build-plan.ts';
import { MONOREPO_SPEC, VITE_REACT_TEMPLATE } from './build-spec-fixtures.ts';
import type { ArtifactSelection } from './build-spec-types.ts';
import { checkCachePaths, collectArtifacts } from './collect-artifacts.ts';
import { parseBuildSpec } from './parse-build-spec.ts';

let scratch: string;
let outside: string;

/** Creates `files` (path → content) under `root`. */
async function tree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function newBuildDir(name: string, files: Record<string, string>): Promise<string> {
  const root = join(scratch, name);
  await mkdir(root, { recursive: true });
  await tree(root, files);
  return realpath(root);
}

const selection = (baseDirectory: string, extra: Partial<ArtifactSelection> = {}): ArtifactSelection => ({
  baseDirectory,
  files: ['**/*'],
  discardPaths: false,
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GantryError, String(error));
    assert.equal(error.code, 'ValidationError');
    return error.message;
  }
  assert.fail('expected a ValidationError');
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gantry-artifacts-'));
  outside = join(scratch, 'outside');
  await tree(outside, { 'secret.txt': 'do not publish', 'dir/also-secret.txt': 'no' });
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('collectArtifacts', () => {
  it('collects a Vite build (the template plan) with dotfiles, sorted, paths kept', async () => {
    const root = await newBuildDir('vite', {
      'package.json': '{}',
      'src/main.tsx': 'x',
      'dist/index.html': '<html>',
      'dist/assets/index-abc.js': 'js',
      'dist/assets/index-abc.css': 'css',
      'dist/.well-known/security.txt': 'contact',
    });
    const plan = planBuild(parseBuildSpec(VITE_REACT_TEMPLATE).spec);
    const files = await collectArtifacts(root, plan.artifacts!);
    assert.deepEqual(files, [
      { source: join(root, 'dist/.well-known/security.txt'), target: '.well-known/security.txt' },
      { source: join(root, 'dist/assets/index-abc.css'), target: 'assets/index-abc.css' },
      { source: join(root, 'dist/assets/index-abc.js'), target: 'assets/index-abc.js' },
      { source: join(root, 'dist/index.html'), target: 'index.html' },
    ]);
  });

  it('selects by glob, and a plain directory name selects the whole directory', async () => {
    const root = await newBuildDir('globs', {
      'build/index.html': 'h',
      'build/app.js': 'j',
      'build/app.js.map': 'm',
      'build/static/img/logo.png': 'p',
      'build/notes/readme.md': 'r',
    });
    const files = await collectArtifacts(root, selection('build', { files: ['*.html', '**/*.js', 'static'] }));
    assert.deepEqual(files.map((file) => file.target), ['app.js', 'index.html', 'static/img/logo.png']);
  });

  it('honours discard-paths and refuses collisions it would cause', async () => {
    const root = await newBuildDir('discard', { 'out/a/one.txt': '1', 'out/b/two.txt': '2' });
    const files = await collectArtifacts(root, selection('out', { discardPaths: true }));
    assert.deepEqual(files, [
      { source: join(root, 'out/a/one.txt'), target: 'one.txt' },
      { source: join(root, 'out/b/two.txt'), target: 'two.txt' },
    ]);
    await tree(root, { 'out/c/one.txt': 'again' });
    const message = await refusal(collectArtifacts(root, selection('out', { discardPaths: true })));
    assert.match(message, /discard-paths puts every file at the top level, and 1 name\(s\) occur more than once:\n {2}- one\.txt: out\/a\/one\.txt, out\/c\/one\.txt/);
  });

  it('collects a monorepo application, falling back to the repository-relative baseDirectory', async () => {
    const root = await newBuildDir('mono', { 'apps/admin/.next/server/page.js': 'p', 'apps/web/dist/index.html': 'w' });
    const spec = parseBuildSpec(MONOREPO_SPEC).spec;
    const admin = await collectArtifacts(root, planBuild(spec, { appRoot: 'apps/admin' }).artifacts!);
    assert.deepEqual(admin.map((file) => file.target), ['server/page.js']);
    const web = await collectArtifacts(root, planBuild(spec, { appRoot: 'apps/web' }).artifacts!);
    assert.deepEqual(web.map((file) => file.target), ['index.html']);
    const fallback = await collectArtifacts(root, selection('apps/web/apps/web/dist', { alternateBaseDirectory: 'apps/web/dist' }));
    assert.deepEqual(fallback.map((file) => file.target), ['index.html']);
  });

  it('follows symbolic links that stay inside the build directory', async () => {
    const root = await newBuildDir('links-inside', { 'dist/index.html': 'h', 'shared/logo.svg': 's', 'shared/fonts/a.woff2': 'f' });
    await symlink(join(root, 'shared/logo.svg'), join(root, 'dist/logo.svg'));
    await symlink('../shared/fonts', join(root, 'dist/fonts'));
    await symlink('..', join(root, 'dist/loop'));
    const files = await collectArtifacts(root, selection('dist'));
    assert.deepEqual(files, [
      { source: join(root, 'shared/fonts/a.woff2'), target: 'fonts/a.woff2' },
      { source: join(root, 'dist/index.html'), target: 'index.html' },
      { source: join(root, 'shared/logo.svg'), target: 'logo.svg' },
    ]);
  });

  it('refuses symbolic links pointing outside the build directory or nowhere', async () => {
    const root = await newBuildDir('links-outside', { 'dist/index.html': 'h' });
    await symlink(join(outside, 'secret.txt'), join(root, 'dist/secret.txt'));
    await symlink(join(outside, 'dir'), join(root, 'dist/dir'));
    await symlink(join(root, 'missing.txt'), join(root, 'dist/dangling.txt'));
    const message = await refusal(collectArtifacts(root, selection('dist')));
    assert.match(message, /^cannot publish dist:\n/);
    assert.match(message, /dangling\.txt is a symbolic link to a path that does not exist/);
    assert.match(message, /dir is a symbolic link to .*outside\/dir, outside the build directory/);
    assert.match(message, /secret\.txt is a symbolic link to .*outside\/secret\.txt, outside the build directory/);
  });

  it('refuses a hard link to a file outside the artifacts directory, naming it', async () => {
    const root = await newBuildDir('hard-link', { 'dist/index.html': 'h' });
    await link(join(outside, 'secret.txt'), join(root, 'dist/stolen.txt'));
    const message = await refusal(collectArtifacts(root, selection('dist')));
    assert.match(message, /^cannot publish dist:\n/);
    assert.match(message, /stolen\.txt is a hard link .*copy the file into the build output instead of linking it/);
    assert.doesNotMatch(message, /index\.html/);
  });

  it('refuses a baseDirectory that is a link to outside, leaves the build, or is absolute', async () => {
    const root = await newBuildDir('base-link', { 'src/index.ts': 'x' });
    await symlink(outside, join(root, 'dist'));
    assert.match(await refusal(collectArtifacts(root, selection('dist'))), /baseDirectory "dist" is a symbolic link to .*outside, outside the build directory/);
    assert.match(await refusal(collectArtifacts(root, selection('../../etc'))), /baseDirectory "\.\.\/\.\.\/etc" leaves the build directory/);
    assert.match(await refusal(collectArtifacts(root, selection('/etc'))), /baseDirectory "\/etc" is absolute/);
  });

  it('says when the artifact directory is missing or nothing matches', async () => {
    const root = await newBuildDir('missing', { 'build/readme.md': 'r' });
    assert.match(
      await refusal(collectArtifacts(root, selection('dist', { alternateBaseDirectory: 'web/dist' }))),
      /^Artifact directory doesn't exist: dist \(nor web\/dist\)\. Check that the build writes its output there/,
    );
    assert.match(await refusal(collectArtifacts(root, selection('build', { files: ['*.html'] }))), /no files in build match '\*\.html'/);
    assert.match(await refusal(collectArtifacts(root, selection('build/readme.md'))), /is a file, not a directory/);
  });

  it('refuses globs that climb out or are absolute', async () => {
    const root = await newBuildDir('bad-globs', { 'dist/index.html': 'h' });
    assert.match(await refusal(collectArtifacts(root, selection('dist', { files: ['../**/*'] }))), /contains "\.\."/);
    assert.match(await refusal(collectArtifacts(root, selection('dist', { files: ['/etc/*'] }))), /is absolute/);
  });

  it('fails with InternalFailure when the build directory itself is missing', async () => {
    await assert.rejects(collectArtifacts(join(scratch, 'nope'), selection('dist')), (error: unknown) => error instanceof GantryError && error.code === 'InternalFailure');
  });
});

describe('checkCachePaths', () => {
  it('resolves repository paths against the base and ~ paths under the home directory', () => {
    assert.deepEqual(checkCachePaths(['node_modules/**/*', '../web/node_modules/**/*', '~/.cache/**/*', '~', '.next/cache'], { base: 'apps/crm' }), [
      { pattern: 'node_modules/**/*', root: 'repo', directory: 'apps/crm/node_modules', glob: '**/*' },
      { pattern: '../web/node_modules/**/*', root: 'repo', directory: 'apps/web/node_modules', glob: '**/*' },
      { pattern: '~/.cache/**/*', root: 'home', directory: '.cache', glob: '**/*' },
      { pattern: '~', root: 'home', directory: '.', glob: '' },
      { pattern: '.next/cache', root: 'repo', directory: 'apps/crm/.next/cache', glob: '' },
    ]);
  });

  it('refuses absolute paths, paths leaving the repository or home, and other users\' homes, all at once', () => {
    assert.throws(
      () => checkCachePaths(['/usr/lib/node_modules/**/*', '../../../x/**/*', '~/../etc/**/*', '~root/.npm', 'ok/**/*'], { base: 'apps/web' }),
      (error: unknown) => {
        assert.ok(error instanceof GantryError);
        assert.equal(error.code, 'ValidationError');
        assert.match(error.message, /^4 cache paths are refused:\n/);
        assert.match(error.message, /"\/usr\/lib\/node_modules\/\*\*\/\*" is absolute: cache paths are relative to apps\/web/);
        assert.match(error.message, /"\.\.\/\.\.\/\.\.\/x\/\*\*\/\*" leaves the repository/);
        assert.match(error.message, /"~\/\.\.\/etc\/\*\*\/\*" leaves the home directory/);
        assert.match(error.message, /"~root\/\.npm" names another user's home/);
        return true;
      },
    );
  });
});
