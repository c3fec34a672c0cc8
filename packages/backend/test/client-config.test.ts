import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildClientConfig, CLIENT_CONFIG_VERSIONS, type StackOutputs } from '../src/index.ts';
import { engineFixture, finished, newBackend, type EngineFixture } from './support/engine-fixture.ts';
import { todoManifest } from './support/manifests.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '../../../../shared');
const schemaDir = join(shared, 'conformance/amplify-outputs-schema');
const capturedIntrospection = join(shared, 'reference/captures/todo-model-introspection.json');

/** `schema_v1.3.json` → `1.3`. */
const schemas = existsSync(schemaDir)
  ? readdirSync(schemaDir).filter((f) => /^schema_v[\d.]+\.json$/.test(f)).map((f) => ({ file: f, version: f.slice('schema_v'.length, -'.json'.length) }))
  : [];

let f: EngineFixture;
let outputs: StackOutputs;
before(async () => {
  f = await engineFixture();
  const { backendId, ref } = newBackend();
  const manifest = todoManifest({ auth: true });
  // The real generator's model introspection when the reference captures are there.
  if (existsSync(capturedIntrospection)) manifest.data!.modelIntrospection = JSON.parse(readFileSync(capturedIntrospection, 'utf8'));
  manifest.customOutputs = { custom: { region: 'us-east-1', flags: { beta: true } } };
  const row = await finished(f, await f.service.deployer.deploy({ ref, backendId, manifest, allowDestructive: false, principalArn: 'arn:aws:iam::111111111111:user/dev' }));
  assert.equal(row.status, 'SUCCEEDED', row.error ?? '');
  outputs = JSON.parse((await f.store.db.selectFrom('backend_stacks').select('outputs').where('stack_name', '=', ref.stackName).executeTakeFirstOrThrow()).outputs);
});
after(() => f.stop());

describe('amplify_outputs.json against the official schemas', { skip: schemas.length ? false : `no schemas at ${schemaDir}` }, () => {
  test('every schema version in the conformance folder is one buildClientConfig writes', () => {
    assert.deepEqual(schemas.map((s) => s.version).sort(), [...CLIENT_CONFIG_VERSIONS].sort());
  });
  for (const { file, version } of schemas) {
    test(`version ${version} validates against ${file}`, () => {
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      const validate = ajv.compile(JSON.parse(readFileSync(join(schemaDir, file), 'utf8')));
      const config = buildClientConfig(outputs, { version });
      assert.ok(validate(config), `${file}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(config, null, 2).slice(0, 2000)}`);
      // Data-only and auth-only backends validate too.
      for (const only of ['AWS::Amplify::GraphQL', 'AWS::Amplify::Auth']) {
        const partial = buildClientConfig({ [only]: outputs[only]! }, { version });
        assert.ok(validate(partial), `${file} (${only} only): ${ajv.errorsText(validate.errors)}`);
      }
    });
  }
});

describe('amplify_outputs.json content', () => {
  test('defaults to 1.3 with the data and auth sections aws-amplify reads', () => {
    const config = buildClientConfig(outputs) as any;
    assert.equal(config.version, '1.3');
    assert.equal(config.data.aws_region, 'us-east-1');
    assert.match(config.data.url, /^https:\/\/gantry\.test\/data\/[a-z0-9]{26}\/graphql$/);
    assert.match(config.data.api_key, /^da2-[a-z0-9]{26}$/);
    assert.equal(config.data.default_authorization_type, 'API_KEY');
    assert.deepEqual(config.data.authorization_types, ['AMAZON_COGNITO_USER_POOLS']);
    assert.equal(typeof config.data.model_introspection.models.Todo, 'object');
    assert.match(config.auth.user_pool_id, /^us-east-1_/);
    assert.deepEqual(config.auth.password_policy, { min_length: 8, require_numbers: true, require_lowercase: true, require_uppercase: true, require_symbols: true });
    assert.deepEqual(config.auth.username_attributes, ['email']);
    assert.equal(config.auth.mfa_configuration, 'OPTIONAL');
    assert.deepEqual(config.auth.mfa_methods, ['TOTP'], 'EMAIL MFA only from 1.4');
    assert.deepEqual(config.auth.groups, [{ ADMINS: { precedence: 0 } }, { EDITORS: { precedence: 1 } }]);
    assert.deepEqual(config.custom, { region: 'us-east-1', flags: { beta: true } });
  });

  test('version-specific fields follow the version asked for', () => {
    assert.deepEqual((buildClientConfig(outputs, { version: '1.4' }) as any).auth.mfa_methods, ['TOTP', 'EMAIL']);
    assert.equal((buildClientConfig(outputs, { version: '1.2' }) as any).auth.groups, undefined);
    // The official v1 schema pins "1.1".
    assert.equal(buildClientConfig(outputs, { version: '1' }).version, '1.1');
    assert.throws(() => buildClientConfig(outputs, { version: '0' }), /Unsupported outputs version "0"/);
  });
});
