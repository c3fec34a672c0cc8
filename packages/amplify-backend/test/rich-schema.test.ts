import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { a } from '@aws-amplify/data-schema';
import { generateModels } from '@aws-amplify/graphql-generator';
import { loadBackend, type BackendManifest } from '../src/index.ts';
import { ESM_PACKAGE_JSON, TEMPLATE_FILES, writeApp, type FixtureApp } from './fixture-app.ts';

/**
 * Plain-JS schema source, written into the fixture app as-is and evaluated here with the real `a` as the
 * oracle: enums, a custom type, a secondary index, a custom identifier, hasMany/belongsTo/hasOne.
 */
const SCHEMA_SOURCE = `a.schema({
  Priority: a.enum(['LOW', 'MEDIUM', 'HIGH']),
  Address: a.customType({
    street: a.string(),
    city: a.string().required(),
    zip: a.string(),
  }),
  Project: a
    .model({
      name: a.string().required(),
      tasks: a.hasMany('Task', 'projectId'),
      charter: a.hasOne('Charter', 'projectId'),
      office: a.ref('Address'),
    })
    .authorization((allow) => [allow.publicApiKey()]),
  Charter: a
    .model({
      text: a.string(),
      projectId: a.id(),
      project: a.belongsTo('Project', 'projectId'),
    })
    .authorization((allow) => [allow.publicApiKey()]),
  Task: a
    .model({
      taskId: a.string().required(),
      title: a.string().required(),
      done: a.boolean().default(false),
      priority: a.ref('Priority'),
      tags: a.string().array(),
      dueOn: a.date(),
      projectId: a.id(),
      project: a.belongsTo('Project', 'projectId'),
    })
    .identifier(['taskId'])
    .secondaryIndexes((index) => [index('projectId').sortKeys(['title']).queryField('listTasksByProject')])
    .authorization((allow) => [allow.publicApiKey()]),
})`;

describe('loadBackend: a richer schema', () => {
  let app: FixtureApp;
  let manifest: BackendManifest;
  let expectedSdl: string;
  let expectedIntrospection: unknown;

  before(async () => {
    app = writeApp({
      ...TEMPLATE_FILES,
      'package.json': ESM_PACKAGE_JSON,
      'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { data } from './data/resource';

defineBackend({ data });
`,
      'amplify/data/resource.ts': `import { type ClientSchema, defineData } from '@aws-amplify/backend';
import { a } from '@aws-amplify/data-schema';

const schema = ${SCHEMA_SOURCE};

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  name: 'projects',
  schema,
  authorizationModes: { apiKeyAuthorizationMode: { expiresInDays: 14, description: 'web' } },
});
`,
    });
    const oracleSchema = new Function('a', `return ${SCHEMA_SOURCE};`)(a) as { transform(): { schema: string } };
    expectedSdl = oracleSchema.transform().schema;
    const generated = await generateModels({ schema: expectedSdl, target: 'introspection' });
    expectedIntrospection = JSON.parse(generated['model-introspection.json']!);
    manifest = await loadBackend(app.dir);
  });
  after(() => app.remove());

  it('has the SDL and model introspection the real libraries produce', () => {
    assert.equal(manifest.data?.schema, expectedSdl);
    assert.deepEqual(manifest.data?.modelIntrospection, expectedIntrospection);
  });

  it('carries the schema features the data API needs', () => {
    const sdl = manifest.data!.schema;
    assert.match(sdl, /enum Priority/);
    assert.match(sdl, /taskId: String! @primaryKey/);
    assert.match(sdl, /@index\(sortKeyFields: \["title"\], queryField: "listTasksByProject"\)/);
    assert.match(sdl, /@hasMany\(references: \["projectId"\]\)/);
    assert.match(sdl, /@hasOne\(references: \["projectId"\]\)/);
    const introspection = manifest.data!.modelIntrospection as {
      models: Record<string, { primaryKeyInfo: { isCustomPrimaryKey: boolean; primaryKeyFieldName: string }; attributes: Array<{ type: string; properties: Record<string, unknown> }> }>;
      enums: Record<string, { values: string[] }>;
      nonModels: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(introspection.models).sort(), ['Charter', 'Project', 'Task']);
    assert.deepEqual(introspection.enums['Priority']?.values, ['LOW', 'MEDIUM', 'HIGH']);
    assert.ok(introspection.nonModels['Address']);
    assert.deepEqual(introspection.models['Task']!.primaryKeyInfo, { isCustomPrimaryKey: true, primaryKeyFieldName: 'taskId', sortKeyFieldNames: [] });
    const keyAttribute = introspection.models['Task']!.attributes.find((attribute) => attribute.type === 'key' && attribute.properties['queryField']);
    assert.equal(keyAttribute?.properties['queryField'], 'listTasksByProject');
  });

  it('uses API key auth by default without auth, with the given expiry and name', () => {
    const data = manifest.data!;
    assert.equal(data.name, 'projects');
    assert.equal(data.defaultAuthorizationMode, 'apiKey');
    assert.deepEqual(data.authorizationModes, ['apiKey']);
    assert.deepEqual(data.additionalAuthorizationTypes, []);
    assert.deepEqual(data.apiKey, { expiresInDays: 14, description: 'web' });
    assert.equal(manifest.auth, undefined);
    assert.deepEqual(manifest.unsupported, []);
  });
});
