/** One function as the deploy engine asks the functions service to run it. */
export interface FunctionSpec {
  /** The deployed function name (Lambda's FunctionName). */
  name: string;
  /** The bundled CommonJS source; its `handler` export is the Lambda handler. */
  code: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMB: number;
}

export interface FunctionScope { account: string; region: string }

export interface InvokeResult { payload: unknown; functionError?: { errorType: string; errorMessage: string; trace?: string[] } }

/**
 * The small part of the functions service (`@gantry/functions`) the deploy engine and the data API use,
 * composed by the server, so the engine does not import the functions package.
 */
export interface FunctionPlane {
  /** Creates the function or replaces its code and configuration (a new version). */
  put(scope: FunctionScope, spec: FunctionSpec): Promise<{ functionArn: string }>;
  /** Removing an unknown function is not an error. */
  remove(scope: FunctionScope, name: string): Promise<void>;
  /** Runs the function once with the event (as the Lambda service does, no IAM check: callers have authorised). */
  invoke(scope: FunctionScope, name: string, event: unknown): Promise<InvokeResult>;
}
