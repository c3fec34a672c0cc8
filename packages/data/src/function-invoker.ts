import type { FunctionBindings, FunctionInvokeCall } from './data-api.ts';
import { AppSyncError } from './errors.ts';
import type { FunctionInvocationResult, FunctionInvoker } from './function-resolver.ts';

export type { FunctionInvocationResult };

/**
 * The function invoker a request's resolvers get: handlers resolve to functions of the API's own account and
 * region only (a schema cannot reach another account's functions), and the event carries the request headers.
 */
export function functionInvoker(
  bindings: FunctionBindings | undefined,
  invokeFunction: FunctionInvokeCall | undefined,
  headers: Record<string, string | string[] | undefined> | undefined,
): FunctionInvoker | undefined {
  if (!invokeFunction) return undefined;
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  return {
    headers: flat,
    invoke: async (handlerName, event) => {
      if (!bindings) throw new AppSyncError('Lambda:Unhandled', `No function is bound to handler ${handlerName}: deploy the API with its backend's functions.`);
      return invokeFunction(bindings.scope, bindings.handlers[handlerName] ?? handlerName, event);
    },
  };
}
