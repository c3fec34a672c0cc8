import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadBackend } from '../src/index.ts';
import { ESM_PACKAGE_JSON, TEMPLATE_FILES, writeApp, type FixtureApp } from './fixture-app.ts';

const apps: FixtureApp[] = [];
after(() => apps.forEach((app) => app.remove()));

const MARKER_SDL = 'type FromTheAppsOwnCopy @model @auth(rules: [{allow: public, provider: apiKey}])\n{\n  marker: String\n}';

/** Stand-ins for packages an app has installed, to see which copy the child loads. */
function installedPackages(moduleType: 'module' | 'commonjs'): Record<string, string> {
  const dataSchema = `export const a = { schema: () => ({ transform: () => ({ schema: ${JSON.stringify(MARKER_SDL)} }) }) };\n`;
  const dataSchemaCjs = `exports.a = { schema: () => ({ transform: () => ({ schema: ${JSON.stringify(MARKER_SDL)} }) }) };\n`;
  return {
    'node_modules/@aws-amplify/data-schema/package.json': JSON.stringify({
      name: '@aws-amplify/data-schema',
      version: '9.9.9',
      exports: { '.': { import: './index.mjs', require: './index.cjs' } },
    }),
    'node_modules/@aws-amplify/data-schema/index.mjs': dataSchema,
    'node_modules/@aws-amplify/data-schema/index.cjs': dataSchemaCjs,
    'node_modules/@aws-amplify/backend/package.json': JSON.stringify({ name: '@aws-amplify/backend', version: '1.0.0', main: 'index.js', type: moduleType }),
    'node_modules/@aws-amplify/backend/index.js': `throw new Error("the app's own @aws-amplify/backend was loaded");\n`,
  };
}

describe('loadBackend: module resolution', () => {
  for (const moduleType of ['module', 'commonjs'] as const) {
    it(`uses Gantry's @aws-amplify/backend and the app's own @aws-amplify/data-schema (${moduleType})`, async () => {
      const app = writeApp({
        ...TEMPLATE_FILES,
        ...installedPackages(moduleType),
        'package.json': moduleType === 'module' ? ESM_PACKAGE_JSON : JSON.stringify({ name: 'cjs-app' }),
        'amplify/package.json': JSON.stringify({ type: moduleType }),
        'amplify/data/resource.ts': `import { a, defineData } from '@aws-amplify/backend';

export const data = defineData({ schema: a.schema({}), authorizationModes: { apiKeyAuthorizationMode: { expiresInDays: 30 } } });
`,
      });
      apps.push(app);
      const manifest = await loadBackend(app.dir);
      assert.equal(manifest.data?.schema, MARKER_SDL);
      const introspection = manifest.data?.modelIntrospection as { models: Record<string, unknown> };
      assert.deepEqual(Object.keys(introspection.models), ['FromTheAppsOwnCopy']);
    });
  }

  it('keeps the app\'s stdout away from the manifest and hands it to onOutput', async () => {
    const app = writeApp({
      ...TEMPLATE_FILES,
      'package.json': ESM_PACKAGE_JSON,
      'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { data } from './data/resource';

console.log('{"manifestVersion": 99, "not": "the manifest"}');
process.stdout.write('more noise\\n');
defineBackend({ auth, data });
`,
    });
    apps.push(app);
    let stdout = '';
    const manifest = await loadBackend(app.dir, { onOutput: (stream, chunk) => (stdout += stream === 'stdout' ? chunk : '') });
    assert.equal(manifest.manifestVersion, 1);
    assert.ok(manifest.data);
    assert.match(stdout, /"manifestVersion": 99/);
    assert.match(stdout, /more noise/);
  });

  it('passes the given environment to the app code, and runs it in the app directory', async () => {
    const app = writeApp({
      ...TEMPLATE_FILES,
      'package.json': ESM_PACKAGE_JSON,
      'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';

const backend = defineBackend({ auth });
backend.addOutput({ custom: { stage: process.env.STAGE, cwd: process.cwd() } });
`,
    });
    apps.push(app);
    const manifest = await loadBackend(app.dir, { env: { PATH: process.env['PATH'], STAGE: 'staging' } });
    const custom = manifest.customOutputs?.['custom'] as { stage: string; cwd: string };
    assert.equal(custom.stage, 'staging');
    assert.equal(custom.cwd, app.dir);
    assert.equal(manifest.data, undefined);
  });

  it('reports a missing export in a CommonJS app at the import that names it, as in an ESM app', async () => {
    const app = writeApp({
      ...TEMPLATE_FILES,
      'package.json': JSON.stringify({ name: 'cjs-app' }),
      'amplify/package.json': JSON.stringify({ type: 'commonjs' }),
      'amplify/auth/resource.ts': `import { defineAuht } from '@aws-amplify/backend';

export const auth = defineAuht({ loginWith: { email: true } });
`,
    });
    apps.push(app);
    await assert.rejects(loadBackend(app.dir), (error: Error & { details?: Record<string, unknown> }) => {
      assert.equal(error.details?.['file'], 'amplify/auth/resource.ts');
      assert.equal(error.details?.['line'], 1);
      assert.match(error.message, /defineAuht/);
      return true;
    });
  });
});

describe('loadBackend: files next to the app code', () => {
  const GRAPHQL = 'type Note @model @auth(rules: [{allow: public}]) {\n  text: String\n}';
  const variants = [
    { name: 'ESM, import.meta.url', packageJson: ESM_PACKAGE_JSON, read: `readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')` },
    { name: 'CommonJS, __dirname', packageJson: JSON.stringify({ name: 'cjs-app' }), read: `readFileSync(require('node:path').join(__dirname, 'schema.graphql'), 'utf8')` },
  ];
  for (const variant of variants) {
    it(`reads them relative to the file that asks (${variant.name})`, async () => {
      const files: Record<string, string> = {
        ...TEMPLATE_FILES,
        'package.json': variant.packageJson,
        'amplify/data/schema.graphql': GRAPHQL,
        'amplify/data/resource.ts': `import { readFileSync } from 'node:fs';
import { defineData } from '@aws-amplify/backend';

export const data = defineData({ schema: ${variant.read} });
`,
      };
      if (variant.packageJson !== ESM_PACKAGE_JSON) delete files['amplify/package.json'];
      const app = writeApp(files);
      apps.push(app);
      const manifest = await loadBackend(app.dir, { modelIntrospection: false });
      assert.equal(manifest.data?.schema, GRAPHQL);
    });
  }
});
