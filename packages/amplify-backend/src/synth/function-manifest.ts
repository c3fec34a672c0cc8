import type { FunctionManifest, UnsupportedConstruct } from '../backend-manifest.ts';
import { bundleFunction } from '../bundle/bundle-function.ts';
import type { CallSite } from '../define/call-site.ts';
import type { CustomFunctionProps, FunctionProps } from '../define/define-function.ts';
import { isSecret } from '../define/secret.ts';
import { appRelative, unsupportedAt } from './app-files.ts';

type RecordedFunctionProps = FunctionProps & { custom?: CustomFunctionProps; resolvedEntry?: string };

/**
 * A function's manifest entry, with its handler bundled (the code the functions service runs). What Gantry
 * cannot run yet (CDK-provided functions, schedules, layers, secrets in the environment) is listed as unsupported.
 */
export function buildFunctionManifest(appDir: string, props: RecordedFunctionProps, callSite: CallSite | undefined): { fn: FunctionManifest; unsupported: UnsupportedConstruct[] } {
  const environment: FunctionManifest['environment'] = {};
  for (const [key, value] of Object.entries(props.environment ?? {})) {
    environment[key] = isSecret(value) ? { secret: value.secretName } : String(value);
  }
  const name = props.name ?? 'function';
  const unsupported: UnsupportedConstruct[] = [];
  const refuse = (construct: string, hint: string) => unsupported.push(unsupportedAt(appDir, construct, callSite, hint));
  if (props.custom) refuse(`defineFunction (${name}) with a CDK provider`, 'Gantry runs functions defined with props (entry, environment, timeoutSeconds, memoryMB), not CDK constructs.');
  if (props.schedule !== undefined) refuse(`defineFunction (${name}) schedule`, 'Scheduled functions are not run by Gantry yet: remove schedule and invoke the function another way.');
  if (props.layers && Object.keys(props.layers).length > 0) refuse(`defineFunction (${name}) layers`, 'Lambda layers are not supported by Gantry: bundle the code with the handler instead.');
  for (const [key, value] of Object.entries(environment)) {
    if (typeof value !== 'string') refuse(`defineFunction (${name}) environment.${key} = secret('${value.secret}')`, 'Secrets in function environments are not supported by Gantry yet: pass a plain value.');
  }
  const code = !props.custom && props.resolvedEntry ? bundleFunction(appDir, name, props.resolvedEntry) : undefined;
  const fn: FunctionManifest = {
    name,
    file: appRelative(appDir, callSite?.file),
    ...(props.resolvedEntry ? { entry: appRelative(appDir, props.resolvedEntry) } : {}),
    timeoutSeconds: props.timeoutSeconds ?? 3,
    memoryMB: props.memoryMB ?? 512,
    runtime: props.runtime ?? 20,
    environment,
    ...(props.schedule !== undefined ? { schedule: Array.isArray(props.schedule) ? [...props.schedule] : [props.schedule] } : {}),
    custom: props.custom !== undefined,
    ...(code !== undefined ? { code } : {}),
  };
  return { fn, unsupported };
}
