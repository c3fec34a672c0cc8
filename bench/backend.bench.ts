// Backend hot paths, each beside a baseline measured in the same run against the same server process:
// - deploy API: a no-op redeploy and a one-model-change deploy (baseline: a DescribeStack round trip);
// - data API create and list throughput and p99 from this (second) process (baseline: bare node:http JSON);
// - realtime fan-out: one create reaching 100 subscribers over WebSocket (baseline: one mutation round trip).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadBackend } from '@gantry/amplify-backend';
import { toStackName } from '@gantry/backend';
import { fmt, report, startServerProcess } from './support.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const server = await startServerProcess();
process.on('exit', () => void server.stop());
const region = 'us-west-2';

// A deploy role session, as ampx uses: bootstrap role created directly (what `gantry bootstrap` does).
const iam = new IAMClient({ endpoint: server.url, region, credentials: server.admin });
const account = server.admin.accessKeyId && (await new STSClient({ endpoint: server.url, region, credentials: server.admin }).send(new (await import('@aws-sdk/client-sts')).GetCallerIdentityCommand({}))).Account!;
const roleName = `cdk-hnb659fds-deploy-role-${account}-${region}`;
await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] }) }));
await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
const assumed = await new STSClient({ endpoint: server.url, region, credentials: server.admin }).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${roleName}`, RoleSessionName: 'bench' }));
const credentials = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const url = new URL(`${server.url}/_gantry/backends${path}`);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signer = new SignatureV4({ credentials, region, service: 'cloudformation', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { host: url.host, ...(text ? { 'content-type': 'application/json' } : {}) }, body: text });
  const response = await fetch(url, { method, headers: signed.headers as Record<string, string>, body: text });
  const json = await response.json();
  if (!response.ok) throw new Error(JSON.stringify(json));
  return json;
}

async function deploy(manifest: unknown): Promise<number> {
  const start = performance.now();
  let { deployment } = await api('POST', `/stacks/${stackName}/deployments`, { backendId, manifest });
  while (!['SUCCEEDED', 'FAILED', 'ROLLED_BACK'].includes(deployment.status)) {
    await new Promise((r) => setTimeout(r, 5));
    ({ deployment } = await api('GET', `/stacks/${stackName}/deployments/${deployment.deploymentId}`));
  }
  if (deployment.status !== 'SUCCEEDED') throw new Error(`deployment ${deployment.status}: ${deployment.error}`);
  return performance.now() - start;
}

const appDir = mkdtempSync(join(tmpdir(), 'bench-app-'));
cpSync(join(import.meta.dirname, '../packages/gantry/test/fixtures/todo-app'), appDir, { recursive: true });
const manifest = await loadBackend(appDir);
const backendId = { namespace: 'dbench', name: 'main', type: 'branch' as const };
const stackName = toStackName(backendId);
await deploy(manifest);

const describe: number[] = [];
const noop: number[] = [];
for (let i = 0; i < 10; i++) {
  const t = performance.now();
  await api('GET', `/stacks/${stackName}`);
  describe.push(performance.now() - t);
  noop.push(await deploy(manifest));
}
const changes: number[] = [];
const growing = structuredClone(manifest) as any;
for (let i = 0; i < 5; i++) {
  // One more model each time: the data API gains a table, existing data stays.
  growing.data.schema += `\ntype Note${i} @model @auth(rules: [{allow: public, provider: apiKey}]) {\n  id: ID!\n  text: String\n  createdAt: AWSDateTime!\n  updatedAt: AWSDateTime!\n}\n`;
  changes.push(await deploy(growing));
}

// Data API load, over plain HTTP on the same handler (the load generator speaks no TLS to a private CA).
const outputs = await api('GET', `/stacks/${stackName}/outputs`);
const graphqlUrl = outputs.data.url.replace(/^https:\/\/[^/]+/, server.url);
const headers = { 'content-type': 'application/json', 'x-api-key': outputs.data.api_key };
const createBody = JSON.stringify({ query: 'mutation C($input: CreateTodoInput!) { createTodo(input: $input) { id content createdAt updatedAt } }', variables: { input: { content: 'bench' } } });
const listBody = JSON.stringify({ query: '{ listTodos(limit: 20) { items { id content } nextToken } }' });
const load = async (url: string, body: string) => {
  const r = await autocannon({ url, method: 'POST', headers, body, connections: 16, duration: DURATION });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99 };
};
const bare = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"data":{"createTodo":{"id":"x","content":"bench"}}}'); }); }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });`], { stdio: ['ignore', 'pipe', 'inherit'] });
const barePort = await new Promise<number>((done) => bare.stdout!.on('data', (d) => done(Number(/port (\d+)/.exec(String(d))![1]))));
const baseline = await load(`http://127.0.0.1:${barePort}/`, createBody);
const creates = await load(graphqlUrl, createBody);
const lists = await load(graphqlUrl, listBody);
bare.kill();

// Realtime fan-out to 100 subscribers.
const realtimeUrl = `${graphqlUrl.replace(/^http/, 'ws')}/realtime`;
const header = Buffer.from(JSON.stringify({ host: new URL(server.url).host, 'x-api-key': outputs.data.api_key })).toString('base64url');
const subscription = JSON.stringify({ query: 'subscription { onCreateTodo { id content } }', variables: {} });
const sockets = await Promise.all(Array.from({ length: 100 }, () => new Promise<WebSocket>((done, fail) => {
  const ws = new WebSocket(realtimeUrl, ['graphql-ws', `header-${header}`]);
  ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
  ws.on('message', (raw) => {
    const message = JSON.parse(String(raw));
    if (message.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'start', payload: { data: subscription, extensions: { authorization: { 'x-api-key': outputs.data.api_key, host: new URL(server.url).host } } } }));
    if (message.type === 'start_ack') done(ws);
    if (message.type === 'error' || message.type === 'connection_error') fail(new Error(String(raw)));
  });
  ws.on('error', fail);
})));
const fanouts: number[] = [];
const roundTrips: number[] = [];
for (let round = 0; round < 10; round++) {
  const received = sockets.map((ws) => new Promise<void>((done) => {
    const onMessage = (raw: WebSocket.RawData) => {
      if (JSON.parse(String(raw)).type === 'data') {
        ws.off('message', onMessage);
        done();
      }
    };
    ws.on('message', onMessage);
  }));
  const start = performance.now();
  const sent = fetch(graphqlUrl, { method: 'POST', headers, body: createBody }).then(() => roundTrips.push(performance.now() - start));
  await Promise.all(received);
  fanouts.push(performance.now() - start);
  await sent;
}
for (const ws of sockets) ws.close();

report([
  ['baseline: DescribeStack round trip (p50)', `${fmt(median(describe), 1)} ms`],
  ['no-op redeploy, request to SUCCEEDED (p50)', `${fmt(median(noop), 1)} ms  (target < 300 ms)`],
  ['one-model-change deploy (p50)', `${fmt(median(changes), 1)} ms  (target < 1000 ms)`],
  ['baseline: bare node:http JSON', `${fmt(baseline.rps, 0)} req/s  p99 ${baseline.p99} ms`],
  ['data API createTodo', `${fmt(creates.rps, 0)} req/s  p99 ${creates.p99} ms  (${fmt(creates.rps / baseline.rps, 2)}× baseline; target p99 < 20 ms)`],
  ['data API listTodos(limit: 20)', `${fmt(lists.rps, 0)} req/s  p99 ${lists.p99} ms  (${fmt(lists.rps / baseline.rps, 2)}× baseline)`],
  ['baseline: the mutation round trip (p50)', `${fmt(median(roundTrips), 1)} ms`],
  ['realtime: create → all 100 subscribers (p50)', `${fmt(median(fanouts), 1)} ms`],
]);
writeFileSync(join(appDir, '.done'), '');
await server.stop();
