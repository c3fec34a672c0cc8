// The sample app (examples/todo-app) as a user sees it: its backend deployed with the real ampx, its frontend
// built with the real Vite against the generated amplify_outputs.json, and the page driven in real Chromium.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { basename, extname, join, normalize, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import type { Browser, Page } from 'playwright-core';
import { AMPX, DEPLOY_POLICY, GANTRY, runCli } from './support/backend-app.ts';
import { chromiumUnavailable, launchChromium, newTrustingContext } from './support/browser.ts';
import { assume, trust, unique } from './support/iam-fixtures.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const exec = promisify(execFile);
const SAMPLE_APP = resolve(import.meta.dirname, '../../../examples/todo-app');
// Kept between runs: npm's download cache, and the sample's installed node_modules for each version of its lock.
const CACHE_DIR = join(homedir(), '.cache/gantry-tests');
const NOT_COPIED = new Set(['node_modules', 'dist', 'amplify_outputs.json']);
// observeQuery holds one subscription per event: create, update and delete.
const OBSERVE_QUERY_SUBSCRIPTIONS = 3;

let ts: TestServer;
let appDir: string;
let site: { server: Server; url: string };
let browser: Browser;

/** Runs a command in `cwd`, failing with its output. */
async function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  try {
    return await exec(command, args, { cwd, env: { ...process.env, ...env }, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error: any) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
  }
}

/**
 * The sample's dependencies, installed with `npm ci` from its committed lock once per version of that lock and
 * kept: installing and deleting a few hundred megabytes of node_modules on every run would dominate the test.
 * Returns the node_modules folder.
 */
async function installedDependencies(): Promise<string> {
  const manifest = readFileSync(join(SAMPLE_APP, 'package.json'));
  const lock = readFileSync(join(SAMPLE_APP, 'package-lock.json'));
  const key = createHash('sha256').update(manifest).update(lock).digest('hex').slice(0, 16);
  const installed = join(CACHE_DIR, `todo-app-${key}`);
  if (existsSync(join(installed, 'node_modules'))) return join(installed, 'node_modules');
  // Installed beside, then renamed into place: a concurrent or interrupted run never sees half an install.
  mkdirSync(CACHE_DIR, { recursive: true });
  const staging = mkdtempSync(join(CACHE_DIR, 'installing-'));
  writeFileSync(join(staging, 'package.json'), manifest);
  writeFileSync(join(staging, 'package-lock.json'), lock);
  await run(staging, 'npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { npm_config_cache: join(CACHE_DIR, 'npm') });
  try {
    renameSync(staging, installed);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(installed, 'node_modules'))) throw error;
  }
  return join(installed, 'node_modules');
}

/** Serves the built frontend the way a static host does: files from dist/, index.html for anything else. */
async function serveDist(dist: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path);
    if (!file.startsWith(dist) || !existsSync(file) || path.endsWith('/')) file = join(dist, 'index.html');
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

/** Resolves once the page's realtime connection has acknowledged `count` subscriptions. */
function subscriptionsAcknowledged(page: Page, count: number): Promise<void> {
  return new Promise((done) => {
    let acknowledged = 0;
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string' && JSON.parse(payload).type === 'start_ack' && ++acknowledged === count) done();
      });
    });
  });
}

/** Opens the site in a new browser context (a separate user) and waits until its live list is subscribed. */
async function openLiveList(): Promise<Page> {
  const context = await newTrustingContext(browser);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  const subscribed = subscriptionsAcknowledged(page, OBSERVE_QUERY_SUBSCRIPTIONS);
  await page.goto(site.url);
  await page.getByRole('heading', { name: 'My todos' }).waitFor();
  await Promise.race([
    subscribed,
    new Promise((_, fail) => setTimeout(() => fail(new Error(`the page's observeQuery subscriptions were not acknowledged within 20 s; page errors: ${problems.join('; ') || 'none'}`)), 20_000)),
  ]);
  return page;
}

const todoItem = (page: Page, content: string) => page.getByRole('list', { name: 'Todos' }).getByRole('listitem').filter({ hasText: content });

async function createTodo(page: Page, content: string) {
  await page.getByLabel('New todo').fill(content);
  await page.getByRole('button', { name: 'Create' }).click();
}

describe('the sample app in Chromium', { skip: chromiumUnavailable() }, () => {
  before(async () => {
    ts = await startTestServer();
    appDir = mkdtempSync(join(tmpdir(), 'gantry-sample-app-'));
    cpSync(SAMPLE_APP, appDir, { recursive: true, filter: (source) => !NOT_COPIED.has(basename(source)) });

    // As the pipeline's deploy action does: install, then deploy the backend as a role holding the deploy policy.
    symlinkSync(await installedDependencies(), join(appDir, 'node_modules'), 'dir');
    const boot = await runCli(ts, GANTRY, ['bootstrap', '--region', 'us-west-2'], ts.admin, appDir);
    assert.equal(boot.code, 0, boot.stderr);
    const iam = ts.iam(ts.admin);
    const role = await iam.send(new CreateRoleCommand({ RoleName: unique('deploy'), AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${ts.managementAccount}:root` }) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: role.Role!.RoleName, PolicyArn: DEPLOY_POLICY }));
    const deployer = await assume(ts, ts.admin, role.Role!.Arn!);
    const deployed = await runCli(ts, AMPX, ['pipeline-deploy', '--branch', 'main', '--app-id', 'dsample1'], deployer, appDir, { CI: '1' });
    assert.equal(deployed.code, 0, deployed.stderr);

    // As the hosting build does: the frontend built against the deployed backend's outputs.
    await run(appDir, process.execPath, ['node_modules/vite/bin/vite.js', 'build']);
    site = await serveDist(join(appDir, 'dist'));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    site?.server.close();
    await ts?.stop();
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });

  test('the page shows its version, creates a todo and lists it', async () => {
    const page = await openLiveList();
    assert.equal(await page.getByTestId('version').textContent(), 'v1');
    await createTodo(page, 'buy milk');
    await todoItem(page, 'buy milk').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByLabel('New todo').inputValue(), '', 'the input is cleared after a create');

    // Still there after a reload: it was stored by the data API, not only kept in the page.
    await page.reload();
    await todoItem(page, 'buy milk').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('alert').count(), 0);
    await page.context().close();
  });

  test('a todo created or deleted in one page shows in another without a reload', async () => {
    const [writer, watcher] = [await openLiveList(), await openLiveList()];
    await createTodo(writer, 'from the other tab');
    await todoItem(watcher, 'from the other tab').waitFor({ timeout: 10_000 });

    await watcher.getByRole('button', { name: 'Delete from the other tab' }).click();
    await todoItem(writer, 'from the other tab').waitFor({ state: 'detached', timeout: 10_000 });
    await todoItem(watcher, 'from the other tab').waitFor({ state: 'detached', timeout: 10_000 });
    await writer.context().close();
    await watcher.context().close();
  });
});
