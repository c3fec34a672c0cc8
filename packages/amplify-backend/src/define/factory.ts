import { unsupportedMember, type Unsupported } from './unsupported-proxy.ts';
import { DEFINITION_ID } from './registry.ts';

/**
 * What every define* returns: the shape of Amplify's `ConstructFactory` (`getInstance`, optional `provides`),
 * tagged with the id of the recorded definition so defineBackend can find it.
 */
export interface ResourceFactory<Kind extends string> {
  readonly [DEFINITION_ID]: number;
  /** The kind of resource, as Gantry records it. */
  readonly gantryKind: Kind;
  /** Amplify's singleton token (`AuthResources` for auth), kept for code that inspects it. */
  readonly provides?: string;
  /** Amplify builds CDK constructs here. Gantry has none: calling it is reported as unsupported. */
  getInstance(...args: unknown[]): Unsupported;
}

export function makeFactory<Kind extends string>(kind: Kind, id: number, callName: string, provides?: string): ResourceFactory<Kind> {
  const factory = {
    [DEFINITION_ID]: id,
    gantryKind: kind,
    getInstance: () =>
      unsupportedMember(`${callName}(...).getInstance`, 'Gantry does not build CDK constructs; use the manifest instead of the construct instance.'),
    ...(provides ? { provides } : {}),
  };
  return Object.freeze(factory);
}
