import { createHash } from 'node:crypto';
import { GantryError } from '@gantry/core';
import { canonicalJson, type PlanStep, type ProviderContext, type ResourceProvider, type ResourceState } from '../engine/engine-types.ts';
import type { BackendManifest } from '../manifest.ts';
import type { FunctionPlane, FunctionScope } from './function-plane.ts';

/** What the engine reads of a `defineFunction` in the manifest (`@gantry/amplify-backend`'s FunctionManifest). */
interface FunctionManifestEntry {
  name: string;
  file: string;
  code?: string;
  environment?: Record<string, string | { secret: string }>;
  timeoutSeconds?: number;
  memoryMB?: number;
  custom?: boolean;
}

/** One function's configuration; the code is compared by its hash (the code itself is kept in the attributes). */
export interface FunctionConfig {
  codeSha256: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMB: number;
}

/** Every function of the stack, by its defineFunction name. */
export interface FunctionsDesired {
  functions: Record<string, FunctionConfig>;
  /** The bundled code of each function. Not part of the stored properties (their hashes are). */
  code: Record<string, string>;
}

/** What is stored in the resource's attributes: the deployed names and ARNs, and the code a rollback puts back. */
interface FunctionAttributes {
  deployed: Record<string, { functionName: string; functionArn: string }>;
  code: Record<string, string>;
}

/** Amplify's function output (`@aws-amplify/backend-output-schemas` function v1). */
export const FUNCTION_OUTPUT_KEY = 'AWS::Amplify::Function';
const TYPE = 'AWS::Lambda::Function';
const LOGICAL_ID = 'functions';
/** Lambda's limit on function names. */
const NAME_LIMIT = 64;
/** Lambda's limits, which Amplify's defineFunction checks too. */
const TIMEOUT_RANGE = [1, 900] as const;
const MEMORY_RANGE = [128, 10240] as const;

/**
 * The deployed name of a function: the stack's name (which names the app, branch and type) and the function's,
 * cut to Lambda's 64 characters with a hash of both when too long, so names stay unique per stack.
 */
export function deployedFunctionName(stackName: string, name: string): string {
  const safeName = name.replace(/[^A-Za-z0-9_-]/g, '');
  const full = `${stackName}-${safeName}`;
  if (full.length <= NAME_LIMIT) return full;
  const hash = createHash('sha256').update(stackName).update('/').update(name).digest('hex').slice(0, 8);
  return `${full.slice(0, NAME_LIMIT - hash.length - 1)}-${hash}`;
}

/** The deployed function names by defineFunction name, from the stack's resources (empty without functions). */
export function deployedFunctions(resources: Readonly<Record<string, ResourceState>>): Record<string, string> {
  const attributes = resources[LOGICAL_ID]?.attributes as unknown as FunctionAttributes | undefined;
  return Object.fromEntries(Object.entries(attributes?.deployed ?? {}).map(([name, d]) => [name, d.functionName]));
}

/**
 * The stack's functions (`defineFunction`), run by the functions service through the function plane. They are
 * deployed before the data API, whose custom operations invoke them. Without a plane (engine tests) only the
 * names are recorded.
 */
export function functionProvider(options: { functionPlane?: FunctionPlane } = {}): ResourceProvider<FunctionsDesired> {
  const { functionPlane } = options;
  const scopeOf = (ctx: ProviderContext): FunctionScope => ({ account: ctx.account, region: ctx.region });
  const arnOf = (ctx: ProviderContext, functionName: string) => `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${functionName}`;

  const stateOf = (functions: Record<string, FunctionConfig>, attributes: FunctionAttributes): ResourceState => ({
    type: TYPE,
    physicalId: LOGICAL_ID,
    properties: { functions: structuredClone(functions) },
    attributes: structuredClone(attributes) as unknown as Record<string, unknown>,
    outputs: { key: FUNCTION_OUTPUT_KEY, payload: { definedFunctions: JSON.stringify(Object.values(attributes.deployed).map((d) => d.functionName).sort()) } },
  });

  /** Makes the deployed functions those of `functions` (with `code`), removing the ones `current` has beyond them. */
  async function converge(ctx: ProviderContext, current: ResourceState | undefined, functions: Record<string, FunctionConfig>, code: Record<string, string>, before?: Record<string, FunctionConfig>): Promise<ResourceState> {
    const attributes: FunctionAttributes = { deployed: {}, code: {} };
    const previous = current?.attributes as unknown as FunctionAttributes | undefined;
    // What already exists stays recorded until it is replaced or removed, so a failure half-way can be undone.
    for (const [name, d] of Object.entries(previous?.deployed ?? {})) {
      attributes.deployed[name] = d;
      attributes.code[name] = previous!.code[name]!;
    }
    const recorded: Record<string, FunctionConfig> = { ...((current?.properties.functions as Record<string, FunctionConfig> | undefined) ?? {}) };
    for (const [name, config] of Object.entries(functions)) {
      const functionName = deployedFunctionName(ctx.stackName, name);
      const unchanged = before?.[name] && canonicalJson(before[name]) === canonicalJson(config) && attributes.deployed[name];
      if (!unchanged) {
        const made = functionPlane
          ? await functionPlane.put(scopeOf(ctx), { name: functionName, code: code[name]!, environment: runtimeEnvironment(config), timeoutSeconds: config.timeoutSeconds, memoryMB: config.memoryMB })
          : { functionArn: arnOf(ctx, functionName) };
        attributes.deployed[name] = { functionName, functionArn: made.functionArn };
      }
      attributes.code[name] = code[name]!;
      recorded[name] = config;
      ctx.progress(stateOf(recorded, attributes));
    }
    for (const name of Object.keys(attributes.deployed)) {
      if (name in functions) continue;
      await functionPlane?.remove(scopeOf(ctx), attributes.deployed[name]!.functionName);
      delete attributes.deployed[name];
      delete attributes.code[name];
      delete recorded[name];
      ctx.progress(stateOf(recorded, attributes));
    }
    return stateOf(functions, attributes);
  }

  return {
    logicalId: LOGICAL_ID,
    type: TYPE,
    desired: desiredFunctions,
    async plan(_ctx, current, desired) {
      const step: PlanStep = { resource: LOGICAL_ID, type: TYPE, action: 'none', details: [], deletes: [] };
      const before = (current?.properties.functions ?? {}) as Record<string, FunctionConfig>;
      const after = desired?.functions ?? {};
      for (const [name, config] of Object.entries(after)) {
        const old = before[name];
        if (!old) step.details.push(`function ${name} created`);
        else if (old.codeSha256 !== config.codeSha256) step.details.push(`function ${name} code changed`);
        else if (canonicalJson(old) !== canonicalJson(config)) step.details.push(`function ${name} configuration changed`);
      }
      for (const name of Object.keys(before)) if (!(name in after)) step.details.push(`function ${name} deleted`);
      if (!desired) return current ? { ...step, action: 'delete' } : step;
      if (!current) return { ...step, action: 'create' };
      return step.details.length ? { ...step, action: 'update' } : step;
    },
    apply: (ctx, current, desired) => converge(ctx, current, desired.functions, desired.code, current?.properties.functions as Record<string, FunctionConfig> | undefined),
    async restore(ctx, current, previous) {
      const attributes = previous.attributes as unknown as FunctionAttributes;
      const functions = previous.properties.functions as Record<string, FunctionConfig>;
      // Every function is put back as it was: the failed deployment may have replaced any of them.
      return converge(ctx, current, functions, attributes.code);
    },
    async delete(ctx, current) {
      const attributes = current.attributes as unknown as FunctionAttributes;
      for (const d of Object.values(attributes.deployed ?? {})) await functionPlane?.remove(scopeOf(ctx), d.functionName);
    },
  };
}

/** The environment a function runs with: its own, and what Amplify sets for every function. */
function runtimeEnvironment(config: FunctionConfig): Record<string, string> {
  // Amplify resolves secrets at start-up from this (path → variable); Gantry functions have no secrets yet.
  return { AMPLIFY_SSM_ENV_CONFIG: '{}', ...config.environment };
}

/** The manifest's functions, checked: each needs its bundled code and values within Lambda's limits. */
export function desiredFunctions(manifest: BackendManifest): FunctionsDesired | undefined {
  const entries = (manifest.functions ?? []) as FunctionManifestEntry[];
  if (entries.length === 0) return undefined;
  const desired: FunctionsDesired = { functions: {}, code: {} };
  for (const entry of entries) {
    // CDK-defined functions are listed as unsupported and refused before planning.
    if (entry.custom) continue;
    const where = `defineFunction '${entry.name}' (${entry.file})`;
    if (entry.name in desired.functions) throw new GantryError('ValidationError', `${where}: another defineFunction has the same name; give each function its own name.`);
    if (typeof entry.code !== 'string' || entry.code.length === 0)
      throw new GantryError('ValidationError', `${where}: the manifest has no bundled code for it. Synthesise the backend again with Gantry's ampx, which bundles each function's handler.`);
    const timeoutSeconds = entry.timeoutSeconds ?? 3;
    const memoryMB = entry.memoryMB ?? 512;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < TIMEOUT_RANGE[0] || timeoutSeconds > TIMEOUT_RANGE[1])
      throw new GantryError('ValidationError', `${where}: timeoutSeconds must be a whole number from ${TIMEOUT_RANGE[0]} to ${TIMEOUT_RANGE[1]} (got ${timeoutSeconds}).`);
    if (!Number.isInteger(memoryMB) || memoryMB < MEMORY_RANGE[0] || memoryMB > MEMORY_RANGE[1])
      throw new GantryError('ValidationError', `${where}: memoryMB must be a whole number from ${MEMORY_RANGE[0]} to ${MEMORY_RANGE[1]} (got ${memoryMB}).`);
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(entry.environment ?? {})) {
      if (typeof value !== 'string') throw new GantryError('ValidationError', `${where}: environment.${key} is a secret; secrets in function environments are not supported yet.`);
      environment[key] = value;
    }
    desired.functions[entry.name] = { codeSha256: createHash('sha256').update(entry.code).digest('hex'), environment, timeoutSeconds, memoryMB };
    desired.code[entry.name] = entry.code;
  }
  return Object.keys(desired.functions).length ? desired : undefined;
}

/**
 * The function each custom-operation handler (`@function(name: "Fn…")` → defineFunction name) invokes, by its
 * deployed name. Names are derived from the stack's, so a plan made before the functions exist names them too.
 * (`a.handler.function('name')` handlers are not listed: they name a function of the API's account directly.)
 */
export function functionHandlerTargets(stackName: string, handlers: Record<string, string> | undefined, deployed: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(handlers ?? {}).map(([handler, name]) => [handler, deployed[name] ?? deployedFunctionName(stackName, name)]));
}
