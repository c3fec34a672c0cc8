import type { FunctionManifest, UnsupportedConstruct } from '../backend-manifest.ts';
import type { CallSite } from '../define/call-site.ts';
import type { CustomFunctionProps, FunctionProps } from '../define/define-function.ts';
import { isSecret } from '../define/secret.ts';
import { appRelative, unsupportedAt } from './app-files.ts';

type RecordedFunctionProps = FunctionProps & { custom?: CustomFunctionProps; resolvedEntry?: string };

export function buildFunctionManifest(appDir: string, props: RecordedFunctionProps, callSite: CallSite | undefined): { fn: FunctionManifest; unsupported: UnsupportedConstruct[] } {
  const environment: FunctionManifest['environment'] = {};
  for (const [key, value] of Object.entries(props.environment ?? {})) {
    environment[key] = isSecret(value) ? { secret: value.secretName } : String(value);
  }
  const name = props.name ?? 'function';
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
  };
  const unsupported = [unsupportedAt(appDir, `defineFunction (${name})`, callSite, 'Gantry does not run functions yet: the function is recorded but not deployed.')];
  return { fn, unsupported };
}
