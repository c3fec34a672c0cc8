import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { GantryError, SecretBox } from '@gantry/core';
import { createEdge, loadOrCreateLocalCa, restJsonRoute, sendJsonError, type Route } from '@gantry/edge';
import { accountManagementRestServices, accountsRestService, auditEventsRestService, Iam, iamOperations, pruneExpiredSessions, stsOperations } from '@gantry/iam';
import { openStore, type Store } from '@gantry/store';
import { createBackendService, dataPlaneFromDataApi } from '@gantry/backend';
import { createConsole } from '@gantry/console';
import { createDataApi, createGraphqlRoute, createRealtimeServer, realtimeApiIdFromPath } from '@gantry/data';
import { createHostingService } from '@gantry/hosting';
import { ParameterStore, parameterMigrations, parametersJsonService } from '@gantry/parameters';
import { createStorageService } from '@gantry/storage';
import { FilesystemBlobStore, storageDeployer } from '@gantry/storage';
import { createFunctionsService, type FunctionsService } from '@gantry/functions';
import { createUserPoolsService } from '@gantry/auth';
import { createIdentityPoolsService } from '@gantry/auth';
import { BuildSandbox } from '@gantry/runner';
import { createSourceService } from '@gantry/source';
import { WorkflowService } from '@gantry/workflows';
import { prepareBuildTools } from './build-tools.ts';
import { writeProfileFiles } from './profile-files.ts';

/** Gantry's own install (its packages and node_modules), which builds read to run `ampx`. */
const GANTRY_ROOT = resolve(import.meta.dirname, '../../../..');

export interface ServerOptions {
  /** Where all state lives. @default './.gantry' */
  dataDir: string;
  /** HTTP port; HTTPS listens on port + 1. 0 picks free ports for both. @default 4750 */
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Run builds and workflow actions without the build sandbox, as the server's own user (they can then read
   * everything the server can, its keys included). Only for machines where bubblewrap cannot run.
   * @default false
   */
  unsafeBuilds?: boolean;
  /** Server processes per compute resource of a live compute app; requests go to the least busy. @default 1 */
  computeProcesses?: number;
}

export interface RunningServer {
  url: string;
  httpsUrl: string;
  dataDir: string;
  iam: Iam;
  store: Store;
  workflows: WorkflowService;
  /** Lambda-compatible functions; `functions.plane` is what deploys and the data API run them through. */
  functions: FunctionsService;
  caCertFile: string;
  /** Why builds cannot run on this machine (no usable sandbox), when they cannot. */
  buildsUnavailable: string | undefined;
  close(): Promise<void>;
}

/**
 * Starts Gantry in one process: opens the store and runs migrations, initialises the organisation on first
 * start, and serves the edge over HTTP and HTTPS.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const box = SecretBox.fromKeyFile(join(dataDir, 'master.key'));
  const store = openStore({ dataDir });
  const iam = new Iam({ store, box });
  const publicUrl = () => url;
  const source = createSourceService({ store, iam, dataDir, publicUrl });
  const tools = prepareBuildTools(dataDir);
  const sandbox = BuildSandbox.open({
    readOnly: [GANTRY_ROOT, tools.prefix], hidden: [dataDir], perAccount: [tools.npmEnvironment.npm_config_cache!], unsafe: options.unsafeBuilds,
  });
  // Parameter Store: configuration and secrets per account and region; hosting reads apps' environment secrets there.
  const parameters = new ParameterStore(store.db, box);
  // S3-compatible object storage at `<url>/s3` (path-style) and `<bucket>.s3.localhost` (virtual-hosted); bytes under `<dataDir>/blobs`.
  const storage = createStorageService({ db: store.db, iam, dataDir });
  // Lambda-compatible functions at `/2015-03-31/functions`: each invocation runs in a sandboxed warm worker.
  const functions = createFunctionsService({ store, iam, dataDir, sandbox, endpointUrl: () => url });
  // Cognito-compatible user pools; token issuers are `<url>/cognito-idp/<poolId>`.
  const userPools = createUserPoolsService({ db: store.db, box, baseUrl: () => url });
  // Cognito-compatible identity pools: AWS credentials (IAM role sessions) for the user pools' users and guests.
  const identityPools = createIdentityPoolsService({ db: store.db, iam, userPools });
  const hosting = createHostingService({
    store, iam, box, dataDir, publicUrl, siteDomain: () => `localhost:${httpPort}`,
    secrets: { readTree: (scope, path) => parameters.readTree(scope, path) },
    repositories: source,
    toolPaths: [tools.bin],
    toolEnvironment: tools.environment,
    sandbox,
    computeProcesses: options.computeProcesses,
  });
  const workflows = new WorkflowService({
    store, iam, box, source, dataDir, publicUrl,
    baseEnvironment: {
      PATH: [tools.bin, dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':'),
      LANG: 'C.UTF-8',
      ...tools.environment,
    },
    sandbox,
  });
  // Like AppSync, `__typename` is returned only when the query selects it (aws-amplify does).
  const data = createDataApi({ rootDir: join(dataDir, 'data'), typenameOnModels: false, verifyUserPoolToken: (token, poolId) => userPools.tokenUser(token, poolId), invokeFunction: (scope, name, event) => functions.plane.invoke(scope, name, event) });
  // Data APIs are served over HTTPS: the aws-amplify realtime client only speaks wss:// to `<data.url>/realtime`.
  const backend = createBackendService({ store, iam, dataPlane: dataPlaneFromDataApi(data), authPlane: userPools.deployer, identityPoolPlane: identityPools.deployer, storagePlane: storageDeployer({ db: store.db, iam, blobs: new FilesystemBlobStore(join(dataDir, 'blobs')) }), functionPlane: functions.plane, dataBaseUrl: () => httpsUrl });
  // The web console calls the APIs above through this server's own listeners, as the signed-in principal.
  const webConsole = createConsole({ iam, store, box, siteDomain: () => `localhost:${httpPort}`, loopback: () => ({ http: url, https: httpsUrl, caCert: tls.caCert }) });
  // Every service's migrations run together: the migrator checks the whole applied history at once.
  await store.migrate([...Iam.migrations, ...source.migrations, ...hosting.migrations, ...backend.migrations, ...workflows.migrations, ...parameterMigrations, ...webConsole.migrations, ...userPools.migrations, ...identityPools.migrations, ...storage.migrations, ...functions.migrations]);
  await iam.initialize();
  source.events.on('push', (push) => hosting.onPush(push));
  source.events.on('push', async (push) => void (await workflows.onPush(push)));
  // A push usually means a backend deploy within seconds (ampx leaves model introspection to the server).
  source.events.on('push', () => backend.preloadModelGenerator());

  const tls = loadOrCreateLocalCa(dataDir);
  const handler = createEdge({
    iam,
    queryServices: [
      { signingName: 'iam', version: '2010-05-08', namespace: 'https://iam.amazonaws.com/doc/2010-05-08/', operations: iamOperations(iam) },
      { signingName: 'sts', version: '2011-06-15', namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', operations: stsOperations(iam) },
    ],
    jsonServices: [parametersJsonService(iam, parameters), userPools.jsonService, identityPools.jsonService],
    routes: [
      storage.route,
      functions.route,
      ...hosting.routes,
      backend.route,
      dataRoute(createGraphqlRoute(data)),
      source.route,
      restJsonRoute(iam, source.restService),
      restJsonRoute(iam, accountsRestService(iam)),
      ...accountManagementRestServices(iam).map((service) => restJsonRoute(iam, service)),
      restJsonRoute(iam, auditEventsRestService(iam)),
      restJsonRoute(iam, workflows.restService),
      ...userPools.routes,
      ...webConsole.routes,
    ],
  });

  // Git pushes and followed logs may outlast Node's default 5-minute request timeout; routes enforce their own limits.
  const listenerOptions = { keepAliveTimeout: 65_000, requestTimeout: 30 * 60_000 };
  const http = createServer(listenerOptions, handler);
  const https = createHttpsServer({ ...listenerOptions, key: tls.key, cert: tls.cert }, handler);
  const httpPort = await listen(http, options.port, host);
  const httpsPort = await listen(https, options.port === 0 ? 0 : options.port + 1, host);
  const url = `http://${host}:${httpPort}`;
  const httpsUrl = `https://${host}:${httpsPort}`;
  const realtime = createRealtimeServer(data);
  for (const server of [http, https]) {
    server.on('upgrade', (req, socket, head) => {
      const apiId = realtimeApiIdFromPath(req.url ?? '');
      if (apiId) realtime.handleUpgrade(req, socket, head, apiId);
      else socket.destroy();
    });
  }
  await hosting.start();
  await backend.start();
  await workflows.start();

  const writeProfiles = async () => {
    writeProfileFiles({ dataDir, endpointUrl: url, accounts: await iam.listAccounts(), admin: await iam.adminCredentials() });
  };
  await writeProfiles();
  iam.onAccountCreated(writeProfiles);

  // Expired sessions already fail authentication; pruning only keeps the table small.
  const pruner = setInterval(() => void pruneExpiredSessions(iam.ctx).catch((e) => console.error('session pruning failed:', e)), 3_600_000);
  pruner.unref();

  return {
    url,
    httpsUrl,
    dataDir,
    iam,
    store,
    workflows,
    functions,
    caCertFile: tls.caCertFile,
    buildsUnavailable: sandbox.unavailableReason,
    async close() {
      clearInterval(pruner);
      await workflows.stop();
      await hosting.stop();
      await backend.stop();
      await functions.stop();
      await realtime.close();
      await Promise.all([closeServer(http), closeServer(https)]);
      await store.close();
      await data.close();
    },
  };
}

/** `/data/<apiId>/graphql`: the GraphQL endpoint of a deployed data API (`data.url` in amplify_outputs.json). */
function dataRoute(handle: ReturnType<typeof createGraphqlRoute>): Route {
  return {
    name: 'data',
    matches: (_req, url) => url.pathname.startsWith('/data/'),
    async handle(req, res, url) {
      const match = /^\/data\/([A-Za-z0-9]{1,64})\/graphql$/.exec(url.pathname);
      if (!match) return sendJsonError(res, new GantryError('NotFound', `No data API at ${url.pathname}: data URLs look like /data/<apiId>/graphql.`));
      await handle(req, res, match[1]!);
    },
  };
}

function listen(server: Server | import('node:https').Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use: pass --port or set GANTRY_PORT to another port`) : error));
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server | import('node:https').Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeIdleConnections();
    // In-flight requests get a moment to finish; then connections are cut so shutdown never hangs.
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}
