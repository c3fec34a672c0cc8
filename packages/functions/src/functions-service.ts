import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GantryError } from '@gantry/core';
import type { Route } from '@gantry/edge';
import type { Iam } from '@gantry/iam';
import type { BuildSandbox } from '@gantry/runner';
import type { Migration, Store } from '@gantry/store';
import type { Kysely } from 'kysely';
import { CodeStore } from './code-store.ts';
import { functionArn } from './function-arn.ts';
import { runtimeEnvironment } from './function-environment.ts';
import { FunctionInvoker } from './function-invoker.ts';
import type { FunctionPlane, FunctionScope, FunctionSpec } from './function-plane.ts';
import { FunctionStore } from './function-store.ts';
import { functionMigrations, type FunctionTables } from './function-tables.ts';
import { InvocationLogs } from './invocation-logs.ts';
import { functionNotFound } from './lambda-errors.ts';
import { lambdaRoute } from './lambda-route.ts';
import { FUNCTION_LOGS_PREFIX, logsRoute } from './logs-route.ts';
import { WorkerPool } from './worker-pool.ts';

/** Gantry's install: its node_modules are what functions `require('@aws-sdk/…')` from. */
const GANTRY_ROOT = resolve(import.meta.dirname, '../../..');

export interface FunctionsServiceArgs {
  store: Pick<Store, 'db'>;
  iam: Iam;
  /** Code goes to `<dataDir>/functions/code`, workers' directories to `<dataDir>/functions/workers`. */
  dataDir: string;
  /** Where workers run; it must show Gantry's install read-only and hide the data dir. */
  sandbox: Pick<BuildSandbox, 'command' | 'adopt' | 'forAccount'>;
  /** The node_modules functions load the AWS SDK from (NODE_PATH). @default Gantry's own */
  nodeModules?: string;
  /** Set as `AWS_ENDPOINT_URL` in functions, so their AWS SDK clients call Gantry. */
  endpointUrl?: () => string;
  /** How long a warm worker waits for its next invocation. @default 300_000 */
  idleMs?: number;
  /** @default 8 */
  maxWorkersPerFunction?: number;
}

export interface FunctionsService {
  /** What the deploy engine (put, remove) and the data API (invoke) use. */
  plane: FunctionPlane;
  /** The Lambda REST API (`/2015-03-31/functions`) and the function logs (`/_gantry/functions/<name>/logs`). */
  route: Route;
  migrations: Migration[];
  /** Stops every worker. */
  stop(): Promise<void>;
}

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;

/** Lambda-compatible functions: bundled Node.js code in sandboxed warm workers, IAM on every API call. */
export function createFunctionsService(args: FunctionsServiceArgs): FunctionsService {
  const db = args.store.db as Kysely<FunctionTables>;
  const functions = new FunctionStore(db);
  const code = new CodeStore(join(args.dataDir, 'functions', 'code'));
  const logs = new InvocationLogs(db);
  const nodePath = args.nodeModules ?? join(GANTRY_ROOT, 'node_modules');
  const workersDir = join(args.dataDir, 'functions', 'workers');
  // Directories of workers a previous server left behind when it stopped without stopping them.
  rmSync(workersDir, { recursive: true, force: true });
  const pool = new WorkerPool({
    workersDir,
    sandbox: args.sandbox,
    code: (sha256) => code.read(sha256),
    nodeModules: nodePath,
    environment: (fn) => runtimeEnvironment(fn, { nodePath, endpointUrl: args.endpointUrl?.() }),
    idleMs: args.idleMs,
    maxWorkersPerFunction: args.maxWorkersPerFunction,
  });
  const invoker = new FunctionInvoker(pool, logs);

  const plane: FunctionPlane = {
    async put(scope, spec) {
      validateSpec(spec);
      const stored = code.put(spec.code);
      const { fn, changed } = await functions.put(scope, {
        name: spec.name, codeSha256: stored.sha256, codeSize: stored.size, handler: 'index.handler',
        environment: spec.environment, timeoutSeconds: spec.timeoutSeconds, memoryMB: spec.memoryMB,
      });
      // Warm workers run the old code: the next invocation starts one of the new version.
      if (changed) pool.retire(fn);
      return { functionArn: functionArn(scope, spec.name) };
    },
    async remove(scope, name) {
      pool.retire({ ...scope, name });
      await functions.remove(scope, name);
    },
    async invoke(scope: FunctionScope, name, event) {
      const fn = await functions.get(scope, name);
      if (!fn) throw functionNotFound(functionArn(scope, name));
      return (await invoker.invoke(fn, event)).result;
    },
  };

  const lambda = lambdaRoute({ iam: args.iam, functions, invoker });
  const functionLogs = logsRoute({ iam: args.iam, functions, logs });
  const route: Route = {
    name: 'functions',
    matches: (req, url) => lambda.matches(req, url) || functionLogs.matches(req, url),
    handle: (req, res, url) => (url.pathname.startsWith(FUNCTION_LOGS_PREFIX) ? functionLogs : lambda).handle(req, res, url),
  };
  return { plane, route, migrations: functionMigrations, stop: () => pool.close() };
}

/** Lambda's limits on what a function may be, checked before anything is stored. */
function validateSpec(spec: FunctionSpec): void {
  const problems: string[] = [];
  if (!NAME.test(spec.name)) problems.push(`name '${spec.name}' must be 1 to 64 letters, digits, hyphens or underscores`);
  if (!Number.isInteger(spec.timeoutSeconds) || spec.timeoutSeconds < 1 || spec.timeoutSeconds > 900) problems.push(`timeoutSeconds ${spec.timeoutSeconds} must be a whole number from 1 to 900`);
  if (!Number.isInteger(spec.memoryMB) || spec.memoryMB < 128 || spec.memoryMB > 10_240) problems.push(`memoryMB ${spec.memoryMB} must be a whole number from 128 to 10240`);
  for (const [key, value] of Object.entries(spec.environment)) {
    if (!/^[a-zA-Z]\w*$/.test(key)) problems.push(`environment variable name '${key}' must start with a letter and hold only letters, digits and _`);
    if (typeof value !== 'string') problems.push(`environment variable ${key} must be a string`);
  }
  if (Buffer.byteLength(JSON.stringify(spec.environment)) > 4096) problems.push('environment variables must total at most 4 KB');
  if (problems.length) throw new GantryError('InvalidParameterValueException', `Function ${spec.name} cannot be deployed: ${problems.join('; ')}.`);
}
