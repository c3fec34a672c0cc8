import type { BackendManifest, FunctionManifest, StorageManifest, UnsupportedConstruct } from '../backend-manifest.ts';
import type { Definition, Registry } from '../define/registry.ts';
import { appRelative, unsupportedAt } from './app-files.ts';
import { buildAuthManifest } from './auth-manifest.ts';
import { mergeCustomOutputs } from './custom-outputs.ts';
import { buildDataManifest } from './data-manifest.ts';
import { buildFunctionManifest } from './function-manifest.ts';
import { buildStorageManifest } from './storage-manifest.ts';

/** A problem with how the backend is defined (not a crash of the app's code). */
export class BackendDefinitionError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(message);
    this.name = 'BackendDefinitionError';
  }
}

/**
 * Turns what the app's code recorded into the manifest. Runs in the child, after backend.ts was imported.
 * `modelIntrospection: false` leaves the data schema's model introspection out (the generator is slow to load).
 */
export async function buildManifest(registry: Registry, appDir: string, options: { modelIntrospection?: boolean } = {}): Promise<BackendManifest> {
  if (registry.backends.length === 0) {
    throw new BackendDefinitionError('amplify/backend.ts did not call defineBackend({ ... }). Call it once with your resources, e.g. defineBackend({ auth, data }).', 'amplify/backend.ts');
  }
  if (registry.backends.length > 1) {
    const where = registry.backends.map((call) => `${appRelative(appDir, call.callSite?.file)}:${call.callSite?.line ?? '?'}`).join(', ');
    throw new BackendDefinitionError(`defineBackend was called ${registry.backends.length} times (${where}); call it exactly once.`);
  }
  const backend = registry.backends[0]!;
  const byId = new Map(registry.definitions.map((definition) => [definition.id, definition]));
  const unsupported: UnsupportedConstruct[] = [];
  const included: Definition[] = [];
  for (const { key, definitionId } of backend.resources) {
    const definition = definitionId === undefined ? undefined : byId.get(definitionId);
    if (!definition) {
      unsupported.push(
        unsupportedAt(appDir, `defineBackend resource "${key}"`, backend.callSite, 'Not made by defineAuth/defineData/defineStorage/defineFunction: custom construct factories are not supported by Gantry.'),
      );
      continue;
    }
    included.push(definition);
  }
  const single = <K extends Definition['kind']>(kind: K): Extract<Definition, { kind: K }> | undefined => {
    const found = included.filter((definition): definition is Extract<Definition, { kind: K }> => definition.kind === kind);
    if (found.length > 1) {
      const where = found.map((definition) => appRelative(appDir, definition.callSite?.file)).join(', ');
      throw new BackendDefinitionError(`defineBackend got ${found.length} ${kind} resources (${where}); a backend has at most one.`);
    }
    return found[0];
  };

  const manifest: BackendManifest = { manifestVersion: 1, unsupported };
  const authDefinition = single('auth');
  const referencedAuth = single('referenceAuth');
  if (authDefinition && referencedAuth) throw new BackendDefinitionError('defineBackend got both defineAuth and referenceAuth; use one.');
  if (referencedAuth) {
    unsupported.push(unsupportedAt(appDir, 'referenceAuth', referencedAuth.callSite, 'Gantry cannot use an existing AWS Cognito user pool; use defineAuth.'));
  }
  if (authDefinition) {
    const { auth, unsupported: more } = buildAuthManifest(appDir, authDefinition.props, authDefinition.callSite);
    manifest.auth = auth;
    unsupported.push(...more);
  }
  const dataDefinition = single('data');
  if (dataDefinition) {
    const { data, unsupported: more } = await buildDataManifest({
      appDir,
      props: dataDefinition.props,
      callSite: dataDefinition.callSite,
      hasAuth: Boolean(authDefinition || referencedAuth),
      modelIntrospection: options.modelIntrospection ?? true,
    });
    manifest.data = data;
    unsupported.push(...more);
  }
  const storage: StorageManifest[] = [];
  for (const definition of included) {
    if (definition.kind !== 'storage') continue;
    const { storage: bucket, unsupported: more } = buildStorageManifest(appDir, definition.props, definition.callSite);
    storage.push(bucket);
    unsupported.push(...more);
  }
  if (storage.length > 0) {
    if (!storage.some((bucket) => bucket.isDefault)) storage[0]!.isDefault = true;
    manifest.storage = storage;
  }
  // Functions count whether passed to defineBackend or only referenced (auth triggers, data handlers, ...).
  const functions: FunctionManifest[] = [];
  for (const definition of registry.definitions) {
    if (definition.kind !== 'function') continue;
    const { fn, unsupported: more } = buildFunctionManifest(appDir, definition.props, definition.callSite);
    functions.push(fn);
    unsupported.push(...more);
  }
  if (functions.length > 0) manifest.functions = functions;

  if (backend.outputs.length > 0) {
    try {
      manifest.customOutputs = mergeCustomOutputs(backend.outputs.map((output) => output.value));
    } catch (error) {
      const last = backend.outputs.at(-1)?.callSite;
      throw new BackendDefinitionError((error as Error).message, appRelative(appDir, last?.file), last?.line);
    }
  }
  for (const use of registry.unsupported) unsupported.push(unsupportedAt(appDir, use.construct, use.callSite, use.hint));
  manifest.unsupported = dedupe(unsupported);
  return manifest;
}

/**
 * Drops exact duplicates, and a bare member access (`backend.data.resources`) when the same line also has a
 * longer path through it (`backend.data.resources.cfnResources.cfnGraphqlApi.xrayEnabled`).
 */
function dedupe(entries: UnsupportedConstruct[]): UnsupportedConstruct[] {
  const seen = new Set<string>();
  const unique = entries.filter((entry) => {
    const key = `${entry.construct}\u0000${entry.file}\u0000${entry.line ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.filter(
    (entry) =>
      !unique.some(
        (other) =>
          other !== entry &&
          other.file === entry.file &&
          other.line === entry.line &&
          (other.construct.startsWith(`${entry.construct}.`) || other.construct.startsWith(`${entry.construct}(`)),
      ),
  );
}
