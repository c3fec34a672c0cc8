import type { BackendManifest } from '../backend-manifest.ts';

/** What the child writes to the result file: exactly one of these. */
export type ChildResult =
  | { ok: true; manifest: BackendManifest }
  | { ok: false; phase: 'import' | 'synth' | 'uncaught'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Node's error code (`ERR_MODULE_NOT_FOUND`, ...). */
  code?: string;
  /** For BackendDefinitionError. */
  file?: string;
  line?: number;
  cause?: SerializedError;
}

export function serializeError(thrown: unknown, depth = 0): SerializedError {
  if (!(thrown instanceof Error)) return { name: 'Error', message: `A non-Error value was thrown: ${safeString(thrown)}` };
  const withExtras = thrown as Error & { code?: unknown; file?: unknown; line?: unknown };
  return {
    name: thrown.name,
    message: thrown.message,
    ...(thrown.stack ? { stack: thrown.stack } : {}),
    ...(typeof withExtras.code === 'string' ? { code: withExtras.code } : {}),
    ...(typeof withExtras.file === 'string' ? { file: withExtras.file } : {}),
    ...(typeof withExtras.line === 'number' ? { line: withExtras.line } : {}),
    ...(thrown.cause !== undefined && depth < 3 ? { cause: serializeError(thrown.cause, depth + 1) } : {}),
  };
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
