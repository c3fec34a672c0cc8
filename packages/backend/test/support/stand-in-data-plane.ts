import type { DataApiSpec, DataChangeSummary, DataPlane } from '../../src/index.ts';

/**
 * A stand-in for `@gantry/data` until its `createDataApi` lands: it keeps each API's spec in memory, knows
 * models by their `@model` types, and can be told to fail. Swap for the real data plane through the same
 * DataPlane interface when it exists.
 */
export class StandInDataPlane implements DataPlane {
  readonly apis = new Map<string, DataApiSpec>();
  readonly calls: string[] = [];
  /** The next `deploy` calls whose SDL matches throw this message. */
  failWhen?: { sdlIncludes: string; message: string };
  /** Delay of each deploy, to keep a deployment running. */
  delayMs = 0;

  async plan(apiId: string, spec: DataApiSpec): Promise<DataChangeSummary> {
    if (!/@model/.test(spec.sdl)) throw new Error('the schema has no @model type');
    const before = modelsOf(this.apis.get(apiId)?.sdl ?? '');
    const after = modelsOf(spec.sdl);
    return { details: [], deletes: before.filter((m) => !after.includes(m)).map((m) => `model ${m} and all its items`) };
  }

  async deploy(apiId: string, spec: DataApiSpec): Promise<void> {
    this.calls.push(`deploy ${apiId}`);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWhen && spec.sdl.includes(this.failWhen.sdlIncludes)) throw new Error(this.failWhen.message);
    const dropped = modelsOf(this.apis.get(apiId)?.sdl ?? '').filter((m) => !modelsOf(spec.sdl).includes(m));
    if (dropped.length && !spec.allowDestructive) throw new Error(`would drop ${dropped.join(', ')}`);
    this.apis.set(apiId, structuredClone(spec));
  }

  async remove(apiId: string): Promise<void> {
    this.calls.push(`remove ${apiId}`);
    this.apis.delete(apiId);
  }

  /** Would the data API accept this key now? */
  accepts(apiId: string, key: string, now = new Date()): boolean {
    return this.apis.get(apiId)?.apiKeys.some((k) => k.id === key && k.expiresAt > now) ?? false;
  }
}

const modelsOf = (sdl: string): string[] => [...sdl.matchAll(/type\s+(\w+)\s+@model/g)].map((m) => m[1]!);
