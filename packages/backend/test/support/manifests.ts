import type { BackendManifest } from '../../src/index.ts';

/** A model's introspection entry, trimmed to what the engine and the schema tests look at. */
function model(name: string, fields: string[]): Record<string, unknown> {
  return {
    name, pluralName: `${name}s`, syncable: true, attributes: [{ type: 'model', properties: {} }],
    primaryKeyInfo: { isCustomPrimaryKey: false, primaryKeyFieldName: 'id', sortKeyFieldNames: [] },
    fields: Object.fromEntries(['id', ...fields].map((f) => [f, { name: f, isArray: false, type: f === 'id' ? 'ID' : 'String', isRequired: f === 'id', attributes: [] }])),
  };
}

/** The template's backend: a Todo model with public API-key access, optionally more models and auth. */
export function todoManifest(options: { models?: Record<string, string[]>; auth?: boolean; expiresInDays?: number } = {}): BackendManifest {
  const models = options.models ?? { Todo: ['content'] };
  const sdl = Object.entries(models).map(([name, fields]) =>
    `type ${name} @model @auth(rules: [{allow: public}]) {\n${fields.map((f) => `  ${f}: String`).join('\n')}\n}`).join('\n\n');
  const manifest: BackendManifest = {
    manifestVersion: 1,
    data: {
      file: 'amplify/data/resource.ts',
      schema: sdl,
      modelIntrospection: { version: 1, models: Object.fromEntries(Object.entries(models).map(([n, f]) => [n, model(n, f)])), enums: {}, nonModels: {} },
      defaultAuthorizationMode: 'apiKey',
      defaultAuthorizationType: 'API_KEY',
      authorizationModes: options.auth ? ['apiKey', 'userPool'] : ['apiKey'],
      additionalAuthorizationTypes: options.auth ? ['AMAZON_COGNITO_USER_POOLS'] : [],
      apiKey: { expiresInDays: options.expiresInDays ?? 30 },
    },
    unsupported: [],
  };
  if (options.auth) {
    manifest.auth = {
      file: 'amplify/auth/resource.ts',
      loginWith: { email: { verificationEmailStyle: 'CODE' } },
      usernameAttributes: ['email'], verificationMechanisms: ['email'], standardRequiredAttributes: ['email'],
      userAttributes: { email: { required: true, mutable: true, custom: false } }, groups: ['ADMINS', 'EDITORS'],
      mfa: { mode: 'OPTIONAL', types: ['TOTP', 'EMAIL'] },
      passwordPolicy: { minLength: 8, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true },
      unauthenticatedIdentitiesEnabled: true,
    };
  }
  return manifest;
}
