import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { a, defineAuth, defineBackend, defineData, defineFunction, defineStorage, secret, type ClientSchema } from '../src/backend.ts';
import { getRegistry } from '../src/define/registry.ts';
import { callSiteFromStack } from '../src/define/call-site.ts';

// Type level: what apps write must compile against Gantry's @aws-amplify/backend.
const schema = a.schema({
  Todo: a
    .model({ content: a.string(), done: a.boolean().required() })
    .authorization((allow) => [allow.publicApiKey()]),
});
type Schema = ClientSchema<typeof schema>;
const sampleTodo: Pick<Schema['Todo']['type'], 'content' | 'done'> = { content: null, done: true };

describe('Gantry @aws-amplify/backend API (in process)', () => {
  it('records what each define* call asked for, with the calling file', () => {
    const before = getRegistry().definitions.length;
    const data = defineData({ schema, authorizationModes: { defaultAuthorizationMode: 'apiKey', apiKeyAuthorizationMode: { expiresInDays: 30 } } });
    const auth = defineAuth({ loginWith: { email: true } });
    const storage = defineStorage({ name: 'files' });
    const fn = defineFunction({ environment: { TOKEN: secret('TOKEN') } });
    const added = getRegistry().definitions.slice(before);
    assert.deepEqual(added.map((definition) => definition.kind), ['data', 'auth', 'storage', 'function']);
    for (const definition of added) assert.equal(definition.callSite?.file, import.meta.filename);

    const backend = defineBackend({ auth, data, storage, fn });
    assert.equal(typeof backend.addOutput, 'function');
    // Escape hatches do not throw; they are recorded.
    backend.data.resources.cfnResources.cfnGraphqlApi.xrayEnabled = true;
    const last = getRegistry().unsupported.at(-1);
    assert.equal(last?.construct, 'backend.data.resources.cfnResources.cfnGraphqlApi.xrayEnabled');
    assert.equal(last?.callSite?.file, import.meta.filename);
    assert.equal(sampleTodo.done, true);
  });

  it('rejects definitions Amplify rejects, with a message that says what to do', () => {
    assert.throws(() => defineData({} as never), /needs a schema/);
    assert.throws(() => defineAuth({ loginWith: {} }), /must enable email, phone or externalProviders/);
    assert.throws(() => defineStorage({ name: '' }), /needs a name/);
    assert.throws(() => defineBackend({ addOutput: defineAuth({ loginWith: { email: true } }) }), /reserved/);
  });

  it('finds the app frame in V8 stacks (paths and file URLs), skipping given dirs, node: and node_modules', () => {
    const stack = [
      'Error',
      '    at captureCallSite (/srv/gantry/src/define/call-site.ts:40:9)',
      '    at Object.<anonymous> (node:internal/modules/cjs/loader:1:1)',
      '    at defineThing (/app/node_modules/lib/index.js:3:3)',
      '    at file:///app/amplify/data/resource.ts:12:27',
    ].join('\n');
    assert.deepEqual(callSiteFromStack(stack, ['/srv/gantry/src/']), { file: '/app/amplify/data/resource.ts', line: 12, column: 27 });
  });
});
