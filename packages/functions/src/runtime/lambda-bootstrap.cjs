'use strict';
/**
 * The Node.js runtime of one warm worker, run inside the build sandbox: loads the function's bundled code from
 * LAMBDA_TASK_ROOT (the module and export `_HANDLER` names, `index.handler`), then runs one invocation at a time
 * as Lambda's runtime does: `handler(event, context)` returning a promise, or `handler(event, context, callback)`.
 *
 * Requests arrive as JSON lines on stdin. Answers and console output go back as JSON lines on descriptor 3, in
 * the order they happened, so a log line printed before the handler returned is always in that invocation's log.
 * Console lines are formatted as Lambda prints them: `<ISO time>\t<request id>\t<LEVEL>\t<message>`.
 */
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const util = require('node:util');

const channel = new net.Socket({ fd: 3, readable: false, writable: true });
const send = (message) => channel.write(JSON.stringify(message) + '\n');

/** The largest answer of a synchronous invocation, as Lambda allows. */
const MAX_RESPONSE_BYTES = 6291556;

let current; // { id, deadline } of the invocation running now
let settle; // finishes the invocation running now, once

// Console output, as Lambda formats it, attributed to the invocation running now.
const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
for (const [method, level] of Object.entries(levels)) {
  console[method] = (...args) => {
    const text = method === 'trace' ? util.format(...args) + '\n' + new Error().stack.split('\n').slice(2).join('\n') : util.format(...args);
    send({ t: 'log', line: `${new Date().toISOString()}\t${current ? current.id : 'undefined'}\t${level}\t${text}` });
  };
}

/** Lambda's error payload: `{ errorType, errorMessage, trace }`. */
function errorPayload(error, fallbackType) {
  if (error instanceof Error) {
    return { errorType: error.name || fallbackType || 'Error', errorMessage: error.message, trace: String(error.stack || '').split('\n') };
  }
  if (typeof error === 'string') return { errorType: 'string', errorMessage: error, trace: [] };
  return { errorType: fallbackType || typeof error, errorMessage: JSON.stringify(error) ?? String(error), trace: [] };
}

// Loading the code is the init phase; its failure is reported on the first invocation, as Lambda does.
const initStarted = process.hrtime.bigint();
let handler;
let initError;
try {
  const handlerSetting = process.env._HANDLER || 'index.handler';
  const dot = handlerSetting.lastIndexOf('.');
  const moduleName = handlerSetting.slice(0, dot);
  const exportName = handlerSetting.slice(dot + 1);
  let loaded;
  try {
    loaded = require(path.join(process.env.LAMBDA_TASK_ROOT, moduleName));
  } catch (error) {
    const syntax = error instanceof SyntaxError;
    initError = { errorType: syntax ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError', errorMessage: `${error && error.name}: ${error && error.message}`, trace: String((error && error.stack) || '').split('\n') };
  }
  if (!initError) {
    handler = loaded && loaded[exportName];
    if (typeof handler !== 'function') {
      initError = { errorType: 'Runtime.HandlerNotFound', errorMessage: `${handlerSetting} is undefined or not exported`, trace: [] };
    }
  }
} catch (error) {
  initError = errorPayload(error, 'Runtime.InitError');
}
send({ t: 'ready', initMs: Number(process.hrtime.bigint() - initStarted) / 1e6 });

/** Ends the worker after reporting an error the process cannot recover from (Lambda starts a fresh one). */
function fatal(error, errorType) {
  const payload = errorPayload(error, errorType);
  if (errorType) payload.errorType = errorType;
  if (current) {
    send({ t: 'log', line: `${new Date().toISOString()}\t${current.id}\tERROR\t${errorType === 'Runtime.UnhandledPromiseRejection' ? 'Unhandled Promise Rejection' : 'Uncaught Exception'} \t${JSON.stringify(payload)}` });
    send({ t: 'error', id: current.id, error: payload, fatal: true });
  }
  channel.end(() => process.exit(129));
}
process.on('uncaughtException', (error) => fatal(error));
process.on('unhandledRejection', (reason) => {
  const cause = reason instanceof Error ? reason : new Error(String(reason));
  const error = new Error(`${cause.name}: ${cause.message}`);
  error.stack = cause.stack;
  fatal(error, 'Runtime.UnhandledPromiseRejection');
});

function invoke(request) {
  current = { id: request.id, deadline: request.deadline };
  if (initError) {
    send({ t: 'log', line: `${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(initError)}` });
    send({ t: 'error', id: request.id, error: initError, fatal: true });
    return;
  }
  let done = false;
  settle = (error, result) => {
    if (done) return;
    done = true;
    const id = request.id;
    const memoryMB = Math.ceil(process.memoryUsage().rss / 1048576);
    if (error !== undefined && error !== null) {
      const payload = errorPayload(error);
      send({ t: 'log', line: `${new Date().toISOString()}\t${id}\tERROR\tInvoke Error \t${JSON.stringify(payload)}` });
      send({ t: 'error', id, error: payload, memoryMB });
    } else {
      let json;
      try {
        json = JSON.stringify(result === undefined ? null : result);
      } catch (marshal) {
        send({ t: 'error', id, error: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${marshal.message}`, trace: [] }, memoryMB });
        current = undefined;
        return;
      }
      const payload = json === undefined ? 'null' : json;
      if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
        send({ t: 'error', id, error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).` }, memoryMB });
      } else {
        send({ t: 'result', id, payload, memoryMB });
      }
    }
    current = undefined;
  };
  const callback = (error, result) => settle(error === undefined ? null : error, result);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: request.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: request.id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: request.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
    done: (error, result) => callback(error, result),
    succeed: (result) => callback(null, result),
    fail: (error) => callback(error === undefined || error === null ? 'handled' : error),
  };
  let returned;
  try {
    returned = handler(request.event, context, callback);
  } catch (error) {
    settle(error === undefined || error === null ? new Error(String(error)) : error);
    return;
  }
  if (returned && typeof returned.then === 'function') {
    returned.then((result) => settle(null, result), (error) => settle(error === undefined || error === null ? new Error(String(error)) : error));
  } else if (handler.length < 3) {
    // A synchronous handler without a callback: Lambda answers null once it returns.
    settle(null, null);
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim()) invoke(JSON.parse(line));
});
process.stdin.on('end', () => process.exit(0));
