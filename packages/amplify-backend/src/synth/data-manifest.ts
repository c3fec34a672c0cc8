import { readFileSync } from 'node:fs';
import type { AuthorizationModeName, DataManifest, UnsupportedConstruct } from '../backend-manifest.ts';
import type { CallSite } from '../define/call-site.ts';
import type { DataProps, DataSchemaInput, TransformableSchema } from '../define/define-data.ts';
import { definitionIdOf, getRegistry } from '../define/registry.ts';
import { appRelative, unsupportedAt } from './app-files.ts';
import { scanSchema } from './schema-scan.ts';
import { toAppSyncAuthorizationType as APPSYNC } from './authorization-types.ts';

/** Amplify's default API key lifetime (backend-data). */
const DEFAULT_API_KEY_EXPIRES_IN_DAYS = 7;

/** The Amplify-directive SDL of whatever defineData was given. */
export function schemaToSdl(schema: DataSchemaInput): string {
  if (typeof schema === 'string') return schema;
  if ('schemas' in schema && Array.isArray(schema.schemas)) return schema.schemas.map((part) => part.transform().schema).join('\n');
  if ('transform' in schema && typeof schema.transform === 'function') return schema.transform().schema;
  throw new TypeError('defineData: schema must be a.schema({...}), a.combine([...]) or a GraphQL string.');
}

export interface DataManifestInput {
  appDir: string;
  props: DataProps;
  callSite?: CallSite;
  /** Whether the backend has auth (enables userPool and identityPool modes, as in Amplify). */
  hasAuth: boolean;
  /** Whether to generate the model introspection (loading the generator takes ~0.4 s). */
  modelIntrospection: boolean;
}

export async function buildDataManifest(input: DataManifestInput): Promise<{ data: DataManifest; unsupported: UnsupportedConstruct[] }> {
  const { appDir, props, callSite, hasAuth } = input;
  const file = appRelative(appDir, callSite?.file);
  let sdl: string;
  try {
    sdl = schemaToSdl(props.schema);
  } catch (error) {
    throw withLocation(error, `The data schema defined in ${file} is invalid`, callSite);
  }
  let modelIntrospection: Record<string, unknown> | undefined;
  if (input.modelIntrospection) {
    try {
      // The models entry alone: the package index also loads the statement and type generators.
      const { generateModels } = await import('@aws-amplify/graphql-generator/lib/models.js');
      const generated = await generateModels({ schema: sdl, target: 'introspection' });
      modelIntrospection = JSON.parse(generated['model-introspection.json'] ?? '{}') as Record<string, unknown>;
    } catch (error) {
      throw withLocation(error, `Model introspection could not be generated for the schema in ${file}`, callSite);
    }
  }

  const modes = props.authorizationModes;
  const unsupported: UnsupportedConstruct[] = [];
  const enabled = new Set<AuthorizationModeName>();
  const apiKeyEnabled = Boolean(modes?.apiKeyAuthorizationMode) || (!hasAuth && !modes);
  if (apiKeyEnabled) enabled.add('apiKey');
  if (hasAuth) {
    enabled.add('userPool');
    enabled.add('identityPool');
  }
  if (modes?.lambdaAuthorizationMode) {
    enabled.add('lambda');
    unsupported.push(unsupportedAt(appDir, 'defineData authorizationModes.lambdaAuthorizationMode', callSite, 'Lambda authorizers are not supported by Gantry.'));
  }
  if (modes?.oidcAuthorizationMode) {
    enabled.add('oidc');
    unsupported.push(unsupportedAt(appDir, 'defineData authorizationModes.oidcAuthorizationMode', callSite, 'OIDC authorization is not supported by Gantry.'));
  }
  let defaultMode: AuthorizationModeName | undefined = modes?.defaultAuthorizationMode ?? (hasAuth && !modes ? 'userPool' : undefined);
  defaultMode ??= enabled.has('apiKey') ? 'apiKey' : enabled.has('userPool') ? 'userPool' : [...enabled][0];
  if (!defaultMode) {
    throw withLocation(undefined, `defineData in ${file}: no authorization mode is enabled. Set authorizationModes.apiKeyAuthorizationMode or add defineAuth to the backend`, callSite);
  }
  if (defaultMode === 'apiKey' && !enabled.has('apiKey')) enabled.add('apiKey');
  const enabledTypes = new Set([...enabled].map((mode) => APPSYNC(mode)));
  if (!enabledTypes.has(APPSYNC(defaultMode))) {
    throw withLocation(
      undefined,
      `defineData in ${file}: defaultAuthorizationMode "${defaultMode}" is not available${defaultMode === 'userPool' || defaultMode === 'identityPool' || defaultMode === 'iam' ? ' (the backend has no defineAuth)' : ''}`,
      callSite,
    );
  }
  const defaultType = APPSYNC(defaultMode);
  const authorizationModes = [defaultMode, ...[...enabled].filter((mode) => APPSYNC(mode) !== defaultType)];
  const additionalTypes = [...new Set(authorizationModes.slice(1).map((mode) => APPSYNC(mode)))];

  if (props.functions && Object.keys(props.functions).length > 0) {
    unsupported.push(unsupportedAt(appDir, 'defineData functions', callSite, 'Functions invokable by the data API are not supported by Gantry.'));
  }
  if (props.schemaConfiguration !== undefined) {
    unsupported.push(unsupportedAt(appDir, 'defineData schemaConfiguration', callSite, 'SQL data sources are not supported by Gantry.'));
  }
  const sourceText = readSource(callSite?.file);
  for (const finding of scanSchema(sdl)) {
    const line = lineOf(sourceText, finding.fieldName && finding.typeName.match(/^(Query|Mutation|Subscription)$/) ? finding.fieldName : finding.typeName) ?? callSite?.line;
    unsupported.push({ construct: finding.construct, file, ...(line !== undefined ? { line } : {}), hint: finding.hint });
  }

  const functionHandlers = functionHandlerNames(props.schema);
  const apiKeyProps = modes?.apiKeyAuthorizationMode;
  const data: DataManifest = {
    ...(props.name !== undefined ? { name: props.name } : {}),
    file,
    schema: sdl,
    ...(modelIntrospection ? { modelIntrospection } : {}),
    defaultAuthorizationMode: defaultMode,
    defaultAuthorizationType: defaultType,
    authorizationModes,
    additionalAuthorizationTypes: additionalTypes,
    ...(Object.keys(functionHandlers).length > 0 ? { functionHandlers } : {}),
    ...(enabled.has('apiKey')
      ? {
          apiKey: {
            expiresInDays: apiKeyProps?.expiresInDays ?? DEFAULT_API_KEY_EXPIRES_IN_DAYS,
            ...(apiKeyProps?.description !== undefined ? { description: apiKeyProps.description } : {}),
          },
        }
      : {}),
  };
  return { data, unsupported };
}

/**
 * `a.handler.function(fn)` handlers: the SDL names each `@function(name: "Fn<Operation>")` and the schema's
 * transform lists the factory behind it; this maps the directive's name to the defineFunction name.
 */
function functionHandlerNames(schema: DataSchemaInput): Record<string, string> {
  const parts = typeof schema === 'string' ? [] : 'schemas' in schema && Array.isArray(schema.schemas) ? schema.schemas : [schema as TransformableSchema];
  const names: Record<string, string> = {};
  for (const part of parts) {
    const lambdas = (part.transform() as { lambdaFunctions?: Record<string, unknown> }).lambdaFunctions ?? {};
    for (const [handlerName, factory] of Object.entries(lambdas)) {
      const id = definitionIdOf(factory);
      const definition = getRegistry().definitions.find((candidate) => candidate.id === id);
      if (definition?.kind === 'function' && definition.props.name) names[handlerName] = definition.props.name;
    }
  }
  return names;
}

function readSource(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The line where `Name:` (a schema entry) is declared in the app's file, if it is there. */
function lineOf(text: string | undefined, name: string): number | undefined {
  if (!text) return undefined;
  const match = new RegExp(`(^|[\\s{,])${name}\\s*:\\s*a\\s*\\.`, 'm').exec(text);
  if (!match) return undefined;
  return text.slice(0, match.index + match[1]!.length).split('\n').length;
}

/** Wraps a schema error so the message names the app file; the original stays as `cause`. */
function withLocation(error: unknown, prefix: string, callSite: CallSite | undefined): Error {
  const detail = error instanceof Error ? `: ${error.message}` : '';
  const wrapped = new Error(`${prefix}${detail}`, error === undefined ? undefined : { cause: error });
  wrapped.name = 'AmplifyDataError';
  if (callSite) {
    wrapped.stack = `${wrapped.name}: ${wrapped.message}\n    at defineData (${callSite.file}:${callSite.line ?? 1}:${callSite.column ?? 1})`;
  }
  return wrapped;
}
