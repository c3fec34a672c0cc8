/**
 * ESM resolve hooks for the child process (registered with `module.register`, they run on the loader thread).
 * `@aws-amplify/backend` and its category packages go to Gantry's implementation; `@aws-amplify/data-schema`
 * goes to the app's copy when it has one, else to Gantry's. Everything else is untouched (tsx handles `.ts`).
 */
import { BACKEND_SPECIFIERS, isDataSchemaSpecifier, type RedirectConfig } from './redirects.ts';

interface ResolveContext {
  conditions: string[];
  importAttributes?: Record<string, string>;
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

let config: RedirectConfig | undefined;

export function initialize(data: RedirectConfig): void {
  config = data;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  if (!config) return nextResolve(specifier, context);
  if (BACKEND_SPECIFIERS.has(specifier)) {
    // Through the rest of the chain, so tsx sees (and later loads) the .ts file.
    return nextResolve(config.backendUrl, context);
  }
  if (isDataSchemaSpecifier(specifier)) {
    try {
      return await nextResolve(specifier, { ...context, parentURL: config.appParentUrl });
    } catch {
      return nextResolve(specifier, { ...context, parentURL: config.ownParentUrl });
    }
  }
  return nextResolve(specifier, context);
}
