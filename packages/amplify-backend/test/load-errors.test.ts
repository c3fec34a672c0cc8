import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { GantryError } from '@gantry/core';
import { loadBackend, type BackendLoadErrorDetails, type LoadBackendOptions } from '../src/index.ts';
import { ESM_PACKAGE_JSON, TEMPLATE_FILES, writeApp, type FixtureApp } from './fixture-app.ts';

const apps: FixtureApp[] = [];
after(() => apps.forEach((app) => app.remove()));

function app(overrides: Record<string, string | null>): FixtureApp {
  const files: Record<string, string> = { ...TEMPLATE_FILES, 'package.json': ESM_PACKAGE_JSON };
  for (const [file, content] of Object.entries(overrides)) {
    if (content === null) delete files[file];
    else files[file] = content;
  }
  const created = writeApp(files);
  apps.push(created);
  return created;
}

async function loadError(dir: string, options?: LoadBackendOptions): Promise<{ error: GantryError; details: BackendLoadErrorDetails }> {
  try {
    await loadBackend(dir, options);
  } catch (error) {
    assert.ok(error instanceof GantryError, `expected a GantryError, got ${String(error)}`);
    assert.equal(error.code, 'ValidationError');
    return { error, details: error.details as unknown as BackendLoadErrorDetails };
  }
  assert.fail('loadBackend should have failed');
}

describe('loadBackend errors', () => {
  it('points at the app file and line when backend.ts throws', async () => {
    const { dir } = app({
      'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { data } from './data/resource';

function check() {
  throw new Error('APP_ID is not configured');
}
check();
defineBackend({ data });
`,
    });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'BackendThrew');
    assert.equal(details.file, 'amplify/backend.ts');
    assert.equal(details.line, 5);
    assert.match(error.message, /amplify\/backend\.ts:5:\d+/);
    assert.match(error.message, /APP_ID is not configured/);
    assert.match(details.stack ?? '', /backend\.ts:5/);
    assert.doesNotMatch(details.stack ?? '', /child-main/);
  });

  it('points at a resource file that throws', async () => {
    const { dir } = app({
      'amplify/auth/resource.ts': `import { defineAuth } from '@aws-amplify/backend';

export const auth = defineAuth({ loginWith: {} });
`,
    });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'BackendThrew');
    assert.equal(details.file, 'amplify/auth/resource.ts');
    assert.equal(details.line, 3);
    assert.match(error.message, /loginWith must enable email, phone or externalProviders/);
  });

  it('reports a syntax error with file:line:col', async () => {
    const { dir } = app({
      'amplify/data/resource.ts': `import { a, defineData } from '@aws-amplify/backend';

const schema = a.schema({
  Todo: a.model({ content: a.string() }
});
export const data = defineData({ schema });
`,
    });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'BackendSyntaxError');
    assert.equal(details.file, 'amplify/data/resource.ts');
    assert.equal(details.line, 5);
    assert.equal(typeof details.column, 'number');
    assert.match(error.message, new RegExp(`amplify/data/resource\\.ts:5:${details.column}`));
  });

  it('says where it looked when amplify/backend.ts is missing', async () => {
    const { dir } = app({ 'amplify/backend.ts': null });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'BackendNotFound');
    assert.ok(error.message.includes(path.join(dir, 'amplify', 'backend.ts')), error.message);
  });

  it('names a package that cannot be found, and the importing line', async () => {
    const { dir } = app({
      'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { Duration } from 'aws-cdk-lib-that-does-not-exist';

defineBackend({ auth });
console.log(Duration.days(1));
`,
    });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'ModuleNotFound');
    assert.equal(details.file, 'amplify/backend.ts');
    assert.equal(details.line, 3);
    assert.match(error.message, /"aws-cdk-lib-that-does-not-exist"/);
    assert.match(error.message, /npm install/);
  });

  it('names a relative import that cannot be found', async () => {
    const { dir } = app({
      'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { storage } from './storage/resource';
// (a real file's unused imports are dropped by TypeScript; this one is used)
defineBackend({ auth, storage });
`,
    });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'ModuleNotFound');
    assert.equal(details.file, 'amplify/backend.ts');
    assert.match(error.message, /storage\/resource/);
  });

  it('reports an import of a name @aws-amplify/backend does not export (ESM)', async () => {
    const { dir } = app({
      'amplify/auth/resource.ts': `import { defineAuht } from '@aws-amplify/backend';

export const auth = defineAuht({ loginWith: { email: true } });
`,
    });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'ModuleNotFound');
    assert.equal(details.file, 'amplify/auth/resource.ts');
    assert.equal(details.line, 1);
    assert.match(error.message, /"defineAuht" is not exported by @aws-amplify\/backend \(Gantry's\)/);
  });

  it('fails when backend.ts never calls defineBackend', async () => {
    const { dir } = app({ 'amplify/backend.ts': `import './data/resource';\n` });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'InvalidBackendDefinition');
    assert.match(error.message, /did not call defineBackend/);
  });

  it('attributes an invalid data schema to the file that defined it', async () => {
    const { dir } = app({
      'amplify/data/resource.ts': `import { a, defineData } from '@aws-amplify/backend';

const schema = a.schema({
  Post: a.model({ title: a.string(), comments: a.hasMany('Comment', 'postId') }).authorization((allow) => [allow.publicApiKey()]),
  Comment: a.model({ body: a.string() }).authorization((allow) => [allow.publicApiKey()]),
});
export const data = defineData({ schema, authorizationModes: { defaultAuthorizationMode: 'apiKey', apiKeyAuthorizationMode: { expiresInDays: 30 } } });
`,
    });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'InvalidBackendDefinition');
    assert.equal(details.file, 'amplify/data/resource.ts');
    assert.equal(details.line, 7);
    assert.match(error.message, /amplify\/data\/resource\.ts/);
    assert.match(error.message, /Comment/);
  });

  it('contains a process.exit in the app code', async () => {
    const { dir } = app({ 'amplify/backend.ts': `console.error('giving up');\nprocess.exit(3);\n` });
    const { error, details } = await loadError(dir);
    assert.equal(details.reason, 'BackendProcessFailed');
    assert.match(error.message, /exited with code 3/);
    assert.match(details.stderr ?? '', /giving up/);
  });

  it('stops code that never finishes', async () => {
    const { dir } = app({ 'amplify/backend.ts': `await new Promise((resolve) => setTimeout(resolve, 60_000));\n` });
    const { details } = await loadError(dir, { timeoutMs: 1_500 });
    assert.equal(details.reason, 'BackendTimeout');
  });
});
