/**
 * What the Amplify GraphQL transformer's generated resolvers do, for one model: create, get, update, delete,
 * list, secondary-index queries and relationship fields. The semantics are the transformer's:
 *
 * - create fills `id` (a UUID) when not given, `createdAt`/`updatedAt` with the current time, `@default`
 *   values; it fails with `DynamoDB:ConditionalCheckFailedException` when an item with the key exists;
 * - update and delete fail the same way when the item does not exist; update sets the given fields, removes
 *   the ones set to null and refreshes `updatedAt`; delete returns the deleted item;
 * - every mutation's `condition` is evaluated against the stored item (an empty one for create);
 * - get returns null for a missing item.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { AppSyncError, conditionalCheckFailed, unauthorizedField } from './errors.ts';
import { matchesFilter, type Filter } from './filter.ts';
import { accessFilter, accessUnder, itemGranted, ruleType, type Access, type AccessOperation } from './authorization/access.ts';
import { ownerValue, type AuthorizationType, type Caller } from './authorization/caller.ts';
import { keyFieldsOf, type FieldDef, type IndexDef, type ModelDef, type ModelSchema } from './model-schema.ts';
import { clampLimit, runQuery, type Direction, type Page } from './query.ts';
import type { ItemOps, ItemStore } from './storage/item-store.ts';
import { isUniqueViolation } from '@gantry/store';
import type { FunctionInvoker } from './function-resolver.ts';

export type MutationOperation = 'create' | 'update' | 'delete';

/** What resolvers get as the GraphQL context value. */
export interface ResolverContext {
  store: ItemStore;
  /** Called after a mutation committed. */
  onMutation(model: string, operation: MutationOperation, item: Record<string, unknown>): void;
  /** @default new Date().toISOString() */
  now?: () => string;
  limits: { defaultLimit: number; maxLimit: number };
  /** Who the request is made by; the model's `@auth` rules are checked against it. */
  caller: Caller;
  /** The API's default authorization type: models without `@auth` rules are open to it alone. */
  defaultType: AuthorizationType;
  /** Invokes the functions custom operations are backed by (absent where no function service is wired). */
  functions?: FunctionInvoker;
}

type Args = Record<string, unknown>;
type Item = Record<string, unknown>;

export const itemKey = (model: ModelDef, doc: Item): string => JSON.stringify(keyFieldsOf(model).map((f) => doc[f]));
export const itemPartition = (model: ModelDef, doc: Item): string => JSON.stringify(doc[model.primaryKey.partitionKey]);

const nowOf = (ctx: ResolverContext): string => (ctx.now ? ctx.now() : new Date().toISOString());

/** Strips graphql-js's null-prototype objects and undefined entries from coerced input. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Item = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value;
}

function defaultFor(field: FieldDef): unknown {
  const raw = field.defaultValue!;
  switch (field.type) {
    case 'Int':
    case 'Float':
    case 'AWSTimestamp':
      return Number(raw);
    case 'Boolean':
      return raw === 'true';
    case 'AWSJSON':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

/** The and of two filters, either of which may be absent. */
const both = (a: Filter | null, b: Filter | null): Filter | null => (a && b ? ({ and: [a, b] } as Filter) : (a ?? b));

/** The caller's access to a model for an operation, or the Unauthorized error of the field it came through. */
export function modelAccess(model: ModelDef, ctx: ResolverContext, operation: AccessOperation, info: Pick<GraphQLResolveInfo, 'fieldName' | 'parentType'>): Access {
  const access = accessUnder(model.authRules, ctx.caller, operation, ctx.defaultType);
  if (!access) throw unauthorizedField(info.fieldName, info.parentType.name);
  return access;
}

export class ModelResolvers {
  private readonly fieldByName: Map<string, FieldDef>;

  constructor(
    readonly model: ModelDef,
    private readonly schema: ModelSchema,
  ) {
    this.fieldByName = new Map(model.fields.map((f) => [f.name, f]));
  }

  private ownerFilter(access: Access): Filter | null {
    return accessFilter(access, (name) => this.fieldByName.get(name));
  }

  /** Fields of the input the caller may not write (field-level `@auth`) make the whole mutation unauthorized. */
  private checkFieldWrites(input: Item, operation: 'create' | 'update', ctx: ResolverContext, info: GraphQLResolveInfo, item: Item): void {
    for (const name of Object.keys(input)) {
      const rules = this.fieldByName.get(name)?.authRules;
      if (!rules) continue;
      const access = accessUnder(rules, ctx.caller, operation, ctx.defaultType);
      if (!access || !itemGranted(access, item)) throw unauthorizedField(info.fieldName, info.parentType.name);
    }
  }

  /** Owner fields a user's create left empty get the user, as the transformer's create resolver fills them. */
  private fillOwners(doc: Item, ctx: ResolverContext): void {
    if (ctx.caller.type !== 'AMAZON_COGNITO_USER_POOLS') return;
    for (const rule of this.model.authRules) {
      if (rule.allow !== 'owner' || ruleType(rule) !== 'AMAZON_COGNITO_USER_POOLS') continue;
      const field = rule.ownerField ?? 'owner';
      const value = ownerValue(ctx.caller, rule.identityClaim);
      if (value === undefined || (doc[field] !== undefined && doc[field] !== null)) continue;
      doc[field] = this.fieldByName.get(field)?.isList ? [value] : value;
    }
  }

  private notify(ctx: ResolverContext, operation: MutationOperation, item: Item): void {
    try {
      ctx.onMutation(this.model.name, operation, item);
    } catch (error) {
      console.error(`data: mutation listener failed for ${this.model.name}.${operation}:`, error);
    }
  }

  get = async (_: unknown, args: Args, ctx: ResolverContext, info: GraphQLResolveInfo): Promise<Item | null> => {
    const access = modelAccess(this.model, ctx, 'read', info);
    const item = (await ctx.store.get(this.model.name, itemKey(this.model, args)))?.doc ?? null;
    if (item && !itemGranted(access, item)) throw unauthorizedField(info.fieldName, info.parentType.name);
    return item;
  };

  list = async (_: unknown, args: Args, ctx: ResolverContext, info: GraphQLResolveInfo): Promise<Page> => {
    const access = modelAccess(this.model, ctx, 'read', info);
    const { partitionKey, sortKeys } = this.model.primaryKey;
    const pkValue = args[partitionKey];
    const skArg = sortKeys.length === 1 ? sortKeys[0]! : sortKeys.length > 1 ? compositeArgName(sortKeys) : undefined;
    const keyCondition = skArg ? (args[skArg] as Args | null | undefined) : undefined;
    if (keyCondition && (pkValue === undefined || pkValue === null)) {
      throw new AppSyncError('InvalidArgumentsError', `When providing argument '${skArg}' you must also provide arguments ${partitionKey}`);
    }
    const limit = clampLimit(args.limit as number | null | undefined, ctx.limits);
    // An owner's list is the items it owns: the rule is one more filter, so pages may come back short, as on AppSync.
    const common = { model: this.model.name, filter: both(plain(args.filter) as Filter | null, this.ownerFilter(access)), limit, nextToken: args.nextToken as string | null, scope: info.fieldName };
    if (pkValue === undefined || pkValue === null) return runQuery(ctx.store, { ...common, sortKeys: [] });
    return runQuery(ctx.store, {
      ...common,
      equals: [[partitionKey, pkValue]],
      primaryPartition: JSON.stringify(pkValue),
      sortKeys,
      keyCondition: plain(keyCondition) as Args | null,
      direction: args.sortDirection as Direction | null,
    });
  };

  indexQuery(index: IndexDef) {
    return async (_: unknown, args: Args, ctx: ResolverContext, info: GraphQLResolveInfo): Promise<Page> => {
      const access = modelAccess(this.model, ctx, 'read', info);
      const skArg = index.sortKeys.length === 1 ? index.sortKeys[0]! : index.sortKeys.length > 1 ? compositeArgName(index.sortKeys) : undefined;
      return runQuery(ctx.store, {
        model: this.model.name,
        equals: [[index.partitionKey, args[index.partitionKey]]],
        sortKeys: index.sortKeys,
        keyCondition: skArg ? (plain(args[skArg]) as Args | null) : null,
        direction: args.sortDirection as Direction | null,
        filter: both(plain(args.filter) as Filter | null, this.ownerFilter(access)),
        limit: clampLimit(args.limit as number | null | undefined, ctx.limits),
        nextToken: args.nextToken as string | null,
        scope: info.fieldName,
      });
    };
  }

  create = async (_: unknown, args: Args, ctx: ResolverContext, info: GraphQLResolveInfo): Promise<Item> => {
    const access = modelAccess(this.model, ctx, 'create', info);
    const doc = plain(args.input) as Item;
    this.fillOwners(doc, ctx);
    if (!itemGranted(access, doc)) throw unauthorizedField(info.fieldName, info.parentType.name);
    this.checkFieldWrites(plain(args.input) as Item, 'create', ctx, info, doc);
    const idField = this.fieldByName.get('id');
    if (idField && idField.type === 'ID' && (doc.id === undefined || doc.id === null)) doc.id = randomUUID();
    for (const field of this.model.fields) {
      if (field.defaultValue !== undefined && (doc[field.name] === undefined || doc[field.name] === null)) doc[field.name] = defaultFor(field);
    }
    const now = nowOf(ctx);
    const { createdAt, updatedAt } = this.model.timestamps;
    if (createdAt && doc[createdAt] == null) doc[createdAt] = now;
    if (updatedAt && doc[updatedAt] == null) doc[updatedAt] = now;
    this.checkRequired(doc);
    const condition = plain(args.condition) as Filter | null;
    if (condition && !matchesFilter({}, condition)) throw conditionalCheckFailed();
    // The unique (model, key) constraint is the existence check: one statement, no transaction.
    try {
      await ctx.store.insert(this.model.name, itemKey(this.model, doc), itemPartition(this.model, doc), doc);
    } catch (error) {
      if (isUniqueViolation(error)) throw conditionalCheckFailed();
      throw error;
    }
    this.notify(ctx, 'create', doc);
    return doc;
  };

  update = async (_: unknown, args: Args, ctx: ResolverContext, info: GraphQLResolveInfo): Promise<Item> => {
    const access = modelAccess(this.model, ctx, 'update', info);
    const input = plain(args.input) as Item;
    const condition = plain(args.condition) as Filter | null;
    const key = itemKey(this.model, input);
    const updated = await ctx.store.transaction(async (ops: ItemOps) => {
      const existing = await ops.get(this.model.name, key);
      if (!existing) throw conditionalCheckFailed();
      if (!itemGranted(access, existing.doc)) throw unauthorizedField(info.fieldName, info.parentType.name);
      this.checkFieldWrites(input, 'update', ctx, info, existing.doc);
      if (condition && !matchesFilter(existing.doc, condition)) throw conditionalCheckFailed();
      const next: Item = { ...existing.doc };
      for (const [name, value] of Object.entries(input)) {
        if (value !== null) next[name] = value;
        else if (this.fieldByName.get(name)?.isRequired) throw this.requiredError(name);
        else delete next[name];
      }
      // An owner may not hand the item to someone else (it would lose it, and they never agreed).
      if (!itemGranted(access, next)) throw unauthorizedField(info.fieldName, info.parentType.name);
      const { updatedAt } = this.model.timestamps;
      if (updatedAt && input[updatedAt] == null) next[updatedAt] = nowOf(ctx);
      await ops.replace(this.model.name, key, next);
      return next;
    });
    this.notify(ctx, 'update', updated);
    return updated;
  };

  delete = async (_: unknown, args: Args, ctx: ResolverContext, info: GraphQLResolveInfo): Promise<Item> => {
    const access = modelAccess(this.model, ctx, 'delete', info);
    const input = plain(args.input) as Item;
    const condition = plain(args.condition) as Filter | null;
    const key = itemKey(this.model, input);
    const deleted = await ctx.store.transaction(async (ops: ItemOps) => {
      const existing = await ops.get(this.model.name, key);
      if (!existing) throw conditionalCheckFailed();
      if (!itemGranted(access, existing.doc)) throw unauthorizedField(info.fieldName, info.parentType.name);
      if (condition && !matchesFilter(existing.doc, condition)) throw conditionalCheckFailed();
      await ops.delete(this.model.name, key);
      return existing.doc;
    });
    this.notify(ctx, 'delete', deleted);
    return deleted;
  };

  /** A required (`T!`) field may not be removed by setting it to null. */
  private checkRequired(doc: Item): void {
    for (const field of this.model.fields) {
      if (!field.isRequired || field.relation) continue;
      if (doc[field.name] === undefined || doc[field.name] === null) throw this.requiredError(field.name);
    }
  }

  private requiredError(name: string): AppSyncError {
    return new AppSyncError('ValidationError', `${this.model.name}.${name} is required (${this.fieldByName.get(name)?.type}!), so it cannot be null or removed`);
  }

  /** Resolver of a relationship field on this model. */
  relation(field: FieldDef) {
    const relation = field.relation!;
    const related = this.schema.models.find((m) => m.name === relation.model)!;
    const ownKey = keyFieldsOf(this.model);
    const relatedField = (name: string) => related.fields.find((f) => f.name === name);
    return async (parent: Item, args: Args, ctx: ResolverContext, info: GraphQLResolveInfo): Promise<unknown> => {
      const access = modelAccess(related, ctx, 'read', info);
      const granted = (item: Item | null | undefined): Item | null => {
        if (item && !itemGranted(access, item)) throw unauthorizedField(info.fieldName, info.parentType.name);
        return item ?? null;
      };
      if (relation.kind === 'belongsTo') {
        const values = relation.references.map((r) => parent[r]);
        if (values.some((v) => v === undefined || v === null)) return null;
        return granted((await ctx.store.get(related.name, JSON.stringify(values)))?.doc);
      }
      const values = ownKey.map((k) => parent[k]);
      if (values.some((v) => v === undefined || v === null)) return relation.kind === 'hasMany' ? { items: [], nextToken: null } : null;
      const equals = relation.references.map((r, i) => [r, values[i]] as [string, unknown]);
      const primaryPartition =
        relation.references.length === 1 && relation.references[0] === related.primaryKey.partitionKey ? JSON.stringify(values[0]) : undefined;
      if (relation.kind === 'hasOne') {
        const page = await runQuery(ctx.store, { model: related.name, equals, primaryPartition, sortKeys: [], limit: 1, scope: `${this.model.name}.${field.name}` });
        return granted(page.items[0] as Item | undefined);
      }
      return runQuery(ctx.store, {
        model: related.name,
        equals,
        primaryPartition,
        sortKeys: [],
        direction: args.sortDirection as Direction | null,
        filter: both(plain(args.filter) as Filter | null, accessFilter(access, relatedField)),
        limit: clampLimit(args.limit as number | null | undefined, ctx.limits),
        nextToken: args.nextToken as string | null,
        scope: `${this.model.name}.${field.name}`,
      });
    };
  }
}

/** The argument name of a composite sort key: the fields camel-cased together (`statusCreatedAt`). */
export const compositeArgName = (sortKeys: string[]): string => sortKeys.map((k, i) => (i === 0 ? k : k.charAt(0).toUpperCase() + k.slice(1))).join('');

/** Resolver of a field with its own `@auth` rules: its value only for callers the rules grant it to on this item. */
export function restrictedFieldResolver(field: FieldDef) {
  return (parent: Item, _args: Args, ctx: ResolverContext, info: GraphQLResolveInfo): unknown => {
    const access = accessUnder(field.authRules!, ctx.caller, 'read', ctx.defaultType);
    if (!access || !itemGranted(access, parent)) throw unauthorizedField(info.fieldName, info.parentType.name);
    return parent[field.name];
  };
}
