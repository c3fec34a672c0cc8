import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GetRoleCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Browser, Page } from 'playwright-core';
import { chromiumUnavailable, launchChromium, newTrustingContext } from '../../gantry/test/support/browser.ts';
import { userWithKey } from '../../gantry/test/support/iam-fixtures.ts';
import { startTestServer, type Credentials, type TestServer } from '../../gantry/test/support/test-server.ts';
import { ConsoleUser } from './support/console-user.ts';

const skip = chromiumUnavailable();
const SCREENSHOTS = join(tmpdir(), 'gantry-console-screenshots');
const DEPLOY_POLICY = 'arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess';

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

async function signIn(page: Page, credentials: Credentials) {
  await page.goto(ts.url + '/');
  await page.getByLabel('Access key ID').fill(credentials.accessKeyId);
  await page.getByLabel('Secret access key').fill(credentials.secretAccessKey);
  await page.getByLabel('Region (optional)').fill('us-west-2');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Hosting apps/ }).waitFor();
}

async function setEditorText(page: Page, editor: string, text: string) {
  const content = page.getByTestId(editor).locator('.cm-content');
  await content.waitFor();
  await content.fill(text);
}

// Line 5 lacks the comma after "Allow".
const MALFORMED_TRUST = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow"
      "Principal": { "Service": "codecatalyst-runner.amazonaws.com" },
      "Action": "sts:AssumeRole"
    }
  ]
}`;
const TRUST = MALFORMED_TRUST.replace('"Allow"\n', '"Allow",\n');

test('the IAM scenario through the console only', { skip, timeout: 180_000 }, async () => {
  const context = await newTrustingContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signIn(page, ts.admin);
  const admin = ts.iam(ts.admin);

  // A user, from the Users tab.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'IAM' }).click();
  await page.getByLabel('New user name').fill('bad name!');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('alert').filter({ hasText: 'userName' }).waitFor();
  await page.getByLabel('New user name').fill('console-dev');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('heading', { name: 'console-dev user' }).waitFor();
  await page.getByText('No access keys').waitFor();

  // An access key: the secret is shown once, and it works.
  await page.getByRole('button', { name: 'Create access key' }).click();
  const secret = (await page.getByTestId('new-secret').textContent())!.replace(/Copy secret$/, '').trim();
  const keyId = (await page.getByRole('table', { name: 'Access key list' }).locator('td.mono').first().textContent())!;
  assert.match(keyId, /^AKIA[A-Z0-9]{16}$/);
  const identity = await ts.sts({ accessKeyId: keyId, secretAccessKey: secret }).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, `arn:aws:iam::${ts.managementAccount}:user/console-dev`);
  await shot(page, 'iam-access-key-once');
  await page.getByRole('button', { name: 'I have saved it' }).click();
  assert.equal(await page.getByText(secret).count(), 0, 'the secret is gone from the page');
  await page.reload();
  await page.getByRole('table', { name: 'Access key list' }).getByText(keyId).waitFor();
  assert.equal((await page.content()).includes(secret), false, 'the secret is never shown again');

  // A console password (CreateLoginProfile): the user can then sign in with it.
  await page.getByText('The user has no console password').waitFor();
  await page.getByLabel('Password', { exact: true }).fill('Console-pass-1234');
  await page.getByRole('button', { name: 'Create password' }).click();
  await page.getByText('Password saved.').waitFor();
  await page.getByText('The user can sign in to this console with a password').waitFor();
  const byPassword = new ConsoleUser(ts.url);
  assert.equal((await byPassword.signInWithPassword(ts.managementAccount, 'console-dev', 'Console-pass-1234')).status, 200);

  // A role whose trust policy is malformed: IAM's error is shown at its line, and nothing is created.
  await page.getByRole('link', { name: 'Roles' }).click();
  await page.getByRole('link', { name: 'Create role' }).first().click();
  await page.getByLabel('Role name').fill('deployer');
  await setEditorText(page, 'trust-policy-editor', MALFORMED_TRUST);
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.getByRole('alert').filter({ hasText: 'MalformedPolicyDocument' }).waitFor();
  const at = (await page.getByTestId('policy-error-at').textContent())!;
  const line = Number(/line (\d+)/.exec(at)![1]);
  assert.ok(line === 5 || line === 6, `the error is placed where the comma is missing (${at})`);
  await page.getByTestId('trust-policy-editor').locator('.cm-line').nth(line - 1).locator('.cm-lintRange-error').waitFor();
  await shot(page, 'iam-role-malformed-trust');
  await assert.rejects(admin.send(new GetRoleCommand({ RoleName: 'deployer' })), /NoSuchEntity|cannot be found/);

  // Fixed, it is created; then a managed policy is attached by name.
  await setEditorText(page, 'trust-policy-editor', TRUST);
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.getByRole('heading', { name: 'deployer role' }).waitFor();
  const trustStored = JSON.parse(decodeURIComponent((await admin.send(new GetRoleCommand({ RoleName: 'deployer' }))).Role!.AssumeRolePolicyDocument!));
  assert.equal(trustStored.Statement[0].Principal.Service, 'codecatalyst-runner.amazonaws.com');
  await page.getByText('No managed policy is attached').waitFor();
  await page.getByLabel('Policy to attach').fill('AmplifyBackendDeployFullAccess');
  await page.getByRole('button', { name: 'Attach policy' }).click();
  await page.getByRole('table', { name: 'Attached policies' }).getByText(DEPLOY_POLICY).waitFor();
  const attached = await admin.send(new ListAttachedRolePoliciesCommand({ RoleName: 'deployer' }));
  assert.deepEqual(attached.AttachedPolicies!.map((p) => p.PolicyArn), [DEPLOY_POLICY]);

  // The trust policy edited in place: a bad edit is refused at its line, a good one saved.
  await setEditorText(page, 'trust-policy-editor', TRUST.replace('"sts:AssumeRole"', '"sts:AssumeRole",'));
  await page.getByRole('button', { name: 'Save trust policy' }).click();
  await page.getByTestId('policy-error-at').waitFor();
  await setEditorText(page, 'trust-policy-editor', TRUST.replace('codecatalyst-runner.amazonaws.com', 'amplify.amazonaws.com'));
  await page.getByRole('button', { name: 'Save trust policy' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const updated = JSON.parse(decodeURIComponent((await admin.send(new GetRoleCommand({ RoleName: 'deployer' }))).Role!.AssumeRolePolicyDocument!));
  assert.equal(updated.Statement[0].Principal.Service, 'amplify.amazonaws.com');
  await shot(page, 'iam-role');

  // Managed policies: the attached one is listed with its document.
  await page.getByRole('link', { name: 'Managed policies' }).click();
  await page.getByLabel('Only attached ones').check();
  const row = page.getByRole('table', { name: 'Policies' }).locator('tr').filter({ hasText: DEPLOY_POLICY });
  await row.waitFor();
  await row.getByRole('button', { name: 'Show document' }).click();
  await row.locator('.policy-document').getByText('"Version": "2012-10-17"').waitFor();

  // Switch role into a member account and back: the audit trail shows the AssumeRole.
  const member = await ts.server.iam.createAccount({ name: 'iam-member' });
  await page.getByRole('button', { name: 'Switch role' }).click();
  await page.getByLabel('Account ID', { exact: true }).fill(member.id);
  await page.getByLabel('Role name').press('Enter');
  await page.getByText(`OrganizationAccountAccessRole @ ${member.id}`).waitFor();
  await page.getByRole('button', { name: 'Back to gantry-admin' }).click();
  await page.goto(`${ts.url}/console/iam/audit`);
  await page.getByLabel('Event name').fill('AssumeRole');
  await page.getByRole('button', { name: 'Search' }).click();
  const assumeRole = page.getByRole('table', { name: 'Events' }).locator('tr[data-event="AssumeRole"]').filter({ hasText: `arn:aws:iam::${member.id}:role/OrganizationAccountAccessRole` });
  await assumeRole.first().waitFor();
  assert.equal(await page.getByRole('table', { name: 'Events' }).locator('tr[data-event]:not([data-event="AssumeRole"])').count(), 0, 'the filter keeps AssumeRole events only');
  await assumeRole.first().getByRole('button', { name: 'Details' }).click();
  await page.locator('.policy-document').getByText('"roleSessionName"').waitFor();
  await shot(page, 'iam-audit');
  await context.close();
});

test('a user whose policy denies iam:* sees IAM\'s AccessDenied in the page, and changes nothing', { skip, timeout: 60_000 }, async () => {
  const denied = await userWithKey(ts, ts.admin, {
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }] },
  });
  const context = await newTrustingContext(browser, { viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, denied.credentials);
  await page.goto(`${ts.url}/console/iam/roles`);
  await page.getByRole('alert').filter({ hasText: /AccessDenied.*iam:ListRoles/ }).waitFor();
  await page.goto(`${ts.url}/console/iam/roles/new`);
  await page.getByLabel('Role name').fill('sneaky');
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.getByRole('alert').filter({ hasText: /AccessDenied.*iam:CreateRole/ }).waitFor();
  await assert.rejects(ts.iam(ts.admin).send(new GetRoleCommand({ RoleName: 'sneaky' })), /NoSuchEntity|cannot be found/);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling on a phone');
  await shot(page, 'iam-access-denied-phone');
  await context.close();
});
