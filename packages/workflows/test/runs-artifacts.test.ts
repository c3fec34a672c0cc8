import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { globToRegExp } from '../src/runs/run-artifacts.ts';
import { startHarness, workflowOf, type Harness } from './runs-support.ts';

describe('artifact globs', () => {
  const matches = (pattern: string, paths: string[]) => paths.filter((p) => globToRegExp(pattern).test(p));
  const files = ['out.txt', 'notes/a.txt', 'dist/index.html', 'dist/assets/app.js', 'distant/x', 'src/main.ts'];

  it('matches within a segment with *, across segments with **, and whole directories by name', () => {
    assert.deepEqual(matches('dist/**/*', files), ['dist/index.html', 'dist/assets/app.js']);
    assert.deepEqual(matches('**/*.txt', files), ['out.txt', 'notes/a.txt']);
    assert.deepEqual(matches('out.txt', files), ['out.txt']);
    assert.deepEqual(matches('*.txt', files), ['out.txt']);
    assert.deepEqual(matches('dist', files), ['dist/index.html', 'dist/assets/app.js']);
    assert.deepEqual(matches('./src/*.{ts,js}', files), ['src/main.ts']);
    assert.deepEqual(matches('**/*', files), files);
  });

  it('refuses patterns that leave the working directory', () => {
    assert.throws(() => globToRegExp('/etc/passwd', 'site'), /Output artifact site: the pattern "\/etc\/passwd" is not allowed: it is absolute/);
    assert.throws(() => globToRegExp('../secrets/*'), /contains "\.\."/);
  });
});

describe('workflow run artifacts and caches', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('hands output artifacts to the actions listing them, each in its own directory, the first as the working directory', async () => {
    const wf = workflowOf(`
Name: artifacts
SchemaVersion: "1.0"
Actions:
  Build:
    Identifier: aws/build@v1
    Inputs:
      Sources: [WorkflowSource]
    Configuration:
      Steps:
        - Run: mkdir -p dist/assets docs/deep && echo page > dist/index.html && echo code > dist/assets/app.js
        - Run: echo one > docs/one.txt && echo two > docs/deep/two.txt && echo skip > docs/skip.md
    Outputs:
      Artifacts:
        - Name: site
          Files: ["dist/**/*"]
        - Name: texts
          Files: ["**/*.txt", README.md]
  Deploy:
    Identifier: aws/build@v1
    Inputs:
      Artifacts: [site, texts]
    Configuration:
      Steps:
        - Run: '[ "$PWD" = "$CATALYST_SOURCE_DIR_site" ] && [ "$CATALYST_DEFAULT_DIR" = "$PWD" ] && echo "cwd is site"'
        - Run: cat dist/index.html dist/assets/app.js
        - Run: cd "$CATALYST_SOURCE_DIR_texts" && find . -type f | sort
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run.actions));
    assert.deepEqual(run.actions.find((a) => a.name === 'Build')!.artifacts, [
      { name: 'site', files: 2, bytes: 10 },
      { name: 'texts', files: 3, bytes: 28 },
    ]);
    const log = h.log(run.id, 'Deploy');
    assert.match(log, /# Restored input artifact site \(2 files\)/);
    assert.match(log, /^cwd is site$/m);
    assert.match(log, /^page\ncode$/m);
    assert.match(log, /^\.\/README\.md\n\.\/docs\/deep\/two\.txt\n\.\/docs\/one\.txt$/m);
    assert.equal(readFileSync(join(h.root, 'artifacts', run.id, 'site', 'dist', 'assets', 'app.js'), 'utf8'), 'code\n');

    await h.engine.deleteRun(run.id);
    assert.equal(existsSync(join(h.root, 'artifacts', run.id)), false, 'artifacts go with the run');
    assert.equal(existsSync(join(h.root, 'logs', run.id)), false, 'so do its logs');
    assert.equal(await h.engine.getRun(run.id), undefined);
  });

  it('fails the action when an artifact pattern matches no file, and skips its consumers', async () => {
    const wf = workflowOf(`
Name: artifact-missing
SchemaVersion: "1.0"
Actions:
  Build:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo out > out.txt
    Outputs:
      Artifacts:
        - Name: bundle
          Files: [out.txt, "build/**/*"]
  Use:
    Identifier: aws/build@v1
    Inputs:
      Artifacts: [bundle]
    Configuration:
      Steps:
        - Run: cat out.txt
`);
    const run = await h.engine.waitForRun((await h.engine.startRun(wf, { commitId: h.commitId, branch: 'main' })).id);
    assert.equal(run.status, 'FAILED');
    const [build, use] = run.actions;
    assert.equal(build!.status, 'FAILED');
    assert.match(build!.failureReason!, /Output artifact bundle: the pattern "build\/\*\*\/\*" matches no file in the working directory after the steps/);
    assert.match(h.log(run.id, 'Build'), /!!! Output artifact bundle/);
    assert.equal(use!.status, 'SKIPPED');
    assert.equal(existsSync(join(h.root, 'artifacts', run.id, 'bundle')), false, 'nothing is stored for a failed action');
  });

  it('saves file caches after a successful action and restores them in the next run, also through a restore key', async () => {
    const workflow = (key: string, restoreKeys: string[]) => workflowOf(`
Name: cached
SchemaVersion: "1.0"
Actions:
  Build:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: if [ -e deps/stamp ]; then echo "deps from $(cat deps/stamp)"; else echo "deps cold"; fi
        - Run: if [ -e ~/.tool/stamp ]; then echo "tool from $(cat ~/.tool/stamp)"; else echo "tool cold"; fi
        - Run: mkdir -p deps ~/.tool && echo $CATALYST_WORKFLOW_RUN_ID > deps/stamp && echo $CATALYST_WORKFLOW_RUN_ID > ~/.tool/stamp
    Caching:
      FileCaching:
        ${key}:
          Path: deps
${restoreKeys.length > 0 ? `          RestoreKeys: [${restoreKeys.join(', ')}]\n` : ''}        tool:
          Path: ~/.tool
        host:
          Path: /var/cache
`);
    const start = async (key: string, restoreKeys: string[] = [], branch = 'main') =>
      h.engine.waitForRun((await h.engine.startRun(workflow(key, restoreKeys), { commitId: h.commitId, branch })).id);

    const first = await start('deps-v1');
    assert.equal(first.status, 'SUCCEEDED', JSON.stringify(first.actions));
    assert.match(h.log(first.id, 'Build'), /^deps cold$/m);
    assert.match(h.log(first.id, 'Build'), /^tool cold$/m);
    assert.match(h.log(first.id, 'Build'), /# Not saving cache host: the path \/var\/cache is absolute/);

    const second = await start('deps-v1');
    assert.equal(second.status, 'SUCCEEDED');
    assert.match(h.log(second.id, 'Build'), new RegExp(`^deps from ${first.id}$`, 'm'));
    assert.match(h.log(second.id, 'Build'), new RegExp(`^tool from ${first.id}$`, 'm'));

    const renamed = await start('deps-v2', ['deps-']);
    assert.match(h.log(renamed.id, 'Build'), /# Restoring cache deps-v2 from deps-v1/);
    assert.match(h.log(renamed.id, 'Build'), new RegExp(`^deps from ${second.id}$`, 'm'));

    const otherBranch = await start('deps-v1', [], 'feature');
    assert.match(h.log(otherBranch.id, 'Build'), /^deps cold$/m, 'caches are kept per branch');
  });
});
