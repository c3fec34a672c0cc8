// How a function can fail besides throwing, and what Lambda's clients see each time: the process exits, an
// exception escapes the handler, a promise rejection goes unhandled, the heap outgrows the memory setting,
// the code does not load. The worker is replaced every time, and concurrent invocations get workers of their own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../../gantry/test/support/test-server.ts';
import { functionLogs, lambdaClient } from './support/function-clients.ts';

let ts: TestServer;
let lambda: LambdaClient;
const decode = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload));
const invoke = async (name: string, event: unknown = {}) => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)), LogType: 'Tail' }));
  return { error: out.FunctionError, body: decode(out.Payload), log: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8') };
};

before(async () => {
  ts = await startTestServer();
  lambda = lambdaClient(ts, ts.admin);
  const scope = { account: ts.managementAccount, region: 'us-east-1' };
  const put = (name: string, code: string, memoryMB = 128) => ts.server.functions.plane.put(scope, { name, code, environment: {}, timeoutSeconds: 10, memoryMB });
  await Promise.all([
    put('exits', `let calls = 0; exports.handler = async (e) => { calls++; if (e.exit) process.exit(3); return calls; };`),
    put('escapes', `exports.handler = async () => { setTimeout(() => { throw new RangeError('escaped the handler'); }, 1); await new Promise((r) => setTimeout(r, 1000)); return 'late'; };`),
    put('rejects', `exports.handler = async () => { Promise.reject(new Error('nobody caught me')); await new Promise((r) => setTimeout(r, 1000)); return 'late'; };`),
    put('hungry', `exports.handler = async () => { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(hoard.length)); };`),
    put('broken', `exports.handler = async () => { return 1 +; };`),
    put('missing-module', `require('left-pad-that-is-not-installed'); exports.handler = async () => 1;`),
    // Every worker is PID 1 or so in its own PID namespace: a random number tells them apart.
    put('chatty', `exports.handler = async () => { process.stdout.write('raw line\\n'); for (let i = 0; i < 3000; i++) console.log('x'.repeat(1000)); return 'done'; };`),
    put('floods-channel', `exports.handler = async () => { const channel = new (require('node:net').Socket)({ fd: 3, readable: false }); const chunk = 'z'.repeat(1 << 20); for (let i = 0; i < 20; i++) channel.write(chunk); await new Promise((r) => setTimeout(r, 8000)); return 'never'; };`),
    put('slow', `const worker = Math.random(); exports.handler = async () => { await new Promise((r) => setTimeout(r, 300)); return worker; };`),
  ]);
});
after(() => ts.stop());

describe('failures', () => {
  test('a process that exits is Runtime.ExitError, and the next invocation starts afresh', async () => {
    assert.equal((await invoke('exits')).body, 1);
    const exited = await invoke('exits', { exit: true });
    assert.equal(exited.error, 'Unhandled');
    assert.equal(exited.body.errorType, 'Runtime.ExitError');
    assert.match(exited.body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
    assert.match(exited.log, /END RequestId/);
    assert.equal((await invoke('exits')).body, 1);
  });

  test('an exception escaping the handler fails the invocation with its type', async () => {
    const out = await invoke('escapes');
    assert.equal(out.error, 'Unhandled');
    assert.equal(out.body.errorType, 'RangeError');
    assert.equal(out.body.errorMessage, 'escaped the handler');
    assert.match(out.log, /\tERROR\tUncaught Exception \t\{"errorType":"RangeError"/);
  });

  test('an unhandled rejection is Runtime.UnhandledPromiseRejection', async () => {
    const out = await invoke('rejects');
    assert.equal(out.body.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(out.body.errorMessage, 'Error: nobody caught me');
  });

  test('a heap beyond the memory setting ends the worker: Runtime.ExitError', async () => {
    const out = await invoke('hungry');
    assert.equal(out.error, 'Unhandled');
    assert.equal(out.body.errorType, 'Runtime.ExitError');
    assert.match(out.body.errorMessage, /Runtime exited with error: (signal: aborted|exit status 134)/);
  });

  test('code that does not parse is Runtime.UserCodeSyntaxError; a module it needs that is not there, Runtime.ImportModuleError', async () => {
    const broken = await invoke('broken');
    assert.equal(broken.error, 'Unhandled');
    assert.equal(broken.body.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(broken.body.errorMessage, /^SyntaxError: /);
    const missing = await invoke('missing-module');
    assert.equal(missing.body.errorType, 'Runtime.ImportModuleError');
    assert.match(missing.body.errorMessage, /Cannot find module 'left-pad-that-is-not-installed'/);
  });
});

describe('limits', () => {
  test('an invocation\'s log keeps its first megabyte, says how much was dropped, and keeps raw output lines', async () => {
    const out = await invoke('chatty');
    assert.equal(out.body, 'done');
    const logs = await functionLogs(ts, ts.admin, 'chatty');
    const text = await logs.text();
    assert.ok(text.length < 1.1 * 1024 * 1024, `${text.length} characters kept`);
    assert.match(text, /^raw line$/m);
    assert.match(text, /\tWARN\t\[\d+ more log lines of this invocation were dropped: at most 1048576 characters are kept\]\nEND RequestId/);
  });

  test('code that floods the runtime\'s channel without a newline is stopped, not buffered by the server', async () => {
    const out = await invoke('floods-channel');
    assert.equal(out.error, 'Unhandled');
    assert.equal(out.body.errorType, 'Runtime.ExitError');
    assert.match(out.body.errorMessage, /the runtime sent a message longer than/);
  });
});

describe('concurrency', () => {
  test('invocations at the same time run in workers of their own', async () => {
    await invoke('slow');
    const started = Date.now();
    const results = await Promise.all([invoke('slow'), invoke('slow'), invoke('slow')]);
    const workers = new Set(results.map((r) => r.body));
    assert.equal(workers.size, 3);
    assert.ok(Date.now() - started < 3000, 'they ran side by side');
  });
});
