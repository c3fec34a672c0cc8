/**
 * The executable AppSync schema for a model schema, with the types, inputs and fields the Amplify GraphQL
 * transformer generates (so documents written for a real AppSync API, and the ones `aws-amplify` builds
 * from the model introspection, validate unchanged):
 *
 * - per model `M`: the object type `M` (with `id`, `createdAt`, `updatedAt`), `ModelMConnection`,
 *   `CreateMInput`, `UpdateMInput`, `DeleteMInput`, `ModelMConditionInput`, `ModelMFilterInput`,
 *   `ModelSubscriptionMFilterInput`;
 * - `Query.getM(<key fields>)`, `Query.listMs(filter, limit, nextToken[, pk, sk condition, sortDirection])`,
 *   one field per `@index(queryField:)`;
 * - `Mutation.createM/updateM/deleteM(input, condition)`;
 * - `Subscription.onCreateM/onUpdateM/onDeleteM(filter)` (delivered by the realtime layer, which can run
 *   the selection over an event with `execute({ schema, document, rootValue: { onCreateM: item } })`);
 * - the shared `ModelStringInput`, `ModelIDInput`, `ModelIntInput`, `ModelFloatInput`, `ModelBooleanInput`,
 *   `ModelSizeInput`, `ModelAttributeTypes`, `ModelSortDirection`, key-condition and subscription inputs.
 */
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLScalarType,
} from 'graphql';
import { keyFieldsOf, type FieldDef, type ModelDef, type ModelSchema } from './model-schema.ts';
import { compositeArgName, ModelResolvers, restrictedFieldResolver, type ResolverContext } from './resolvers.ts';
import { AWS_SCALAR_TYPES } from './scalars.ts';
import { addCustomOperationFields, type CustomOperations } from './custom-operations.ts';

const BUILTIN: Record<string, GraphQLScalarType> = { ID: GraphQLID, String: GraphQLString, Int: GraphQLInt, Float: GraphQLFloat, Boolean: GraphQLBoolean };
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Which `Model*Input` family a scalar filters with. */
function filterFamily(type: string): 'ID' | 'String' | 'Int' | 'Float' | 'Boolean' {
  switch (type) {
    case 'ID':
      return 'ID';
    case 'Int':
    case 'AWSTimestamp':
      return 'Int';
    case 'Float':
      return 'Float';
    case 'Boolean':
      return 'Boolean';
    default:
      return 'String';
  }
}

/** Everything needed to build types, cached by name so each is created once. */
class TypeRegistry {
  private readonly types = new Map<string, unknown>();
  readonly enums = new Map<string, GraphQLEnumType>();

  constructor(readonly schema: ModelSchema) {
    for (const [name, values] of schema.enums) {
      this.enums.set(name, new GraphQLEnumType({ name, values: Object.fromEntries(values.map((v) => [v, { value: v }])) }));
    }
  }

  once<T>(name: string, make: () => T): T {
    let type = this.types.get(name) as T | undefined;
    if (!type) {
      type = make();
      this.types.set(name, type);
    }
    return type;
  }

  scalar(type: string): GraphQLScalarType | GraphQLEnumType {
    return BUILTIN[type] ?? AWS_SCALAR_TYPES[type] ?? this.enums.get(type)!;
  }

  get attributeTypes(): GraphQLEnumType {
    return this.once(
      'ModelAttributeTypes',
      () =>
        new GraphQLEnumType({
          name: 'ModelAttributeTypes',
          values: Object.fromEntries(['binary', 'binarySet', 'bool', 'list', 'map', 'number', 'numberSet', 'string', 'stringSet', '_null'].map((v) => [v, { value: v }])),
        }),
    );
  }

  get sortDirection(): GraphQLEnumType {
    return this.once('ModelSortDirection', () => new GraphQLEnumType({ name: 'ModelSortDirection', values: { ASC: { value: 'ASC' }, DESC: { value: 'DESC' } } }));
  }

  get sizeInput(): GraphQLInputObjectType {
    return this.once('ModelSizeInput', () => {
      const fields: GraphQLInputFieldConfigMap = {};
      for (const op of ['ne', 'eq', 'le', 'lt', 'ge', 'gt']) fields[op] = { type: GraphQLInt };
      fields.between = { type: new GraphQLList(GraphQLInt) };
      return new GraphQLInputObjectType({ name: 'ModelSizeInput', fields });
    });
  }

  /** `ModelStringInput`, `ModelIDInput`, `ModelIntInput`, `ModelFloatInput`, `ModelBooleanInput`. */
  scalarFilter(family: 'ID' | 'String' | 'Int' | 'Float' | 'Boolean'): GraphQLInputObjectType {
    const name = `Model${family}Input`;
    return this.once(name, () => {
      const t = BUILTIN[family]!;
      const fields: GraphQLInputFieldConfigMap = { ne: { type: t }, eq: { type: t } };
      if (family !== 'Boolean') {
        for (const op of ['le', 'lt', 'ge', 'gt']) fields[op] = { type: t };
        if (family === 'ID' || family === 'String') {
          fields.contains = { type: t };
          fields.notContains = { type: t };
        }
        fields.between = { type: new GraphQLList(t) };
        if (family === 'ID' || family === 'String') fields.beginsWith = { type: t };
      }
      fields.attributeExists = { type: GraphQLBoolean };
      fields.attributeType = { type: this.attributeTypes };
      if (family === 'ID' || family === 'String') fields.size = { type: this.sizeInput };
      return new GraphQLInputObjectType({ name, fields });
    });
  }

  /** `Model<Enum>Input` / `Model<Enum>ListInput`. */
  enumFilter(enumName: string, isList: boolean): GraphQLInputObjectType {
    const name = `Model${enumName}${isList ? 'List' : ''}Input`;
    return this.once(name, () => {
      const e = this.enums.get(enumName)!;
      const fields: GraphQLInputFieldConfigMap = isList
        ? { eq: { type: new GraphQLList(e) }, ne: { type: new GraphQLList(e) }, contains: { type: e }, notContains: { type: e } }
        : { eq: { type: e }, ne: { type: e } };
      return new GraphQLInputObjectType({ name, fields });
    });
  }

  /** `ModelSubscriptionStringInput` … (with `in`/`notIn`). */
  subscriptionFilter(family: 'ID' | 'String' | 'Int' | 'Float' | 'Boolean'): GraphQLInputObjectType {
    const name = `ModelSubscription${family}Input`;
    return this.once(name, () => {
      const t = BUILTIN[family]!;
      const fields: GraphQLInputFieldConfigMap = { ne: { type: t }, eq: { type: t } };
      if (family !== 'Boolean') {
        for (const op of ['le', 'lt', 'ge', 'gt']) fields[op] = { type: t };
        if (family === 'ID' || family === 'String') {
          fields.contains = { type: t };
          fields.notContains = { type: t };
        }
        fields.between = { type: new GraphQLList(t) };
        if (family === 'ID' || family === 'String') fields.beginsWith = { type: t };
        fields.in = { type: new GraphQLList(t) };
        fields.notIn = { type: new GraphQLList(t) };
      }
      return new GraphQLInputObjectType({ name, fields });
    });
  }

  /** `ModelStringKeyConditionInput`, `ModelIDKeyConditionInput`, `ModelIntKeyConditionInput`, `ModelFloatKeyConditionInput`. */
  keyCondition(family: 'ID' | 'String' | 'Int' | 'Float' | 'Boolean'): GraphQLInputObjectType {
    const name = `Model${family}KeyConditionInput`;
    return this.once(name, () => {
      const t = BUILTIN[family]!;
      const fields: GraphQLInputFieldConfigMap = { eq: { type: t } };
      if (family !== 'Boolean') {
        for (const op of ['le', 'lt', 'ge', 'gt']) fields[op] = { type: t };
        fields.between = { type: new GraphQLList(t) };
        if (family === 'ID' || family === 'String') fields.beginsWith = { type: t };
      }
      return new GraphQLInputObjectType({ name, fields });
    });
  }

  /** `Model<M><Key>CompositeKeyConditionInput` with its `…CompositeKeyInput`. */
  compositeKeyCondition(model: ModelDef, keyName: string, sortKeys: string[]): GraphQLInputObjectType {
    const base = `Model${model.name}${keyName}CompositeKey`;
    return this.once(`${base}ConditionInput`, () => {
      const keyInput = new GraphQLInputObjectType({
        name: `${base}Input`,
        fields: Object.fromEntries(sortKeys.map((k) => [k, { type: this.scalar(model.fields.find((f) => f.name === k)!.type) }])),
      });
      const fields: GraphQLInputFieldConfigMap = {};
      for (const op of ['eq', 'le', 'lt', 'ge', 'gt']) fields[op] = { type: keyInput };
      fields.between = { type: new GraphQLList(keyInput) };
      fields.beginsWith = { type: keyInput };
      return new GraphQLInputObjectType({ name: `${base}ConditionInput`, fields });
    });
  }

  /** The key-condition argument of a sort key: `{ [name]: type }`, or nothing without sort keys. */
  sortKeyArg(model: ModelDef, keyName: string, sortKeys: string[]): GraphQLFieldConfigArgumentMap {
    if (sortKeys.length === 0) return {};
    if (sortKeys.length === 1) {
      const field = model.fields.find((f) => f.name === sortKeys[0])!;
      const family = field.kind === 'enum' ? 'String' : filterFamily(field.type);
      return { [field.name]: { type: this.keyCondition(family) } };
    }
    return { [compositeArgName(sortKeys)]: { type: this.compositeKeyCondition(model, keyName, sortKeys) } };
  }

  /** The input type of a field in create/update inputs. */
  inputTypeOf(field: FieldDef, forceNullable: boolean): GraphQLInputType {
    let t: GraphQLInputType = field.kind === 'nonModel' ? this.nonModelInput(field.type) : this.scalar(field.type);
    if (field.isList) t = new GraphQLList(field.isListItemRequired ? new GraphQLNonNull(t) : t);
    return field.isRequired && !forceNullable ? new GraphQLNonNull(t) : t;
  }

  nonModelInput(name: string): GraphQLInputObjectType {
    return this.once(`${name}Input`, () => {
      const def = this.schema.nonModels.get(name)!;
      return new GraphQLInputObjectType({
        name: `${name}Input`,
        fields: () => Object.fromEntries(def.fields.map((f) => [f.name, { type: this.inputTypeOf(f, false) }])),
      });
    });
  }

  nonModelOutput(name: string): GraphQLObjectType {
    return this.once(name, () => {
      const def = this.schema.nonModels.get(name)!;
      return new GraphQLObjectType({
        name,
        fields: () => Object.fromEntries(def.fields.map((f) => [f.name, { type: this.outputScalarish(f) }])),
      });
    });
  }

  /** Output type of a non-relationship field. */
  outputScalarish(field: FieldDef): GraphQLOutputType {
    let t: GraphQLOutputType = field.kind === 'nonModel' ? this.nonModelOutput(field.type) : this.scalar(field.type);
    if (field.isList) t = new GraphQLList(field.isListItemRequired ? new GraphQLNonNull(t) : t);
    return field.isRequired ? new GraphQLNonNull(t) : t;
  }
}

/** The fields a filter/condition input offers: scalars and enums, not relationships or custom types. */
const filterable = (f: FieldDef): boolean => (f.kind === 'scalar' || f.kind === 'enum') && !f.relation;

interface ModelTypes {
  connection(): GraphQLObjectType;
  filterInput(): GraphQLInputObjectType;
  conditionInput(): GraphQLInputObjectType;
  subscriptionFilterInput(): GraphQLInputObjectType;
  createInput(): GraphQLInputObjectType;
  updateInput(): GraphQLInputObjectType;
  deleteInput(): GraphQLInputObjectType;
  listArgs(): GraphQLFieldConfigArgumentMap;
  objectFields(): GraphQLFieldConfigMap<Record<string, unknown>, ResolverContext>;
}

function modelTypes(
  registry: TypeRegistry,
  model: ModelDef,
  resolvers: ModelResolvers,
  modelType: (name: string) => GraphQLObjectType,
  typesOf: (name: string) => ModelTypes,
): ModelTypes {
  const { name } = model;
  const keyFields = keyFieldsOf(model);

  const connection = (): GraphQLObjectType =>
    registry.once(
      `Model${name}Connection`,
      () => new GraphQLObjectType({ name: `Model${name}Connection`, fields: () => ({ items: { type: new GraphQLNonNull(new GraphQLList(modelType(name))) }, nextToken: { type: GraphQLString } }) }),
    );

  const filterInput = (): GraphQLInputObjectType =>
    registry.once(`Model${name}FilterInput`, () => {
      const self: GraphQLInputObjectType = new GraphQLInputObjectType({
        name: `Model${name}FilterInput`,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = {};
          for (const f of model.fields.filter(filterable)) {
            fields[f.name] = { type: f.kind === 'enum' ? registry.enumFilter(f.type, f.isList) : registry.scalarFilter(filterFamily(f.type)) };
          }
          fields.and = { type: new GraphQLList(self) };
          fields.or = { type: new GraphQLList(self) };
          fields.not = { type: self };
          return fields;
        },
      });
      return self;
    });

  const conditionInput = (): GraphQLInputObjectType =>
    registry.once(`Model${name}ConditionInput`, () => {
      const self: GraphQLInputObjectType = new GraphQLInputObjectType({
        name: `Model${name}ConditionInput`,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = {};
          for (const f of model.fields.filter((f) => filterable(f) && !keyFields.includes(f.name))) {
            fields[f.name] = { type: f.kind === 'enum' ? registry.enumFilter(f.type, f.isList) : registry.scalarFilter(filterFamily(f.type)) };
          }
          fields.and = { type: new GraphQLList(self) };
          fields.or = { type: new GraphQLList(self) };
          fields.not = { type: self };
          return fields;
        },
      });
      return self;
    });

  const subscriptionFilterInput = (): GraphQLInputObjectType =>
    registry.once(`ModelSubscription${name}FilterInput`, () => {
      const self: GraphQLInputObjectType = new GraphQLInputObjectType({
        name: `ModelSubscription${name}FilterInput`,
        fields: () => {
          const fields: GraphQLInputFieldConfigMap = {};
          for (const f of model.fields.filter(filterable)) {
            fields[f.name] = { type: registry.subscriptionFilter(f.kind === 'enum' ? 'String' : filterFamily(f.type)) };
          }
          fields.and = { type: new GraphQLList(self) };
          fields.or = { type: new GraphQLList(self) };
          return fields;
        },
      });
      return self;
    });

  const writable = model.fields.filter((f) => !f.relation && !(f.isReadOnly && !f.declared));
  const createInput = (): GraphQLInputObjectType =>
    registry.once(
      `Create${name}Input`,
      () =>
        new GraphQLInputObjectType({
          name: `Create${name}Input`,
          // `id` is optional: the server fills it.
          fields: () => Object.fromEntries(writable.map((f) => [f.name, { type: registry.inputTypeOf(f, f.name === 'id' && f.type === 'ID') }])),
        }),
    );
  const updateInput = (): GraphQLInputObjectType =>
    registry.once(
      `Update${name}Input`,
      () =>
        new GraphQLInputObjectType({
          name: `Update${name}Input`,
          fields: () =>
            Object.fromEntries(writable.map((f) => [f.name, { type: keyFields.includes(f.name) ? new GraphQLNonNull(registry.scalar(f.type)) : registry.inputTypeOf(f, true) }])),
        }),
    );
  const deleteInput = (): GraphQLInputObjectType =>
    registry.once(
      `Delete${name}Input`,
      () =>
        new GraphQLInputObjectType({
          name: `Delete${name}Input`,
          fields: () => Object.fromEntries(keyFields.map((k) => [k, { type: new GraphQLNonNull(registry.scalar(model.fields.find((f) => f.name === k)!.type)) }])),
        }),
    );

  const listArgs = (): GraphQLFieldConfigArgumentMap => ({ filter: { type: filterInput() }, limit: { type: GraphQLInt }, nextToken: { type: GraphQLString } });

  const objectFields = (): GraphQLFieldConfigMap<Record<string, unknown>, ResolverContext> => {
    const fields: GraphQLFieldConfigMap<Record<string, unknown>, ResolverContext> = {};
    for (const f of model.fields) {
      if (!f.relation) {
        fields[f.name] = { type: registry.outputScalarish(f), ...(f.authRules && { resolve: restrictedFieldResolver(f) as GraphQLFieldConfig<Record<string, unknown>, ResolverContext>['resolve'] }) };
        continue;
      }
      const related = f.relation.model;
      if (f.relation.kind === 'hasMany') {
        const relatedTypes = typesOf(related);
        fields[f.name] = {
          type: relatedTypes.connection(),
          args: { filter: { type: relatedTypes.filterInput() }, sortDirection: { type: registry.sortDirection }, limit: { type: GraphQLInt }, nextToken: { type: GraphQLString } },
          resolve: resolvers.relation(f) as GraphQLFieldConfig<Record<string, unknown>, ResolverContext>['resolve'],
        };
      } else {
        fields[f.name] = { type: modelType(related), resolve: resolvers.relation(f) as GraphQLFieldConfig<Record<string, unknown>, ResolverContext>['resolve'] };
      }
    }
    return fields;
  };

  return { connection, filterInput, conditionInput, subscriptionFilterInput, createInput, updateInput, deleteInput, listArgs, objectFields };
}

export interface BuiltSchema {
  schema: GraphQLSchema;
  /** Names of the object types that are models (for `__typename` handling). */
  modelTypeNames: Set<string>;
  /** The models it was built from (their `@auth` rules decide subscriptions). */
  modelSchema: ModelSchema;
}

/** Builds the executable schema; resolvers expect a {@link ResolverContext} as the context value. */
export function buildDataSchema(modelSchema: ModelSchema, custom?: CustomOperations): BuiltSchema {
  const registry = new TypeRegistry(modelSchema);
  const resolvers = new Map(modelSchema.models.map((m) => [m.name, new ModelResolvers(m, modelSchema)]));
  const families = new Map<string, ModelTypes>();
  const objectTypes = new Map<string, GraphQLObjectType>();
  const modelType = (name: string): GraphQLObjectType => objectTypes.get(name)!;
  const localTypesOf = (name: string) => families.get(name)!;
  for (const model of modelSchema.models) families.set(model.name, modelTypes(registry, model, resolvers.get(model.name)!, modelType, localTypesOf));
  for (const model of modelSchema.models) {
    objectTypes.set(model.name, new GraphQLObjectType({ name: model.name, fields: () => localTypesOf(model.name).objectFields() }));
  }
  const query: GraphQLFieldConfigMap<unknown, ResolverContext> = {};
  const mutation: GraphQLFieldConfigMap<unknown, ResolverContext> = {};
  const subscription: GraphQLFieldConfigMap<unknown, ResolverContext> = {};
  for (const model of modelSchema.models) {
    const t = localTypesOf(model.name);
    const r = resolvers.get(model.name)!;
    const { name } = model;
    const fieldType = (k: string) => registry.scalar(model.fields.find((f) => f.name === k)!.type);
    query[`get${name}`] = {
      type: modelType(name),
      args: Object.fromEntries(keyFieldsOf(model).map((k) => [k, { type: new GraphQLNonNull(fieldType(k)) }])),
      resolve: r.get as GraphQLFieldConfig<unknown, ResolverContext>['resolve'],
    };
    const listArgs: GraphQLFieldConfigArgumentMap = model.isCustomPrimaryKey
      ? {
          [model.primaryKey.partitionKey]: { type: fieldType(model.primaryKey.partitionKey) },
          ...registry.sortKeyArg(model, 'Primary', model.primaryKey.sortKeys),
          ...t.listArgs(),
          sortDirection: { type: registry.sortDirection },
        }
      : t.listArgs();
    query[`list${capitalize(model.pluralName)}`] = { type: t.connection(), args: listArgs, resolve: r.list as GraphQLFieldConfig<unknown, ResolverContext>['resolve'] };
    for (const index of model.indexes) {
      if (!index.queryField) continue;
      query[index.queryField] = {
        type: t.connection(),
        args: {
          [index.partitionKey]: { type: new GraphQLNonNull(fieldType(index.partitionKey)) },
          ...registry.sortKeyArg(model, capitalize(index.name), index.sortKeys),
          sortDirection: { type: registry.sortDirection },
          ...t.listArgs(),
        },
        resolve: r.indexQuery(index) as GraphQLFieldConfig<unknown, ResolverContext>['resolve'],
      };
    }
    mutation[`create${name}`] = {
      type: modelType(name),
      args: { input: { type: new GraphQLNonNull(t.createInput()) }, condition: { type: t.conditionInput() } },
      resolve: r.create as GraphQLFieldConfig<unknown, ResolverContext>['resolve'],
    };
    mutation[`update${name}`] = {
      type: modelType(name),
      args: { input: { type: new GraphQLNonNull(t.updateInput()) }, condition: { type: t.conditionInput() } },
      resolve: r.update as GraphQLFieldConfig<unknown, ResolverContext>['resolve'],
    };
    mutation[`delete${name}`] = {
      type: modelType(name),
      args: { input: { type: new GraphQLNonNull(t.deleteInput()) }, condition: { type: t.conditionInput() } },
      resolve: r.delete as GraphQLFieldConfig<unknown, ResolverContext>['resolve'],
    };
    for (const op of ['Create', 'Update', 'Delete']) {
      subscription[`on${op}${name}`] = { type: modelType(name), args: { filter: { type: t.subscriptionFilterInput() } } };
    }
  }
  if (custom) {
    const leaf = (name: string) => BUILTIN[name] ?? AWS_SCALAR_TYPES[name] ?? registry.enums.get(name);
    addCustomOperationFields(custom, { leaf, nonModelOutput: (name) => registry.nonModelOutput(name), modelType: (name) => objectTypes.get(name), schema: modelSchema }, query, mutation);
  }
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: query }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: mutation }),
    subscription: new GraphQLObjectType({ name: 'Subscription', fields: subscription }),
    types: [...registry.enums.values(), ...Object.values(AWS_SCALAR_TYPES)],
  });
  // Resolve every field thunk now, so a schema mistake fails the deploy rather than the first request.
  for (const type of Object.values(schema.getTypeMap())) {
    if (type instanceof GraphQLObjectType || type instanceof GraphQLInputObjectType) type.getFields();
  }
  return { schema, modelTypeNames: new Set(modelSchema.models.map((m) => m.name)), modelSchema };
}
