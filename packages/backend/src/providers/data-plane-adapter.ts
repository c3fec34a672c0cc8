import type { AuthorizationType } from '../manifest.ts';
import type { DataApiSpec, DataChangeSummary, DataPlane } from './data-plane.ts';

/**
 * The shape of `@gantry/data`'s `DataApi` this adapter needs, declared structurally so the engine does not
 * import the data package: `dataPlaneFromDataApi(createDataApi({ rootDir }))` is all the wiring there is.
 */
export interface DataApiLike {
  plan(apiId: string, input: DataApiInput): Promise<SchemaPlanLike>;
  deploy(apiId: string, input: DataApiInput): Promise<unknown>;
  remove(apiId: string): Promise<void>;
}

interface DataApiInput {
  sdl: string;
  modelIntrospection?: any;
  apiKeys?: Array<{ id: string; expiresAt: Date }>;
  allowDestructive?: boolean;
  authorization?: { defaultType: AuthorizationType; additionalTypes: AuthorizationType[]; userPoolId?: string };
  functions?: DataApiSpec['functions'];
}

/** `@gantry/data`'s SchemaPlan. */
export interface SchemaPlanLike {
  addedModels: string[];
  addedFields: Array<{ model: string; field: string }>;
  removedModels: Array<{ model: string; items: number }>;
  removedFields: Array<{ model: string; field: string }>;
  changedKeys: Array<{ model: string; from: string[]; to: string[]; items: number }>;
  destructive: boolean;
}

const input = (spec: DataApiSpec): DataApiInput => ({
  sdl: spec.sdl, modelIntrospection: spec.modelIntrospection, apiKeys: spec.apiKeys, allowDestructive: spec.allowDestructive,
  authorization: { defaultType: spec.defaultAuthorizationType, additionalTypes: spec.additionalAuthorizationTypes, ...(spec.userPoolId && { userPoolId: spec.userPoolId }) },
  ...(spec.functions && { functions: spec.functions }),
});

/** Words for a SchemaPlan, using the engine's phrases for dropped models so the two sources merge. */
export function describeSchemaPlan(plan: SchemaPlanLike): DataChangeSummary {
  const details: string[] = [];
  const deletes: string[] = [];
  for (const { model, field } of plan.addedFields) details.push(`field ${model}.${field} added`);
  for (const { model, field } of plan.removedFields) details.push(`field ${model}.${field} removed`);
  for (const { model, items } of plan.removedModels) {
    details.push(`${items} item(s) of model ${model} deleted`);
    deletes.push(`model ${model} and all its items`);
  }
  for (const { model, from, to, items } of plan.changedKeys) {
    details.push(`primary key of model ${model} ${from.join('+')} → ${to.join('+')}`);
    deletes.push(`the ${items} item(s) of model ${model} (its primary key changed)`);
  }
  return { details, deletes };
}

export function dataPlaneFromDataApi(api: DataApiLike): DataPlane {
  return {
    plan: async (apiId, spec) => describeSchemaPlan(await api.plan(apiId, input(spec))),
    deploy: async (apiId, spec) => {
      await api.deploy(apiId, input(spec));
    },
    remove: (apiId) => api.remove(apiId),
  };
}
