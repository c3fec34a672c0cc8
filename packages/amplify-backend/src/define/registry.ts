import type { CallSite } from './call-site.ts';
import type { AuthProps } from './define-auth.ts';
import type { DataProps } from './define-data.ts';
import type { FunctionProps } from './define-function.ts';
import type { StorageProps } from './define-storage.ts';

/**
 * What the define* functions record while the app's `amplify/` code runs. It lives on `globalThis` under a
 * registered symbol so that every copy of these modules in the child process (ESM and CommonJS instances of
 * the same file, subpath aliases) writes to the same place.
 */
export interface Registry {
  /** Every define* call, in call order (including ones never passed to defineBackend). */
  definitions: Definition[];
  /** Every defineBackend call (an app must make exactly one). */
  backends: BackendCall[];
  /** Unsupported constructs met while the code ran (CDK escape hatches, unknown factories). */
  unsupported: UnsupportedUse[];
}

export type Definition =
  | { kind: 'data'; id: number; props: DataProps; callSite?: CallSite }
  | { kind: 'auth'; id: number; props: AuthProps; callSite?: CallSite }
  | { kind: 'storage'; id: number; props: StorageProps; callSite?: CallSite }
  | { kind: 'function'; id: number; props: FunctionProps; callSite?: CallSite }
  | { kind: 'referenceAuth'; id: number; props: Record<string, unknown>; callSite?: CallSite };

export type DefinitionKind = Definition['kind'];

export interface BackendCall {
  /** The keys passed to defineBackend and the definition each refers to (undefined: not one of ours). */
  resources: Array<{ key: string; definitionId?: number }>;
  /** Every `backend.addOutput(...)` payload, in call order. */
  outputs: Array<{ value: Record<string, unknown>; callSite?: CallSite }>;
  callSite?: CallSite;
}

export interface UnsupportedUse {
  /** A name the user recognises, e.g. `backend.data.resources.cfnResources` or `defineFunction`. */
  construct: string;
  callSite?: CallSite;
  hint: string;
}

const KEY = Symbol.for('gantry.amplify-backend.registry');

export function getRegistry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  let registry = holder[KEY];
  if (!registry) {
    registry = { definitions: [], backends: [], unsupported: [] };
    holder[KEY] = registry;
  }
  return registry;
}

/** The hidden property a factory returned by define* carries to find its definition again. */
export const DEFINITION_ID = Symbol.for('gantry.amplify-backend.definition-id');

export function recordDefinition<D extends Definition>(definition: Omit<D, 'id'>): number {
  const registry = getRegistry();
  const id = registry.definitions.length + 1;
  registry.definitions.push({ ...definition, id } as Definition);
  return id;
}

export function definitionIdOf(value: unknown): number | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const id = (value as Record<symbol, unknown>)[DEFINITION_ID];
  return typeof id === 'number' ? id : undefined;
}

export function recordUnsupported(use: UnsupportedUse): void {
  getRegistry().unsupported.push(use);
}
