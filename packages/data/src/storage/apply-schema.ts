/**
 * Schema changes against the stored items of one API. Items are JSON documents, so adding a model or a
 * field needs no migration and keeps every item; removing a field hides it (its values stay in the documents
 * and come back if the field is added again). Removing a model, or changing its primary key, deletes its
 * items: that needs `allowDestructive`, and the plan says how many items would go.
 *
 * `planSchema` is the dry run; `applySchema` checks the same plan and carries it out.
 */
import { GantryError } from '@gantry/core';
import { keyFieldsOf, type ModelDef } from '../model-schema.ts';
import { openApiStore, type ItemStore } from './item-store.ts';

/** What a deployment records about each model, to compare the next one with. */
export interface StoredModelShape {
  fields: string[];
  key: string[];
}

export type StoredShape = Record<string, StoredModelShape>;

export interface SchemaPlan {
  addedModels: string[];
  addedFields: Array<{ model: string; field: string }>;
  /** Models that disappear, with the number of items that would be deleted. */
  removedModels: Array<{ model: string; items: number }>;
  removedFields: Array<{ model: string; field: string }>;
  /** Models whose primary key changed: their items are deleted (keys cannot be rewritten in place). */
  changedKeys: Array<{ model: string; from: string[]; to: string[]; items: number }>;
  /** True when applying deletes items (so `allowDestructive` is required). */
  destructive: boolean;
}

export const META_SHAPE = 'shape';

export function shapeOf(models: readonly ModelDef[]): StoredShape {
  return Object.fromEntries(models.map((m) => [m.name, { fields: m.fields.filter((f) => !f.relation).map((f) => f.name), key: keyFieldsOf(m) }]));
}

export async function readShape(store: ItemStore): Promise<StoredShape> {
  const raw = await store.getMeta(META_SHAPE);
  return raw ? (JSON.parse(raw) as StoredShape) : {};
}

/** Runs `fn` on the given store, or on the store of an API directory (opened and closed around it). */
async function withStore<T>(target: ItemStore | string, fn: (store: ItemStore) => Promise<T>): Promise<T> {
  if (typeof target !== 'string') return fn(target);
  const store = await openApiStore(target);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The dry run: what applying `models` to a store (or an API directory) would change. */
export function planSchema(target: ItemStore | string, models: readonly ModelDef[]): Promise<SchemaPlan> {
  return withStore(target, (store) => planOn(store, models));
}

async function planOn(store: ItemStore, models: readonly ModelDef[]): Promise<SchemaPlan> {
  const previous = await readShape(store);
  const next = shapeOf(models);
  const plan: SchemaPlan = { addedModels: [], addedFields: [], removedModels: [], removedFields: [], changedKeys: [], destructive: false };
  for (const [model, shape] of Object.entries(next)) {
    const before = previous[model];
    if (!before) {
      plan.addedModels.push(model);
      continue;
    }
    for (const field of shape.fields) if (!before.fields.includes(field)) plan.addedFields.push({ model, field });
    for (const field of before.fields) if (!shape.fields.includes(field)) plan.removedFields.push({ model, field });
    if (JSON.stringify(before.key) !== JSON.stringify(shape.key)) plan.changedKeys.push({ model, from: before.key, to: shape.key, items: await store.count(model) });
  }
  for (const model of Object.keys(previous)) {
    if (!next[model]) plan.removedModels.push({ model, items: await store.count(model) });
  }
  plan.destructive = plan.removedModels.length > 0 || plan.changedKeys.length > 0;
  return plan;
}

export function describeDestruction(plan: SchemaPlan): string {
  const parts = [
    ...plan.removedModels.map((r) => `removing model ${r.model} deletes its ${r.items} item(s)`),
    ...plan.changedKeys.map((c) => `changing the primary key of ${c.model} from (${c.from.join(', ')}) to (${c.to.join(', ')}) deletes its ${c.items} item(s)`),
  ];
  return parts.join('; ');
}

/**
 * Applies `models` to the store: checks the plan, deletes what a destructive change removes (only with
 * `allowDestructive`), records the new shape. Returns the plan that was applied.
 */
export function applySchema(target: ItemStore | string, models: readonly ModelDef[], options: { allowDestructive?: boolean } = {}): Promise<SchemaPlan> {
  return withStore(target, (store) => applyOn(store, models, options));
}

async function applyOn(store: ItemStore, models: readonly ModelDef[], options: { allowDestructive?: boolean }): Promise<SchemaPlan> {
  const plan = await planOn(store, models);
  if (plan.destructive && !options.allowDestructive) {
    throw new GantryError('Conflict', `This deployment would delete data: ${describeDestruction(plan)}. Deploy again with allowDestructive to accept the loss, or keep the model.`, {
      details: { plan },
    });
  }
  await store.transaction(async (ops) => {
    for (const removed of plan.removedModels) await ops.deleteModel(removed.model);
    for (const changed of plan.changedKeys) await ops.deleteModel(changed.model);
    await ops.setMeta(META_SHAPE, JSON.stringify(shapeOf(models)));
  });
  return plan;
}
