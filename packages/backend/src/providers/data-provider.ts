import { GantryError, toGantryError } from '@gantry/core';
import { canonicalJson, type PlanStep, type ProviderContext, type ResourceProvider, type ResourceState } from '../engine/engine-types.ts';
import { MODE_TO_TYPE, type AuthorizationType, type BackendManifest } from '../manifest.ts';
import { newApiId, newApiKey } from '../random-ids.ts';
import type { DataApiKey, DataApiSpec, DataPlane } from './data-plane.ts';
import { deployedFunctions, functionHandlerTargets } from './function-provider.ts';

/** The data resource as the manifest asks for it (also what is stored as its `properties`). */
export interface DataDesired {
  sdl: string;
  modelIntrospection: Record<string, unknown>;
  defaultAuthorizationType: AuthorizationType;
  additionalAuthorizationTypes: AuthorizationType[];
  /** null: no API-key auth, so no key. */
  apiKey: { expiresInDays: number } | null;
  /** Custom operations' `@function(name:)` → defineFunction name (absent without function handlers). */
  functionHandlers?: Record<string, string>;
}

interface StoredKey { id: string; expiresAt: number }

export const GRAPHQL_OUTPUT_KEY = 'AWS::Amplify::GraphQL';
/** Amplify's default API key lifetime (`defineData({ authorizationModes: { apiKeyAuthorizationMode } })`). */
const DEFAULT_KEY_DAYS = 7;
const DAY = 86_400_000;

export interface DataProviderOptions {
  dataPlane: DataPlane;
  /** Base URL the data API is served under; the endpoint is `<base>/data/<apiId>/graphql`. */
  dataBaseUrl: () => string;
}

export const dataEndpoint = (base: string, apiId: string): string => `${base.replace(/\/+$/, '')}/data/${apiId}/graphql`;

/** The data API (AppSync's GraphQL API and its API keys), served by the data plane. */
export function dataProvider(options: DataProviderOptions): ResourceProvider<DataDesired> {
  const { dataPlane } = options;
  const type = 'AWS::AppSync::GraphQLApi';

  const spec = (ctx: Pick<ProviderContext, 'resources' | 'account' | 'region' | 'stackName'>, desired: DataDesired, keys: StoredKey[], allowDestructive: boolean): DataApiSpec => ({
    sdl: desired.sdl, modelIntrospection: desired.modelIntrospection,
    apiKeys: keys.map((k): DataApiKey => ({ id: k.id, expiresAt: new Date(k.expiresAt) })),
    defaultAuthorizationType: desired.defaultAuthorizationType,
    additionalAuthorizationTypes: desired.additionalAuthorizationTypes,
    // The auth step runs before this one, so a pool made in the same deployment is already there.
    userPoolId: ctx.resources.auth?.attributes.userPoolId as string | undefined,
    // The functions step runs before this one too: handlers resolve to the names just deployed.
    functions: { scope: { account: ctx.account, region: ctx.region }, handlers: functionHandlerTargets(ctx.stackName, desired.functionHandlers, deployedFunctions(ctx.resources)) },
    allowDestructive,
  });

  const stateOf = (ctx: ProviderContext, apiId: string, desired: DataDesired, keys: StoredKey[]): ResourceState => {
    const payload: Record<string, string> = {
      awsAppsyncApiId: apiId,
      awsAppsyncRegion: ctx.region,
      awsAppsyncApiEndpoint: dataEndpoint(options.dataBaseUrl(), apiId),
      awsAppsyncAuthenticationType: desired.defaultAuthorizationType,
      // Gantry's addition: Amplify stores the schema in S3 and the CLI derives model_introspection from it.
      amplifyApiModelIntrospection: JSON.stringify(desired.modelIntrospection),
    };
    if (desired.additionalAuthorizationTypes.length) payload.awsAppsyncAdditionalAuthenticationTypes = desired.additionalAuthorizationTypes.join(',');
    if (keys[0]) payload.awsAppsyncApiKey = keys[0].id;
    return { type, physicalId: apiId, properties: { ...desired }, attributes: { apiKeys: keys }, outputs: { key: GRAPHQL_OUTPUT_KEY, payload } };
  };

  return {
    logicalId: 'data',
    type,
    desired: desiredData,
    async plan(ctx, current, desired) {
      const step: PlanStep = { resource: 'data', type, action: 'none', details: [], deletes: [] };
      if (!desired) {
        if (!current) return step;
        const models = modelNames(current.properties.modelIntrospection);
        return { ...step, action: 'delete', details: [`data API ${current.physicalId} deleted`], deletes: [`data API ${current.physicalId} with every item of its models${models.length ? ` (${models.join(', ')})` : ''}`] };
      }
      const keys = keyPlan(current, desired, ctx.now().getTime());
      const before = current ? (current.properties as unknown as DataDesired) : undefined;
      const changed = !before || canonicalJson(before) !== canonicalJson(desired);
      if (!changed && !keys.changed) return step;
      step.action = current ? 'update' : 'create';
      step.details.push(...modelDiff(before?.modelIntrospection, desired.modelIntrospection, step.deletes), ...keys.details);
      if (before && before.defaultAuthorizationType !== desired.defaultAuthorizationType)
        step.details.push(`default authorization ${before.defaultAuthorizationType} → ${desired.defaultAuthorizationType}`);
      if (changed && before && !step.details.length) step.details.push('schema changed');
      if (changed && dataPlane.plan) {
        // The data plane knows what the SDL means for stored items (e.g. a dropped key field); ask it too.
        const apiId = current?.physicalId ?? 'planned';
        let summary;
        try {
          summary = await dataPlane.plan(apiId, spec(ctx, desired, keys.keys, ctx.allowDestructive));
        } catch (thrown) {
          const error = toGantryError(thrown);
          throw new GantryError('ValidationError', `The data schema cannot be deployed: ${error.message}`, { cause: thrown });
        }
        for (const d of summary.details) if (!step.details.includes(d)) step.details.push(d);
        for (const d of summary.deletes) if (!step.deletes.includes(d)) step.deletes.push(d);
      }
      return step;
    },
    async apply(ctx, current, desired) {
      const apiId = current?.physicalId ?? newApiId();
      const keys = keyPlan(current, desired, ctx.now().getTime()).keys;
      const state = stateOf(ctx, apiId, desired, keys);
      if (!current) ctx.progress(state);
      await dataPlane.deploy(apiId, spec(ctx, desired, keys, ctx.allowDestructive));
      return state;
    },
    async restore(ctx, _current, previous) {
      const desired = previous.properties as unknown as DataDesired;
      const keys = (previous.attributes.apiKeys ?? []) as StoredKey[];
      // Going back may drop a model the failed deployment had just added: that is the point of a rollback.
      await dataPlane.deploy(previous.physicalId, spec(ctx, desired, keys, true));
      return previous;
    },
    async delete(_ctx, current) {
      await dataPlane.remove(current.physicalId);
    },
  };
}

/** The manifest's data section, normalised: defaults filled in the way Amplify fills them. */
export function desiredData(manifest: BackendManifest): DataDesired | undefined {
  const data = manifest.data;
  if (!data) return undefined;
  const defaultType = data.defaultAuthorizationType ?? MODE_TO_TYPE[data.defaultAuthorizationMode ?? 'apiKey'];
  const additional = data.additionalAuthorizationTypes
    ?? [...new Set((data.authorizationModes ?? []).map((m) => MODE_TO_TYPE[m]))].filter((t) => t !== defaultType);
  const usesKey = defaultType === 'API_KEY' || additional.includes('API_KEY') || data.apiKey !== undefined;
  return {
    sdl: data.schema,
    modelIntrospection: data.modelIntrospection,
    defaultAuthorizationType: defaultType,
    additionalAuthorizationTypes: additional,
    apiKey: usesKey ? { expiresInDays: data.apiKey?.expiresInDays ?? DEFAULT_KEY_DAYS } : null,
    ...(data.functionHandlers && Object.keys(data.functionHandlers).length > 0 && { functionHandlers: { ...data.functionHandlers } }),
  };
}

/**
 * Which API keys the API will have: existing unexpired keys are kept (clients already ship them), a new one
 * is made only when none is left, and a changed lifetime moves the kept keys' expiry.
 */
function keyPlan(current: ResourceState | undefined, desired: DataDesired, now: number): { keys: StoredKey[]; changed: boolean; details: string[] } {
  const existing = ((current?.attributes.apiKeys ?? []) as StoredKey[]);
  if (!desired.apiKey) return { keys: [], changed: existing.length > 0, details: existing.map((k) => `API key ${mask(k.id)} deleted`) };
  const days = desired.apiKey.expiresInDays;
  const live = existing.filter((k) => k.expiresAt > now);
  const details: string[] = [];
  if (live.length < existing.length) details.push(`${existing.length - live.length} expired API key(s) deleted`);
  if (!live.length) {
    details.push(`API key created, valid for ${days} day(s)`);
    return { keys: [{ id: newApiKey(), expiresAt: now + days * DAY }], changed: true, details };
  }
  const previousDays = (current?.properties.apiKey as { expiresInDays?: number } | null | undefined)?.expiresInDays;
  if (previousDays !== undefined && previousDays !== days) {
    details.push(`API key lifetime ${previousDays} → ${days} day(s), from now`);
    return { keys: live.map((k) => ({ id: k.id, expiresAt: now + days * DAY })), changed: true, details };
  }
  return { keys: live, changed: live.length < existing.length, details };
}

const mask = (key: string): string => `${key.slice(0, 8)}…`;

function modelNames(introspection: unknown): string[] {
  const models = (introspection as { models?: Record<string, unknown> } | undefined)?.models;
  return models && typeof models === 'object' ? Object.keys(models).sort() : [];
}

/** Model-level differences in words; dropped models go to `deletes` too (their items are lost). */
function modelDiff(before: Record<string, unknown> | undefined, after: Record<string, unknown>, deletes: string[]): string[] {
  const details: string[] = [];
  const old = (before?.models ?? {}) as Record<string, unknown>;
  const now = (after.models ?? {}) as Record<string, unknown>;
  for (const name of modelNames(after)) {
    if (!(name in old)) details.push(`model ${name} added`);
    else if (canonicalJson(old[name]) !== canonicalJson(now[name])) details.push(`model ${name} changed`);
  }
  for (const name of modelNames(before)) {
    if (!(name in now)) {
      details.push(`model ${name} deleted`);
      deletes.push(`model ${name} and all its items`);
    }
  }
  if (!details.length && before && canonicalJson(before) !== canonicalJson(after)) details.push('schema changed');
  return details;
}
