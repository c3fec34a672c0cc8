import path from 'node:path';
import { captureCallSite } from './call-site.ts';
import { makeFactory, type ResourceFactory } from './factory.ts';
import { recordDefinition } from './registry.ts';
import type { BackendSecret } from './secret.ts';

export interface FunctionProps {
  /** @default the name of the folder holding the resource file */
  name?: string;
  /** Handler file, relative to the file that calls defineFunction. @default './handler.ts' */
  entry?: string;
  /** @default 3 */
  timeoutSeconds?: number;
  /** @default 512 */
  memoryMB?: number;
  ephemeralStorageSizeMB?: number;
  environment?: Record<string, string | BackendSecret>;
  /** Node.js major version. @default 20 */
  runtime?: number;
  /** Cron expression or rate ("every 5m"). */
  schedule?: string | string[];
  layers?: Record<string, string>;
  bundling?: { minify?: boolean };
  resourceGroupName?: string;
  architecture?: 'x86_64' | 'arm64';
}

/** A function defined with a CDK provider (`defineFunction((scope) => new Function(...))`). */
export interface CustomFunctionProps {
  provider: (...args: unknown[]) => unknown;
  options?: Record<string, unknown>;
}

export type FunctionFactory = ResourceFactory<'function'>;

/** Gantry's `defineFunction`: records the function's settings and resolves its entry file. */
export function defineFunction(props?: FunctionProps): FunctionFactory;
export function defineFunction(provider: (...args: unknown[]) => unknown, options?: Record<string, unknown>): FunctionFactory;
export function defineFunction(
  propsOrProvider: FunctionProps | ((...args: unknown[]) => unknown) = {},
  options?: Record<string, unknown>,
): FunctionFactory {
  const callSite = captureCallSite();
  const callerDir = callSite ? path.dirname(callSite.file) : process.cwd();
  let props: FunctionProps & { custom?: CustomFunctionProps; resolvedEntry?: string };
  if (typeof propsOrProvider === 'function') {
    props = { name: (options?.['name'] as string | undefined) ?? undefined, custom: { provider: propsOrProvider, options } };
  } else {
    props = { ...propsOrProvider };
    props.resolvedEntry = path.resolve(callerDir, props.entry ?? './handler.ts');
  }
  props.name ??= path.basename(callerDir);
  const id = recordDefinition({ kind: 'function', props, callSite });
  return makeFactory('function', id, 'defineFunction');
}
