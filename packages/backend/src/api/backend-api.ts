import { GantryError } from '@gantry/core';
import { restJsonRoute, type RestEndpoint, type Route } from '@gantry/edge';
import { callerAccount, type CallContext, type Iam, type Operation } from '@gantry/iam';
import { toStackName, validateBackendId } from '../backend-id.ts';
import type { Deployer } from '../engine/deployer.ts';
import { readManifest } from '../manifest.ts';
import { buildClientConfig } from '../outputs/client-config.ts';
import { listDeployments, listEvents, requireDeployment } from '../stacks/deployment-store.ts';
import { findStack, neverDeployed, requireStack, stackOutputs, stackResourceArn, type BackendDb, type StackRef } from '../stacks/stack-store.ts';
import { currentOutputs, deploymentShape, eventShape, stackShape } from './backend-shapes.ts';
import { listStacksEndpoint } from './list-stacks.ts';

/**
 * The backend deploy API, REST-JSON under `/_gantry/backends`, SigV4-signed for the service `cloudformation`.
 * Every call acts in the caller's account and the region of its signature, on the stack resource
 * `arn:aws:cloudformation:<region>:<account>:stack/<stackName>/*`.
 *
 * | method and path (under `/_gantry/backends/stacks/{stackName}`) | IAM action | answer |
 * |---|---|---|
 * | `POST /deployments` `{ backendId, manifest, allowDestructive? }` | `cloudformation:ExecuteChangeSet` | 202 `{ deployment }`: APPLYING (poll it), or SUCCEEDED at once when nothing changed |
 * | `GET /deployments?maxResults&nextToken` | `cloudformation:ListChangeSets` | `{ deployments, nextToken? }`, newest first |
 * | `GET /deployments/{deploymentId}` | `cloudformation:DescribeChangeSet` | `{ deployment }` with its plan, status and error |
 * | `POST /plans` `{ backendId, manifest, allowDestructive? }` | `cloudformation:CreateChangeSet` | `{ stackName, plan }`; records nothing |
 * | `GET` (the stack itself) | `cloudformation:DescribeStacks` | `{ stack }`: status, backend id, outputs by metadata key, resources |
 * | `GET /outputs?version=1.3` | `cloudformation:DescribeStacks` | amplify_outputs.json of the last successful deployment |
 * | `GET /events?deploymentId&nextToken&maxResults` | `cloudformation:DescribeStackEvents` | `{ deploymentId, deploymentStatus, events, nextToken }`, oldest first; default: the latest deployment |
 * | `DELETE` (the stack itself) | `cloudformation:DeleteStack` | 202 `{ deployment }` of kind DELETE |
 *
 * `backendId` must be the one the stack name is derived from (`toStackName`). Errors are `{ message }` with
 * `x-amzn-errortype`: ValidationError 400 (malformed input, refused plan), AccessDenied 403, NotFound 404,
 * Conflict 409 (another deployment of the stack is running).
 */
export interface BackendApiOptions {
  iam: Iam;
  db: BackendDb;
  deployer: Deployer;
  dataBaseUrl: () => string;
  /** Model introspection of a schema, for manifests that leave it out. */
  introspectionOf(sdl: string): Promise<Record<string, unknown>>;
}

type Params = Record<string, any>;
const op = (o: Operation<Params>): Operation<Params> => o;

export const BACKENDS_PREFIX = '/_gantry/backends';

/** CloudFormation's stack name rule: a letter, then letters, digits and dashes, 128 at most. */
function refOf(p: Params, call: CallContext): StackRef {
  const stackName = String(p.stackName);
  if (!/^[A-Za-z][-A-Za-z0-9]{0,127}$/.test(stackName))
    throw new GantryError('ValidationError', `${JSON.stringify(stackName)} is not a stack name: it must start with a letter and hold only letters, digits and dashes (128 at most).`);
  return { account: callerAccount(call), region: call.region, stackName };
}

const principalArn = (call: CallContext): string => (call.principal.kind === 'service' ? call.principal.service : call.principal.arn);

function pageLimit(value: unknown, max: number): number {
  if (value === undefined) return max;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new GantryError('ValidationError', `maxResults must be a whole number from 1 to ${max}.`);
  return n;
}

/** The request's backend id, checked against the stack name in the path (they must agree, as Amplify derives one from the other). */
function backendOf(p: Params, ref: StackRef) {
  const backendId = validateBackendId(p.backendId);
  const expected = toStackName(backendId);
  if (expected !== ref.stackName)
    throw new GantryError('ValidationError', `The stack of backend ${JSON.stringify(backendId)} is ${expected}, not ${ref.stackName}: deploy to /_gantry/backends/stacks/${expected}/deployments.`);
  return backendId;
}

/**
 * The backend deploy API: REST-JSON signed for `cloudformation`, authorised with CloudFormation's actions on
 * `arn:aws:cloudformation:<region>:<account>:stack/<stackName>/*`, where the account is the caller's and the
 * region the signature's. So a role session in account B deploys into account B.
 */
export function backendEndpoints(options: BackendApiOptions): RestEndpoint[] {
  const { db, deployer } = options;
  const stack = (p: Params, call: CallContext) => ({ arn: stackResourceArn(refOf(p, call)), account: callerAccount(call) });

  const ops = {
    Deploy: op({
      // Executing the change set is what changes the stack; planning alone is CreateChangeSet below.
      action: 'cloudformation:ExecuteChangeSet', resource: stack,
      async run(p, call) {
        const ref = refOf(p, call);
        const backendId = backendOf(p, ref);
        const manifest = await readManifest(p.manifest, options.introspectionOf);
        if (p.allowDestructive !== undefined && typeof p.allowDestructive !== 'boolean') throw new GantryError('ValidationError', 'allowDestructive must be true or false.');
        const row = await deployer.deploy({ ref, backendId, manifest, allowDestructive: p.allowDestructive === true, principalArn: principalArn(call) });
        return { deployment: deploymentShape(row) };
      },
    }),
    Plan: op({
      action: 'cloudformation:CreateChangeSet', resource: stack,
      async run(p, call) {
        const ref = refOf(p, call);
        const plan = await deployer.preview(ref, backendOf(p, ref), await readManifest(p.manifest, options.introspectionOf), p.allowDestructive === true);
        return { stackName: ref.stackName, plan };
      },
    }),
    DescribeStack: op({
      action: 'cloudformation:DescribeStacks', resource: stack,
      run: async (p, call) => ({ stack: stackShape(await requireStack(db, refOf(p, call)), options.dataBaseUrl()) }),
    }),
    GetOutputs: op({
      action: 'cloudformation:DescribeStacks', resource: stack,
      async run(p, call) {
        const ref = refOf(p, call);
        const row = await requireStack(db, ref);
        if (neverDeployed(row))
          throw new GantryError('NotFound', `Stack ${ref.stackName} has no outputs yet: it has never deployed successfully (status ${row.status}). Deploy the backend, then generate outputs.`);
        return buildClientConfig(currentOutputs(stackOutputs(row), options.dataBaseUrl()), { version: p.version === undefined ? undefined : String(p.version) });
      },
    }),
    ListDeployments: op({
      action: 'cloudformation:ListChangeSets', resource: stack,
      async run(p, call) {
        const ref = refOf(p, call);
        const limit = pageLimit(p.maxResults, 100);
        const rows = await listDeployments(db, ref, limit + 1, p.nextToken === undefined ? undefined : String(p.nextToken));
        if (!rows.length && !(await findStack(db, ref)) && p.nextToken === undefined) await requireStack(db, ref);
        const page = rows.slice(0, limit);
        return { deployments: page.map(deploymentShape), nextToken: rows.length > limit ? page[page.length - 1]!.deployment_id : undefined };
      },
    }),
    DescribeDeployment: op({
      action: 'cloudformation:DescribeChangeSet', resource: stack,
      run: async (p, call) => ({ deployment: deploymentShape(await requireDeployment(db, refOf(p, call), p.deploymentId)) }),
    }),
    DescribeEvents: op({
      action: 'cloudformation:DescribeStackEvents', resource: stack,
      async run(p, call) {
        const ref = refOf(p, call);
        const deploymentId = p.deploymentId === undefined ? (await requireStack(db, ref)).last_deployment_id : String(p.deploymentId);
        if (!deploymentId) return { events: [] };
        const deployment = await requireDeployment(db, ref, deploymentId);
        const after = p.nextToken === undefined ? 0 : Number(p.nextToken);
        if (!Number.isInteger(after) || after < 0) throw new GantryError('ValidationError', 'nextToken must be the value a previous answer returned.');
        const limit = pageLimit(p.maxResults, 500);
        const rows = await listEvents(db, deployment.deployment_id, after, limit);
        // The token always points after the last event seen, so a poller can keep asking for what is new.
        return { deploymentId, deploymentStatus: deployment.status, events: rows.map(eventShape), nextToken: String(rows.length ? rows[rows.length - 1]!.seq : after) };
      },
    }),
    DeleteStack: op({
      action: 'cloudformation:DeleteStack', resource: stack,
      run: async (p, call) => ({ deployment: deploymentShape(await deployer.remove(refOf(p, call), principalArn(call))) }),
    }),
  };

  const base = `${BACKENDS_PREFIX}/stacks/{stackName}`;
  return [
    { method: 'POST', path: `${base}/deployments`, operation: ops.Deploy, successStatus: 202 },
    { method: 'GET', path: `${base}/deployments`, operation: ops.ListDeployments },
    { method: 'GET', path: `${base}/deployments/{deploymentId}`, operation: ops.DescribeDeployment },
    { method: 'POST', path: `${base}/plans`, operation: ops.Plan },
    { method: 'GET', path: base, operation: ops.DescribeStack },
    { method: 'DELETE', path: base, operation: ops.DeleteStack, successStatus: 202 },
    { method: 'GET', path: `${base}/outputs`, operation: ops.GetOutputs },
    { method: 'GET', path: `${base}/events`, operation: ops.DescribeEvents },
    listStacksEndpoint(db, BACKENDS_PREFIX),
  ];
}

export function backendRoute(options: BackendApiOptions): Route {
  return restJsonRoute(options.iam, { name: 'backends', signingName: 'cloudformation', prefix: BACKENDS_PREFIX, endpoints: backendEndpoints(options) });
}
