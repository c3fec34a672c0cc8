/**
 * What the deploy engine and the data API ask of the functions service. The same shapes are declared by the
 * deploy engine (packages/backend/src/providers/function-plane.ts): this package implements them structurally
 * and depends on nothing of the engine's.
 */
export interface FunctionSpec {
  /** The deployed function name (Lambda's FunctionName). */
  name: string;
  /** The bundled CommonJS source; its `handler` export is the Lambda handler. */
  code: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMB: number;
}

/** The account and region a function lives in: a name is unique within one scope only. */
export interface FunctionScope {
  account: string;
  region: string;
}

export interface InvokeResult {
  /** What the handler returned (parsed JSON), or the error payload Lambda returns when it failed. */
  payload: unknown;
  functionError?: { errorType: string; errorMessage: string; trace?: string[] };
}

export interface FunctionPlane {
  /** Creates the function or replaces its code and configuration (a new version). */
  put(scope: FunctionScope, spec: FunctionSpec): Promise<{ functionArn: string }>;
  /** Removing an unknown function is not an error. */
  remove(scope: FunctionScope, name: string): Promise<void>;
  /** Runs the function once with the event (as the Lambda service does, no IAM check: callers have authorised). */
  invoke(scope: FunctionScope, name: string, event: unknown): Promise<InvokeResult>;
}
