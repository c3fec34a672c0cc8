/**
 * One invocation, as the Lambda service runs it: a warm worker (or a cold start), the event, the deadline, and
 * the log CloudWatch would hold (START, the function's lines, END, REPORT), recorded whatever the outcome.
 */
import { randomUUID } from 'node:crypto';
import { GantryError } from '@gantry/core';
import { functionArn } from './function-arn.ts';
import type { InvokeResult } from './function-plane.ts';
import type { StoredFunction } from './function-store.ts';
import type { InvocationLogs } from './invocation-logs.ts';
import type { WorkerOutcome } from './function-worker.ts';
import type { Lease, WorkerPool } from './worker-pool.ts';

/** The largest response Lambda returns from a synchronous invocation. */
export const MAX_RESPONSE_BYTES = 6_291_556;

/** How much of one invocation's log is kept. */
export const MAX_LOG_CHARS = 1024 * 1024;

export interface Invocation {
  requestId: string;
  result: InvokeResult;
  /** The payload as the function's JSON text (or the error payload's). */
  payloadJson: string;
  /** The invocation's log, START to REPORT. */
  log: string;
}

export class FunctionInvoker {
  constructor(private readonly pool: WorkerPool, private readonly logs: InvocationLogs) {}

  /** @param options.clientContext what the caller passed as `ClientContext` (the handler's `context.clientContext`) */
  async invoke(fn: StoredFunction, event: unknown, options: { clientContext?: unknown } = {}): Promise<Invocation> {
    const requestId = randomUUID();
    const startedAt = Date.now();
    const lines = [`START RequestId: ${requestId} Version: $LATEST`];
    let logged = 0;
    let dropped = 0;
    const log = (line: string) => {
      if (logged + line.length > MAX_LOG_CHARS) return void dropped++;
      logged += line.length;
      lines.push(line);
    };
    const timeoutMs = fn.timeoutSeconds * 1000;
    let lease: Lease | undefined;
    let outcome: WorkerOutcome;
    const began = performance.now();
    try {
      lease = await this.pool.acquire(fn);
      outcome = await lease.worker.invoke({ id: requestId, event, functionArn: functionArn(fn, fn.name), timeoutMs, clientContext: options.clientContext }, log);
    } catch (error) {
      // No sandbox on this machine: the caller is told why, as a service error rather than the function's.
      if (error instanceof GantryError) throw error;
      outcome = { kind: 'exited', detail: (error as Error).message };
    } finally {
      lease?.release();
    }
    const durationMs = performance.now() - began;
    if (dropped) lines.push(`${new Date().toISOString()}\t${requestId}\tWARN\t[${dropped} more log lines of this invocation were dropped: at most ${MAX_LOG_CHARS} characters are kept]`);
    const seconds = fn.timeoutSeconds.toFixed(2);
    let result: InvokeResult;
    switch (outcome.kind) {
      case 'result': {
        const size = Buffer.byteLength(outcome.payload);
        result = size > MAX_RESPONSE_BYTES
          ? failure('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`)
          : { payload: JSON.parse(outcome.payload) };
        break;
      }
      case 'error':
        result = { payload: outcome.error, functionError: outcome.error };
        break;
      case 'timeout':
        lines.push(`${new Date().toISOString()} ${requestId} Task timed out after ${seconds} seconds`);
        result = failure('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`);
        break;
      case 'exited':
        lines.push(`RequestId: ${requestId} Error: Runtime exited with error: ${outcome.detail}`);
        result = failure('Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited with error: ${outcome.detail}`);
        break;
    }
    const memoryUsed = 'memoryMB' in outcome && outcome.memoryMB ? `\tMax Memory Used: ${Math.min(outcome.memoryMB, fn.memoryMB)} MB` : '';
    const init = lease?.cold && lease.worker.initMs !== undefined ? `\tInit Duration: ${lease.worker.initMs.toFixed(2)} ms` : '';
    lines.push(`END RequestId: ${requestId}`);
    lines.push(`REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${fn.memoryMB} MB${memoryUsed}${init}${outcome.kind === 'timeout' ? '\tStatus: timeout' : ''}`);
    const text = lines.map((line) => `${line}\n`).join('');
    await this.logs.append(fn, fn.name, { requestId, startedAt, text }).catch((error) => console.error(`could not record the log of ${fn.name} invocation ${requestId}:`, error));
    const payloadJson = outcome.kind === 'result' && !result.functionError ? outcome.payload : JSON.stringify(result.payload);
    return { requestId, result, payloadJson, log: text };
  }
}

function failure(errorType: string, errorMessage: string): InvokeResult {
  const functionError = { errorType, errorMessage };
  return { payload: functionError, functionError };
}
