// A Nuxt 3 app pushed unmodified to a WEB_COMPUTE app: the hosting build installs and builds it with its own
// amplify.yml, Nitro's `aws-amplify` preset writes `.amplify-hosting/` (deploy-manifest.json, static/,
// compute/default/) and Gantry publishes that bundle as it is: server-rendered pages, server API routes with the
// branch's variables, `_nuxt/` files with the cache control the manifest gives them, `public/` as the site root.
// A real `npm ci` and `nuxt build`, run once.
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, GetBranchCommand, StartJobCommand } from '@aws-sdk/client-amplify';
import { WorkingCopy } from './support/git.ts';
import { finishedJob } from './support/hosting-jobs.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const FIXTURE = resolve(import.meta.dirname, '../../hosting/test/fixtures/nuxt-app');
// As Nuxt's and Nitro's Amplify docs write it.
const BUILD_SPEC = `version: 1
frontend:
  phases:
    preBuild:
      commands:
        - npm ci --prefer-offline --no-audit --no-fund
    build:
      commands:
        - npm run build
  artifacts:
    baseDirectory: .amplify-hosting
    files:
      - '**/*'
`;

interface Route { path: string; target: { kind: string; src?: string; cacheControl?: string }; fallback?: { kind: string } }

let ts: TestServer;
let appId: string;
let build: { status: string; log: string };
/** The routes of the published version, as Gantry stored them from the manifest Nitro wrote. */
let routes: Route[];
const site = (path: string, init?: RequestInit) => fetch(`${ts.url}/_sites/${appId}/main${path}`, init);

/** The deployment of the one compute version published in this test's data directory (hosting/sites, see site-store.ts). */
function publishedDeployment(): { manifest: { routes: Route[]; framework: { name: string; version: string } } } {
  const versions = join(ts.dataDir, 'hosting/sites/versions');
  const found = readdirSync(versions)
    .map((id) => JSON.parse(readFileSync(join(versions, id, 'manifest.json'), 'utf8')).deployment)
    .filter(Boolean);
  assert.equal(found.length, 1, 'one published compute version');
  return found[0];
}

before(async () => {
  // Downloads are kept between runs, as on a build machine.
  process.env.GANTRY_NPM_CACHE ??= join(homedir(), '.cache/gantry-tests/npm');
  ts = await startTestServer();
  const amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });
  const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'nuxt-app' } });
  const cloneUrl: string = created.json.repository.cloneUrl;
  appId = (await amplify.send(new CreateAppCommand({ name: 'nuxt-app', repository: cloneUrl, platform: 'WEB_COMPUTE' }))).app!.appId!;
  await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false, environmentVariables: { GREETING: 'hello from main' } }));
  const wc = await new WorkingCopy(cloneUrl, ts.admin).init();
  cpSync(FIXTURE, wc.dir, { recursive: true, filter: (path) => !/[/\\](node_modules|\.nuxt|\.output|\.amplify-hosting)([/\\]|$)/.test(path) });
  wc.write({ 'amplify.yml': BUILD_SPEC });
  await wc.commitAndPush('the Nuxt app');
  const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
  build = await finishedJob(amplify, appId, jobSummary!.jobId!, { timeoutMs: 5 * 60_000 });
  assert.equal(build.status, 'SUCCEED', build.log.slice(-4000));
  assert.match(build.log, /# Nuxt 3\.\d+\.\d+: \d+ routes, \d+ static files, compute default \(nodejs\d+\.x\)/);
  assert.equal((await amplify.send(new GetBranchCommand({ appId, branchName: 'main' }))).branch!.framework, 'Nuxt');
  const deployment = publishedDeployment();
  assert.equal(deployment.manifest.framework.name, 'nuxt');
  routes = deployment.manifest.routes;
});
after(() => ts.stop());

test('pages are rendered on the server per request, with the request and the API route with the branch variables', async () => {
  const page = async () => {
    const response = await site('/', { headers: { 'user-agent': 'nuxt-hosting-test' } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    return response.text();
  };
  const html = await page();
  const rendered = (text: string) => /rendered-at:(\d+) request-id:(\w+) agent:([\w-]+)/.exec(text)?.slice(1);
  assert.ok(rendered(html), html.slice(0, 800));
  assert.equal(rendered(html)![2], 'nuxt-hosting-test', 'the page sees the request (useRequestEvent)');
  assert.notDeepEqual(rendered(await page()), rendered(html), 'each request renders anew');
  // useFetch('/api/hello') ran during server rendering, in the compute process, with the branch's variables.
  assert.match(html, /greeting:hello from main/);

  const api = await site('/api/hello');
  assert.equal(api.status, 200);
  assert.deepEqual(await api.json(), { hello: 'world', method: 'GET', greeting: 'hello from main' });
  assert.equal((await (await site('/api/hello', { method: 'POST' })).json()).method, 'POST');
});

test("_nuxt/ files are static with the cache control of the manifest's route, public/ is the site root", async () => {
  const html = await (await site('/')).text();
  const asset = /\/_nuxt\/(?!builds\/)[^"]+\.js/.exec(html)?.[0];
  assert.ok(asset, 'the page links a _nuxt script');
  const route = routes.find((r) => r.path === '/_nuxt/*');
  assert.ok(route?.target.cacheControl, JSON.stringify(routes));
  const script = await site(asset);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type') ?? '', /javascript/);
  assert.equal(script.headers.get('cache-control'), route.target.cacheControl);

  // The more specific route before it wins: the app's build manifest is revalidated, not cached for a year.
  const builds = routes.find((r) => r.path === '/_nuxt/builds/*');
  if (builds) {
    const latest = await site('/_nuxt/builds/latest.json');
    assert.equal(latest.status, 200);
    assert.equal(latest.headers.get('cache-control'), builds.target.cacheControl);
  }

  const robots = await site('/robots.txt');
  assert.equal(robots.status, 200);
  assert.equal((await robots.text()).trim(), readFileSync(join(FIXTURE, 'public/robots.txt'), 'utf8').trim());
  // A dotted path that is no static file falls back to the server (`/*.*`: Static, fallback Compute), which
  // renders app.vue for every path (the app has no pages/, so no router and no 404 of its own).
  const missing = await site('/missing.txt');
  assert.equal(missing.status, 200);
  assert.match(await missing.text(), /rendered-at:\d+/);
  // Server code is not a static file.
  const entry = await (await site('/server.js')).text();
  assert.doesNotMatch(entry, /import\("\.\/index\.mjs"\)/);
  assert.match(entry, /rendered-at:\d+/);
});
