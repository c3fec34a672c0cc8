// Compute hosting through the deployment specification, on the real server: a WEB_COMPUTE app whose build writes
// `.amplify-hosting/` (as the Nuxt, SvelteKit and Astro adapters do) is served by its routes, its server runs in
// the build sandbox with the branch's variables, a new version replaces the old one only once it answers, and a
// broken one leaves the live version serving.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, GetBranchCommand, StartJobCommand, UpdateAppCommand } from '@aws-sdk/client-amplify';
import { WorkingCopy } from './support/git.ts';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { finishedJob } from './support/hosting-jobs.ts';
import { memberAccount } from './support/iam-fixtures.ts';
import { getThroughServer } from './support/net.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const GANTRY = resolve(import.meta.dirname, '../bin/gantry.mjs');
let ts: TestServer;
let amplify: AmplifyClient;
let appId: string;
let wc: WorkingCopy;

const BUILD_SPEC = `version: 1
frontend:
  phases:
    build:
      commands:
        - mkdir -p .amplify-hosting && cp -r bundle/. .amplify-hosting/
        - echo "token in the build is $(node -p 'JSON.parse(process.env.secrets ?? "{}").API_TOKEN ?? "none"')"
  artifacts:
    baseDirectory: .amplify-hosting
    files:
      - '**/*'
`;

const manifest = (routes: object[] = [
  { path: '/assets/*', target: { kind: 'Static', cacheControl: 'public, max-age=31536000, immutable' } },
  { path: '/*', target: { kind: 'Compute', src: 'default' }, fallback: { kind: 'Static' } },
]) => JSON.stringify({
  version: 1, routes, computeResources: [{ name: 'default', runtime: 'nodejs20.x', entrypoint: 'server.mjs' }], framework: { name: 'test-adapter', version: '1.0.0' },
});

/** The app's server: its version, the variables it sees, a streamed answer, forwarded headers, and a file read. */
const server = (version: string, startup = '') => `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
${startup}
createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const json = (body) => { res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'] }); res.end(JSON.stringify(body)); };
  if (url.pathname === '/version') return json({ version: '${version}', greeting: process.env.GREETING ?? null, secret: process.env.AWS_SECRET_ACCESS_KEY ?? null });
  if (url.pathname === '/own-policy') { res.writeHead(200, { 'Content-Security-Policy': "default-src *" }); return res.end('mine'); }
  if (url.pathname === '/env') return json({ API_TOKEN: process.env.API_TOKEN ?? null, SHARED_NAME: process.env.SHARED_NAME ?? null, INJECTED: process.env.INJECTED ?? null });
  if (url.pathname === '/forwarded') return json({ proto: req.headers['x-forwarded-proto'], host: req.headers['x-forwarded-host'], for: req.headers['x-forwarded-for'] });
  if (url.pathname === '/stream') { res.writeHead(200, { 'content-type': 'text/plain' }); res.write('one\\n'); return setTimeout(() => res.end('two\\n'), 300); }
  if (url.pathname === '/read') { try { return json({ text: readFileSync(url.searchParams.get('path'), 'utf8') }); } catch (e) { return json({ error: e.code }); } }
  if (url.pathname === '/fallback.txt') { res.writeHead(404); return res.end('no'); }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<h1>' + url.pathname + ' from ${version}</h1>');
}).listen(Number(process.env.PORT), process.env.HOSTNAME ?? '127.0.0.1');
`;

const files = (version: string, startup = '', manifestText = manifest()) => ({
  'amplify.yml': BUILD_SPEC,
  'bundle/deploy-manifest.json': manifestText,
  'bundle/static/assets/app.css': 'body { color: teal }',
  'bundle/static/fallback.txt': 'static fallback',
  'bundle/compute/default/server.mjs': server(version, startup),
});

const site = (path: string, init?: RequestInit) => fetch(`${ts.url}/_sites/${appId}/main${path}`, init);

async function deploy(version: string, startup = '', manifestText?: string): Promise<{ status: string; log: string }> {
  await wc.write(files(version, startup, manifestText)).commitAndPush(`version ${version}`);
  const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
  return finishedJob(amplify, appId, jobSummary!.jobId!, { timeoutMs: 90_000 });
}

before(async () => {
  ts = await startTestServer();
  amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });
  const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'compute-app' } });
  const cloneUrl: string = created.json.repository.cloneUrl;
  appId = (await amplify.send(new CreateAppCommand({ name: 'compute-app', repository: cloneUrl, platform: 'WEB_COMPUTE' }))).app!.appId!;
  await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false, environmentVariables: { GREETING: 'hello from the branch' } }));
  wc = await new WorkingCopy(cloneUrl, ts.admin).init();
});
after(() => ts.stop());

/** The `gantry` CLI in its own process, with the server's generated profiles. */
async function gantryCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_/.test(name)));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [GANTRY, ...args, '--data-dir', ts.dataDir], { env, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error: any) {
    return { code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
  }
}

test('a deployment-specification build is served by its routes: static files with their cache control, the rest by its server', async () => {
  const built = await deploy('v1');
  assert.equal(built.status, 'SUCCEED', built.log);
  assert.match(built.log, /test-adapter 1\.0\.0: 2 routes, 2 static files, compute default \(nodejs20\.x\)/);
  assert.equal((await amplify.send(new GetBranchCommand({ appId, branchName: 'main' }))).branch!.framework, 'test-adapter');

  const css = await site('/assets/app.css');
  assert.equal(css.status, 200);
  assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await css.text(), 'body { color: teal }');

  const page = await site('/about?tab=2');
  assert.equal(await page.text(), '<h1>/about from v1</h1>');
  const version = await site('/version');
  assert.deepEqual(await version.json(), { version: 'v1', greeting: 'hello from the branch', secret: null });
  assert.deepEqual(version.headers.getSetCookie(), ['a=1; Path=/', 'b=2; HttpOnly']);
  // The server's 404 falls back to the static file of the same path, as the route says.
  assert.equal(await (await site('/fallback.txt')).text(), 'static fallback');
  // Server code is not a static file.
  assert.notEqual(await (await site('/server.mjs')).text(), files('v1')['bundle/compute/default/server.mjs']);
});

test("the server's answers stream, and forwarded headers are the edge's, not the client's", async () => {
  const response = await site('/stream');
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.equal(new TextDecoder().decode(first.value), 'one\n', 'the first chunk arrives before the server has finished');
  let rest = '';
  for (let next = await reader.read(); !next.done; next = await reader.read()) rest += new TextDecoder().decode(next.value);
  assert.equal(rest, 'two\n');

  const forwarded = await (await site('/forwarded', { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', 'x-forwarded-for': '6.6.6.6' } })).json();
  assert.equal(forwarded.proto, 'http');
  assert.notEqual(forwarded.host, 'evil.example');
  assert.equal(forwarded.for, '127.0.0.1');
});

test("the app's server runs in the sandbox: the server's keys and data are not there", async () => {
  for (const path of [join(ts.dataDir, 'master.key'), join(ts.dataDir, 'credentials'), `/proc/${process.pid}/environ`]) {
    const answer = await (await site(`/read?path=${encodeURIComponent(path)}`)).json();
    assert.ok(answer.error, `${path} was readable: ${JSON.stringify(answer).slice(0, 80)}`);
  }
  const key = readFileSync(join(ts.dataDir, 'master.key')).toString('base64').slice(0, 12);
  assert.ok(!JSON.stringify(await (await site('/version')).json()).includes(key));
});

test('a new version takes over once it answers, with no failed request across the switch; one whose server does not start leaves the live version serving', async () => {
  // A client keeps asking while v2 is built and switched to: every answer is a 200 of v1, then of v2.
  const seen: string[] = [];
  let loading = true;
  const load = (async () => {
    while (loading) {
      const response = await site('/version');
      seen.push(response.status === 200 ? (await response.json()).version : `status ${response.status}`);
    }
  })();
  const second = await deploy('v2');
  await new Promise((r) => setTimeout(r, 300));
  loading = false;
  await load;
  assert.equal(second.status, 'SUCCEED', second.log);
  assert.deepEqual([...new Set(seen)], ['v1', 'v2'], `answers across the switch: ${[...new Set(seen)].join(', ')}`);
  assert.ok(seen.lastIndexOf('v1') < seen.indexOf('v2'), 'once v2 answered, v1 never did again');
  assert.equal((await (await site('/version')).json()).version, 'v2');

  const broken = await deploy('v3', 'process.exit(7);');
  assert.equal(broken.status, 'FAILED');
  assert.match(broken.log, /The new version's server did not start: .*The live version is unchanged/);
  assert.equal((await (await site('/version')).json()).version, 'v2');

  const invalid = await deploy('v4', '', manifest([{ path: '/*', target: { kind: 'Compute', src: 'api' } }]));
  assert.equal(invalid.status, 'FAILED');
  assert.match(invalid.log, /deploy-manifest\.json:\d+:\d+: routes\[0\]\.target\.src names compute resource 'api'/, 'the error says where in the manifest');
  assert.equal((await (await site('/version')).json()).version, 'v2');

  const malformed = await deploy('v5', '', '{\n  "version": 1,\n  "routes": [,]\n}\n');
  assert.equal(malformed.status, 'FAILED');
  assert.match(malformed.log, /deploy-manifest\.json:3:\d+: deploy-manifest\.json is not valid JSON/);
  assert.equal((await (await site('/version')).json()).version, 'v2');
});

test('a rollback makes an earlier version live again without building, with no failed request; another account cannot roll back', async () => {
  const rollback = (body: object = {}, credentials = ts.admin) => signedFetch(ts.url, credentials, 'POST', `/apps/${appId}/branches/main/rollback`, { service: 'amplify', body });
  const seen: string[] = [];
  let loading = true;
  const load = (async () => {
    while (loading) {
      const response = await site('/version');
      seen.push(response.status === 200 ? (await response.json()).version : `status ${response.status}`);
    }
  })();
  // With no job named: the last successful build before the live one (v1; v3 to v5 failed).
  const started = await rollback();
  assert.equal(started.status, 200, JSON.stringify(started.json));
  assert.equal(started.json.jobSummary.jobType, 'RETRY');
  const job = await finishedJob(amplify, appId, started.json.jobSummary.jobId, { timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 300));
  loading = false;
  await load;
  assert.equal(job.status, 'SUCCEED', job.log);
  assert.match(job.log, /Redeploying version \w+ \(job 1, commit \w+\): nothing to build/);
  assert.doesNotMatch(job.log, /Cloning/);
  assert.deepEqual([...new Set(seen)], ['v2', 'v1'], `answers across the rollback: ${[...new Set(seen)].join(', ')}`);
  assert.equal((await amplify.send(new GetBranchCommand({ appId, branchName: 'main' }))).branch!.activeJobId, started.json.jobSummary.jobId);

  // Nothing before v1; a failed job published nothing; a named job goes forward again.
  const nothingEarlier = await rollback();
  assert.equal(nothingEarlier.status, 400);
  assert.match(nothingEarlier.json.message, /no earlier successful build to roll back to/);
  const failed = await rollback({ jobId: '3' });
  assert.equal(failed.status, 400);
  assert.match(failed.json.message, /Job 3 did not publish a version \(its status is FAILED\)/);
  // The CLI, as a user runs it against the server's generated profiles.
  const cli = await gantryCli('hosting', 'rollback', appId, 'main', '--job-id', '2', '--wait');
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^job \d+ \(RETRY of commit \w{12}\): SUCCEED$/m);
  assert.equal((await (await site('/version')).json()).version, 'v2');

  // Another account's administrator: the app does not exist for it, whatever it names.
  const other = await memberAccount(ts);
  const refused = await rollback({ jobId: '1' }, other.admin);
  assert.equal(refused.status, 404, JSON.stringify(refused.json));
  assert.equal((await (await site('/version')).json()).version, 'v2');
});

test("the app's redirects and rewrites come before the manifest's routes; rules that need a file's existence are passed over", async () => {
  await amplify.send(new UpdateAppCommand({
    appId, customRules: [
      { source: '/old-page', target: '/about', status: '301' },
      { source: '/docs/<*>', target: '/rewritten/<*>', status: '200' },
      { source: '/theme.css', target: '/assets/app.css', status: '200' },
      // Amplify's default rule for single-page apps: on a compute site the server decides what is missing.
      { source: '/<*>', target: '/index.html', status: '404-200' },
    ],
  }));
  await new Promise((r) => setTimeout(r, 1100)); // the site route rereads app settings every second
  const moved = await site('/old-page', { redirect: 'manual' });
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), `/_sites/${appId}/main/about`);
  assert.equal(await (await site('/docs/intro?x=1')).text(), '<h1>/rewritten/intro from v2</h1>', "the rewritten path is the one the app's server sees");
  const css = await site('/theme.css');
  assert.equal(await css.text(), 'body { color: teal }', 'a rewrite to a static route serves the file');
  assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await (await site('/about')).text(), '<h1>/about from v2</h1>');
  await amplify.send(new UpdateAppCommand({ appId, customRules: [] }));
});

test("the branch's environment secrets from Parameter Store: JSON `secrets` in the build, masked in its log; variables of the app's server; another account's never", async () => {
  const ssm = new SSMClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });
  await ssm.send(new PutParameterCommand({ Name: `/amplify/${appId}/main/API_TOKEN`, Value: 'branch-t0ken-value', Type: 'SecureString' }));
  await ssm.send(new PutParameterCommand({ Name: `/amplify/shared/${appId}/API_TOKEN`, Value: 'shared-t0ken-value', Type: 'SecureString' }));
  await ssm.send(new PutParameterCommand({ Name: `/amplify/shared/${appId}/SHARED_NAME`, Value: 'shared-plain-value', Type: 'String' }));
  // Another account plants a parameter under this app's path in its own Parameter Store.
  const other = await memberAccount(ts);
  await new SSMClient({ endpoint: ts.url, region: 'us-west-2', credentials: other.admin, maxAttempts: 1 })
    .send(new PutParameterCommand({ Name: `/amplify/${appId}/main/INJECTED`, Value: 'from-another-account', Type: 'String' }));

  const built = await deploy('v6');
  assert.equal(built.status, 'SUCCEED', built.log);
  assert.match(built.log, /# Environment secrets: API_TOKEN, SHARED_NAME \(in the variable secrets, as JSON\)/);
  assert.match(built.log, /token in the build is \*+/, 'the build reads it; the log masks it');
  assert.doesNotMatch(built.log, /t0ken-value|shared-plain-value/);
  assert.deepEqual(await (await site('/env')).json(), { API_TOKEN: 'branch-t0ken-value', SHARED_NAME: 'shared-plain-value', INJECTED: null }, "the branch's secret wins over the shared one");
});

test("by path a site shares the server's origin, so it is sandboxed there (an app's own policy cannot lift it); by host it is not", async () => {
  const policies = (response: Response) => (response.headers.get('content-security-policy') ?? '').split(/,\s*/).filter(Boolean);
  for (const path of ['/own-policy', '/assets/app.css', '/version']) {
    const byPath = policies(await site(path));
    assert.ok(byPath.some((p) => /^sandbox allow-scripts/.test(p) && !p.includes('allow-same-origin')), `${path}: ${byPath.join(' | ')}`);
  }
  assert.deepEqual(policies(await site('/own-policy')), ['default-src *', 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads']);
  const port = new URL(ts.url).port;
  const byHost = await getThroughServer(`http://main.${appId}.localhost:${port}/own-policy`, port);
  assert.equal(byHost.headers['content-security-policy'], 'default-src *');
});
