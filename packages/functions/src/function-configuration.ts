import { functionArn, logGroupName } from './function-arn.ts';
import type { StoredFunction } from './function-store.ts';

/** Lambda's `FunctionConfiguration`, as GetFunction and ListFunctions return it. */
export function functionConfiguration(fn: StoredFunction) {
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(fn, fn.name),
    Runtime: 'nodejs20.x',
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: '',
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMB,
    // Lambda's own format: milliseconds and a `+0000` offset.
    LastModified: new Date(fn.lastModified).toISOString().replace('Z', '+0000'),
    CodeSha256: Buffer.from(fn.codeSha256, 'hex').toString('base64'),
    Version: '$LATEST',
    Environment: { Variables: fn.environment },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: logGroupName(fn.name) },
  };
}
