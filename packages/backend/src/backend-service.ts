import type { Route } from '@gantry/edge';
import type { Iam } from '@gantry/iam';
import type { Migration, Store } from '@gantry/store';
import { backendRoute } from './api/backend-api.ts';
import { currentOutputs } from './api/backend-shapes.ts';
import { Deployer } from './engine/deployer.ts';
import { ModelGenerator } from './model-introspection.ts';
import type { ResourceProvider } from './engine/engine-types.ts';
import { buildClientConfig, type ClientConfig } from './outputs/client-config.ts';
import type { AuthPlane } from './providers/auth-plane.ts';
import { authProvider } from './providers/auth-provider.ts';
import { customOutputsProvider } from './providers/custom-outputs-provider.ts';
import type { DataPlane } from './providers/data-plane.ts';
import { dataProvider } from './providers/data-provider.ts';
import type { IdentityPoolPlane } from './providers/identity-pool-plane.ts';
import { identityPoolProvider } from './providers/identity-pool-provider.ts';
import type { StoragePlane } from './providers/storage-plane.ts';
import { storageProvider } from './providers/storage-provider.ts';
import type { FunctionPlane } from './providers/function-plane.ts';
import { functionProvider } from './providers/function-provider.ts';
import { backendMigrations } from './stacks/backend-tables.ts';
import { findStack, neverDeployed, stackOutputs, type BackendDb, type StackRef } from './stacks/stack-store.ts';

export interface BackendServiceOptions {
  store: Store;
  iam: Iam;
  /** Serves the data APIs the `data` resources describe (the server adapts `@gantry/data` to it). */
  dataPlane: DataPlane;
  /** Makes the user pools `auth` resources describe (the server adapts `@gantry/auth` to it). */
  authPlane?: AuthPlane;
  /** Makes the identity pool (and its roles) `defineAuth` comes with; without it no identity pool is made. */
  identityPoolPlane?: IdentityPoolPlane;
  /** Makes the buckets `defineStorage` declares and puts their access rules on the identity pool's roles. */
  storagePlane?: StoragePlane;
  /** Runs the functions `defineFunction` describes (the server passes `@gantry/functions`' plane). */
  functionPlane?: FunctionPlane;
  /**
   * Base URL data APIs are reached at; a function when it is known only once the server listens. Data
   * endpoints are `<dataBaseUrl>/data/<apiId>/graphql`.
   * @example 'https://gantry.example.com'
   */
  dataBaseUrl: string | (() => string);
  /** @default () => new Date() */
  now?: () => Date;
  /** Replaces the built-in providers (auth, data, custom outputs), e.g. to add one. Order is dependency order. */
  providers?: (defaults: ResourceProvider[]) => ResourceProvider[];
}

export interface BackendService {
  migrations: Migration[];
  /** The REST-JSON API under `/_gantry/backends`, for the edge. */
  route: Route;
  deployer: Deployer;
  /** Fails deployments left running by a server that stopped (after migrations ran). Never retries them. */
  start(): Promise<void>;
  /** Waits for deployments this process runs to finish. */
  stop(): Promise<void>;
  /** Loads Amplify's model generator ahead of a deploy that may need it (ampx leaves model introspection to the server). */
  preloadModelGenerator(): void;
  /** amplify_outputs.json of a deployed stack, or undefined when it has never deployed. */
  clientConfig(ref: StackRef, version?: string): Promise<ClientConfig | undefined>;
}

/** The backend deploy engine: stacks, deployments with plans, resource providers, outputs. */
export function createBackendService(options: BackendServiceOptions): BackendService {
  const db = options.store.db as BackendDb;
  const dataBaseUrl = typeof options.dataBaseUrl === 'function' ? options.dataBaseUrl : () => options.dataBaseUrl as string;
  const defaults: ResourceProvider[] = [authProvider({ authPlane: options.authPlane }), functionProvider({ functionPlane: options.functionPlane }), dataProvider({ dataPlane: options.dataPlane, dataBaseUrl }), customOutputsProvider()];
  // After auth (whose user pool they use), before data: the identity pool, then the buckets on its roles.
  if (options.storagePlane) defaults.splice(1, 0, storageProvider({ plane: options.storagePlane }));
  if (options.identityPoolPlane) defaults.splice(1, 0, identityPoolProvider({ plane: options.identityPoolPlane }));
  const providers = options.providers ? options.providers(defaults) : defaults;
  const deployer = new Deployer({ db, providers, now: options.now ?? (() => new Date()) });
  const models = new ModelGenerator();
  return {
    migrations: backendMigrations,
    route: backendRoute({ iam: options.iam, db, deployer, dataBaseUrl, introspectionOf: (sdl) => models.introspectionOf(sdl) }),
    deployer,
    async start() {
      await deployer.recover();
    },
    async stop() {
      await deployer.idle();
      await models.stop();
    },
    preloadModelGenerator: () => models.preload(),
    async clientConfig(ref, version) {
      const row = await findStack(db, ref);
      if (!row || neverDeployed(row)) return undefined;
      return buildClientConfig(currentOutputs(stackOutputs(row), dataBaseUrl()), { version });
    },
  };
}
