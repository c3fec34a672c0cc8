import type { BackendIdentifier } from '../backend-id.ts';
import type { BackendManifest } from '../manifest.ts';

/** What a provider knows about one deployed resource; stored in the stack row, JSON-safe. */
export interface ResourceState {
  /** e.g. `AWS::AppSync::GraphQLApi`. */
  type: string;
  /** The resource's own id (API id, user pool id). */
  physicalId: string;
  /** The desired configuration it was last applied with (what plans diff against). */
  properties: Record<string, unknown>;
  /** Provider-private facts that are not configuration (API keys, secondary ids). */
  attributes: Record<string, unknown>;
  /** Output metadata key (`AWS::Amplify::GraphQL`) and its string payload, as Amplify stores them. */
  outputs: { key: string; payload: Record<string, string> };
}

/**
 * A stack's outputs the way Amplify keeps them: one entry per output metadata key, each with a string payload
 * (JSON arrays and objects are encoded as strings, as CloudFormation outputs are strings).
 */
export type StackOutputs = Record<string, { version: string; payload: Record<string, string> }>;

export type PlanAction = 'create' | 'update' | 'delete' | 'none';

/** One resource's part of a plan. */
export interface PlanStep {
  /** Logical id: `data`, `auth`. */
  resource: string;
  type: string;
  action: PlanAction;
  /** What will change, in words, e.g. `model Note added`, `API key da2-… kept`. */
  details: string[];
  /** What this step deletes for good (models and their items, whole resources). Empty when nothing. */
  deletes: string[];
}

export interface DeploymentPlan {
  steps: PlanStep[];
  /** Some step changes something. */
  hasChanges: boolean;
  /** Every deletion the plan makes, across steps: applying needs `allowDestructive`. */
  deletes: string[];
}

/** What a provider sees of the deployment it works for. */
export interface ProviderContext {
  account: string;
  region: string;
  stackName: string;
  backendId: BackendIdentifier;
  allowDestructive: boolean;
  now(): Date;
  /**
   * The stack's resources as the deployment has them at this point (steps before this one applied): how one
   * resource finds another it refers to, such as the data API its auth's user pool.
   */
  resources: Readonly<Record<string, ResourceState>>;
  /**
   * Reports state as soon as something exists (before the slow part of a create), so that a failure later
   * in the same step can still be cleaned up by the rollback.
   */
  progress(state: ResourceState): void;
}

/**
 * One kind of resource the engine can deploy. Providers read their part of the manifest, say what would
 * change, and make it so; they never touch the engine's tables.
 */
export interface ResourceProvider<D = unknown> {
  logicalId: string;
  type: string;
  /** This provider's desired configuration in the manifest, or undefined when the manifest has none. */
  desired(manifest: BackendManifest): D | undefined;
  /** What `apply` would do, without side effects. Throws a GantryError when the change cannot be made. */
  plan(ctx: ProviderContext, current: ResourceState | undefined, desired: D | undefined): Promise<PlanStep>;
  /** Creates (`current` undefined) or updates the resource to `desired`. */
  apply(ctx: ProviderContext, current: ResourceState | undefined, desired: D): Promise<ResourceState>;
  /** Puts back a previous state (same physical id), from the current one or from nothing. Used by rollbacks. */
  restore(ctx: ProviderContext, current: ResourceState | undefined, previous: ResourceState): Promise<ResourceState>;
  delete(ctx: ProviderContext, current: ResourceState): Promise<void>;
}

/** Stable JSON (sorted keys): equal configurations give equal text, whatever order the synthesiser wrote keys in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v);
}
