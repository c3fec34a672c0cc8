// A Next.js 15 pages-router app in the shape of Amplify's Next.js (pages router) template, with its Amplify Gen 2
// backend, pushed unmodified to a WEB_COMPUTE app whose `main` branch builds on push. Its own amplify.yml installs
// everything (`npm ci` of next, aws-amplify, @aws-amplify/backend, the real @aws-amplify/backend-cli, aws-cdk-lib),
// deploys the backend with `npx ampx pipeline-deploy` (Gantry's ampx), builds with `next build` and publishes
// `.next`. The site then answers as on Amplify Hosting: SSR, ISR with revalidation, an API route, middleware,
// `next/image`, `_next/static` and `public/`; and in Chromium the home page's observeQuery list shows a todo
// created by another client without a reload. The heaviest path there is: one build, shared by every test.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AmplifyClient, CreateAppCommand, CreateBranchCommand, GetBranchCommand, GetJobCommand, ListJobsCommand } from '@aws-sdk/client-amplify';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import type { Browser, Page } from 'playwright-core';
import { DEPLOY_POLICY, GANTRY, runCli } from './support/backend-app.ts';
import { chromiumUnavailable, launchChromium } from './support/browser.ts';
import { WorkingCopy } from './support/git.ts';
import { finishedJob } from './support/hosting-jobs.ts';
import { trust, unique } from './support/iam-fixtures.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { openTodoPage } from './support/todo-page.ts';

/**
 * The app. Its versions are the registry's latest but one: @aws-amplify/backend is 1.23.0, not 1.25.x, whose
 * @aws-amplify/backend-data needs @aws-amplify/data-construct ≥ 1.17.7, and from 1.17.1 on that package bundles
 * @opentelemetry/resources 2.0.0 beside a bundled @opentelemetry/core 2.8.0 that it does not accept: npm then
 * refuses `npm ci` with every lock file it writes ("Missing: @opentelemetry/core@2.0.0 from lock file"), here as on
 * AWS. The lock file holds data-construct 1.17.0, which bundles no OpenTelemetry.
 */
const FIXTURE = resolve(import.meta.dirname, '../../hosting/test/fixtures/next15-template-app');
/** `npm ci` of the template's dependencies (1,000 packages, aws-cdk-lib among them) and `next build`, on 2 cores. */
const BUILD_TIMEOUT = 20 * 60_000;

let ts: TestServer;
let amplify: AmplifyClient;
let appId: string;
let commit: string;
let build: { status: string; log: string };
let builtAt: number;
const sitePath = (path: string) => `${ts.url}/_sites/${appId}/main${path}`;
/**
 * The branch's own address, which browsers resolve (`*.localhost` is loopback): the pages load their scripts from
 * `/_next/static/…` at the root of the host, as on Amplify, so a browser needs the site at the root of a host.
 */
const branchUrl = (path: string) => `http://main.${appId}.localhost:${new URL(ts.url).port}${path}`;
const site = (path: string, init?: RequestInit) => fetch(sitePath(path), { redirect: 'manual', ...init });

/** A GET through the server with the branch's own host name (`main.<appId>.localhost:<port>`), which need not resolve here. */
function getByBranchHost(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const { port } = new URL(ts.url);
  return new Promise((done, fail) => {
    request({ host: '127.0.0.1', port, path, headers: { host: `main.${appId}.localhost:${port}` } }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode!, headers: res.headers }));
    }).on('error', fail).end();
  });
}

/** The job a push started on the branch: the newest job, once there is one. */
async function jobStartedByPush(): Promise<string> {
  const until = Date.now() + 30_000;
  for (;;) {
    const { jobSummaries } = await amplify.send(new ListJobsCommand({ appId, branchName: 'main' }));
    if (jobSummaries?.length) return jobSummaries[0]!.jobId!;
    assert.ok(Date.now() < until, 'the push to main starts a build within 30 s (auto build is on)');
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  // The account's npm cache (npx, npm calls without --cache) is kept between runs, as on a build machine. The
  // template's `npm ci --cache .npm` uses the branch's build cache instead, empty on a new server: it downloads.
  process.env.GANTRY_NPM_CACHE ??= join(homedir(), '.cache/gantry-tests/npm');
  ts = await startTestServer();
  amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });

  // As on AWS: the account is bootstrapped (cdk bootstrap) and the app's service role may deploy backends.
  const boot = await runCli(ts, GANTRY, ['bootstrap', '--region', 'us-west-2'], ts.admin, mkdtempSync(join(tmpdir(), 'gantry-boot-')));
  assert.equal(boot.code, 0, `gantry bootstrap: ${boot.stderr}`);
  const iam = ts.iam(ts.admin);
  const role = await iam.send(new CreateRoleCommand({ RoleName: unique('amplify-service'), AssumeRolePolicyDocument: trust({ Service: 'amplify.amazonaws.com' }) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: role.Role!.RoleName, PolicyArn: DEPLOY_POLICY }));

  const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'next15-template' } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const cloneUrl: string = created.json.repository.cloneUrl;
  const app = await amplify.send(new CreateAppCommand({ name: 'next15-template', repository: cloneUrl, platform: 'WEB_COMPUTE', iamServiceRoleArn: role.Role!.Arn }));
  appId = app.app!.appId!;
  await amplify.send(new CreateBranchCommand({ appId, branchName: 'main', enableAutoBuild: true }));

  // The app exactly as it is in the fixture folder (its .gitignore keeps node_modules and .next out).
  const wc = await new WorkingCopy(cloneUrl, ts.admin).init();
  cpSync(FIXTURE, wc.dir, { recursive: true, filter: (path) => !/[/\\](node_modules|\.next|\.npm)([/\\]|$)|amplify_outputs\.json$/.test(path) });
  commit = await wc.commitAndPush('Next.js 15 app from the Amplify template');
  const jobId = await jobStartedByPush();
  build = await finishedJob(amplify, appId, jobId, { timeoutMs: BUILD_TIMEOUT });
  builtAt = Date.now();
  assert.equal(build.status, 'SUCCEED', build.log.slice(-6000));
}, { timeout: BUILD_TIMEOUT + 120_000 });

after(() => ts?.stop());

describe('the push builds the app with its own amplify.yml', () => {
  test('the build was started by the push, for the pushed commit', async () => {
    const { jobSummaries } = await amplify.send(new ListJobsCommand({ appId, branchName: 'main' }));
    assert.equal(jobSummaries!.length, 1, 'one build: the push, no StartJob');
    const { job } = await amplify.send(new GetJobCommand({ appId, branchName: 'main', jobId: jobSummaries![0]!.jobId! }));
    assert.equal(job!.summary!.commitId, commit);
    assert.equal(job!.summary!.status, 'SUCCEED');
  });

  test('the backend phase installed the real packages and deployed the backend with Gantry\'s ampx pipeline-deploy', () => {
    const log = build.log;
    assert.match(log, /npm ci --cache \.npm --prefer-offline/, 'the template\'s install command ran');
    assert.match(log, /added \d+ packages/, 'npm ci installed the app\'s dependencies');
    assert.match(log, /npx ampx pipeline-deploy --branch \$AWS_BRANCH --app-id \$AWS_APP_ID/, 'the template\'s deploy command ran');
    assert.match(log, new RegExp(`Deploying .*main.*${appId}|Deploying .*${appId}.*main`), `Gantry's ampx deployed the branch backend of ${appId}\n${log.slice(-4000)}`);
    assert.match(log, /Synthesized the backend definition \(\d+ ms\)/, 'Gantry\'s synthesis of amplify/backend.ts');
    assert.match(log, /Deployment completed in [\d.]+ seconds/);
    // Each resource's progress is one line: status | type | logical id.
    const events = log.slice(log.indexOf('Synthesized the backend definition'), log.indexOf('Deployment completed in')).split('\n').slice(1, -1);
    assert.ok(events.length > 0, 'the deployment\'s events are shown');
    for (const line of events) assert.match(line, /^ {2}[A-Z_]+ \| [\w:]+ \| \S+/, `an event line: ${JSON.stringify(line)}`);
    assert.ok(events.some((line) => /^ {2}CREATE_COMPLETE \|/.test(line)), 'resources were created');
    assert.match(log, /File written: .*amplify_outputs\.json/, 'pipeline-deploy wrote amplify_outputs.json for the frontend build');
    // The real CLI would synthesise with the CDK and deploy through CloudFormation: none of that ran.
    assert.doesNotMatch(log, /Backend synthesized in|Type checks completed in|cdk\.out|CloudFormation deployment/, 'the real @aws-amplify/backend-cli did not run');
    assert.match(log, /next build/, 'the frontend phase built the app');
  });

  test('the branch reports the framework as Amplify does: Next.js - SSR', async () => {
    const { branch } = await amplify.send(new GetBranchCommand({ appId, branchName: 'main' }));
    assert.equal(branch!.framework, 'Next.js - SSR');
  });
});

describe('the live site', () => {
  test('the SSR page renders each request from its own headers', async () => {
    const visitor = `visitor-${Date.now().toString(36)}`;
    const first = await site('/visitor', { headers: { 'x-visitor': visitor } });
    assert.equal(first.status, 200);
    const html = await first.text();
    // React separates text parts with <!-- -->.
    assert.match(html, new RegExp(`<h1>Hello, (?:<!-- -->)?${visitor}</h1>`), 'the header value is in the server-rendered page');
    const anonymous = await (await site('/visitor')).text();
    assert.match(anonymous, /<h1>Hello, (?:<!-- -->)?anonymous<\/h1>/);
    const renderedAt = (text: string) => Number(/data-rendered-at="(\d+)"/.exec(text)?.[1]);
    assert.ok(renderedAt(anonymous) > renderedAt(html), 'each request is rendered anew');
  });

  test('the API route answers per request', async () => {
    const res = await site('/api/status?probe=1');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), { ok: true, method: 'GET', query: { probe: '1' } });
    const posted = await site('/api/status', { method: 'POST' });
    assert.equal((await posted.json()).method, 'POST');
  });

  test('the ISR page is served as prerendered, then regenerated once its revalidate period (1 s) has passed', async () => {
    const generatedAt = async () => {
      const res = await site('/news');
      assert.equal(res.status, 200);
      const at = Number(/data-generated-at="(\d+)"/.exec(await res.text())?.[1]);
      assert.ok(at > 0, 'the page shows when it was generated');
      return at;
    };
    const prerendered = await generatedAt();
    assert.ok(prerendered < builtAt, 'the first answer is the page next build prerendered');
    // A request after the period gets the stale page and starts a regeneration; a later one gets the new page.
    await new Promise((r) => setTimeout(r, 1500));
    const until = Date.now() + 20_000;
    let latest = await generatedAt();
    while (latest === prerendered) {
      assert.ok(Date.now() < until, 'a regenerated /news is served within 20 s');
      await new Promise((r) => setTimeout(r, 300));
      latest = await generatedAt();
    }
    assert.ok(latest > builtAt, `the regenerated page was rendered after the build (${latest} > ${builtAt})`);
  });

  test('middleware redirects /info to /about (308 with a Location)', async () => {
    const res = await site('/info');
    assert.equal(res.status, 308);
    const location = res.headers.get('location');
    assert.ok(location, 'a Location header');
    // Followed from the page's own URL, the Location leads to the about page of the same site.
    const target = new URL(location, sitePath('/info'));
    assert.equal(target.pathname.replace(new RegExp(`^/_sites/${appId}/main`), ''), '/about', `Location ${location}`);
    const byHost = await getByBranchHost('/info');
    assert.equal(byHost.status, 308);
    assert.equal(new URL(String(byHost.headers.location), `http://main.${appId}.localhost/`).pathname, '/about');
    const followed = await fetch(target);
    assert.equal(followed.status, 200);
    assert.match(await followed.text(), /<h1>About<\/h1>/);
  });

  test('_next/static files are immutable, public/ files are served from the site root', async () => {
    const html = await (await site('/')).text();
    const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
    assert.ok(asset, 'the page links a _next/static script');
    const script = await site(asset);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const robots = await site('/robots.txt');
    assert.equal(robots.status, 200);
    assert.equal(await robots.text(), 'User-agent: *\nAllow: /\n');
    const logo = await site('/logo.png');
    assert.equal(logo.status, 200);
    assert.equal(logo.headers.get('content-type'), 'image/png');
  });

  test('next/image serves the public/ image through the optimizer at the requested width', async () => {
    const about = await (await site('/about')).text();
    const src = /<img[^>]+src="([^"]+)"/.exec(about)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(src?.startsWith('/_next/image?url=%2Flogo.png'), `the page's image goes through the optimizer: ${src}`);
    const optimized = await site('/_next/image?url=%2Flogo.png&w=64&q=75', { headers: { accept: 'image/webp,image/png,*/*' } });
    assert.equal(optimized.status, 200, await optimized.clone().text().catch(() => ''));
    assert.equal(optimized.headers.get('content-type'), 'image/webp', 'resized and re-encoded as the browser accepts');
    const bytes = Buffer.from(await optimized.arrayBuffer());
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(bytes.subarray(8, 12).toString('latin1'), 'WEBP');
    const original = Buffer.from(await (await site('/logo.png')).arrayBuffer());
    assert.notDeepEqual(bytes, original, 'not the original file');
  });
});

// The page as a user sees it: the template's home page lists the todos with observeQuery over the realtime
// connection, from the amplify_outputs.json the build's pipeline-deploy wrote.
describe('the home page in Chromium', { skip: chromiumUnavailable() }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  /** Clicks the template's "+ new" button and answers its prompt with `content`. */
  async function createWithButton(page: Page, content: string): Promise<void> {
    page.once('dialog', (dialog) => {
      assert.equal(dialog.type(), 'prompt');
      void dialog.accept(content);
    });
    await page.getByRole('button', { name: '+ new' }).click();
  }

  test('a todo created by another client appears on the open page without a reload', async () => {
    const watcher = await openTodoPage(browser, branchUrl('/'));
    let reloaded = false;
    watcher.on('framenavigated', (frame) => {
      if (frame === watcher.mainFrame()) reloaded = true;
    });
    // Another user, in a browser context of their own.
    const writer = await openTodoPage(browser, branchUrl('/'));
    const content = `from another client ${Date.now().toString(36)}`;
    await createWithButton(writer, content);
    await writer.getByRole('listitem').filter({ hasText: content }).waitFor({ timeout: 15_000 });
    await watcher.getByRole('listitem').filter({ hasText: content }).waitFor({ timeout: 15_000 });
    assert.equal(reloaded, false, 'the watching page was not reloaded');
    await writer.context().close();
    await watcher.context().close();
  });
});
