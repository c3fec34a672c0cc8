// The Lambda API through the real @aws-sdk/client-lambda, against functions deployed through the function plane:
// async and callback handlers, errors and timeouts as Lambda reports them, payload limits, LogType Tail, Event
// invocations and their logs, warm workers reused across invocations and replaced with a new version,
// GetFunction and ListFunctions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetFunctionCommand, InvokeCommand, ListFunctionsCommand, type LambdaClient, type LambdaServiceException } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../../gantry/test/support/test-server.ts';
import { functionLogs, lambdaClient } from './support/function-clients.ts';

const COUNTER = `let count = 0; const worker = Math.random(); exports.handler = async () => ({ count: ++count, worker });`;
let ts: TestServer;
let lambda: LambdaClient;
let scope: { account: string; region: string };
const spec = (name: string, code: string, extra: Partial<{ environment: Record<string, string>; timeoutSeconds: number; memoryMB: number }> = {}) =>
  ({ name, code, environment: {}, timeoutSeconds: 5, memoryMB: 128, ...extra });
const decode = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload));
const invoke = (name: string, event: unknown, extra: Record<string, unknown> = {}) =>
  lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)), ...extra }));

before(async () => {
  ts = await startTestServer();
  lambda = lambdaClient(ts, ts.admin);
  scope = { account: ts.managementAccount, region: 'us-east-1' };
  const plane = ts.server.functions.plane;
  await Promise.all([
    plane.put(scope, spec('echo', `
      exports.handler = async (event, context) => {
        console.log('event', JSON.stringify(event));
        return { event, clientContext: context.clientContext, functionName: context.functionName, requestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis(),
          greeting: process.env.GREETING, region: process.env.AWS_REGION, name: process.env.AWS_LAMBDA_FUNCTION_NAME };
      };`, { environment: { GREETING: 'Hello' } })),
    plane.put(scope, spec('callback', `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { doubled: event.n * 2 }), 5); };`)),
    plane.put(scope, spec('thrower', `exports.handler = async () => { console.error('about to fail'); throw new TypeError('the input is not a number'); };`)),
    plane.put(scope, spec('sleeper', `let calls = 0; exports.handler = (event) => ++calls && event.wait ? new Promise(() => {}) : Promise.resolve({ calls });`, { timeoutSeconds: 1 })),
    plane.put(scope, spec('counter', COUNTER)),
    plane.put(scope, spec('sdk', `exports.handler = async () => ({ lambda: typeof require('@aws-sdk/client-lambda').LambdaClient, ssm: typeof (await import('@aws-sdk/client-ssm')).SSM, endpoint: process.env.AWS_ENDPOINT_URL });`)),
    plane.put(scope, spec('big-answer', `exports.handler = async () => 'x'.repeat(7 * 1024 * 1024);`)),
    plane.put(scope, spec('not-exported', `exports.main = async () => 'never';`)),
  ]);
});
after(() => ts.stop());

describe('Invoke', () => {
  test('an async handler gets the event, its context and its environment', async () => {
    const out = await invoke('echo', { name: 'Ada' });
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.ExecutedVersion, '$LATEST');
    const body = decode(out.Payload);
    assert.deepEqual(body.event, { name: 'Ada' });
    assert.equal(body.functionName, 'echo');
    assert.equal(body.name, 'echo');
    assert.equal(body.greeting, 'Hello');
    assert.equal(body.region, 'us-east-1');
    assert.match(body.requestId, /^[0-9a-f-]{36}$/);
    assert.ok(body.remaining > 3000 && body.remaining <= 5000, `remaining ${body.remaining}`);
  });

  test('ClientContext reaches the handler as context.clientContext', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 't-1' } })).toString('base64');
    const body = decode((await invoke('echo', {}, { ClientContext: clientContext })).Payload);
    assert.deepEqual(body.clientContext, { custom: { tenant: 't-1' } });
  });

  test('the plane invokes too, and a full ARN names the same function', async () => {
    const result = await ts.server.functions.plane.invoke(scope, 'echo', { name: 'plane' });
    assert.equal(result.functionError, undefined);
    assert.deepEqual((result.payload as any).event, { name: 'plane' });
    const byArn = await invoke(`arn:aws:lambda:us-east-1:${scope.account}:function:echo`, { name: 'arn' });
    assert.deepEqual(decode(byArn.Payload).event, { name: 'arn' });
  });

  test('a callback-style handler answers through its callback', async () => {
    const out = await invoke('callback', { n: 21 });
    assert.deepEqual(decode(out.Payload), { doubled: 42 });
  });

  test('a handler that throws answers Unhandled with the error payload', async () => {
    const out = await invoke('thrower', {});
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const body = decode(out.Payload);
    assert.equal(body.errorType, 'TypeError');
    assert.equal(body.errorMessage, 'the input is not a number');
    assert.ok(Array.isArray(body.trace) && body.trace[0] === 'TypeError: the input is not a number');
  });

  test('a handler the module does not export is Runtime.HandlerNotFound', async () => {
    const out = await invoke('not-exported', {});
    assert.equal(out.FunctionError, 'Unhandled');
    assert.deepEqual(decode(out.Payload), { errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported', trace: [] });
  });

  test('a handler that runs past its timeout is killed: Task timed out, and the next invocation gets a fresh worker', async () => {
    const started = Date.now();
    const out = await invoke('sleeper', { wait: true }, { LogType: 'Tail' });
    assert.ok(Date.now() - started < 4000, 'answered soon after the 1 s timeout');
    assert.equal(out.FunctionError, 'Unhandled');
    const body = decode(out.Payload);
    assert.equal(body.errorType, 'Sandbox.Timedout');
    assert.match(body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    assert.match(Buffer.from(out.LogResult!, 'base64').toString('utf8'), /Task timed out after 1\.00 seconds\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: .*Status: timeout\n$/);
    assert.deepEqual(decode((await invoke('sleeper', {})).Payload), { calls: 1 });
  });

  test('a response over 6 MB is Function.ResponseSizeTooLarge', async () => {
    const out = await invoke('big-answer', {});
    assert.equal(out.FunctionError, 'Unhandled');
    assert.equal(decode(out.Payload).errorType, 'Function.ResponseSizeTooLarge');
  });

  test('a request over 6 MB is RequestTooLargeException (413)', async () => {
    await assert.rejects(invoke('echo', { blob: 'y'.repeat(6 * 1024 * 1024) }), (error: LambdaServiceException) => {
      assert.equal(error.name, 'RequestTooLargeException');
      assert.equal(error.$metadata.httpStatusCode, 413);
      return true;
    });
  });

  test('a payload that is not JSON is InvalidRequestContentException', async () => {
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: new TextEncoder().encode('{not json') })), { name: 'InvalidRequestContentException' });
  });

  test('LogType Tail returns the invocation log: START, the console lines, END, REPORT with the init duration of a cold start', async () => {
    await ts.server.functions.plane.put(scope, spec('tail', `exports.handler = async (e) => { console.log('hello from', e.who); console.warn('careful'); return 1; };`));
    const out = await invoke('tail', { who: 'tail' }, { LogType: 'Tail' });
    const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    const id = /START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\n/.exec(log)?.[1];
    assert.ok(id, log);
    assert.match(log, new RegExp(`\\n\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tINFO\\thello from tail\\n`));
    assert.match(log, new RegExp(`\\t${id}\\tWARN\\tcareful\\n`));
    assert.match(log, new RegExp(`END RequestId: ${id}\\nREPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms\\n$`));
    const warm = Buffer.from((await invoke('tail', { who: 'again' }, { LogType: 'Tail' })).LogResult!, 'base64').toString('utf8');
    assert.doesNotMatch(warm, /Init Duration/);
  });

  test('warm workers are reused: module state survives between invocations and unchanged redeploys, and a new version starts afresh', async () => {
    const first = decode((await invoke('counter', {})).Payload);
    const second = decode((await invoke('counter', {})).Payload);
    assert.equal(second.count, first.count + 1);
    assert.equal(second.worker, first.worker);
    const revision = (await lambda.send(new GetFunctionCommand({ FunctionName: 'counter' }))).Configuration!.RevisionId;
    await ts.server.functions.plane.put(scope, spec('counter', COUNTER));
    assert.equal((await lambda.send(new GetFunctionCommand({ FunctionName: 'counter' }))).Configuration!.RevisionId, revision, 'the same code and settings are no new version');
    assert.equal(decode((await invoke('counter', {})).Payload).count, first.count + 2);
    await ts.server.functions.plane.put(scope, spec('counter', `let count = 100; exports.handler = async () => ({ count: ++count });`));
    assert.deepEqual(decode((await invoke('counter', {})).Payload), { count: 101 });
  });

  test('an Event invocation is accepted at once (202) and its log shows up', async () => {
    await ts.server.functions.plane.put(scope, spec('background', `exports.handler = async (e) => { console.log('background job', e.job); };`));
    const out = await invoke('background', { job: 'j-42' }, { InvocationType: 'Event' });
    assert.equal(out.StatusCode, 202);
    let text = '';
    for (let i = 0; i < 100 && !text.includes('background job j-42'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await (await functionLogs(ts, ts.admin, 'background')).text();
    }
    assert.match(text, /INFO\tbackground job j-42\n/);
  });

  test('DryRun answers 204 without running the function', async () => {
    const out = await invoke('echo', {}, { InvocationType: 'DryRun' });
    assert.equal(out.StatusCode, 204);
  });

  test('the AWS SDK is resolvable from the function, as Lambda\'s runtime provides it', async () => {
    const body = decode((await invoke('sdk', {})).Payload);
    assert.equal(body.lambda, 'function');
    assert.equal(body.ssm, 'function', 'an ES module import finds it too (Amplify\'s SSM banner imports @aws-sdk/client-ssm)');
    assert.equal(body.endpoint, ts.url);
  });

  test('an unknown function is ResourceNotFoundException (404)', async () => {
    await assert.rejects(invoke('nope', {}), (error: LambdaServiceException) => {
      assert.equal(error.name, 'ResourceNotFoundException');
      assert.equal(error.$metadata.httpStatusCode, 404);
      assert.match(error.message, new RegExp(`Function not found: arn:aws:lambda:us-east-1:${scope.account}:function:nope`));
      return true;
    });
    // Functions are per region.
    await assert.rejects(lambdaClient(ts, ts.admin, 'eu-west-1').send(new InvokeCommand({ FunctionName: 'echo' })), { name: 'ResourceNotFoundException' });
  });
});

describe('GetFunction and ListFunctions', () => {
  test('GetFunction returns the configuration', async () => {
    const out = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    const c = out.Configuration!;
    assert.equal(c.FunctionName, 'echo');
    assert.equal(c.FunctionArn, `arn:aws:lambda:us-east-1:${scope.account}:function:echo`);
    assert.equal(c.Runtime, 'nodejs20.x');
    assert.equal(c.Handler, 'index.handler');
    assert.equal(c.Timeout, 5);
    assert.equal(c.MemorySize, 128);
    assert.deepEqual(c.Environment?.Variables, { GREETING: 'Hello' });
    assert.equal(c.State, 'Active');
    assert.match(c.CodeSha256!, /^[A-Za-z0-9+/]{43}=$/);
    assert.match(c.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });

  test('ListFunctions pages through the account\'s functions in the region', async () => {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 3, Marker: marker }));
      assert.ok(page.Functions!.length <= 3);
      names.push(...page.Functions!.map((f) => f.FunctionName!));
      marker = page.NextMarker;
    } while (marker);
    for (const name of ['echo', 'callback', 'thrower', 'sleeper', 'counter']) assert.ok(names.includes(name), name);
    assert.deepEqual(names, [...names].sort());
    const elsewhere = await lambdaClient(ts, ts.admin, 'eu-west-1').send(new ListFunctionsCommand({}));
    assert.deepEqual(elsewhere.Functions, []);
  });
});
