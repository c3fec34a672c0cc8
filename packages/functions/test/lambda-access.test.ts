// Who may use a function, and what a function may reach. Another account cannot invoke, read or list my
// functions, nor read their logs, by name or by ARN: it hears ResourceNotFoundException, exactly as for a name no
// one holds, and its own function of the same name is its own. A principal without lambda:InvokeFunction is
// AccessDeniedException whether or not the function exists. The function's code runs sandboxed: it cannot read
// the data dir, the master key, other functions' code, or the server's environment (its own or through /proc).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetFunctionCommand, InvokeCommand, ListFunctionsCommand, type LambdaClient, type LambdaServiceException } from '@aws-sdk/client-lambda';
import { allow, memberAccount, userWithKey } from '../../gantry/test/support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from '../../gantry/test/support/test-server.ts';
import { functionLogs, lambdaClient, signedRequest } from './support/function-clients.ts';

const CANARY = 'server-environment-canary-value';
let ts: TestServer;
let mine: LambdaClient;
let other: { id: string; admin: Credentials };
let theirs: LambdaClient;
let myArn: string;
const decode = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload));
const rejectsWith = (promise: Promise<unknown>, name: string, status: number) =>
  assert.rejects(promise, (error: LambdaServiceException) => {
    assert.equal(error.name, name, error.message);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });

/** Tries everything a hostile function would, and reports what it got. */
const SPY = `
const fs = require('node:fs');
const attempt = (what) => { try { return { ok: true, value: what() }; } catch (error) { return { ok: false, code: error.code || error.message }; } };
exports.handler = async (event) => ({
  uid: process.getuid(),
  canary: Object.values(process.env).includes(event.canary),
  envKeys: Object.keys(process.env),
  dataDir: attempt(() => fs.readdirSync(event.dataDir)),
  masterKey: attempt(() => fs.readFileSync(event.dataDir + '/master.key', 'utf8').length),
  database: attempt(() => fs.readFileSync(event.dataDir + '/gantry.db').length),
  code: attempt(() => fs.readdirSync(event.dataDir + '/functions/code')),
  serverEnviron: attempt(() => fs.readFileSync('/proc/' + event.serverPid + '/environ', 'utf8').includes(event.canary)),
  processes: attempt(() => fs.readdirSync('/proc').filter((entry) => /^\\d+$/.test(entry)).length),
  writeInstall: attempt(() => fs.writeFileSync(event.install + '/planted.txt', 'x')),
  tmp: attempt(() => { fs.writeFileSync('/tmp/scratch.txt', 'mine'); return fs.readFileSync('/tmp/scratch.txt', 'utf8'); }),
});`;

before(async () => {
  process.env.GANTRY_FUNCTIONS_TEST_CANARY = CANARY;
  ts = await startTestServer();
  mine = lambdaClient(ts, ts.admin);
  other = await memberAccount(ts);
  theirs = lambdaClient(ts, other.admin);
  const scope = { account: ts.managementAccount, region: 'us-east-1' };
  const put = (name: string, code: string) => ts.server.functions.plane.put(scope, { name, code, environment: { SECRET_PARAMETER: '/amplify/shared/secret' }, timeoutSeconds: 5, memoryMB: 128 });
  myArn = (await put('private-fn', `exports.handler = async () => 'mine';`)).functionArn;
  await put('spy', SPY);
  await mine.send(new InvokeCommand({ FunctionName: 'private-fn' }));
});
after(async () => {
  delete process.env.GANTRY_FUNCTIONS_TEST_CANARY;
  await ts.stop();
});

describe('another account', () => {
  test('cannot invoke my function by name or ARN: ResourceNotFoundException, as for a name nobody holds', async () => {
    await rejectsWith(theirs.send(new InvokeCommand({ FunctionName: 'private-fn' })), 'ResourceNotFoundException', 404);
    await rejectsWith(theirs.send(new InvokeCommand({ FunctionName: myArn })), 'ResourceNotFoundException', 404);
    await rejectsWith(theirs.send(new InvokeCommand({ FunctionName: `${ts.managementAccount}:function:private-fn` })), 'ResourceNotFoundException', 404);
    const existing = await theirs.send(new InvokeCommand({ FunctionName: myArn })).catch((e: Error) => e.message);
    const missing = await theirs.send(new InvokeCommand({ FunctionName: myArn.replace('private-fn', 'no-such-fn') })).catch((e: Error) => e.message);
    assert.equal(existing, String(missing).replace('no-such-fn', 'private-fn'));
  });

  test('cannot read, list or follow the logs of my functions', async () => {
    await rejectsWith(theirs.send(new GetFunctionCommand({ FunctionName: myArn })), 'ResourceNotFoundException', 404);
    await rejectsWith(theirs.send(new GetFunctionCommand({ FunctionName: 'private-fn' })), 'ResourceNotFoundException', 404);
    const listed = await theirs.send(new ListFunctionsCommand({}));
    assert.deepEqual(listed.Functions, []);
    const logs = await functionLogs(ts, other.admin, 'private-fn');
    assert.equal(logs.status, 404);
    assert.equal(logs.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.doesNotMatch(await logs.text(), /START|mine/);
  });

  test('its own function of the same name is its own', async () => {
    await ts.server.functions.plane.put({ account: other.id, region: 'us-east-1' }, { name: 'private-fn', code: `exports.handler = async () => 'theirs';`, environment: {}, timeoutSeconds: 3, memoryMB: 128 });
    assert.equal(decode((await theirs.send(new InvokeCommand({ FunctionName: 'private-fn' }))).Payload), 'theirs');
    assert.equal(decode((await mine.send(new InvokeCommand({ FunctionName: 'private-fn' }))).Payload), 'mine');
    await rejectsWith(theirs.send(new InvokeCommand({ FunctionName: 'spy' })), 'ResourceNotFoundException', 404);
  });
});

describe('principals of my account', () => {
  test('without lambda:InvokeFunction: AccessDeniedException, whether or not the function exists', async () => {
    const reader = await userWithKey(ts, ts.admin, { policy: allow(['lambda:GetFunction', 'lambda:ListFunctions']) });
    const client = lambdaClient(ts, reader.credentials);
    await rejectsWith(client.send(new InvokeCommand({ FunctionName: 'private-fn' })), 'AccessDeniedException', 403);
    await rejectsWith(client.send(new InvokeCommand({ FunctionName: 'no-such-fn' })), 'AccessDeniedException', 403);
    const denied = await client.send(new InvokeCommand({ FunctionName: 'private-fn' })).catch((e: Error) => e.message);
    assert.match(String(denied), new RegExp(`${reader.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${myArn}`));
    assert.equal((await client.send(new GetFunctionCommand({ FunctionName: 'private-fn' }))).Configuration?.FunctionName, 'private-fn');
  });

  test('with lambda:InvokeFunction on one function ARN: that one only', async () => {
    const invoker = await userWithKey(ts, ts.admin, { policy: allow('lambda:InvokeFunction', myArn) });
    const client = lambdaClient(ts, invoker.credentials);
    assert.equal(decode((await client.send(new InvokeCommand({ FunctionName: 'private-fn' }))).Payload), 'mine');
    await rejectsWith(client.send(new InvokeCommand({ FunctionName: 'spy' })), 'AccessDeniedException', 403);
    await rejectsWith(client.send(new GetFunctionCommand({ FunctionName: 'private-fn' })), 'AccessDeniedException', 403);
    await rejectsWith(client.send(new ListFunctionsCommand({})), 'AccessDeniedException', 403);
    const logs = await functionLogs(ts, invoker.credentials, 'private-fn');
    assert.equal(logs.status, 403);
    assert.equal(logs.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  });

  test('logs:GetLogEvents on the log group reads the function\'s logs', async () => {
    const reader = await userWithKey(ts, ts.admin, { policy: allow('logs:GetLogEvents', `arn:aws:logs:us-east-1:${ts.managementAccount}:log-group:/aws/lambda/private-fn:*`) });
    const logs = await functionLogs(ts, reader.credentials, 'private-fn');
    assert.equal(logs.status, 200);
    assert.match(await logs.text(), /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  });

  test('followed logs stream each new invocation as it finishes', async () => {
    const controller = new AbortController();
    const response = await functionLogs(ts, ts.admin, 'private-fn', { query: { follow: '1', limit: '1' }, signal: controller.signal });
    const reader = response.body!.getReader();
    let text = '';
    const first = await reader.read();
    text += new TextDecoder().decode(first.value);
    const invoked = await mine.send(new InvokeCommand({ FunctionName: 'private-fn', LogType: 'Tail' }));
    const id = /START RequestId: (\S+)/.exec(Buffer.from(invoked.LogResult!, 'base64').toString('utf8'))![1]!;
    while (!text.includes(`REPORT RequestId: ${id}`)) {
      const next = await reader.read();
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    controller.abort();
    assert.match(text, new RegExp(`END RequestId: ${id}\\n`));
  });

  test('unsigned calls and calls signed for another service are refused', async () => {
    const unsigned = await fetch(`${ts.url}/2015-03-31/functions/private-fn/invocations`, { method: 'POST', body: '{}' });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    const wrongService = await signedRequest(ts, ts.admin, { method: 'POST', path: '/2015-03-31/functions/private-fn/invocations', service: 's3', body: '{}' });
    assert.equal(wrongService.status, 403);
    assert.equal(wrongService.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    assert.doesNotMatch(await wrongService.text(), /mine/);
  });
});

describe('the sandbox', () => {
  test('the function cannot read the data dir, the master key, other code or the server\'s environment', async () => {
    const out = await mine.send(new InvokeCommand({
      FunctionName: 'spy',
      Payload: new TextEncoder().encode(JSON.stringify({ dataDir: ts.dataDir, serverPid: process.pid, canary: CANARY, install: join(import.meta.dirname, '..') })),
    }));
    assert.equal(out.FunctionError, undefined, new TextDecoder().decode(out.Payload));
    const seen = decode(out.Payload);
    assert.equal(seen.canary, false, 'the server\'s environment is not passed on');
    assert.ok(!seen.envKeys.includes('GANTRY_FUNCTIONS_TEST_CANARY'));
    assert.ok(seen.envKeys.includes('SECRET_PARAMETER'), 'the function\'s own environment is');
    // The data dir is an empty file system inside the sandbox: only the mount points of the worker's own directory
    // and of the build tools (read-only, as builds see them) are there.
    assert.ok(!seen.dataDir.ok || seen.dataDir.value.every((entry: string) => entry === 'functions' || entry === 'tools'), JSON.stringify(seen.dataDir));
    assert.equal(seen.masterKey.ok, false, JSON.stringify(seen.masterKey));
    assert.equal(seen.database.ok, false, JSON.stringify(seen.database));
    assert.equal(seen.code.ok, false, JSON.stringify(seen.code));
    assert.ok(!seen.serverEnviron.ok || seen.serverEnviron.value === false, JSON.stringify(seen.serverEnviron));
    assert.equal(seen.writeInstall.ok, false, 'Gantry\'s install is read-only');
    assert.deepEqual(seen.tmp, { ok: true, value: 'mine' });
    if (process.getuid?.() === 0) assert.equal(seen.uid, 65534, 'runs as nobody, not as the server\'s root');
    // Its own PID namespace: a handful of processes, not the server's.
    assert.ok(seen.processes.ok && seen.processes.value < 10, JSON.stringify(seen.processes));
  });
});
