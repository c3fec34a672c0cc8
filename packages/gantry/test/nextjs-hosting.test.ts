// A Next.js 14 pages-router app pushed unmodified to a WEB_COMPUTE app: the hosting build installs and builds it
// with its own amplify.yml, Gantry bundles `.next` for compute, and the branch site answers as `next start` would:
// server-rendered pages, API routes, middleware, immutable `_next/static` files, `public/`, the branch's variables.
// The heaviest hosting path (a real `npm ci` and `next build`), run once.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, GetBranchCommand, StartJobCommand } from '@aws-sdk/client-amplify';
import { WorkingCopy } from './support/git.ts';
import { finishedJob } from './support/hosting-jobs.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const FIXTURE = resolve(import.meta.dirname, '../../hosting/test/fixtures/next-pages-app');
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
    baseDirectory: .next
    files:
      - '**/*'
  cache:
    paths:
      - .next/cache/**/*
`;

let ts: TestServer;
let appId: string;
let build: { status: string; log: string };
const site = (path: string) => fetch(`${ts.url}/_sites/${appId}/main${path}`);

before(async () => {
  // Downloads are kept between runs, as on a build machine.
  process.env.GANTRY_NPM_CACHE ??= join(homedir(), '.cache/gantry-tests/npm');
  ts = await startTestServer();
  const amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });
  const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'next-app' } });
  const cloneUrl: string = created.json.repository.cloneUrl;
  appId = (await amplify.send(new CreateAppCommand({ name: 'next-app', repository: cloneUrl, platform: 'WEB_COMPUTE' }))).app!.appId!;
  await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: false, environmentVariables: { GREETING: 'hello from main' } }));
  const wc = await new WorkingCopy(cloneUrl, ts.admin).init();
  cpSync(FIXTURE, wc.dir, { recursive: true, filter: (path) => !/[/\\](node_modules|\.next)([/\\]|$)/.test(path) });
  wc.write({
    'amplify.yml': BUILD_SPEC,
    'pages/api/greeting.ts': "export default function handler(_req: unknown, res: { json(v: unknown): void }) { res.json({ greeting: process.env.GREETING ?? null }); }\n",
  });
  await wc.commitAndPush('the Next.js app');
  const { jobSummary } = await amplify.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
  build = await finishedJob(amplify, appId, jobSummary!.jobId!, { timeoutMs: 8 * 60_000 });
  assert.equal(build.status, 'SUCCEED', build.log.slice(-4000));
  assert.equal((await amplify.send(new GetBranchCommand({ appId, branchName: 'main' }))).branch!.framework, 'Next.js - SSR');
});
after(() => ts.stop());

test('pages are rendered per request, API routes answer, middleware runs, with the branch variables', async () => {
  const first = await site('/');
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-gantry-middleware'), 'ran');
  const html = await first.text();
  const again = await (await site('/')).text();
  // React separates text parts with <!-- -->; what matters is that each request renders anew.
  const rendered = (text: string) => /rendered-at:(?:<!-- -->)?(\d+)(?:<!-- -->)? request-id:(?:<!-- -->)?(\w+)/.exec(text)?.slice(1).join(' ');
  assert.ok(rendered(html), html.slice(0, 500));
  assert.notEqual(rendered(html), rendered(again));
  assert.deepEqual(await (await site('/api/hello')).json(), { hello: 'world', method: 'GET' });
  assert.deepEqual(await (await site('/api/greeting')).json(), { greeting: 'hello from main' });
});

test('_next/static is served as immutable static files and public/ as the site root', async () => {
  const html = await (await site('/')).text();
  const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
  assert.ok(asset, 'the page links a _next/static script');
  const script = await site(asset);
  assert.equal(script.status, 200);
  assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const robots = await site('/robot.txt');
  assert.equal(robots.status, 200);
  assert.ok((await robots.text()).length > 0);
});

test('getStaticProps pages are served prerendered and regenerated after their revalidate period (ISR)', async () => {
  const generatedAt = async () => Number(/generated-at:(?:<!-- -->)?(\d+)/.exec(await (await site('/isr')).text())?.[1]);
  // The build's prerender is already stale: the first request serves it and regenerates the page.
  const prerendered = await generatedAt();
  assert.ok(prerendered > 0, 'the page carries the time it was generated');
  let first = await generatedAt();
  for (let i = 0; first === prerendered && i < 50; i++) first = await new Promise((r) => setTimeout(r, 100)).then(generatedAt);
  assert.ok(first > prerendered, 'a stale page is regenerated');
  assert.equal(await generatedAt(), first, 'within its revalidate period the same render is served');
  // Stale after 1 s: the next request triggers regeneration in the background, a later one gets the new render.
  await new Promise((r) => setTimeout(r, 1200));
  const deadline = Date.now() + 10_000;
  let latest = await generatedAt();
  while (latest === first && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    latest = await generatedAt();
  }
  assert.ok(latest > first, `regenerated after the revalidate period (still ${latest})`);
});

test('next/image answers an image from public/ through the image optimizer', async () => {
  const image = await site('/_next/image?url=%2Fdot.png&w=64&q=75');
  assert.equal(image.status, 200, await image.clone().text());
  assert.match(image.headers.get('content-type') ?? '', /^image\//);
  assert.ok((await image.arrayBuffer()).byteLength > 0);
  const outside = await site('/_next/image?url=https%3A%2F%2Fevil.example%2Fx.png&w=64&q=75');
  assert.equal(outside.status, 400, 'remote images not allowed by the app are refused, as next start does');
});
