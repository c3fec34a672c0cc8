import assert from 'node:assert/strict';
import { exec as execCallback } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { AmplifyClient, GetBranchCommand, ListJobsCommand, ListWebhooksCommand } from '@aws-sdk/client-amplify';
import type { Browser, Page } from 'playwright-core';
import { chromiumUnavailable, launchChromium, newTrustingContext } from '../../gantry/test/support/browser.ts';
import { WorkingCopy } from '../../gantry/test/support/git.ts';
import { signedFetch } from '../../gantry/test/support/signed-fetch.ts';
import { startTestServer, type TestServer } from '../../gantry/test/support/test-server.ts';

const exec = promisify(execCallback);
const skip = chromiumUnavailable();
const SCREENSHOTS = join(tmpdir(), 'gantry-console-screenshots');

/** A static site whose build prints a line a second, so a followed log visibly grows while the job runs. */
const BUILD_SPEC = `version: 1
frontend:
  phases:
    build:
      commands:
        - for i in 1 2 3 4 5 6; do echo "building step $i"; sleep 1; done
        - mkdir -p dist && cp index.html dist/
  artifacts:
    baseDirectory: dist
    files:
      - '**/*'
`;

let ts: TestServer;
let browser: Browser;
let cloneUrl: string;

before(async () => {
  if (skip) return;
  ts = await startTestServer();
  const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/repos', { service: 'codecommit', body: { name: 'console-site' } });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  cloneUrl = created.json.repository.cloneUrl;
  const repo = await new WorkingCopy(cloneUrl, ts.admin).init();
  await repo.write({ 'index.html': '<h1>Hello from the console</h1>', 'amplify.yml': BUILD_SPEC }).commitAndPush('first version');
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await ts?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

test('the hosting scenario through the console only', { skip, timeout: 180_000 }, async () => {
  const context = await newTrustingContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  const amplify = new AmplifyClient({ endpoint: ts.url, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });

  // Sign in with the administrator's access key.
  await page.goto(ts.url + '/');
  await page.getByRole('heading', { name: 'Sign in to Gantry' }).waitFor();
  await page.getByLabel('Access key ID').fill(ts.admin.accessKeyId);
  await page.getByLabel('Secret access key').fill('not-the-secret');
  await page.getByLabel('Secret access key').press('Enter');
  await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
  await page.getByLabel('Secret access key').fill(ts.admin.secretAccessKey);
  await page.getByLabel('Region (optional)').fill('us-west-2');
  await shot(page, 'sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();

  // The account from GetCallerIdentity, the region from ListRegions, and an empty state that says what to do.
  await page.getByText('No apps in this region yet').waitFor();
  await page.getByTestId('account').getByText(ts.managementAccount).waitFor();
  await page.getByTestId('account').getByText('gantry-admin').waitFor();
  assert.equal(await page.getByLabel('Region').inputValue(), 'us-west-2');
  assert.ok((await page.getByLabel('Region').locator('option').count()) >= 10, 'the default regions are offered');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'gantry-console')!;
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'the page cannot read its session cookie');
  await shot(page, 'apps-empty');

  // Create an app from the repository.
  await page.getByRole('link', { name: 'Create an app from a repository' }).click();
  await page.getByLabel('Your repositories').selectOption(cloneUrl);
  assert.equal(await page.getByLabel('App name').inputValue(), 'console-site');
  await page.getByRole('button', { name: 'Create app' }).click();
  await page.getByRole('heading', { name: 'console-site' }).waitFor();
  const appId = /\/console\/hosting\/apps\/([a-z0-9]+)/.exec(page.url())![1]!;

  // Connect main (auto build on by default), then switch auto build off.
  await page.getByLabel('Branch name').fill('main');
  await page.getByLabel('Branch name').press('Enter');
  const toggle = page.getByRole('switch', { name: 'Auto build for main' });
  await toggle.waitFor();
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await toggle.click();
  await page.locator('[role=switch][aria-checked=false]').waitFor();
  assert.equal((await amplify.send(new GetBranchCommand({ appId, branchName: 'main' }))).branch!.enableAutoBuild, false);
  await shot(page, 'app-branches');

  // A webhook, with the curl line exactly as the README shows it.
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByText('No webhooks').waitFor();
  await page.getByRole('button', { name: 'Create webhook' }).click();
  const curl = (await page.getByTestId('webhook-curl').first().textContent())!;
  const webhook = (await amplify.send(new ListWebhooksCommand({ appId }))).webhooks![0]!;
  assert.equal(curl, `curl -X POST -d {} "${webhook.webhookUrl}&operation=startbuild" -H "Content-Type:application/json"`);
  await shot(page, 'app-webhooks');

  // Settings: an environment variable saved with UpdateApp; a reserved name is refused by the API, inline.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Add variable' }).click();
  await page.getByLabel('Variable 1 name').fill('LD_PRELOAD');
  await page.getByLabel('Variable 1 value').fill('/tmp/x.so');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('alert').filter({ hasText: 'LD_PRELOAD' }).waitFor();
  await page.getByLabel('Variable 1 name').fill('GREETING');
  await page.getByLabel('Variable 1 value').fill('hello');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved.').waitFor();

  // Start a build and follow its log while it runs.
  await page.getByRole('link', { name: 'Branches' }).click();
  await page.getByRole('link', { name: 'main', exact: true }).click();
  await page.getByText('No builds yet').waitFor();
  await page.getByRole('button', { name: 'Run build' }).click();
  await page.getByRole('heading', { name: /Job #1/ }).waitFor();
  const log = page.getByTestId('log-BUILD');
  await log.getByText('building step 1').waitFor({ timeout: 60_000 });
  const early = (await log.textContent())!;
  assert.doesNotMatch(early, /building step 6/, 'the log is shown while the build still runs');
  assert.ok(await page.locator('.following').isVisible(), 'the log says it is following');
  await log.getByText('building step 6').waitFor({ timeout: 60_000 });
  assert.ok((await log.textContent())!.length > early.length, 'the log grew in place');
  await page.locator('h1 [data-status=SUCCEED]').waitFor({ timeout: 60_000 });
  await shot(page, 'job');

  // The live site.
  const [site] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'Open live site ↗' }).click()]);
  await site.getByRole('heading', { name: 'Hello from the console' }).waitFor();
  assert.equal(new URL(site.url()).hostname, `main.${appId}.localhost`);
  await site.close();

  // The webhook's curl line starts a build too, run as a shell would run it.
  await exec(curl);
  const deadline = Date.now() + 20_000;
  while ((await amplify.send(new ListJobsCommand({ appId, branchName: 'main' }))).jobSummaries!.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const jobs = (await amplify.send(new ListJobsCommand({ appId, branchName: 'main' }))).jobSummaries!;
  assert.equal(jobs[0]!.jobType, 'WEB_HOOK');

  // Redeploy the first job's version (a RETRY job), then stop it.
  await page.getByRole('button', { name: 'Redeploy this version' }).click();
  await page.getByRole('heading', { name: /Job #3/ }).waitFor();
  await page.getByText(/^RETRY/).waitFor();
  await page.getByRole('button', { name: 'Stop job' }).click();
  await page.locator('h1 [data-status=CANCELLED]').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Redeploy this version' }).waitFor();

  // The jobs list shows all three, newest first, with their statuses.
  await page.getByRole('link', { name: '← main' }).click();
  await page.getByRole('link', { name: '#3' }).waitFor();
  assert.deepEqual(await page.locator('tbody tr td:first-child').allTextContents(), ['#3', '#2', '#1']);
  assert.equal(await page.locator('tbody tr').first().locator('[data-status]').getAttribute('data-status'), 'CANCELLED');

  // Delete the webhook.
  await page.goto(`${ts.url}/console/hosting/apps/${appId}/webhooks`);
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('No webhooks').waitFor();
  assert.deepEqual((await amplify.send(new ListWebhooksCommand({ appId }))).webhooks, []);

  // Another region is another set of apps; switching back shows this one again.
  await page.getByLabel('Region').selectOption('eu-west-1');
  await page.getByText('No apps in this region yet').waitFor();
  await page.getByLabel('Region').selectOption('us-west-2');
  await page.getByRole('link', { name: 'console-site' }).waitFor();

  // Switch role into a member account (its OrganizationAccountAccessRole trusts the management account), and back.
  const member = await ts.server.iam.createAccount({ name: 'console-member' });
  await page.getByRole('button', { name: 'Switch role' }).click();
  await page.getByLabel('Account ID').fill(member.id);
  await page.getByLabel('Role name').press('Enter');
  await page.getByText(`OrganizationAccountAccessRole @ ${member.id}`).waitFor();
  await page.getByText('No apps in this region yet').waitFor();
  await page.getByTestId('account').getByText(member.id).waitFor();
  await shot(page, 'switched-role');
  await page.getByRole('button', { name: 'Back to gantry-admin' }).click();
  await page.getByRole('link', { name: 'console-site' }).waitFor();
  await page.getByTestId('account').getByText(ts.managementAccount).waitFor();

  // A phone-width layout keeps everything within the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${ts.url}/console/hosting/apps/${appId}/branches/main`);
  await page.getByRole('heading', { name: 'main', exact: true }).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling on a phone');
  await shot(page, 'branch-phone');

  // Dark theme on request.
  await page.getByRole('button', { name: /Switch to dark theme/ }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await shot(page, 'branch-phone-dark');

  // Sign out: back to sign-in, and the old session is gone.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Gantry' }).waitFor();
  assert.equal((await context.cookies()).some((c) => c.name === 'gantry-console'), false);
  await context.close();
});
