import { captureCallSite } from './call-site.ts';
import { makeFactory, type ResourceFactory } from './factory.ts';
import { recordDefinition } from './registry.ts';

export type StorageAction = 'read' | 'get' | 'list' | 'write' | 'delete';

/** One grant as `allow.*.to([...])` builds it. */
export interface StorageAccessRule {
  who: 'guest' | 'authenticated' | 'groups' | 'entity' | 'resource';
  groups?: string[];
  entity?: 'identity';
  /** The `defineFunction` result for `allow.resource(fn)`. */
  resource?: unknown;
  actions: StorageAction[];
}

export interface StorageAccessBuilder {
  guest: { to(actions: StorageAction[]): StorageAccessRule };
  authenticated: { to(actions: StorageAction[]): StorageAccessRule };
  groups(groups: string[]): { to(actions: StorageAction[]): StorageAccessRule };
  entity(entity: 'identity'): { to(actions: StorageAction[]): StorageAccessRule };
  resource(resource: unknown): { to(actions: StorageAction[]): StorageAccessRule };
}

export interface StorageProps {
  /** Friendly bucket name. */
  name: string;
  /** Marks the default bucket when an app defines several. */
  isDefault?: boolean;
  /** `(allow) => ({ 'media/*': [allow.guest.to(['read'])] })` */
  access?: (allow: StorageAccessBuilder) => Record<string, StorageAccessRule[]>;
  /** S3 event triggers. Not supported by Gantry. */
  triggers?: Record<string, unknown>;
  versioned?: boolean;
}

export type StorageFactory = ResourceFactory<'storage'>;

/** Gantry's `defineStorage`: records the bucket and its path access rules. */
export function defineStorage(props: StorageProps): StorageFactory {
  const callSite = captureCallSite();
  if (!props || typeof props !== 'object' || typeof props.name !== 'string' || props.name.length === 0) {
    throw new TypeError('defineStorage({ name }) needs a name, e.g. defineStorage({ name: "myProjectFiles" }).');
  }
  const id = recordDefinition({ kind: 'storage', props, callSite });
  return makeFactory('storage', id, 'defineStorage');
}

/** The `allow` object passed to `access`. */
export function storageAccessBuilder(): StorageAccessBuilder {
  const grant = (rule: Omit<StorageAccessRule, 'actions'>) => ({ to: (actions: StorageAction[]) => ({ ...rule, actions: [...actions] }) });
  return {
    guest: grant({ who: 'guest' }),
    authenticated: grant({ who: 'authenticated' }),
    groups: (groups) => grant({ who: 'groups', groups: [...groups] }),
    entity: (entity) => grant({ who: 'entity', entity }),
    resource: (resource) => grant({ who: 'resource', resource }),
  };
}
