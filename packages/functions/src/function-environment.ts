import { dirname } from 'node:path';
import { logGroupName } from './function-arn.ts';
import type { StoredFunction } from './function-store.ts';

export interface RuntimeEnvironmentOptions {
  /** Where `require('@aws-sdk/…')` finds the SDK, as Lambda's Node.js runtime provides it: Gantry's node_modules. */
  nodePath: string;
  /** Gantry's own endpoint, for AWS SDK clients in the function (`AWS_ENDPOINT_URL`), when given. */
  endpointUrl?: string;
}

/**
 * The environment a function's workers start with, built from nothing (the server's own environment never
 * reaches them): Lambda's reserved variables, then the function's own, which cannot override the reserved ones
 * (Lambda refuses to set them).
 */
export function runtimeEnvironment(fn: StoredFunction, options: RuntimeEnvironmentOptions): Record<string, string> {
  const reserved: Record<string, string> = {
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMB),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(fn.name),
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(fn),
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    LAMBDA_RUNTIME_DIR: dirname(import.meta.dirname),
    _HANDLER: fn.handler,
    NODE_PATH: options.nodePath,
    PATH: ['/usr/local/bin', '/usr/bin', '/bin', dirname(process.execPath)].join(':'),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    HOME: '/tmp',
    TMPDIR: '/tmp',
  };
  // The AWS SDK in the function finds Gantry (a Lambda function finds AWS) without any code change.
  if (options.endpointUrl) reserved.AWS_ENDPOINT_URL = options.endpointUrl;
  return { ...fn.environment, ...reserved };
}

/** Lambda names a log stream `<date>/[$LATEST]<id>`; Gantry keeps one stream per function version. */
export function logStreamName(fn: StoredFunction): string {
  const date = new Date(fn.lastModified).toISOString().slice(0, 10).replace(/-/g, '/');
  return `${date}/[$LATEST]${fn.revisionId.replace(/-/g, '')}`;
}
