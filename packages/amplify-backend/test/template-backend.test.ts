import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { loadBackend, type BackendManifest } from '../src/index.ts';
import { ESM_PACKAGE_JSON, TEMPLATE_FILES, writeApp, type FixtureApp } from './fixture-app.ts';

const CAPTURES = '/work/shared/reference/captures';
const capturedSdl = readFileSync(`${CAPTURES}/todo-schema.graphql`, 'utf8');
const capturedIntrospection = JSON.parse(readFileSync(`${CAPTURES}/todo-model-introspection.json`, 'utf8')) as unknown;

// The Vite template is an ESM package; the Next.js pages template is not (tsx then runs amplify/ as CommonJS
// unless amplify/package.json says otherwise). Both must give the same manifest.
const variants: Array<{ name: string; files: Record<string, string> }> = [
  { name: 'Vite/React template (ESM package)', files: { ...TEMPLATE_FILES, 'package.json': ESM_PACKAGE_JSON } },
  {
    name: 'same backend in a CommonJS package',
    files: Object.fromEntries(Object.entries({ ...TEMPLATE_FILES, 'package.json': JSON.stringify({ name: 'next-app', private: true }) }).filter(([file]) => file !== 'amplify/package.json')),
  },
];

for (const variant of variants) {
  describe(`loadBackend: ${variant.name}`, () => {
    let app: FixtureApp;
    let manifest: BackendManifest;
    before(async () => {
      app = writeApp(variant.files);
      manifest = await loadBackend(app.dir);
    });
    after(() => app.remove());

    it('is a version 1 manifest with nothing unsupported', () => {
      assert.equal(manifest.manifestVersion, 1);
      assert.deepEqual(manifest.unsupported, []);
      assert.equal(manifest.storage, undefined);
      assert.equal(manifest.functions, undefined);
      assert.equal(manifest.customOutputs, undefined);
    });

    it('has the SDL @aws-amplify/data-schema 1.26.2 produces for the schema', () => {
      assert.equal(manifest.data?.schema, capturedSdl.trimEnd());
    });

    it('has the model introspection @aws-amplify/graphql-generator 0.5.4 produces', () => {
      assert.deepEqual(manifest.data?.modelIntrospection, capturedIntrospection);
    });

    it('leaves the model introspection out, and nothing else, when asked to (the server derives it)', async () => {
      const lean = await loadBackend(app.dir, { modelIntrospection: false });
      const { modelIntrospection, ...rest } = manifest.data!;
      assert.ok(modelIntrospection);
      assert.deepEqual(lean, { ...manifest, data: rest });
    });

    it('resolves the authorization modes as Amplify does (apiKey default, user pool and IAM from auth)', () => {
      const data = manifest.data!;
      assert.equal(data.file, 'amplify/data/resource.ts');
      assert.equal(data.defaultAuthorizationMode, 'apiKey');
      assert.equal(data.defaultAuthorizationType, 'API_KEY');
      assert.deepEqual(data.authorizationModes, ['apiKey', 'userPool', 'identityPool']);
      assert.deepEqual(data.additionalAuthorizationTypes, ['AMAZON_COGNITO_USER_POOLS', 'AWS_IAM']);
      assert.deepEqual(data.apiKey, { expiresInDays: 30 });
      assert.equal(data.name, undefined);
    });

    it('describes email login with Cognito defaults', () => {
      const auth = manifest.auth!;
      assert.equal(auth.file, 'amplify/auth/resource.ts');
      assert.deepEqual(auth.loginWith, { email: { verificationEmailStyle: 'CODE' } });
      assert.deepEqual(auth.usernameAttributes, ['email']);
      assert.deepEqual(auth.verificationMechanisms, ['email']);
      assert.deepEqual(auth.standardRequiredAttributes, ['email']);
      assert.deepEqual(auth.userAttributes, { email: { required: true, mutable: true, custom: false } });
      assert.deepEqual(auth.groups, []);
      assert.deepEqual(auth.mfa, { mode: 'OFF', types: [] });
      assert.equal(auth.accountRecovery, 'EMAIL_ONLY');
      assert.deepEqual(auth.passwordPolicy, { minLength: 8, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true });
      assert.equal(auth.unauthenticatedIdentitiesEnabled, true);
    });

    it('is plain JSON', () => {
      assert.deepEqual(JSON.parse(JSON.stringify(manifest)), manifest);
    });
  });
}
