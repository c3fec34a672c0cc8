// `gantry demo --app-dir`: the copy that is pushed gets the changes the scenario needs; the app's folder does not.
// The app here has the shape of the official Amplify Vite/React template (its amplify.yml deploys the backend in the
// hosting build; its devDependencies hold the backend CLI).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { VITE_REACT_TEMPLATE } from '@gantry/hosting/build-spec-fixtures';
import { parse } from 'yaml';
import { GENERATE_OUTPUTS, platformOf, prepareAppCopy, SAMPLE_APP_DIR, VITE_SAMPLE_APP_DIR } from './demo-app-copy.ts';

function templateShapedApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-template-app-'));
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'amplify-vite-react-template', private: true, type: 'module',
      scripts: { build: 'vite build' },
      devDependencies: { '@aws-amplify/backend-cli': '1.2.4' },
    }, null, 2),
    'package-lock.json': JSON.stringify({
      name: 'amplify-vite-react-template', lockfileVersion: 3, requires: true,
      packages: { '': { name: 'amplify-vite-react-template', devDependencies: { '@aws-amplify/backend-cli': '1.2.4' } } },
    }, null, 2),
    'amplify.yml': VITE_REACT_TEMPLATE,
    'amplify/backend.ts': "import { defineBackend } from '@aws-amplify/backend';\ndefineBackend({});\n",
    'src/main.tsx': 'console.log(1);\n',
    'node_modules/left-over/index.js': '',
    'amplify_outputs.json': '{}',
    '.codecatalyst/workflows/old.yaml': 'Name: old\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const snapshot = (dir: string): Record<string, string> => Object.fromEntries(
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => {
    const path = join(e.parentPath, e.name);
    return [path.slice(dir.length + 1), readFileSync(path, 'utf8')];
  }),
);

describe('the pushed copy of an app given with --app-dir', () => {
  test('deploys nothing in the hosting build and changes nothing else: the backend CLI and the lockfile stay as they are', async () => {
    const app = templateShapedApp();
    const before = snapshot(app);
    const work = mkdtempSync(join(tmpdir(), 'gantry-app-copy-'));
    const prepared = await prepareAppCopy({ appDir: app, into: join(work, 'copy'), lockfileCache: join(work, 'locks') });

    assert.deepEqual(snapshot(app), before, 'the app folder is unchanged');
    assert.equal(prepared.name, 'amplify-vite-react-template');
    const pushed = snapshot(prepared.dir);
    assert.deepEqual(Object.keys(pushed).sort(), ['amplify.yml', 'amplify/backend.ts', 'package-lock.json', 'package.json', 'src/main.tsx']);

    const spec = parse(pushed['amplify.yml']!);
    assert.deepEqual(spec.backend.phases.build.commands, ['npm ci --cache .npm --prefer-offline', GENERATE_OUTPUTS]);
    assert.deepEqual(spec.frontend.phases.build.commands, ['npm run build'], 'the frontend phase is left as it was');
    assert.equal(pushed['package.json'], before['package.json'], "the app's own backend CLI is installed (builds hand it over to Gantry's ampx)");
    assert.equal(pushed['package-lock.json'], before['package-lock.json']);
    assert.deepEqual(prepared.changes, [`amplify.yml: backend: 'npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID' → '${GENERATE_OUTPUTS}' (the workflow deploys the backend)`]);
    assert.match(prepared.workflowTemplate, /\{\{PRODUCTION_WEBHOOK_URL\}\}/);
  });

  test('an app without a lockfile gets one generated in the copy, once for the same package.json', async () => {
    const app = templateShapedApp();
    rmSync(join(app, 'package-lock.json'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'no-lock', private: true, scripts: { build: 'vite build' } }));
    const work = mkdtempSync(join(tmpdir(), 'gantry-app-copy-'));
    const first = await prepareAppCopy({ appDir: app, into: join(work, 'one'), lockfileCache: join(work, 'locks') });
    assert.ok(first.changes.includes('package-lock.json: none in the app, so one was generated (the build runs npm ci)'), first.changes.join('\n'));
    assert.equal(JSON.parse(readFileSync(join(first.dir, 'package-lock.json'), 'utf8')).name, 'no-lock');
    assert.ok(!existsSync(join(app, 'package-lock.json')), 'the app folder is unchanged');
    const second = await prepareAppCopy({ appDir: app, into: join(work, 'two'), lockfileCache: join(work, 'locks') });
    assert.equal(readFileSync(join(second.dir, 'package-lock.json'), 'utf8'), readFileSync(join(first.dir, 'package-lock.json'), 'utf8'));
  });

  test('a folder that is not an Amplify Gen 2 app is refused with what is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-not-an-app-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    await assert.rejects(prepareAppCopy({ appDir: dir, into: join(dir, '..', 'x-copy'), lockfileCache: join(dir, 'locks') }), /has no amplify\/ folder/);
  });

  test('a Next.js app is hosted on compute unless it is exported as a static site', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-next-platform-'));
    const platform = (manifest: object) => {
      writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
      return platformOf(dir);
    };
    assert.equal(await platform({ dependencies: { react: '18.3.1' } }), 'WEB');
    assert.equal(await platform({ dependencies: { next: '14.2.35' }, scripts: { build: 'next build' } }), 'WEB_COMPUTE');
    assert.equal(await platform({ devDependencies: { next: '13.5.6' }, scripts: { build: 'next build && next export' } }), 'WEB');
    writeFileSync(join(dir, 'next.config.mjs'), "export default { output: 'export' };\n");
    assert.equal(await platform({ dependencies: { next: '14.2.35' } }), 'WEB');
  });
});

describe('the samples', () => {
  test('are pushed as they are: the Next.js one to a WEB_COMPUTE app, the Vite one to a WEB app, each with its own pipeline', async () => {
    const work = mkdtempSync(join(tmpdir(), 'gantry-sample-copy-'));
    const next = await prepareAppCopy({ into: join(work, 'next'), lockfileCache: join(work, 'locks') });
    assert.deepEqual([next.name, next.platform, next.changes], ['next-todo-app', 'WEB_COMPUTE', []]);
    assert.equal(readFileSync(join(next.dir, 'amplify.yml'), 'utf8'), readFileSync(join(SAMPLE_APP_DIR, 'amplify.yml'), 'utf8'));
    assert.equal(next.workflowTemplate, readFileSync(join(SAMPLE_APP_DIR, '.codecatalyst/workflows/deploy.yaml'), 'utf8'));
    assert.equal(parse(readFileSync(join(next.dir, 'amplify.yml'), 'utf8')).frontend.artifacts.baseDirectory, '.next');

    const vite = await prepareAppCopy({ appDir: VITE_SAMPLE_APP_DIR, into: join(work, 'vite'), lockfileCache: join(work, 'locks') });
    assert.deepEqual([vite.name, vite.platform, vite.changes], ['todo-app', 'WEB', []]);
    assert.equal(vite.workflowTemplate, readFileSync(join(VITE_SAMPLE_APP_DIR, '.codecatalyst/workflows/deploy.yaml'), 'utf8'));
  });
});
