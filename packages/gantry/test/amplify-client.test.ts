import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { AMPX, prepareTodoApp, runCli } from './support/backend-app.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const exec = promisify(execFile);
let ts: TestServer;
let outputsFile: string;

before(async () => {
  ts = await startTestServer();
  const { appDir, deployer } = await prepareTodoApp(ts);
  const deployed = await runCli(ts, AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'dclient1'], deployer, appDir, { CI: '1' });
  assert.equal(deployed.code, 0, deployed.stderr);
  outputsFile = join(appDir, 'amplify_outputs.json');
});
after(() => ts.stop());

test('the unmodified aws-amplify library, configured with amplify_outputs.json and the pools’ endpoint line: CRUD, filters, pagination, observeQuery', async () => {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/amplify-client-script.ts'), outputsFile], {
    env: { PATH: process.env.PATH!, NODE_EXTRA_CA_CERTS: ts.server.caCertFile }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.deepEqual(result.created, { content: 'first', hasId: true, hasCreatedAt: true });
  assert.equal(result.got, 'first');
  assert.equal(result.updated, 'changed');
  assert.equal(result.afterDelete, null);
  assert.deepEqual(result.listed, { seen: 250, pages: 3 });
  assert.deepEqual(result.filtered, Array.from({ length: 10 }, (_, i) => `item-01${i}`));
  assert.equal(result.observed, 'live-from-other-client');
});
