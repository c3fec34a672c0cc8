/**
 * The data plane: deploys model schemas as AppSync-compatible GraphQL APIs and executes requests against
 * them. Each API (`apiId`) has its own directory under `rootDir` holding its SQLite database; nothing is
 * shared between APIs.
 *
 * ```ts
 * const data = createDataApi({ rootDir: '/var/gantry/data' });
 * await data.deploy('api1', { sdl, modelIntrospection, apiKeys: [{ id: 'da2-…', expiresAt: '2030-01-01T00:00:00Z' }] });
 * const { status, body } = await data.execute('api1', { query, variables, headers: { 'x-api-key': 'da2-…' } });
 * data.events.on('mutation', ({ apiId, model, operation, item }) => …);   // for the realtime layer
 * ```
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  execute as executeGraphql,
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { EventBus, GantryError } from '@gantry/core';
import { buildDataSchema, type BuiltSchema } from './build-schema.ts';
import { checkDocumentLimits, type LimitViolation } from './document-limits.ts';
import { AppSyncError, requestError, type AppSyncErrorEntry } from './errors.ts';
import { matchesFilter } from './filter.ts';
import { parseModelSchema, type ModelIntrospection, type ModelSchema } from './model-schema.ts';
import type { MutationOperation, ResolverContext } from './resolvers.ts';
import { applySchema, planSchema, type SchemaPlan } from './storage/apply-schema.ts';
import { accessUnder, itemGranted } from './authorization/access.ts';
import { authenticate, isFailure, type ApiAuthorization, type AuthenticationFailure } from './authorization/authenticate.ts';
import type { Caller, UserPoolTokenVerifier } from './authorization/caller.ts';
import { apiDatabaseFile, ItemStore } from './storage/item-store.ts';
import { parseCustomOperations } from './custom-operations.ts';
import { functionInvoker, type FunctionInvocationResult } from './function-invoker.ts';

export interface DataApiOptions {
  /** Directory holding one sub-directory per API. */
  rootDir: string;
  /** Page size of `list`/index queries when the client gives no `limit` (the transformer's default). @default 100 */
  defaultLimit?: number;
  /** Larger `limit`s are served in pages of this size (with a `nextToken`), as DynamoDB's 1 MB pages are. @default 1000 */
  maxLimit?: number;
  /** Longest accepted query document, in characters. @default 100000 */
  maxQueryLength?: number;
  /** Deepest nesting of fields in a query. @default 20 */
  maxDepth?: number;
  /** Most fields a query may select once fragments are expanded. @default 5000 */
  maxFields?: number;
  /**
   * Adds `__typename` to every model object in responses even when the document does not select it, as the
   * responses recorded with `aws-amplify` show (`captured-data-client-requests.json`). @default true
   */
  typenameOnModels?: boolean;
  /** Clock for `createdAt`/`updatedAt` and key expiry. @default () => new Date() */
  now?: () => Date;
  /** Checks user-pool tokens (`Authorization` header) for APIs with AMAZON_COGNITO_USER_POOLS authorization. */
  verifyUserPoolToken?: UserPoolTokenVerifier;
  /** Runs a function of the API's account for custom operations (the functions service; callers have authorised). */
  invokeFunction?: FunctionInvokeCall;
}

export type FunctionInvokeCall = (scope: { account: string; region: string }, functionName: string, event: unknown) => Promise<FunctionInvocationResult>;

/** Where custom operations' functions live: the API's account and region, and each `@function(name:)`'s function. */
export interface FunctionBindings {
  scope: { account: string; region: string };
  /** `@function(name:)` → deployed function name; names not listed are function names themselves. */
  handlers: Record<string, string>;
}

export interface ApiKeySpec {
  /** The key itself, as clients send it in `x-api-key` (e.g. `da2-…`). Stored hashed. */
  id: string;
  /** When the key stops working: an ISO date-time, epoch seconds (as AppSync's `expires`), or a Date. */
  expiresAt: string | number | Date;
}

export interface DeployInput {
  /** The Amplify-directive SDL, `schema.transform().schema`. */
  sdl: string;
  /** The model introspection (`amplify_outputs.json` `data.model_introspection`); supplies `pluralName`s. */
  modelIntrospection?: ModelIntrospection | null;
  /** API keys accepted in `x-api-key`. Replaces the API's keys. @default [] */
  apiKeys?: ApiKeySpec[];
  /** Allow a deployment that deletes items (removed models, changed primary keys). @default false */
  allowDestructive?: boolean;
  /** The API's authorization types and user pool. @default API_KEY only */
  authorization?: ApiAuthorization;
  /** The functions custom operations invoke. Without it, custom operations answer with an error. */
  functions?: FunctionBindings;
}

export interface Plan extends SchemaPlan {
  apiId: string;
}

export interface ExecuteRequest {
  query: unknown;
  variables?: unknown;
  operationName?: unknown;
  /** Request headers (names in any case); `Authorization` (a user-pool token) or `x-api-key` authorises the request. */
  headers?: Record<string, string | string[] | undefined>;
}

export interface ExecuteResponse {
  status: number;
  body: { data?: unknown; errors?: AppSyncErrorEntry[] };
}

export interface MutationEvent {
  apiId: string;
  model: string;
  operation: MutationOperation;
  /** The item as stored after the mutation (before it, for delete). */
  item: Record<string, unknown>;
}

export type DataEvents = { mutation: MutationEvent };

/** A validated subscription, ready to be matched against and rendered for mutation events. */
export interface PreparedSubscription {
  /** `onCreateTodo` … */
  fieldName: string;
  model: string;
  operation: MutationOperation;
  /** The `filter` argument (ModelSubscription<M>FilterInput), if any. */
  filter: Record<string, unknown> | null;
  /** Does a mutation event's item pass the subscription's filter? */
  matches(item: Record<string, unknown>): boolean;
  /** The `data` payload to send for an item: the subscription's selection set applied to it. */
  render(item: Record<string, unknown>): Promise<{ data: unknown; errors?: AppSyncErrorEntry[] }>;
}

export interface DataApi {
  deploy(apiId: string, input: DeployInput): Promise<Plan>;
  /** The dry run of `deploy`: what would change, without changing anything. */
  plan(apiId: string, input: DeployInput): Promise<Plan>;
  execute(apiId: string, request: ExecuteRequest): Promise<ExecuteResponse>;
  /**
   * For the realtime layer: validates a subscription document (`start` message payload) against the API's
   * schema and the subscriber's access (`listen`) to its model. Events are then matched and rendered as that
   * subscriber may see them. Errors come back in AppSync's shape; the subscriber comes from `authenticate`.
   */
  prepareSubscription(apiId: string, request: { query: unknown; variables?: unknown; operationName?: unknown }, caller: Caller): Promise<PreparedSubscription | { errors: AppSyncErrorEntry[] }>;
  /** Who a set of request headers (`Authorization`, `x-api-key`) authenticates, or why they do not. */
  authenticate(apiId: string, headers: ExecuteRequest['headers']): Promise<Caller | AuthenticationFailure>;
  /** The executable schema of a deployed API (for the realtime layer), or undefined. */
  getSchema(apiId: string): Promise<GraphQLSchema | undefined>;
  events: EventBus<DataEvents>;
  /** Deletes the API and all its items. */
  remove(apiId: string): Promise<void>;
  /** Closes every open database. */
  close(): Promise<void>;
}

interface StoredKey {
  hash: string;
  expiresAt: number;
}

interface Deployment {
  sdl: string;
  modelIntrospection: ModelIntrospection | null;
  apiKeys: StoredKey[];
  deployedAt: string;
  /** Absent in deployments made before user-pool authorization existed: those are API-key APIs. */
  authorization?: ApiAuthorization;
  functions?: FunctionBindings;
}

const API_KEY_ONLY: ApiAuthorization = { defaultType: 'API_KEY', additionalTypes: [] };

interface ApiState {
  store: ItemStore;
  deployment?: Deployment;
  built?: BuiltSchema;
  keys: StoredKey[];
  /** Parsed and validated documents of this deployment, by query text (clients repeat the same few). */
  documents: Map<string, CachedDocument>;
}

interface CachedDocument {
  document: DocumentNode;
  executable: DocumentNode;
  /** The operation each `operationName` selects ('' for none) and the limit it exceeds, worked out once. */
  operations: Map<string, { operation: OperationDefinitionNode | null | undefined; violation: LimitViolation | undefined }>;
}

const DOCUMENT_CACHE_SIZE = 500;

const META_DEPLOYMENT = 'deployment';
const API_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

function expiryMillis(value: string | number | Date): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? (value < 1e11 ? value * 1000 : value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new GantryError('ValidationError', `API key expiry ${String(value)} is not a date: give an ISO 8601 date-time or epoch seconds`);
  return ms;
}

function headerValue(headers: ExecuteRequest['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  // Node's request headers are already lower-case; other callers may spell names any way.
  const direct = headers[name];
  if (direct !== undefined) return Array.isArray(direct) ? direct[0] : direct;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Adds `__typename` to the selection sets of model types that do not select it. */
function withModelTypenames(schema: GraphQLSchema, document: DocumentNode, modelTypes: Set<string>): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const typename: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet: {
        leave(node: SelectionSetNode) {
          const parent = typeInfo.getParentType();
          if (!parent || !modelTypes.has(parent.name)) return undefined;
          if (node.selections.some((s) => s.kind === Kind.FIELD && !s.alias && s.name.value === '__typename')) return undefined;
          return { ...node, selections: [typename, ...node.selections] };
        },
      },
    }),
  );
}

function formatError(error: GraphQLError, requestLevel: boolean): AppSyncErrorEntry {
  const original = error.originalError;
  let errorType: string;
  let errorInfo: Record<string, unknown> | null = null;
  if (original instanceof AppSyncError) {
    errorType = original.errorType;
    errorInfo = original.errorInfo;
  } else if (original instanceof GantryError) {
    errorType = original.code;
  } else if (original && !(original instanceof GraphQLError)) {
    errorType = 'InternalFailure';
    console.error('data: resolver failed:', original);
  } else {
    errorType = requestLevel ? 'ValidationError' : 'ExecutionError';
  }
  return {
    path: error.path ?? null,
    data: null,
    errorType,
    errorInfo,
    locations: error.locations?.map((l) => ({ line: l.line, column: l.column, sourceName: null })) ?? null,
    message: error.message,
  };
}

/** The stored keys' hashes as bytes, computed once per key list. */
const keyHashBytes = new WeakMap<StoredKey[], Buffer[]>();

function keyIsValid(state: ApiState, presented: string, now = Date.now()): boolean {
  const presentedHash = createHash('sha256').update(presented, 'utf8').digest();
  let hashes = keyHashBytes.get(state.keys);
  if (!hashes) keyHashBytes.set(state.keys, (hashes = state.keys.map((k) => Buffer.from(k.hash, 'hex'))));
  let valid = false;
  for (let i = 0; i < hashes.length; i++) if (timingSafeEqual(hashes[i]!, presentedHash) && state.keys[i]!.expiresAt > now) valid = true;
  return valid;
}

export function createDataApi(options: DataApiOptions): DataApi {
  const limits = { defaultLimit: options.defaultLimit ?? 100, maxLimit: options.maxLimit ?? 1000 };
  const maxQueryLength = options.maxQueryLength ?? 100_000;
  const documentLimits = { maxDepth: options.maxDepth ?? 20, maxFields: options.maxFields ?? 5000 };
  const typenameOnModels = options.typenameOnModels ?? true;
  const clock = options.now ?? (() => new Date());
  const events = new EventBus<DataEvents>();
  const states = new Map<string, Promise<ApiState>>();
  const locks = new Map<string, Promise<unknown>>();

  const apiDir = (apiId: string): string => {
    if (!API_ID.test(apiId)) throw new GantryError('ValidationError', `Invalid data API id ${JSON.stringify(apiId)}: use letters, digits, '-' and '_' (at most 128)`);
    return join(options.rootDir, apiId);
  };

  /** Serialises deploy/remove per API. */
  function exclusive<T>(apiId: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(apiId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    locks.set(apiId, run);
    return run.finally(() => {
      if (locks.get(apiId) === run) locks.delete(apiId);
    });
  }

  async function loadState(apiId: string): Promise<ApiState> {
    const dir = apiDir(apiId);
    await mkdir(dir, { recursive: true });
    const store = await ItemStore.open(apiDatabaseFile(dir));
    const state: ApiState = { store, keys: [], documents: new Map() };
    const raw = await store.getMeta(META_DEPLOYMENT);
    if (raw) {
      const deployment = JSON.parse(raw) as Deployment;
      state.deployment = deployment;
      state.keys = deployment.apiKeys;
      state.built = buildDataSchema(parseModelSchema(deployment.sdl, deployment.modelIntrospection), parseCustomOperations(deployment.sdl));
    }
    return state;
  }

  /** The API's state, opening its database on first use; undefined when it was never deployed. */
  async function existingState(apiId: string): Promise<ApiState | undefined> {
    if (!states.has(apiId)) {
      if (!existsSync(apiDatabaseFile(apiDir(apiId)))) return undefined;
      states.set(apiId, loadState(apiId));
    }
    try {
      return await states.get(apiId)!;
    } catch (error) {
      states.delete(apiId);
      throw error;
    }
  }

  async function stateForDeploy(apiId: string): Promise<ApiState> {
    if (!states.has(apiId)) states.set(apiId, loadState(apiId));
    try {
      return await states.get(apiId)!;
    } catch (error) {
      states.delete(apiId);
      throw error;
    }
  }

  function prepare(input: DeployInput): { modelSchema: ModelSchema; built: BuiltSchema; keys: StoredKey[] } {
    if (typeof input?.sdl !== 'string' || input.sdl.trim() === '') throw new GantryError('ValidationError', 'deploy needs sdl: the schema.transform().schema string of the data schema');
    const modelSchema = parseModelSchema(input.sdl, input.modelIntrospection);
    const built = buildDataSchema(modelSchema, parseCustomOperations(input.sdl));
    const keys = (input.apiKeys ?? []).map((k) => {
      if (typeof k?.id !== 'string' || k.id.length === 0) throw new GantryError('ValidationError', 'Every API key needs an id (the key clients send in x-api-key)');
      return { hash: hashKey(k.id), expiresAt: expiryMillis(k.expiresAt) };
    });
    return { modelSchema, built, keys };
  }

  const authorizationOf = (state: ApiState): ApiAuthorization => state.deployment?.authorization ?? API_KEY_ONLY;
  const authenticateWith = (state: ApiState, headers: ExecuteRequest['headers']) => authenticate({
    authorization: authorizationOf(state),
    authorizationHeader: headerValue(headers, 'authorization'),
    apiKey: headerValue(headers, 'x-api-key'),
    keyIsValid: (key) => keyIsValid(state, key, clock().getTime()),
    verifyUserPoolToken: options.verifyUserPoolToken,
  });

  const api: DataApi = {
    events,

    plan: (apiId, input) =>
      exclusive(apiId, async () => {
        const { modelSchema } = prepare(input);
        const state = await existingState(apiId);
        if (!state) return { apiId, ...(await planOnEmpty(modelSchema)) };
        return { apiId, ...(await planSchema(state.store, modelSchema.models)) };
      }),

    deploy: (apiId, input) =>
      exclusive(apiId, async () => {
        const { modelSchema, built, keys } = prepare(input);
        const state = await stateForDeploy(apiId);
        const plan = await applySchema(state.store, modelSchema.models, { allowDestructive: input.allowDestructive });
        const deployment: Deployment = {
          sdl: input.sdl, modelIntrospection: input.modelIntrospection ?? null, apiKeys: keys, deployedAt: clock().toISOString(), authorization: input.authorization ?? API_KEY_ONLY,
          ...(input.functions && { functions: input.functions }),
        };
        await state.store.setMeta(META_DEPLOYMENT, JSON.stringify(deployment));
        state.deployment = deployment;
        state.built = built;
        state.keys = keys;
        state.documents = new Map();
        return { apiId, ...plan };
      }),

    async authenticate(apiId, headers) {
      const state = await existingState(apiId).catch(() => undefined);
      if (!state?.built) return { status: 401, errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' };
      return authenticateWith(state, headers);
    },

    async prepareSubscription(apiId, request, caller) {
      const state = await existingState(apiId).catch(() => undefined);
      if (!state?.built) return { errors: [{ errorType: 'NotFoundException', message: `No data API ${apiId} is deployed here` }] };
      const { schema, modelTypeNames } = state.built;
      const { query, variables, operationName } = request;
      if (typeof query !== 'string') return { errors: [{ errorType: 'MalformedHttpRequestException', message: "Invalid request, `query` can't be null." }] };
      let document: DocumentNode;
      try {
        document = parse(query);
      } catch (error) {
        return { errors: [{ ...formatError(error as GraphQLError, true), errorType: 'MalformedHttpRequestException' }] };
      }
      const validationErrors = validate(schema, document);
      if (validationErrors.length > 0) return { errors: validationErrors.map((e) => formatError(e, true)) };
      const operation = getOperationAST(document, typeof operationName === 'string' ? operationName : undefined);
      if (!operation || operation.operation !== 'subscription') return { errors: [{ errorType: 'ValidationError', message: 'The document must contain one subscription operation.' }] };
      const field = operation.selectionSet.selections[0];
      if (operation.selectionSet.selections.length !== 1 || field?.kind !== Kind.FIELD) {
        return { errors: [{ errorType: 'ValidationError', message: 'A subscription must select exactly one field, such as onCreateTodo.' }] };
      }
      const match = /^on(Create|Update|Delete)(.+)$/.exec(field.name.value)!;
      const model = state.built.modelSchema.models.find((m) => m.name === match[2]);
      const defaultType = authorizationOf(state).defaultType;
      // Subscribers get only the events of items they may read, as AppSync's per-subscriber filters do.
      const access = model ? accessUnder(model.authRules, caller, 'listen', defaultType) : undefined;
      if (!access) return { errors: [{ errorType: 'Unauthorized', message: `Not Authorized to access ${field.name.value} on type Subscription` }] };
      const vars = (variables as Record<string, unknown> | null | undefined) ?? {};
      // Coerce the arguments (variables and literals) by running the field once over an empty root.
      const fieldName = field.name.value;
      const responseKey = field.alias?.value ?? fieldName;
      const prepared = typenameOnModels ? withModelTypenames(schema, document, modelTypeNames) : document;
      let filter: Record<string, unknown> | null = null;
      const probe = await executeGraphql({
        schema,
        document: prepared,
        variableValues: vars,
        operationName: operation.name?.value,
        rootValue: {},
        fieldResolver: (_source, args, _ctx, info) => {
          if (info.fieldName === fieldName && info.path.prev === undefined) filter = (args.filter as Record<string, unknown> | undefined) ?? null;
          return null;
        },
      });
      if (probe.errors?.length) return { errors: probe.errors.map((e) => formatError(e, true)) };
      const plainFilter = filter ? (JSON.parse(JSON.stringify(filter)) as Record<string, unknown>) : null;
      return {
        fieldName,
        model: match[2]!,
        operation: match[1]!.toLowerCase() as MutationOperation,
        filter: plainFilter,
        matches: (item) => itemGranted(access, item) && matchesFilter(item, plainFilter),
        render: async (item) => {
          const context: ResolverContext = { store: state.store, limits, now: () => clock().toISOString(), onMutation: () => undefined, caller, defaultType };
          const result = await executeGraphql({ schema, document: prepared, variableValues: vars, operationName: operation.name?.value, rootValue: { [fieldName]: item }, contextValue: context });
          const data = result.data ? (JSON.parse(JSON.stringify(result.data)) as Record<string, unknown>) : null;
          return result.errors?.length ? { data, errors: result.errors.map((e) => formatError(e, false)) } : { data: data ?? { [responseKey]: null } };
        },
      };
    },

    async getSchema(apiId) {
      return (await existingState(apiId))?.built?.schema;
    },

    remove: (apiId) =>
      exclusive(apiId, async () => {
        const pending = states.get(apiId);
        states.delete(apiId);
        if (pending) await (await pending.catch(() => undefined))?.store.close();
        await rm(apiDir(apiId), { recursive: true, force: true });
      }),

    async close() {
      const all = [...states.values()];
      states.clear();
      await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.store.close()));
    },

    async execute(apiId, request) {
      let state: ApiState | undefined;
      try {
        state = await existingState(apiId);
      } catch (error) {
        if (error instanceof GantryError && error.code === 'ValidationError') return requestError(404, 'NotFoundException', error.message);
        throw error;
      }
      if (!state?.built) return requestError(404, 'NotFoundException', `No data API ${apiId} is deployed here`);

      // Authorisation first, as AppSync does: nothing about the API is revealed to an unauthorised caller.
      const caller = await authenticateWith(state, request.headers);
      if (isFailure(caller)) return requestError(caller.status, caller.errorType, caller.message);

      const { query, variables, operationName } = request;
      if (typeof query !== 'string' || query.trim() === '') return requestError(400, 'MalformedHttpRequestException', "Invalid request, `query` can't be null.");
      if (query.length > maxQueryLength) {
        return requestError(400, 'BadRequestException', `The query document is ${query.length} characters long; the limit is ${maxQueryLength}. Send smaller documents.`);
      }
      if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
        return requestError(400, 'MalformedHttpRequestException', 'Invalid request, `variables` must be a JSON object.');
      }
      if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
        return requestError(400, 'MalformedHttpRequestException', 'Invalid request, `operationName` must be a string.');
      }

      const { schema, modelTypeNames } = state.built;
      let cached = state.documents.get(query);
      if (!cached) {
        let document: DocumentNode;
        try {
          document = parse(query);
        } catch (error) {
          if (error instanceof GraphQLError) return { status: 200, body: { data: null, errors: [{ ...formatError(error, true), errorType: 'MalformedHttpRequestException' }] } };
          throw error;
        }
        const validationErrors = validate(schema, document);
        if (validationErrors.length > 0) return { status: 200, body: { data: null, errors: validationErrors.map((e) => formatError(e, true)) } };
        cached = { document, executable: typenameOnModels ? withModelTypenames(schema, document, modelTypeNames) : document, operations: new Map() };
        if (state.documents.size >= DOCUMENT_CACHE_SIZE) state.documents.delete(state.documents.keys().next().value!);
        state.documents.set(query, cached);
      }
      const { document } = cached;
      let selected = cached.operations.get(operationName ?? '');
      if (!selected) {
        const operation = getOperationAST(document, operationName ?? undefined);
        selected = { operation, violation: operation ? checkDocumentLimits(document, operation, documentLimits) : undefined };
        // Bounded: a client may send any number of operation names with the same text.
        if (cached.operations.size < 16) cached.operations.set(operationName ?? '', selected);
      }
      const { operation, violation } = selected!;
      if (!operation) {
        return { status: 200, body: { data: null, errors: [{ errorType: 'ValidationError', message: operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.' }] } };
      }
      if (violation) {
        const message =
          violation.kind === 'depth'
            ? `Query depth limit of ${violation.limit} exceeded: select less deeply nested fields`
            : `The query selects more than ${violation.limit} fields once fragments are expanded: select fewer fields`;
        return { status: 400, body: { errors: [{ errorType: 'BadRequestException', message }] } };
      }
      if (operation.operation === 'subscription') {
        return {
          status: 200,
          body: { data: null, errors: [{ errorType: 'UnsupportedOperation', message: 'Subscriptions are served over the realtime WebSocket endpoint (<graphql url>/realtime), not over HTTP POST.' }] },
        };
      }

      const context: ResolverContext = {
        store: state.store,
        limits,
        caller,
        defaultType: authorizationOf(state).defaultType,
        functions: functionInvoker(state.deployment?.functions, options.invokeFunction, request.headers),
        now: () => clock().toISOString(),
        onMutation: (model, op, item) => {
          void events.emit('mutation', { apiId, model, operation: op, item: structuredClone(item) });
        },
      };
      const result = await executeGraphql({
        schema,
        document: cached.executable,
        variableValues: (variables as Record<string, unknown> | null | undefined) ?? undefined,
        operationName: operationName ?? undefined,
        contextValue: context,
      });
      const requestLevel = !('data' in result) || result.data === undefined;
      // Plain JSON (graphql-js builds null-prototype objects), as a client would receive it.
      const body: ExecuteResponse['body'] = { data: result.data ? (JSON.parse(JSON.stringify(result.data)) as unknown) : null };
      if (result.errors?.length) body.errors = result.errors.map((e) => formatError(e, requestLevel));
      return { status: 200, body };
    },
  };

  async function planOnEmpty(modelSchema: ModelSchema): Promise<SchemaPlan> {
    return {
      addedModels: modelSchema.models.map((m) => m.name),
      addedFields: [],
      removedModels: [],
      removedFields: [],
      changedKeys: [],
      destructive: false,
    };
  }

  return api;
}
