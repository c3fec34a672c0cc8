/**
 * The resolver of a custom operation backed by functions, as AppSync's direct Lambda resolvers (the ones the
 * Amplify transformer generates for `@function`) run it: the caller must pass the operation's `@auth` rules,
 * then each handler is invoked in order with the resolver event, the next one seeing the previous result in
 * `prev`; the last result is the field's value. A function error becomes the field's GraphQL error with
 * `errorType: 'Lambda:Unhandled'` and the function's `errorMessage`, as AppSync reports it.
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { accessUnder } from './authorization/access.ts';
import type { Caller } from './authorization/caller.ts';
import type { CustomOperationDef } from './custom-operations.ts';
import { AppSyncError, unauthorizedField } from './errors.ts';
import type { ResolverContext } from './resolvers.ts';

/** What a function invocation gives back (`@gantry/backend`'s InvokeResult). */
export interface FunctionInvocationResult {
  payload: unknown;
  functionError?: { errorType: string; errorMessage: string; trace?: string[] };
}

/** How resolvers reach the functions of their API's deployment (set per request by the data API). */
export interface FunctionInvoker {
  /** Runs the function a handler names (`FnSayHello`, or a function's own name) with the event. */
  invoke(handlerName: string, event: unknown): Promise<FunctionInvocationResult>;
  /** The request's headers, for the event's `request.headers`. */
  headers: Record<string, string>;
}

/** AppSync's `identity` for the caller: null for API keys, the token's user for user pools. */
function identityOf(caller: Caller): unknown {
  if (caller.type !== 'AMAZON_COGNITO_USER_POOLS') return null;
  return {
    sub: caller.sub,
    issuer: typeof caller.claims['iss'] === 'string' ? caller.claims['iss'] : null,
    username: caller.username,
    claims: caller.claims,
    sourceIp: [],
    defaultAuthStrategy: 'ALLOW',
    groups: caller.groups.length ? caller.groups : null,
  };
}

/** AppSync's `info.selectionSetList`: every selected field path below the operation's field (`a`, `a/b`). */
function selectionSetList(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo, prefix = ''): string[] {
  const paths: string[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === '__typename') continue;
      const path = `${prefix}${selection.name.value}`;
      paths.push(path, ...selectionSetList(selection.selectionSet, info, `${path}/`));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      paths.push(...selectionSetList(selection.selectionSet, info, prefix));
    } else {
      paths.push(...selectionSetList(info.fragments[selection.name.value]?.selectionSet, info, prefix));
    }
  }
  return paths;
}

/** Strips graphql-js's null-prototype objects: the event is JSON for the function. */
const plain = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

export function functionResolver(operation: CustomOperationDef) {
  return async (source: unknown, args: Record<string, unknown>, ctx: ResolverContext, info: GraphQLResolveInfo): Promise<unknown> => {
    const access = accessUnder(operation.authRules, ctx.caller, 'read', ctx.defaultType);
    if (!access?.all) throw unauthorizedField(info.fieldName, info.parentType.name);
    const invoker = ctx.functions;
    if (!invoker) throw new AppSyncError('Lambda:Unhandled', `${info.parentType.name}.${info.fieldName} is backed by a function, and this data API has no function service to invoke it.`);
    const field = info.fieldNodes[0] as FieldNode;
    const base = {
      typeName: info.parentType.name,
      fieldName: info.fieldName,
      arguments: plain(args) ?? {},
      identity: identityOf(ctx.caller),
      source: source && typeof source === 'object' && Object.keys(source).length ? plain(source) : null,
      request: { headers: invoker.headers, domainName: null },
      info: {
        fieldName: info.fieldName,
        parentTypeName: info.parentType.name,
        variables: plain(info.variableValues) ?? {},
        selectionSetList: selectionSetList(field.selectionSet, info),
        selectionSetGraphQL: '',
      },
      stash: {},
    };
    let prev: { result: unknown } | null = null;
    for (const handler of operation.handlers) {
      const event = { ...base, prev };
      if (handler.invocationType === 'Event') {
        // Answered at once, as AppSync does for asynchronous handlers; the function's outcome is its own.
        void invoker.invoke(handler.name, event).catch((error: unknown) => console.error(`data: asynchronous invocation of ${handler.name} failed:`, error));
        prev = { result: { success: true } };
        continue;
      }
      const result = await invoker.invoke(handler.name, event);
      if (result.functionError) {
        throw new AppSyncError('Lambda:Unhandled', result.functionError.errorMessage || result.functionError.errorType || 'The function failed.');
      }
      prev = { result: result.payload };
    }
    return prev?.result ?? null;
  };
}
