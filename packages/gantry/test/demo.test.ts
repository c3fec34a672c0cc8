// `gantry demo --json`: the whole scenario from an empty data dir, as a user's first `npm run demo` does it, then
// again against the same data dir (with the server already running) to see that the second run changes nothing.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumUnavailable, launchChromium, newTrustingContext } from './support/browser.ts';
import { WorkingCopy } from './support/git.ts';
import { freePortPair, getThroughServer } from './support/net.ts';
import { createTodo, openTodoPage, todoItem } from './support/todo-page.ts';

const GANTRY = resolve(import.meta.dirname, '../bin/gantry.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-demo-'));
// Builds and actions run `npm ci` of the sample app: one cache across test runs keeps reruns from downloading it again.
const npmCache = join(homedir(), '.cache/gantry-tests/npm');
const TIMEOUT = 25 * 60_000;
/** Where the sample app (examples/next-todo-app) keeps the version its page shows. */
const SAMPLE_VERSION_FILE = 'lib/version.ts';

interface Demo { code: number | null; stdout: string; stderr: string; summary?: any }
let port: number;
let first: Demo;
let second: Demo;
let server: ChildProcess | undefined;

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GANTRY_NPM_CACHE: npmCache };
  for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'GANTRY_DATA_DIR', 'GANTRY_PORT']) delete env[name];
  return env;
}

/** Runs `npm run demo -- --json` to its end; the summary is the one line on stdout. */
function demo(): Promise<Demo> {
  // The README's command, `npm run demo`, from the repository root, with options for a script.
  const child = spawn('npm', ['run', '--silent', 'demo', '--', '--json', '--data-dir', dataDir, '--port', String(port)], {
    cwd: resolve(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((done) => child.on('close', (code) => {
    let summary;
    try {
      summary = JSON.parse(stdout);
    } catch {
      summary = undefined;
    }
    done({ code, stdout, stderr, summary });
  }));
}

function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [GANTRY, 'server', '--data-dir', dataDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      if (output.includes(`listening on http://127.0.0.1:${port}`)) {
        clearTimeout(timer);
        done(child);
      }
    });
    child.on('exit', (code) => fail(new Error(`server exited with ${code}:\n${output}`)));
  });
}

const explain = (d: Demo) => `exit ${d.code}\n--- progress\n${d.stderr}\n--- stdout\n${d.stdout}`;

before(async () => {
  mkdirSync(npmCache, { recursive: true });
  port = await freePortPair();
  // First run: no server is running, so the demo starts one in its own process and stops it when done.
  first = await demo();
  // Then the server runs on its own, as after `npx gantry server`, and the second run finds and uses it.
  server = await startServer();
  second = await demo();
}, { timeout: TIMEOUT });

after(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((done) => server!.once('exit', done));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('gantry demo --json', { timeout: TIMEOUT }, () => {
  test('runs the pipeline end to end: both backends deployed, both frontends built, summary on stdout', () => {
    assert.equal(first.code, 0, explain(first));
    assert.ok(first.summary, `stdout is one JSON object\n${explain(first)}`);
    assert.equal(first.stdout.trim().split('\n').length, 1, 'stdout holds the summary only; progress goes to stderr');
    const s = first.summary;
    assert.equal(s.dataDir, dataDir);
    assert.equal(s.url, `http://127.0.0.1:${port}`);
    assert.equal(s.httpsUrl, `https://127.0.0.1:${port + 1}`);
    assert.equal(s.repository.cloneUrl, `${s.url}/git/${s.space}/${s.project}/${s.repository.name}`);
    assert.equal(s.run.status, 'SUCCEEDED', explain(first));
    assert.deepEqual(s.run.actions, [{ name: 'DeployStaging', status: 'SUCCEEDED' }, { name: 'DeployProduction', status: 'SUCCEEDED' }]);
    assert.equal(s.builds.staging.status, 'SUCCEED');
    assert.equal(s.builds.production.status, 'SUCCEED');
    assert.deepEqual([s.accounts.staging.region, s.accounts.production.region], ['us-west-2', 'eu-west-1']);
    assert.notEqual(s.accounts.staging.id, s.accounts.production.id);
    assert.notEqual(s.accounts.staging.appId, s.accounts.production.appId);
    for (const stage of ['staging', 'production']) {
      const a = s.accounts[stage];
      assert.match(a.id, /^\d{12}$/);
      assert.equal(a.siteUrl, `http://main.${a.appId}.localhost:${port}/`);
      assert.equal(a.hostSiteUrl, `${s.url}/_sites/${a.appId}/main/`);
      assert.match(a.webhookUrl, new RegExp(`^${s.url}/webhooks\\?`));
      assert.match(a.dataUrl, /^https:\/\/127\.0\.0\.1:\d+\/data\/[A-Za-z0-9]+\/graphql$/);
    }
    assert.notEqual(s.accounts.staging.dataUrl, s.accounts.production.dataUrl, 'each account has its own data API');
    for (const step of ['[1/7]', '[6/7]', '[7/7]', 'action DeployStaging: SUCCEEDED', 'production build (job']) assert.ok(first.stderr.includes(step), `progress shows ${step}`);
  });

  test('both live sites serve the built Next.js app from compute, under the branch host name and under the server\'s host', async () => {
    const s = first.summary;
    assert.ok(s, explain(first));
    assert.match(first.stderr, /created WEB_COMPUTE app/, 'the sample is a Next.js app: its hosting apps run on compute');
    for (const stage of ['staging', 'production']) {
      const a = s.accounts[stage];
      const byHost = await getThroughServer(a.siteUrl, port);
      assert.equal(byHost.status, 200, `${stage} ${a.siteUrl}`);
      assert.match(byHost.type, /text\/html/);
      // Rendered by Next.js at build time: the page's markup is in the HTML before any script runs.
      assert.match(byHost.body, /<div id="__next">/);
      assert.match(byHost.body, /<h1>My todos<\/h1>/);
      const byPath = await fetch(a.hostSiteUrl);
      assert.equal(byPath.status, 200, `${stage} ${a.hostSiteUrl}`);
      assert.equal(await byPath.text(), byHost.body);
      // An API route is answered by the app's server on each request.
      const api = await fetch(`${a.hostSiteUrl}api/hello`);
      assert.equal(api.status, 200, `${stage} /api/hello`);
      assert.deepEqual(await api.json(), { hello: 'world', method: 'GET' });
    }
  });

  test('a second run on the same data dir reuses everything: no push, no new run, no new build', () => {
    assert.equal(second.code, 0, explain(second));
    const [a, b] = [first.summary, second.summary];
    assert.ok(a && b, explain(second));
    assert.equal(b.run.id, a.run.id, 'the same run');
    assert.deepEqual(b.builds, a.builds, 'the same build jobs');
    for (const stage of ['staging', 'production']) assert.deepEqual(b.accounts[stage], a.accounts[stage]);
    assert.deepEqual(b.repository, a.repository);
    assert.match(second.stderr, /using the server already running/);
    assert.match(second.stderr, /nothing to push/);
    assert.match(second.stderr, /workflow deploy on main is up to date/);
    assert.doesNotMatch(second.stderr, /created /);
  });
});

// The sites as a user sees them, in headless Chromium, while the server of the second run keeps serving.
describe('the demo\'s live sites in Chromium', { skip: chromiumUnavailable(), timeout: TIMEOUT }, () => {
  let browser: Browser;
  const site = (stage: 'staging' | 'production'): string => first.summary.accounts[stage].siteUrl;
  const unique = (what: string) => `${what} ${Date.now().toString(36)}`;

  before(async () => {
    assert.ok(first.summary && server, explain(first));
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('a todo created on the production site is listed there; the staging site, another account\'s backend, does not have it', async () => {
    const production = await openTodoPage(browser, site('production'));
    const onProduction = unique('from production');
    await createTodo(production, onProduction);
    await todoItem(production, onProduction).waitFor({ timeout: 15_000 });

    const staging = await openTodoPage(browser, site('staging'));
    const onStaging = unique('from staging');
    await createTodo(staging, onStaging);
    // Once staging's own todo is listed, its list is loaded: the production todo must not be in it.
    await todoItem(staging, onStaging).waitFor({ timeout: 15_000 });
    assert.equal(await todoItem(staging, onProduction).count(), 0, 'staging does not see production data');
    await production.reload();
    await todoItem(production, onProduction).waitFor({ timeout: 15_000 });
    assert.equal(await todoItem(production, onStaging).count(), 0, 'production does not see staging data');
    await production.context().close();
    await staging.context().close();
  });

  test('with two pages on the production site, a todo created in one appears in the other without a reload', async () => {
    const [writer, watcher] = [await openTodoPage(browser, site('production')), await openTodoPage(browser, site('production'))];
    const content = unique('live');
    await createTodo(writer, content);
    await todoItem(watcher, content).waitFor({ timeout: 15_000 });
    await writer.context().close();
    await watcher.context().close();
  });

  test('a change pushed to main goes live on both sites once the pipeline has run again', async () => {
    const credentials = readFileSync(join(dataDir, 'credentials'), 'utf8');
    const admin = { accessKeyId: /aws_access_key_id = (\S+)/.exec(credentials)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentials)![1]! };
    const wc = await new WorkingCopy(first.summary.repository.cloneUrl, admin).init();
    await wc.git('fetch', '--quiet', 'origin', 'main');
    await wc.git('reset', '--quiet', '--hard', 'origin/main');
    const version = `v2-${Date.now().toString(36)}`;
    await wc.write({ [SAMPLE_VERSION_FILE]: `export const version = '${version}';\n` }).commitAndPush(`show ${version}`);

    const context = await newTrustingContext(browser);
    const page: Page = await context.newPage();
    for (const stage of ['staging', 'production'] as const) {
      const until = Date.now() + 15 * 60_000;
      for (;;) {
        await page.goto(site(stage));
        const shown = await page.getByTestId('version').textContent({ timeout: 15_000 }).catch(() => undefined);
        if (shown === version) break;
        assert.ok(Date.now() < until, `${stage} shows ${version} within 15 minutes (it shows ${shown})`);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    await context.close();
  });
});
