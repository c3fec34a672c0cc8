import { loadBackend } from '@gantry/amplify-backend';
import { toStackName } from '@gantry/backend/backend-id';
import { AmpxError } from './ampx-error.ts';
import type { AwsContext } from './aws-context.ts';
import { BackendApiError, BackendClient, type BackendIdentifier, type DeploymentEvent } from './backend-client.ts';
import { writeOutputs, type OutputsFormat } from './outputs-file.ts';

export interface DeployOptions {
  appDir: string;
  backendId: BackendIdentifier;
  outputs: { outDir: string; version: string; format: OutputsFormat };
  allowDestructive?: boolean;
  log(line: string): void;
}

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'CANCELLED']);

/**
 * What `pipeline-deploy` and `sandbox` share, as named steps: synthesize the backend definition into a
 * manifest, deploy it as the bootstrap deploy role, follow the deployment's events, write the outputs.
 * The synthesis starts at once, while the caller's identity (`context`, possibly still being resolved) and the
 * deploy role's credentials are fetched.
 */
export async function deployBackend(context: AwsContext | Promise<AwsContext>, options: DeployOptions): Promise<void> {
  const started = Date.now();
  const stackName = toStackName(options.backendId);
  // The server derives the model introspection from the schema (it keeps Amplify's generator loaded).
  const cancelSynthesis = new AbortController();
  const synthesis = loadBackend(options.appDir, { modelIntrospection: false, signal: cancelSynthesis.signal, onOutput: (text) => options.log(text.trimEnd()) });
  synthesis.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
  let client: BackendClient;
  try {
    const caller = await context;
    options.log(`Deploying ${describe(options.backendId)} to ${caller.account} (${caller.region}) as stack ${stackName}`);
    client = await BackendClient.asDeployRole(caller);
  } catch (error) {
    cancelSynthesis.abort();
    await synthesis.catch(() => {});
    throw error;
  }
  const manifest = await synthesis.catch((error) => {
    throw new AmpxError('BackendSynthError', `Unable to load amplify/backend.ts: ${(error as Error).message}`, 'Fix the error in your backend definition, then deploy again.', { cause: error });
  });
  options.log(`Synthesized the backend definition (${Date.now() - started} ms)`);

  let deployment;
  try {
    ({ deployment } = await client.deploy(stackName, { backendId: options.backendId, manifest, allowDestructive: options.allowDestructive }));
  } catch (error) {
    throw asAmpxError(error);
  }
  let token: string | undefined;
  while (!FINISHED.has(deployment.status)) {
    await new Promise((r) => setTimeout(r, 50));
    const page = await client.events(stackName, deployment.deploymentId, token);
    for (const e of page.events) options.log(formatEvent(e));
    token = page.nextToken ?? token;
    deployment = (await client.deployment(stackName, deployment.deploymentId)).deployment;
  }
  if (deployment.status !== 'SUCCEEDED')
    throw new AmpxError('BackendDeploymentError', `The deployment ${deployment.status === 'ROLLED_BACK' ? 'failed and was rolled back' : 'failed'}: ${deployment.error ?? 'see the events above'}`,
      'Fix the cause above and deploy again; the previous backend keeps serving.');
  options.log(`Deployment completed in ${((Date.now() - started) / 1000).toFixed(2)} seconds`);
  const file = writeOutputs(await client.outputs(stackName, options.outputs.version), options.outputs.outDir, options.outputs.format);
  options.log(`File written: ${file}`);
}

/**
 * One line per deployment event, as the real CLI shows CloudFormation's: status, resource type, logical id and
 * reason. The server answers with CloudFormation's field names (`resourceStatus`, `logicalResourceId`, …); reading
 * other names printed a blank line per event.
 * @example formatEvent({ resourceStatus: 'CREATE_COMPLETE', resourceType: 'Gantry::Data::Api', logicalResourceId: 'data' })
 * // '  CREATE_COMPLETE | Gantry::Data::Api | data'
 */
export function formatEvent(event: DeploymentEvent): string {
  const parts = [event.resourceStatus, event.resourceType, event.logicalResourceId].filter((part): part is string => Boolean(part));
  return `  ${parts.join(' | ')}${event.resourceStatusReason ? `: ${event.resourceStatusReason}` : ''}`;
}

export function asAmpxError(error: unknown): unknown {
  if (!(error instanceof BackendApiError)) return error;
  if (error.status === 409) return new AmpxError('DeploymentInProgressError', error.message, 'Wait for the running deployment to finish, then try again.');
  if (error.status === 403) return new AmpxError('AccessDeniedError', error.message, 'Give the principal the permissions the message names (AmplifyBackendDeployFullAccess for deployments).');
  if (error.status === 404) return new AmpxError('StackDoesNotExistError', error.message, 'Deploy the backend first (ampx pipeline-deploy in CI, ampx sandbox locally), or check --app-id and --branch.');
  return new AmpxError('BackendApiError', error.message);
}

const describe = (id: BackendIdentifier) => (id.type === 'branch' ? `branch ${id.name} of app ${id.namespace}` : `sandbox ${id.name} of ${id.namespace}`);
