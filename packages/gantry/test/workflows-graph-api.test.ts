import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const SPACE = 'graph-space';
const PROJECT = 'web';
const PROJECT_PATH = `/v1/spaces/${SPACE}/projects/${PROJECT}`;

// Deploy waits for Build by DependsOn; Notify waits for Deploy only through the variable it reads; the group's
// DependsOn applies to both of its actions.
const PIPELINE = `Name: Pipeline
SchemaVersion: "1.0"
Actions:
  Build:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo build
  Release:
    DependsOn:
      - Build
    Actions:
      Gate:
        Identifier: aws/approval@v1
        Configuration:
          ApprovalsRequired: 2
      Deploy:
        Identifier: aws/build@v1.0.0
        DependsOn:
          - Gate
        Environment:
          Name: production
        Configuration:
          Steps:
            - Run: export URL=https://example.test
        Outputs:
          Variables:
            - URL
  Notify:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo \${Deploy.URL}
`;

let ts: TestServer;
const call = (method: string, path: string, body?: unknown) => signedFetch(ts.url, ts.admin, method, path, { service: 'codecatalyst', body });

before(async () => {
  ts = await startTestServer();
  assert.equal((await call('POST', '/v1/spaces', { name: SPACE })).status, 201);
  assert.equal((await call('POST', `/v1/spaces/${SPACE}/projects`, { name: PROJECT })).status, 201);
  assert.equal((await call('POST', `${PROJECT_PATH}/sourceRepositories`, { name: 'app' })).status, 201);
});
after(async () => {
  await ts?.stop();
});

const EXPECTED = [
  { name: 'Build', identifier: 'aws/build@v1', kind: 'build', dependsOn: [], groupPath: [] },
  { name: 'Gate', identifier: 'aws/approval@v1', kind: 'approval', dependsOn: ['Build'], groupPath: ['Release'], approvalsRequired: 2 },
  { name: 'Deploy', identifier: 'aws/build@v1.0.0', kind: 'build', dependsOn: ['Build', 'Gate'], groupPath: ['Release'], environment: 'production' },
  { name: 'Notify', identifier: 'aws/build@v1', kind: 'build', dependsOn: ['Deploy'], groupPath: [] },
];

test('ValidateWorkflow answers the graph of the actions: kinds, groups, environments and every dependency', async () => {
  const valid = await call('POST', '/v1/workflows/validate', { content: PIPELINE });
  assert.equal(valid.status, 200, JSON.stringify(valid.json));
  assert.equal(valid.json.valid, true);
  assert.deepEqual(valid.json.actions, ['Build', 'Gate', 'Deploy', 'Notify']);
  assert.deepEqual(valid.json.graph, EXPECTED);

  const invalid = await call('POST', '/v1/workflows/validate', { content: PIPELINE.replace('- Gate', '- Nowhere') });
  assert.equal(invalid.json.valid, false);
  assert.deepEqual(invalid.json.graph, []);
  assert.ok(invalid.json.errors.some((e: any) => /Nowhere/.test(e.message) && e.line === 20), JSON.stringify(invalid.json.errors));
});

test('GetWorkflow and ListWorkflows carry the same graph for an ACTIVE workflow, and none for an INVALID one', async () => {
  const saved = await call('PUT', `${PROJECT_PATH}/workflows/Pipeline`, { repository: 'app', branch: 'main', content: PIPELINE });
  assert.equal(saved.status, 200, JSON.stringify(saved.json));
  const workflow = await waitFor(`${PROJECT_PATH}/workflows/Pipeline`, (j) => j.workflow?.commitId === saved.json.commitId && j.workflow);
  assert.equal(workflow.status, 'ACTIVE');
  assert.deepEqual(workflow.graph, EXPECTED);
  const listed = await call('GET', `${PROJECT_PATH}/workflows`);
  assert.deepEqual(listed.json.items.find((w: any) => w.name === 'Pipeline').graph, EXPECTED);

  const broken = await call('PUT', `${PROJECT_PATH}/workflows/Pipeline`, { repository: 'app', branch: 'main', content: PIPELINE.replace('- Gate', '- Nowhere'), allowInvalid: true });
  assert.equal(broken.status, 200, JSON.stringify(broken.json));
  const invalid = await waitFor(`${PROJECT_PATH}/workflows`, (j) => j.items.find((w: any) => w.commitId === broken.json.commitId));
  assert.equal(invalid.status, 'INVALID');
  assert.equal(invalid.graph, undefined);
});

async function waitFor(path: string, found: (json: any) => any): Promise<any> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { status, json } = await call('GET', path);
    const value = status === 200 ? found(json) : undefined;
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting on ${path}: ${status} ${JSON.stringify(json)}`);
    await sleep(100);
  }
}
