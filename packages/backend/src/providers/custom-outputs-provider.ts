import { canonicalJson, type ResourceProvider } from '../engine/engine-types.ts';

export const CUSTOM_OUTPUT_KEY = 'AWS::Amplify::Custom';

/**
 * `backend.addOutput(...)`: no resource behind it, only outputs. Treated as a resource so that a change to
 * it is planned, applied and rolled back like any other.
 */
export function customOutputsProvider(): ResourceProvider<Record<string, unknown>> {
  const type = 'Custom::AmplifyOutputs';
  const stateOf = (desired: Record<string, unknown>) => ({
    type, physicalId: 'customOutputs', properties: { ...desired }, attributes: {},
    outputs: { key: CUSTOM_OUTPUT_KEY, payload: { customOutputs: JSON.stringify(desired) } },
  });
  return {
    logicalId: 'customOutputs',
    type,
    desired: (manifest) => (manifest.customOutputs && Object.keys(manifest.customOutputs).length ? manifest.customOutputs : undefined),
    async plan(_ctx, current, desired) {
      const step = { resource: 'customOutputs', type, action: 'none' as const, details: [] as string[], deletes: [] as string[] };
      if (!desired) return current ? { ...step, action: 'delete', details: ['custom outputs removed'] } : step;
      if (!current) return { ...step, action: 'create', details: ['custom outputs added'] };
      return canonicalJson(current.properties) === canonicalJson(desired) ? step : { ...step, action: 'update', details: ['custom outputs changed'] };
    },
    apply: async (_ctx, _current, desired) => stateOf(desired),
    restore: async (_ctx, _current, previous) => previous,
    delete: async () => undefined,
  };
}
