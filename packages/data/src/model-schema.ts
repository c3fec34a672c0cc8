/**
 * The model schema: what `@aws-amplify/data-schema`'s `schema.transform().schema` SDL says about models,
 * fields, keys, indexes and relationships, normalised into plain data. Everything else in this package
 * (the executable AppSync schema, the resolvers, the storage plan) is derived from it.
 *
 * The SDL is the source of truth for structure. The model introspection JSON only contributes the names the
 * client builds its documents from (`pluralName`), so that `list<PluralName>` matches what `aws-amplify` sends.
 */
import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type TypeNode } from 'graphql';
import { GantryError } from '@gantry/core';

/** AppSync's built-in scalars plus GraphQL's own. */
export const AWS_SCALARS = ['AWSDate', 'AWSTime', 'AWSDateTime', 'AWSTimestamp', 'AWSEmail', 'AWSJSON', 'AWSURL', 'AWSPhone', 'AWSIPAddress'] as const;
export const BUILTIN_SCALARS = ['ID', 'String', 'Int', 'Float', 'Boolean'] as const;
const SCALARS = new Set<string>([...AWS_SCALARS, ...BUILTIN_SCALARS]);

export type FieldKind = 'scalar' | 'enum' | 'nonModel' | 'model';

export interface RelationDef {
  kind: 'hasMany' | 'hasOne' | 'belongsTo';
  /** The related model. */
  model: string;
  /**
   * `references` of the Gen 2 relationship: for hasMany/hasOne the fields *on the related model* holding this
   * model's primary key (partition key then sort keys); for belongsTo the fields *on this model* holding the
   * related model's primary key.
   */
  references: string[];
}

export interface FieldDef {
  name: string;
  /** Named type: a scalar, an enum, a non-model type or a model. */
  type: string;
  kind: FieldKind;
  isList: boolean;
  /** `T!` (or `[T]!` for lists). */
  isRequired: boolean;
  /** `[T!]`. */
  isListItemRequired: boolean;
  /** Filled by the server (`createdAt`, `updatedAt`); not part of create/update inputs unless declared. */
  isReadOnly: boolean;
  /** Declared in the SDL (false for the implicit `id`, `createdAt`, `updatedAt`). */
  declared: boolean;
  relation?: RelationDef;
  /** `@default(value: "...")`, as the string the directive carries. */
  defaultValue?: string;
  /** Field-level `@auth` rules; absent when the field has none (the model's rules apply). */
  authRules?: AuthRule[];
}

export interface IndexDef {
  name: string;
  partitionKey: string;
  sortKeys: string[];
  /** The Query field exposing the index, if any (`@index(queryField:)`). */
  queryField?: string;
}

/** One rule of an `@auth` directive, as the Amplify transformer reads it. */
export interface AuthRule {
  /** `public`, `private`, `owner`, `groups`, `custom`. */
  allow: string;
  /** `apiKey`, `iam`, `identityPool`, `userPools`, `oidc`, `function`; each `allow` has its default. */
  provider?: string;
  operations?: string[];
  /** `owner` rules: the field holding the owner(s). @default "owner" */
  ownerField?: string;
  /** `owner` rules: the token claim that identifies the owner. @default "sub::username" */
  identityClaim?: string;
  /** `groups` rules: the static groups allowed. */
  groups?: string[];
  /** `groups` rules: the field naming the groups allowed to an item (dynamic groups). */
  groupsField?: string;
}

export interface ModelDef {
  name: string;
  /** From the model introspection (the client builds `list<PluralName>` from it). */
  pluralName: string;
  fields: FieldDef[];
  primaryKey: { partitionKey: string; sortKeys: string[] };
  /** `@primaryKey` was used (changes the list/get arguments). */
  isCustomPrimaryKey: boolean;
  indexes: IndexDef[];
  timestamps: { createdAt?: string; updatedAt?: string };
  /** `@auth` rules; empty when the model has no `@auth` (the API default, API key, applies). */
  authRules: AuthRule[];
}

export interface NonModelDef {
  name: string;
  fields: FieldDef[];
}

export interface ModelSchema {
  models: ModelDef[];
  enums: Map<string, string[]>;
  nonModels: Map<string, NonModelDef>;
}

/** The parts of the model introspection JSON we read (see captures/todo-model-introspection.json). */
export interface ModelIntrospection {
  version?: number;
  models?: Record<string, { name?: string; pluralName?: string }>;
  enums?: Record<string, unknown>;
  nonModels?: Record<string, unknown>;
}

const invalid = (message: string): GantryError => new GantryError('ValidationError', `Invalid data schema: ${message}`);

function constValue(node: ConstValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(constValue);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, constValue(f.value)]));
  }
}

function directiveArgs(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, constValue(a.value)]));
}

function unwrapType(node: TypeNode): { type: string; isList: boolean; isRequired: boolean; isListItemRequired: boolean } {
  let isRequired = false;
  let current = node;
  if (current.kind === Kind.NON_NULL_TYPE) {
    isRequired = true;
    current = current.type;
  }
  if (current.kind === Kind.LIST_TYPE) {
    let inner = current.type;
    let isListItemRequired = false;
    if (inner.kind === Kind.NON_NULL_TYPE) {
      isListItemRequired = true;
      inner = inner.type;
    }
    if (inner.kind !== Kind.NAMED_TYPE) throw invalid('nested lists are not supported');
    return { type: inner.name.value, isList: true, isRequired, isListItemRequired };
  }
  return { type: current.name.value, isList: false, isRequired, isListItemRequired: false };
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** A fallback when no introspection is given: the common English plural rules. */
export function pluralize(name: string): string {
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  return `${name}s`;
}

/**
 * Reads the Amplify-directive SDL (`schema.transform().schema`) and, optionally, the model introspection.
 * Throws a `ValidationError` GantryError naming what is wrong.
 */
export function parseModelSchema(sdl: string, introspection?: ModelIntrospection | null): ModelSchema {
  let document;
  try {
    document = parse(sdl, { noLocation: true });
  } catch (error) {
    throw invalid(`the SDL does not parse: ${(error as Error).message}`);
  }
  const enums = new Map<string, string[]>();
  const objectTypes = document.definitions.filter((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) enums.set(definition.name.value, (definition.values ?? []).map((v) => v.name.value));
  }
  const modelNames = new Set(
    objectTypes.filter((t) => t.kind === Kind.OBJECT_TYPE_DEFINITION && t.directives?.some((d) => d.name.value === 'model')).map((t) => (t as { name: { value: string } }).name.value),
  );
  const nonModelNames = new Set(
    objectTypes
      .map((t) => (t as { name: { value: string } }).name.value)
      .filter((name) => !modelNames.has(name) && !['Query', 'Mutation', 'Subscription'].includes(name)),
  );
  const kindOf = (type: string, where: string): FieldKind => {
    if (SCALARS.has(type)) return 'scalar';
    if (enums.has(type)) return 'enum';
    if (modelNames.has(type)) return 'model';
    if (nonModelNames.has(type)) return 'nonModel';
    throw invalid(`${where} has type ${type}, which is neither a scalar, an enum, a custom type nor a model`);
  };

  const models: ModelDef[] = [];
  const nonModels = new Map<string, NonModelDef>();
  for (const definition of objectTypes) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const typeName = definition.name.value;
    if (['Query', 'Mutation', 'Subscription'].includes(typeName)) continue; // custom operations: not served here
    const isModel = modelNames.has(typeName);
    const fields: FieldDef[] = [];
    let primaryKey: { partitionKey: string; sortKeys: string[] } | undefined;
    const indexes: IndexDef[] = [];
    for (const fieldNode of definition.fields ?? []) {
      const name = fieldNode.name.value;
      const shape = unwrapType(fieldNode.type);
      const field: FieldDef = { name, ...shape, kind: kindOf(shape.type, `${typeName}.${name}`), isReadOnly: false, declared: true };
      for (const directive of fieldNode.directives ?? []) {
        const args = directiveArgs(directive);
        switch (directive.name.value) {
          case 'primaryKey':
            if (primaryKey) throw invalid(`${typeName} has more than one @primaryKey`);
            primaryKey = { partitionKey: name, sortKeys: stringList(args.sortKeyFields) };
            break;
          case 'index': {
            const sortKeys = stringList(args.sortKeyFields);
            const indexName = typeof args.name === 'string' ? args.name : `${typeName.charAt(0).toLowerCase()}${typeName.slice(1)}sBy${[name, ...sortKeys].map(capitalize).join('And')}`;
            indexes.push({ name: indexName, partitionKey: name, sortKeys, queryField: typeof args.queryField === 'string' ? args.queryField : undefined });
            break;
          }
          case 'hasMany':
          case 'hasOne':
          case 'belongsTo': {
            if (field.kind !== 'model') throw invalid(`${typeName}.${name} has @${directive.name.value} but ${shape.type} is not a model`);
            const references = stringList(args.references ?? args.fields);
            if (references.length === 0) {
              throw invalid(`${typeName}.${name}: @${directive.name.value} needs references: [...] (Gen 2 relationships); the Gen 1 form without references is not supported`);
            }
            field.relation = { kind: directive.name.value, model: shape.type, references };
            break;
          }
          case 'manyToMany':
            throw invalid(`${typeName}.${name}: @manyToMany is not supported; model the join table explicitly with two @hasMany/@belongsTo pairs`);
          case 'default':
            if (args.value !== undefined && args.value !== null) field.defaultValue = String(args.value);
            break;
          case 'auth':
            field.authRules = authRulesOf(directive);
            break;
          default:
            break; // other directives do not change the data plane
        }
      }
      if (field.kind === 'model' && !field.relation) {
        throw invalid(`${typeName}.${name} refers to the model ${shape.type} without @hasMany, @hasOne or @belongsTo`);
      }
      if (!isModel && field.kind === 'model') throw invalid(`custom type ${typeName}.${name} cannot refer to the model ${shape.type}`);
      fields.push(field);
    }
    if (!isModel) {
      nonModels.set(typeName, { name: typeName, fields });
      continue;
    }
    const modelDirective = definition.directives!.find((d) => d.name.value === 'model')!;
    const modelArgs = directiveArgs(modelDirective);
    const timestampsArg = modelArgs.timestamps as Record<string, unknown> | null | undefined;
    const timestamps =
      timestampsArg === null
        ? {}
        : {
            createdAt: typeof timestampsArg?.createdAt === 'string' ? timestampsArg.createdAt : timestampsArg && 'createdAt' in timestampsArg ? undefined : 'createdAt',
            updatedAt: typeof timestampsArg?.updatedAt === 'string' ? timestampsArg.updatedAt : timestampsArg && 'updatedAt' in timestampsArg ? undefined : 'updatedAt',
          };
    const authDirective = definition.directives!.find((d) => d.name.value === 'auth');
    const authRules = authDirective ? authRulesOf(authDirective) : [];
    // The transformer adds the owner field of an owner rule when the model does not declare it.
    for (const ownerField of new Set([...authRules, ...fields.flatMap((f) => f.authRules ?? [])].filter((r) => r.allow === 'owner').map((r) => r.ownerField ?? 'owner'))) {
      if (!fields.some((f) => f.name === ownerField)) {
        fields.push({ name: ownerField, type: 'String', kind: 'scalar', isList: false, isRequired: false, isListItemRequired: false, isReadOnly: false, declared: false });
      }
    }
    // Implicit fields, as the transformer adds them.
    const isCustomPrimaryKey = primaryKey !== undefined;
    if (!primaryKey) {
      primaryKey = { partitionKey: 'id', sortKeys: [] };
      if (!fields.some((f) => f.name === 'id')) {
        fields.unshift({ name: 'id', type: 'ID', kind: 'scalar', isList: false, isRequired: true, isListItemRequired: false, isReadOnly: false, declared: false });
      }
    }
    for (const stamp of [timestamps.createdAt, timestamps.updatedAt]) {
      if (stamp && !fields.some((f) => f.name === stamp)) {
        fields.push({ name: stamp, type: 'AWSDateTime', kind: 'scalar', isList: false, isRequired: true, isListItemRequired: false, isReadOnly: true, declared: false });
      }
    }
    const introModel = introspection?.models?.[typeName];
    models.push({
      name: typeName,
      pluralName: introModel?.pluralName ?? pluralize(typeName),
      fields,
      primaryKey,
      isCustomPrimaryKey,
      indexes,
      timestamps,
      authRules,
    });
  }

  const schema: ModelSchema = { models, enums, nonModels };
  checkModelSchema(schema);
  return schema;
}

function checkModelSchema(schema: ModelSchema): void {
  if (schema.models.length === 0) throw invalid('no type has @model');
  const byName = new Map(schema.models.map((m) => [m.name, m]));
  for (const model of schema.models) {
    const fieldByName = new Map(model.fields.map((f) => [f.name, f]));
    const keyFields = [model.primaryKey.partitionKey, ...model.primaryKey.sortKeys];
    for (const key of keyFields) {
      const field = fieldByName.get(key);
      if (!field) throw invalid(`${model.name}: primary key field ${key} does not exist`);
      if (field.kind !== 'scalar' && field.kind !== 'enum') throw invalid(`${model.name}.${key} is a key field, so it must be a scalar or an enum`);
      if (field.isList) throw invalid(`${model.name}.${key} is a key field, so it cannot be a list`);
      if (!field.isRequired) throw invalid(`${model.name}.${key} is a primary key field, so it must be required (${field.type}!)`);
    }
    for (const index of model.indexes) {
      for (const key of [index.partitionKey, ...index.sortKeys]) {
        const field = fieldByName.get(key);
        if (!field) throw invalid(`${model.name}: index ${index.name} uses field ${key}, which does not exist`);
        if (field.kind !== 'scalar' && field.kind !== 'enum') throw invalid(`${model.name}.${key} is an index key, so it must be a scalar or an enum`);
      }
    }
    for (const field of model.fields) {
      if (!field.relation) continue;
      const related = byName.get(field.relation.model)!;
      const relatedKey = [related.primaryKey.partitionKey, ...related.primaryKey.sortKeys];
      const ownKey = keyFields;
      if (field.relation.kind === 'belongsTo') {
        if (field.relation.references.length !== relatedKey.length) {
          throw invalid(`${model.name}.${field.name}: @belongsTo references ${field.relation.references.length} field(s) but ${related.name}'s primary key has ${relatedKey.length}`);
        }
        for (const ref of field.relation.references) if (!fieldByName.has(ref)) throw invalid(`${model.name}.${field.name}: reference field ${ref} does not exist on ${model.name}`);
      } else {
        if (field.relation.references.length !== ownKey.length) {
          throw invalid(`${model.name}.${field.name}: @${field.relation.kind} references ${field.relation.references.length} field(s) but ${model.name}'s primary key has ${ownKey.length}`);
        }
        const relatedFields = new Set(related.fields.map((f) => f.name));
        for (const ref of field.relation.references) if (!relatedFields.has(ref)) throw invalid(`${model.name}.${field.name}: reference field ${ref} does not exist on ${related.name}`);
      }
    }
  }
}

function authRulesOf(directive: ConstDirectiveNode): AuthRule[] {
  return ((directiveArgs(directive).rules as unknown[] | undefined) ?? []).map((r) => {
    const rule = r as Record<string, unknown>;
    const text = (key: string) => (typeof rule[key] === 'string' ? (rule[key] as string) : undefined);
    return {
      allow: String(rule.allow), provider: text('provider'), operations: rule.operations ? stringList(rule.operations) : undefined,
      ownerField: text('ownerField'), identityClaim: text('identityClaim'), groupsField: text('groupsField'),
      groups: rule.groups ? stringList(rule.groups) : undefined,
    };
  });
}

/** Which operations the API key may perform on a model, from its `@auth` rules. */
export function apiKeyOperations(model: ModelDef): Set<'create' | 'update' | 'delete' | 'read'> {
  const all = ['create', 'update', 'delete', 'read'] as const;
  if (model.authRules.length === 0) return new Set(all);
  const allowed = new Set<'create' | 'update' | 'delete' | 'read'>();
  for (const rule of model.authRules) {
    if (rule.allow !== 'public' || (rule.provider !== undefined && rule.provider !== 'apiKey')) continue;
    for (const op of rule.operations ?? all) {
      if (op === 'get' || op === 'list' || op === 'listen' || op === 'sync' || op === 'search') allowed.add('read');
      else if ((all as readonly string[]).includes(op)) allowed.add(op as 'create' | 'update' | 'delete' | 'read');
    }
  }
  return allowed;
}

export const keyFieldsOf = (model: ModelDef): string[] => [model.primaryKey.partitionKey, ...model.primaryKey.sortKeys];
