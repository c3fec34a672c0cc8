import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import type { Browser, Page } from 'playwright-core';
import { chromiumUnavailable, launchChromium, newTrustingContext } from '../../gantry/test/support/browser.ts';
import { trust, userWithKey } from '../../gantry/test/support/iam-fixtures.ts';
import { signedFetch } from '../../gantry/test/support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from '../../gantry/test/support/test-server.ts';

const skip = chromiumUnavailable();
const SCREENSHOTS = join(tmpdir(), 'gantry-console-screenshots');
const SPACE = 'console-space';
const PROJECT = 'web';

// Line 8, column 11: a misspelt step key (Rum for Run).
const BROKEN = `Name: Pipeline
SchemaVersion: "1.0"
Actions:
  Build:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Rum: echo typo
`;

/** Build prints a line a second (so its log is seen growing), then a gate, then Ship after it. */
const PIPELINE = `Name: Pipeline
SchemaVersion: "1.0"
Triggers:
  - Type: PUSH
    Branches:
      - main
Actions:
  Build:
    Identifier: aws/build@v1
    Inputs:
      Variables:
        - Name: GREETING
          Value: hello-from-the-console
    Configuration:
      Steps:
        - Run: for i in 1 2 3 4; do echo "building part $i"; sleep 1; done
    Outputs:
      Variables:
        - GREETING
  Gate:
    Identifier: aws/approval@v1
    DependsOn:
      - Build
    Configuration:
      ApprovalsRequired: 1
  Ship:
    Identifier: aws/build@v1
    DependsOn:
      - Gate
    Configuration:
      Steps:
        - Run: echo "shipped it"
`;

let ts: TestServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  ts = await startTestServer();
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await ts?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
const cc = (credentials: Credentials, method: string, path: string, body?: unknown) => signedFetch(ts.url, credentials, method, path, { service: 'codecatalyst', body });

async function signIn(page: Page, credentials: Credentials) {
  await page.goto(ts.url + '/');
  await page.getByLabel('Access key ID').fill(credentials.accessKeyId);
  await page.getByLabel('Secret access key').fill(credentials.secretAccessKey);
  await page.getByLabel('Region (optional)').fill('us-west-2');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Hosting apps/ }).waitFor();
}

/** Replaces the editor's whole text, as typing over a selection would. */
async function setEditorText(page: Page, text: string) {
  const content = page.locator('.cm-content');
  await content.waitFor();
  await content.fill(text);
}

test('the workflows scenario through the console only', { skip, timeout: 240_000 }, async () => {
  const context = await newTrustingContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // Script bytes this page has loaded so far (decoded), as the browser's resource timing counts them.
  const scriptBytes = () => page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
    .filter((e) => new URL(e.name).pathname.endsWith('.js')).reduce((sum, e) => sum + e.decodedBodySize, 0));
  await signIn(page, ts.admin);
  await page.getByText('No apps in this region yet').waitFor();
  const firstLoad = await scriptBytes();

  // A space, a project and a repository, each from its empty state.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Workflows' }).click();
  await page.getByText('No spaces yet').waitFor();
  await page.getByLabel('New space name').fill('no/slashes');
  await page.getByRole('button', { name: 'Create space' }).click();
  await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await page.getByLabel('New space name').fill(SPACE);
  await page.getByLabel('New space name').press('Enter');
  await page.getByRole('heading', { name: `${SPACE} space` }).waitFor();
  await page.getByText('No projects in this space').waitFor();
  await page.getByLabel('New project name').fill(PROJECT);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByText('No repositories yet').waitFor();
  await page.getByLabel('New repository name').fill('app');
  await page.getByRole('button', { name: 'Create repository' }).click();
  const cloneUrl = (await page.getByTestId('clone-url').textContent())!;
  const listed = await cc(ts.admin, 'GET', `/v1/spaces/${SPACE}/projects/${PROJECT}/sourceRepositories`);
  assert.equal(cloneUrl, listed.json.items[0].cloneUrl);
  await page.getByRole('button', { name: 'Copy clone URL' }).waitFor();
  await shot(page, 'workflows-repositories');

  // A new workflow in the editor. Neither CodeMirror nor the graph layout were loaded before this page.
  assert.ok(firstLoad > 10_000 && firstLoad < 150_000, `the first pages load ${firstLoad} bytes of script: neither the editor nor the graph layout`);
  await page.getByRole('link', { name: 'New workflow' }).click();
  await page.getByRole('heading', { name: 'New workflow' }).waitFor();

  // An invalid file first: Commit refuses it, the error is underlined at line 8 and listed with its position.
  await setEditorText(page, BROKEN);
  await page.getByRole('button', { name: 'Commit' }).click();
  const problem = page.locator('.issue-list li[data-line="8"]').filter({ hasText: 'unknown key "Rum"' });
  await problem.waitFor();
  assert.match((await problem.textContent())!, /Line 8, column 11/);
  assert.equal(await page.locator('.issue-list li:not([data-line="8"])').count(), 0, 'every issue is on line 8');
  await page.locator('.cm-line').nth(7).locator('.cm-lintRange-error').waitFor();
  assert.equal(await page.locator('.cm-line').nth(6).locator('.cm-lintRange-error').count(), 0, 'only line 8 is marked');
  await shot(page, 'workflow-invalid');
  const none = await cc(ts.admin, 'GET', `/v1/spaces/${SPACE}/projects/${PROJECT}/workflows`);
  assert.deepEqual(none.json.items, [], 'nothing was committed');

  // The valid file: Validate draws the graph of its actions and DependsOn.
  await setEditorText(page, PIPELINE);
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByText('The workflow is valid').waitFor();
  assert.equal(await page.locator('.issue-list li').count(), 0);
  for (const name of ['Build', 'Gate', 'Ship']) await page.getByTestId(`graph-node-${name}`).waitFor();
  assert.deepEqual((await page.locator('[data-edge]').evaluateAll((els) => els.map((e) => e.getAttribute('data-edge')))).sort(), ['Build->Gate', 'Gate->Ship']);
  const x = async (name: string) => Number((await page.getByTestId(`graph-node-${name}`).getAttribute('transform'))!.match(/translate\(([\d.]+)/)![1]);
  assert.ok((await x('Build')) < (await x('Gate')) && (await x('Gate')) < (await x('Ship')), 'each action is drawn after what it depends on');
  assert.ok((await scriptBytes()) - firstLoad > 300_000, 'the editor and the graph layout came as split-off chunks when first needed');

  // Commit: the push starts a run, which the page points at.
  await page.getByLabel('Commit message').fill('Add the pipeline');
  await page.getByRole('button', { name: 'Commit' }).click();
  await page.getByTestId('commit-result').getByText(/Committed [0-9a-f]{10} to main/).waitFor();
  await shot(page, 'workflow-editor');
  await page.getByRole('link', { name: 'Open the run it started' }).click({ timeout: 30_000 });

  // The run: Build runs (its log follows), the gate waits, Approve, then everything succeeds.
  await page.getByRole('heading', { name: /^Run / }).waitFor();
  const log = page.getByTestId('action-log-Build');
  await log.getByText('building part 1').waitFor({ timeout: 60_000 });
  const early = (await log.textContent())!;
  if (!early.includes('building part 4')) assert.ok(await page.locator('.following').isVisible(), 'a running action\'s log is followed');
  await page.locator('[data-testid="graph-node-Build"][data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="graph-node-Gate"][data-status="WAITING_FOR_APPROVAL"]').waitFor({ timeout: 30_000 });
  await shot(page, 'run-waiting-for-approval');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.locator('[data-testid="graph-node-Ship"][data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
  await page.locator('h1 [data-status="SUCCEEDED"]').waitFor({ timeout: 30_000 });
  await page.getByTestId('action-log-Ship').getByText('shipped it').waitFor();
  await page.getByRole('button', { name: /^Build, SUCCEEDED/ }).press('Enter');
  await page.getByTestId('action-log-Build').getByText('building part 4').waitFor();
  await page.getByRole('table', { name: 'Output variables' }).getByText('hello-from-the-console').waitFor();
  await shot(page, 'run-succeeded');
  const runId = /\/runs\/([^/?]+)/.exec(page.url())![1]!;
  const run = await cc(ts.admin, 'GET', `/v1/spaces/${SPACE}/projects/${PROJECT}/workflowRuns/${runId}`);
  assert.equal(run.json.run.status, 'SUCCEEDED');
  assert.equal(run.json.run.trigger, 'PUSH');
  assert.equal(run.json.run.actions.find((a: any) => a.name === 'Gate').approvals.length, 1);

  // The project's lists: the workflow ACTIVE, the run SUCCEEDED.
  await page.getByRole('link', { name: `← ${PROJECT} runs` }).click();
  await page.getByRole('table', { name: 'Run list' }).locator('[data-status="SUCCEEDED"]').waitFor();
  await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Workflows' }).click();
  await page.getByRole('table', { name: 'Workflow list' }).locator('[data-status="ACTIVE"]').waitFor();

  // The workflow page shows the committed file and its graph; an edit that breaks it is marked in place.
  await page.getByRole('link', { name: 'Pipeline' }).click();
  await page.getByTestId('graph-node-Gate').waitFor();
  await page.locator('.cm-content').getByText('ApprovalsRequired: 1').waitFor();
  await setEditorText(page, PIPELINE.replace('      - Gate\n', '      - Nowhere\n'));
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.locator('.issue-list li').filter({ hasText: 'Nowhere' }).waitFor();

  // Phone width: the workflow page fits the screen (the graph scrolls within its own box).
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling on a phone');
  await shot(page, 'workflow-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  // An account connection: requested here, pending until the member account accepts it and adds a role.
  const member = await ts.server.iam.createAccount({ name: 'wf-member' });
  await page.goto(`${ts.url}/console/workflows/spaces/${SPACE}/connections`);
  await page.getByText('No account connections').waitFor();
  await page.getByLabel('Connection name').fill('member');
  await page.getByLabel('Account ID to connect').fill(member.id);
  await page.getByRole('button', { name: 'Request connection' }).click();
  const row = page.locator('tr[data-connection="member"]');
  await row.locator('[data-status="PENDING"]').waitFor();
  await row.getByText(`Waiting for account ${member.id} to accept it`).waitFor();

  await page.getByRole('button', { name: 'Switch role' }).click();
  await page.getByLabel('Account ID', { exact: true }).fill(member.id);
  await page.getByLabel('Role name').press('Enter');
  await page.getByText(`OrganizationAccountAccessRole @ ${member.id}`).waitFor();
  const memberAdmin = await assumed(member.id);
  await ts.iam(memberAdmin).send(new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: trust({ Service: 'codecatalyst-runner.amazonaws.com' }) }));
  await page.goto(`${ts.url}/console/workflows`);
  const request = page.getByRole('region', { name: 'Connections to this account' }).locator('tr[data-connection="member"]');
  await request.getByRole('button', { name: 'Accept' }).click();
  await request.locator('[data-status="ACTIVE"]').waitFor();
  await request.getByLabel('Role ARN for member').fill(`arn:aws:iam::${member.id}:role/not-there`);
  await request.getByRole('button', { name: 'Add role' }).click();
  await request.getByRole('alert').filter({ hasText: 'not-there' }).waitFor();
  await request.getByLabel('Role ARN for member').fill(`arn:aws:iam::${member.id}:role/deployer`);
  await request.getByRole('button', { name: 'Add role' }).click();
  await request.getByText(`arn:aws:iam::${member.id}:role/deployer`).waitFor();
  await shot(page, 'connection-accepted');
  await page.getByRole('button', { name: 'Back to gantry-admin' }).click();
  await page.goto(`${ts.url}/console/workflows/spaces/${SPACE}/connections`);
  await row.locator('[data-status="ACTIVE"]').waitFor();
  await row.getByText(`arn:aws:iam::${member.id}:role/deployer`).waitFor();
  await context.close();
});

test('a user whose policy denies codecatalyst:* sees the API refuse, on every workflows page', { skip, timeout: 60_000 }, async () => {
  const denied = await userWithKey(ts, ts.admin, {
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'codecatalyst:*', Resource: '*' }] },
  });
  const created = await cc(ts.admin, 'POST', '/v1/spaces', { name: 'guarded-space' });
  assert.equal(created.status, 201);
  const context = await newTrustingContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, denied.credentials);
  await page.goto(`${ts.url}/console/workflows`);
  await page.getByRole('alert').filter({ hasText: /AccessDenied/ }).filter({ hasText: 'codecatalyst:ListSpaces' }).waitFor();
  assert.equal(await page.getByRole('list', { name: 'Spaces' }).count(), 0, 'no space is shown');
  await page.goto(`${ts.url}/console/workflows/spaces/guarded-space`);
  await page.getByRole('alert').filter({ hasText: 'codecatalyst:ListProjects' }).waitFor();
  await page.goto(`${ts.url}/console/workflows/spaces/guarded-space/projects/web/new-workflow`);
  await setEditorText(page, PIPELINE);
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.getByRole('alert').filter({ hasText: 'codecatalyst:ValidateWorkflow' }).waitFor();
  await shot(page, 'workflows-access-denied');
  await context.close();
});

async function assumed(accountId: string): Promise<Credentials> {
  const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const out = await ts.sts(ts.admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'test' }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}
