/**
 * Custom queries and mutations (`a.query()` / `a.mutation()` with `a.handler.function(fn)`): what the
 * Amplify-directive SDL says about them, and their fields in the executable schema. The SDL writes one as a
 * field of `Query` or `Mutation` with its arguments, its return type, one `@function(name:)` per handler (a
 * pipeline, run in order) and its `@auth` rules. Input types its arguments use are the SDL's `input` types.
 */
import {
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  Kind,
  parse,
  type DocumentNode,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type InputObjectTypeDefinitionNode,
  type TypeNode,
} from 'graphql';
import { GantryError } from '@gantry/core';
import type { AuthRule, ModelSchema } from './model-schema.ts';
import { functionResolver } from './function-resolver.ts';
import type { ResolverContext } from './resolvers.ts';

export interface FunctionHandlerDef {
  /** `@function(name:)`: a handler name the deployment maps to a function (`FnSayHello`), or a function's own name. */
  name: string;
  /** `Event`: invoked without waiting (the operation answers `{ success: true }`). */
  invocationType: 'RequestResponse' | 'Event';
}

export interface CustomOperationDef {
  typeName: 'Query' | 'Mutation';
  fieldName: string;
  /** The field's SDL, to build argument and return types from. */
  field: { arguments: ReadonlyArray<{ name: string; type: TypeNode }>; type: TypeNode };
  handlers: FunctionHandlerDef[];
  authRules: AuthRule[];
}

export interface CustomOperations {
  operations: CustomOperationDef[];
  /** The SDL's `input` types, by name (custom-type arguments). */
  inputs: Map<string, InputObjectTypeDefinitionNode>;
}

const invalid = (message: string): GantryError => new GantryError('ValidationError', `Invalid data schema: ${message}`);

/** The custom queries and mutations of the SDL that have function handlers; any other custom operation is refused. */
export function parseCustomOperations(sdl: string): CustomOperations {
  let document: DocumentNode;
  try {
    document = parse(sdl, { noLocation: true });
  } catch (error) {
    throw invalid(`the SDL does not parse: ${(error as Error).message}`);
  }
  const operations: CustomOperationDef[] = [];
  const inputs = new Map<string, InputObjectTypeDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) inputs.set(definition.name.value, definition);
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    if (typeName === 'Subscription' && definition.fields?.length) throw invalid(`custom subscriptions (${definition.fields.map((f) => f.name.value).join(', ')}) are not served`);
    if (typeName !== 'Query' && typeName !== 'Mutation') continue;
    for (const field of definition.fields ?? []) {
      const handlers: FunctionHandlerDef[] = [];
      const authRules: AuthRule[] = [];
      for (const directive of field.directives ?? []) {
        const args = Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, a.value]));
        if (directive.name.value === 'function') {
          const name = args['name'];
          if (name?.kind !== Kind.STRING) throw invalid(`${typeName}.${field.name.value}: @function needs name: "<function>"`);
          const invocation = args['invocationType'];
          handlers.push({ name: name.value, invocationType: invocation?.kind === Kind.ENUM && invocation.value === 'Event' ? 'Event' : 'RequestResponse' });
        } else if (directive.name.value === 'auth') {
          authRules.push(...authRulesOf(args['rules']));
        }
      }
      if (handlers.length === 0) throw invalid(`custom ${typeName === 'Query' ? 'query' : 'mutation'} ${field.name.value} has no a.handler.function(...) handler, the only kind served`);
      operations.push({
        typeName,
        fieldName: field.name.value,
        field: { arguments: (field.arguments ?? []).map((a) => ({ name: a.name.value, type: a.type })), type: field.type },
        handlers,
        authRules,
      });
    }
  }
  return { operations, inputs };
}

function authRulesOf(value: unknown): AuthRule[] {
  const node = value as { kind?: string; values?: unknown[] } | undefined;
  if (node?.kind !== Kind.LIST) return [];
  const rules: AuthRule[] = [];
  for (const item of node.values as Array<{ kind: string; fields?: Array<{ name: { value: string }; value: { kind: string; value?: string; values?: Array<{ value?: string }> } }> }>) {
    if (item.kind !== Kind.OBJECT) continue;
    const fields = new Map((item.fields ?? []).map((f) => [f.name.value, f.value]));
    const text = (key: string) => fields.get(key)?.value;
    const list = (key: string) => fields.get(key)?.values?.map((v) => v.value).filter((v): v is string => typeof v === 'string');
    rules.push({ allow: String(text('allow')), provider: text('provider'), operations: list('operations'), groups: list('groups'), groupsField: text('groupsField'), ownerField: text('ownerField') });
  }
  return rules;
}

/** The parts of build-schema's type registry custom operation fields are built from. */
export interface CustomOperationTypes {
  /** A scalar or enum by name, else undefined. */
  leaf(name: string): GraphQLInputType & GraphQLOutputType | undefined;
  nonModelOutput(name: string): GraphQLObjectType;
  modelType(name: string): GraphQLObjectType | undefined;
  schema: ModelSchema;
}

/** Adds each custom operation's field (arguments, return type, function resolver) to `query` / `mutation`. */
export function addCustomOperationFields(
  custom: CustomOperations,
  types: CustomOperationTypes,
  query: GraphQLFieldConfigMap<unknown, ResolverContext>,
  mutation: GraphQLFieldConfigMap<unknown, ResolverContext>,
): void {
  const inputTypes = new Map<string, GraphQLInputObjectType>();
  const inputType = (node: TypeNode, where: string): GraphQLInputType => {
    if (node.kind === Kind.NON_NULL_TYPE) return new GraphQLNonNull(inputType(node.type, where));
    if (node.kind === Kind.LIST_TYPE) return new GraphQLList(inputType(node.type, where));
    const name = node.name.value;
    const leaf = types.leaf(name);
    if (leaf) return leaf;
    const definition = custom.inputs.get(name);
    if (!definition) throw invalid(`${where} has type ${name}, which is neither a scalar, an enum nor an input type`);
    let made = inputTypes.get(name);
    if (!made) {
      made = new GraphQLInputObjectType({
        name,
        fields: () => Object.fromEntries((definition.fields ?? []).map((f) => [f.name.value, { type: inputType(f.type, `${name}.${f.name.value}`) }])),
      });
      inputTypes.set(name, made);
    }
    return made;
  };
  const outputType = (node: TypeNode, where: string): GraphQLOutputType => {
    if (node.kind === Kind.NON_NULL_TYPE) return new GraphQLNonNull(outputType(node.type, where));
    if (node.kind === Kind.LIST_TYPE) return new GraphQLList(outputType(node.type, where));
    const name = node.name.value;
    const found = types.leaf(name) ?? types.modelType(name) ?? (types.schema.nonModels.has(name) ? types.nonModelOutput(name) : undefined);
    if (!found) throw invalid(`${where} returns ${name}, which is neither a scalar, an enum, a custom type nor a model`);
    return found;
  };
  for (const operation of custom.operations) {
    const where = `${operation.typeName}.${operation.fieldName}`;
    const target = operation.typeName === 'Query' ? query : mutation;
    if (target[operation.fieldName]) throw invalid(`${where} is also a field the models generate; rename the custom operation`);
    target[operation.fieldName] = {
      type: outputType(operation.field.type, where),
      args: Object.fromEntries(operation.field.arguments.map((a) => [a.name, { type: inputType(a.type, `${where}(${a.name})`) }])),
      resolve: functionResolver(operation) as GraphQLFieldConfig<unknown, ResolverContext>['resolve'],
    };
  }
}
