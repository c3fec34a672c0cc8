import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { FunctionBundleError, bundleFunction } from '../src/bundle/bundle-function.ts';
import { loadBackend } from '../src/index.ts';
import { ESM_PACKAGE_JSON, writeApp } from './fixture-app.ts';

/** Loads bundled CommonJS the way a Lambda worker does, with Gantry's node_modules for `@aws-sdk/*`. */
function loadBundle(code: string, file: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const requireFrom = createRequire(file);
  new Function('module', 'exports', 'require', code)(module, module.exports, requireFrom);
  return module.exports;
}

const app = writeApp({
  'package.json': ESM_PACKAGE_JSON,
  'amplify/functions/say-hello/handler.ts': `import { env } from '$amplify/env/say-hello';
import { greeting } from './greeting';
export const handler = async (event: { name: string }) => greeting(env.GREETING ?? 'Hi', event.name);
`,
  'amplify/functions/say-hello/greeting.ts': `export const greeting = (word: string, name: string): string => \`\${word}, \${name}!\`;
`,
  'amplify/functions/sdk-user/handler.ts': `import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
export const handler = async () => [typeof LambdaClient, typeof InvokeCommand];
`,
  'amplify/functions/broken/handler.ts': `import { nothing } from './missing-helper';

export const handler = async () => nothing;
`,
  'amplify/functions/syntax/handler.ts': `export const handler = async () => {
  return 1 +;
};
`,
});
after(() => app.remove());
const entry = (name: string) => path.join(app.dir, 'amplify/functions', name, 'handler.ts');

describe('bundleFunction', () => {
  it('bundles the handler and its imports into CommonJS whose handler export runs', async () => {
    const code = bundleFunction(app.dir, 'say-hello', entry('say-hello'));
    assert.doesNotMatch(code, /^import /m);
    process.env['GREETING'] = 'Hello';
    try {
      const { handler } = loadBundle(code, entry('say-hello')) as { handler: (e: { name: string }) => Promise<string> };
      assert.equal(await handler({ name: 'Ada' }), 'Hello, Ada!');
    } finally {
      delete process.env['GREETING'];
    }
  });

  it('resolves $amplify/env/<name> to a module whose env is process.env, read when the handler runs', async () => {
    const code = bundleFunction(app.dir, 'say-hello', entry('say-hello'));
    const { handler } = loadBundle(code, entry('say-hello')) as { handler: (e: { name: string }) => Promise<string> };
    process.env['GREETING'] = 'Bonjour';
    try {
      assert.equal(await handler({ name: 'Grace' }), 'Bonjour, Grace!');
    } finally {
      delete process.env['GREETING'];
    }
  });

  it('leaves @aws-sdk/* as require calls: the runtime provides the SDK', async () => {
    const code = bundleFunction(app.dir, 'sdk-user', entry('sdk-user'));
    assert.match(code, /require\("@aws-sdk\/client-lambda"\)/);
    assert.ok(code.length < 20_000, `the SDK was bundled (${code.length} bytes)`);
    const { handler } = loadBundle(code, path.join(import.meta.dirname, 'bundle-function.test.ts')) as { handler: () => Promise<string[]> };
    assert.deepEqual(await handler(), ['function', 'function']);
  });

  it('names the file and line of an unresolvable import', () => {
    assert.throws(
      () => bundleFunction(app.dir, 'broken', entry('broken')),
      (error: unknown) => {
        assert.ok(error instanceof FunctionBundleError);
        assert.equal(error.file, 'amplify/functions/broken/handler.ts');
        assert.equal(error.line, 1);
        assert.match(error.message, /defineFunction 'broken'/);
        assert.match(error.message, /amplify\/functions\/broken\/handler\.ts:1:\d+: Could not resolve "\.\/missing-helper"/);
        return true;
      },
    );
  });

  it('names the file and line of a syntax error', () => {
    assert.throws(() => bundleFunction(app.dir, 'syntax', entry('syntax')), /amplify\/functions\/syntax\/handler\.ts:2:\d+: Unexpected ";"/);
  });

  it('refuses a name Lambda would not accept', () => {
    assert.throws(() => bundleFunction(app.dir, 'has spaces', entry('say-hello')), /1 to 64 letters, digits/);
  });
});

describe('loadBackend with a function whose handler does not bundle', () => {
  it('fails with the handler file and line, as an invalid backend definition', async () => {
    const broken = writeApp({
      'package.json': ESM_PACKAGE_JSON,
      'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { broken } from './functions/broken/resource';
defineBackend({ broken });
`,
      'amplify/functions/broken/resource.ts': `import { defineFunction } from '@aws-amplify/backend';
export const broken = defineFunction({ name: 'broken' });
`,
      'amplify/functions/broken/handler.ts': `export const handler = async () => {
  return missing(;
};
`,
    });
    try {
      await assert.rejects(loadBackend(broken.dir), (error: Error & { details?: { reason?: string; file?: string; line?: number } }) => {
        assert.match(error.message, /amplify\/functions\/broken\/handler\.ts:2:\d+/);
        assert.equal(error.details?.reason, 'InvalidBackendDefinition');
        assert.equal(error.details?.file, 'amplify/functions/broken/handler.ts');
        assert.equal(error.details?.line, 2);
        return true;
      });
    } finally {
      broken.remove();
    }
  });
});
