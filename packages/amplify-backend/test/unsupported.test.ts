import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadBackend, type BackendManifest, type UnsupportedConstruct } from '../src/index.ts';
import { ESM_PACKAGE_JSON, writeApp, type FixtureApp } from './fixture-app.ts';

/** A backend that uses a bit of everything Gantry does not implement yet, like real apps do. */
const FILES: Record<string, string> = {
  'package.json': ESM_PACKAGE_JSON,
  'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { data } from './data/resource';
import { storage } from './storage/resource';
import { sayHello } from './functions/say-hello/resource';

const backend = defineBackend({ auth, data, storage, sayHello });

backend.data.resources.cfnResources.cfnGraphqlApi.xrayEnabled = true;
const customStack = backend.createStack('analytics');
backend.sayHello.resources.lambda.addToRolePolicy({ actions: ['ses:SendEmail'] });

backend.addOutput({ custom: { analyticsStack: 'analytics', region: 'eu-west-1' } });
backend.addOutput({ custom: { feature: { beta: true } } });
void customStack;
`,
  'amplify/auth/resource.ts': `import { defineAuth } from '@aws-amplify/backend';
import { postConfirmation } from './post-confirmation/resource';

export const auth = defineAuth({
  loginWith: {
    email: {
      verificationEmailStyle: 'CODE',
      verificationEmailSubject: 'Welcome!',
      verificationEmailBody: (createCode) => \`Your code is \${createCode()}\`,
    },
  },
  userAttributes: {
    givenName: { required: true, mutable: true },
    'custom:tier': { dataType: 'String', mutable: true },
  },
  groups: ['ADMINS', 'EDITORS'],
  multifactor: { mode: 'OPTIONAL', totp: true, sms: true },
  triggers: { postConfirmation },
});
`,
  'amplify/auth/post-confirmation/resource.ts': `import { defineFunction } from '@aws-amplify/backend';

export const postConfirmation = defineFunction({ name: 'post-confirmation' });
`,
  'amplify/functions/say-hello/resource.ts': `import { defineFunction, secret } from '@aws-amplify/backend';

export const sayHello = defineFunction({
  entry: './handler.ts',
  timeoutSeconds: 30,
  environment: { GREETING: 'hello', API_KEY: secret('HELLO_API_KEY') },
});
`,
  'amplify/functions/say-hello/handler.ts': `export const handler = async () => 'hello';
`,
  'amplify/auth/post-confirmation/handler.ts': `export const handler = async (event: unknown) => event;
`,
  'amplify/storage/resource.ts': `import { defineStorage } from '@aws-amplify/backend';

export const storage = defineStorage({
  name: 'media',
  access: (allow) => ({
    'public/*': [allow.guest.to(['read']), allow.authenticated.to(['read', 'write', 'delete'])],
    'private/{entity_id}/*': [allow.entity('identity').to(['read', 'write', 'delete'])],
    'admin/*': [allow.groups(['ADMINS']).to(['read', 'write'])],
  }),
});
`,
  'amplify/data/resource.ts': `import { type ClientSchema, a, defineData } from '@aws-amplify/backend';

const schema = a.schema({
  Note: a
    .model({
      body: a.string(),
      reviewerComment: a.string().authorization((allow) => [allow.groups(['EDITORS'])]),
    })
    .authorization((allow) => [allow.owner(), allow.publicApiKey().to(['read'])]),
  Board: a
    .model({ title: a.string() })
    .authorization((allow) => [allow.authenticated(), allow.guest().to(['read'])]),
  echo: a
    .query()
    .arguments({ text: a.string() })
    .returns(a.string())
    .handler(a.handler.custom({ entry: './echo.js' }))
    .authorization((allow) => [allow.publicApiKey()]),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'userPool',
    apiKeyAuthorizationMode: { expiresInDays: 30 },
  },
});
`,
};

describe('loadBackend: unsupported constructs are listed, not ignored', () => {
  let app: FixtureApp;
  let manifest: BackendManifest;
  const find = (construct: string): UnsupportedConstruct | undefined => manifest.unsupported.find((entry) => entry.construct === construct);

  before(async () => {
    app = writeApp(FILES);
    manifest = await loadBackend(app.dir);
  });
  after(() => app.remove());

  it('lists data auth rules the data API does not serve, by model and field, with their lines', () => {
    assert.deepEqual(find('allow.guest() on Board'), { construct: 'allow.guest() on Board', file: 'amplify/data/resource.ts', line: 10, hint: find('allow.guest() on Board')?.hint });
    assert.equal(find('custom query echo')?.line, 13);
    assert.match(find('allow.guest() on Board')!.hint, /identity-pool rules \(IAM\)/);
    // API-key and user-pool rules are enforced, so they are not listed.
    for (const served of ['allow.owner() on Note', 'allow.groups(["EDITORS"]) on Note.reviewerComment', 'allow.authenticated() on Board', 'allow.publicApiKey() on Note']) {
      assert.equal(find(served), undefined, served);
    }
  });

  it('still produces the data manifest, with user pool as default', () => {
    assert.equal(manifest.data?.defaultAuthorizationMode, 'userPool');
    assert.equal(manifest.data?.defaultAuthorizationType, 'AMAZON_COGNITO_USER_POOLS');
    assert.deepEqual(manifest.data?.additionalAuthorizationTypes, ['API_KEY', 'AWS_IAM']);
    assert.match(manifest.data!.schema, /allow: owner/);
  });

  it('lists CDK escape hatches by the path the app used, at the line it used them', () => {
    assert.deepEqual(
      manifest.unsupported.filter((entry) => entry.file === 'amplify/backend.ts').map(({ construct, line }) => ({ construct, line })),
      [
        { construct: 'backend.data.resources.cfnResources.cfnGraphqlApi.xrayEnabled', line: 9 },
        { construct: 'backend.createStack("analytics")', line: 10 },
        { construct: 'backend.sayHello.resources.lambda.addToRolePolicy()', line: 11 },
      ],
    );
  });

  it('lists storage, records what functions ask for and bundles their handlers', () => {
    assert.equal(find('defineStorage (media)'), undefined, 'storage is deployed');
    assert.equal(find('defineStorage (media) access allow.groups(...) on "admin/*"')?.file, 'amplify/storage/resource.ts');
    assert.deepEqual(manifest.storage, [
      {
        name: 'media',
        file: 'amplify/storage/resource.ts',
        isDefault: true,
        paths: {
          'public/*': { guest: ['get', 'list'], authenticated: ['get', 'list', 'write', 'delete'] },
          'private/{entity_id}/*': { entityidentity: ['get', 'list', 'write', 'delete'] },
          'admin/*': { groupsADMINS: ['get', 'list', 'write'] },
        },
      },
    ]);
    // Functions are deployed; what they use that Gantry does not run (secrets) is listed.
    assert.equal(find("defineFunction (say-hello) environment.API_KEY = secret('HELLO_API_KEY')")?.file, 'amplify/functions/say-hello/resource.ts');
    assert.equal(manifest.unsupported.some((entry) => entry.construct.startsWith('defineFunction (post-confirmation)')), false);
    const { code, ...sayHello } = manifest.functions!.find((fn) => fn.name === 'say-hello')!;
    assert.match(code!, /hello/);
    assert.deepEqual(sayHello, {
      name: 'say-hello',
      file: 'amplify/functions/say-hello/resource.ts',
      entry: 'amplify/functions/say-hello/handler.ts',
      timeoutSeconds: 30,
      memoryMB: 512,
      runtime: 20,
      environment: { GREETING: 'hello', API_KEY: { secret: 'HELLO_API_KEY' } },
      custom: false,
    });
  });

  it('lists auth triggers and records the rest of the auth settings', () => {
    assert.equal(find('defineAuth triggers.postConfirmation')?.file, 'amplify/auth/resource.ts');
    const auth = manifest.auth!;
    assert.deepEqual(auth.loginWith.email, { verificationEmailStyle: 'CODE', verificationEmailSubject: 'Welcome!', verificationEmailBody: 'Your code is {####}' });
    assert.deepEqual(auth.groups, ['ADMINS', 'EDITORS']);
    assert.deepEqual(auth.mfa, { mode: 'OPTIONAL', types: ['SMS', 'TOTP'] });
    assert.deepEqual(auth.standardRequiredAttributes, ['email', 'given_name']);
    assert.deepEqual(auth.userAttributes['custom:tier'], { required: false, mutable: true, dataType: 'String', custom: true });
  });

  it('merges backend.addOutput payloads', () => {
    assert.deepEqual(manifest.customOutputs, { version: '1', custom: { analyticsStack: 'analytics', region: 'eu-west-1', feature: { beta: true } } });
  });

  it('gives every entry a file and a hint', () => {
    for (const entry of manifest.unsupported) {
      assert.ok(entry.file.startsWith('amplify/'), JSON.stringify(entry));
      assert.ok(entry.hint.length > 10, JSON.stringify(entry));
    }
  });
});
