// Functions outlive the server: configuration in the store, code in <dataDir>/functions/code, so a server started
// again on the same data directory runs the same code with the same settings, and its logs are still readable.
// Stopping the server stops every warm worker; removing a function stops its workers and forgets its logs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { startServer, type RunningServer } from '../../gantry/src/server/start-server.ts';
import { startTestServer, type TestServer } from '../../gantry/test/support/test-server.ts';
import { functionLogs, lambdaClient } from './support/function-clients.ts';

let ts: TestServer;
let restarted: RunningServer | undefined;
after(async () => {
  // The first server is already closed; the test server's cleanup then removes the data directory.
  ts.server.close = async () => {};
  await restarted?.close();
  await ts.stop();
});

/** Worker processes of this data directory still running (their command line names their directory). */
const workersOf = (dataDir: string) => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('lambda-bootstrap.cjs') && line.includes(dataDir)).length;

test('functions survive a restart; stopping the server stops their workers; removing one forgets it', async () => {
  ts = await startTestServer();
  const scope = { account: ts.managementAccount, region: 'us-east-1' };
  await ts.server.functions.plane.put(scope, { name: 'durable', code: `exports.handler = async (e) => \`\${process.env.GREETING}, \${e.name}!\`;`, environment: { GREETING: 'Hello' }, timeoutSeconds: 7, memoryMB: 256 });
  const first = lambdaClient(ts, ts.admin);
  const out = await first.send(new InvokeCommand({ FunctionName: 'durable', Payload: new TextEncoder().encode('{"name":"Ada"}') }));
  assert.equal(JSON.parse(new TextDecoder().decode(out.Payload)), 'Hello, Ada!');

  // The code is private to the server's user.
  const code = join(ts.dataDir, 'functions', 'code');
  assert.equal(statSync(code).mode & 0o777, 0o700);
  const files = readdirSync(code);
  assert.equal(files.length, 1);
  assert.equal(statSync(join(code, files[0]!)).mode & 0o777, 0o600);

  assert.ok(workersOf(ts.dataDir) >= 1, 'a warm worker waits for the next invocation');
  await ts.server.close();
  assert.equal(workersOf(ts.dataDir), 0, 'no worker outlives the server');

  restarted = await startServer({ dataDir: ts.dataDir, port: 0 });
  const again = lambdaClient({ ...ts, url: restarted.url }, ts.admin);
  const after = await again.send(new InvokeCommand({ FunctionName: 'durable', Payload: new TextEncoder().encode('{"name":"Grace"}') }));
  assert.equal(JSON.parse(new TextDecoder().decode(after.Payload)), 'Hello, Grace!');
  const configuration = (await again.send(new GetFunctionCommand({ FunctionName: 'durable' }))).Configuration!;
  assert.deepEqual([configuration.Timeout, configuration.MemorySize], [7, 256]);
  const logs = await (await functionLogs({ ...ts, url: restarted.url }, ts.admin, 'durable')).text();
  assert.equal(logs.match(/^START RequestId/gm)?.length, 2, 'both invocations, before and after the restart');

  assert.ok(workersOf(ts.dataDir) >= 1);
  await restarted.functions.plane.remove(scope, 'durable');
  for (let i = 0; i < 50 && workersOf(ts.dataDir) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(workersOf(ts.dataDir), 0, 'a removed function keeps no worker');
  await restarted.functions.plane.remove(scope, 'never-existed');
  await assert.rejects(again.send(new InvokeCommand({ FunctionName: 'durable' })), { name: 'ResourceNotFoundException' });
  const gone = await functionLogs({ ...ts, url: restarted.url }, ts.admin, 'durable');
  assert.equal(gone.status, 404);
});
