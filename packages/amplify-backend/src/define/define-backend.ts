import { captureCallSite } from './call-site.ts';
import { definitionIdOf, getRegistry, type BackendCall } from './registry.ts';
import { unsupportedMember, type Unsupported } from './unsupported-proxy.ts';

const CDK_HINT = 'Gantry has no CDK: escape hatches into CloudFormation resources and custom stacks are not deployed.';

/**
 * What `backend.<name>` is in Gantry: every member (`resources`, `stack`, ...) is a CDK object in Amplify, so
 * reading one records an unsupported use and returns a harmless stand-in.
 */
export type BackendResource = Record<string, Unsupported>;

export interface BackendBase {
  /** Adds to `amplify_outputs.json` (deep-merged; `version` defaults to "1"). */
  addOutput(clientConfigPart: Record<string, unknown>): void;
  /** Creates a CDK stack. Unsupported in Gantry: recorded, returns a stand-in. */
  createStack(name: string): Unsupported;
}

export type Backend<T extends Record<string, unknown>> = BackendBase & { readonly [K in keyof T]: BackendResource };

const RESERVED = new Set(['addOutput', 'createStack']);

/** Gantry's `defineBackend`: records which resources make up the backend. Call it exactly once. */
export function defineBackend<T extends Record<string, unknown>>(constructFactories: T): Backend<T> {
  const callSite = captureCallSite();
  if (!constructFactories || typeof constructFactories !== 'object') {
    throw new TypeError('defineBackend({ auth, data, ... }) needs an object of resources.');
  }
  const record: BackendCall = { resources: [], outputs: [], callSite };
  for (const [key, factory] of Object.entries(constructFactories)) {
    if (RESERVED.has(key)) throw new TypeError(`defineBackend: "${key}" is reserved and cannot name a resource.`);
    record.resources.push({ key, definitionId: definitionIdOf(factory) });
  }
  getRegistry().backends.push(record);

  const backend: Record<string, unknown> = {
    addOutput(clientConfigPart: Record<string, unknown>) {
      if (!clientConfigPart || typeof clientConfigPart !== 'object') {
        throw new TypeError('backend.addOutput(...) needs an object shaped like amplify_outputs.json.');
      }
      record.outputs.push({ value: structuredClone(clientConfigPart), callSite: captureCallSite() });
    },
    createStack(name: string) {
      return unsupportedMember(`backend.createStack(${JSON.stringify(name)})`, CDK_HINT);
    },
  };
  for (const { key } of record.resources) backend[key] = resourceStandIn(key);
  return backend as Backend<T>;
}

function resourceStandIn(key: string): BackendResource {
  return new Proxy({} as BackendResource, {
    get(_target, property) {
      if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
      return unsupportedMember(`backend.${key}.${property}`, CDK_HINT);
    },
    set(_target, property) {
      unsupportedMember(`backend.${key}.${String(property)}`, CDK_HINT);
      return true;
    },
  });
}
