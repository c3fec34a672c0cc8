import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { toStackName, type BackendIdentifier } from '@gantry/backend';
import type { Browser, Page } from 'playwright-core';
import { chromiumUnavailable, launchChromium, newTrustingContext } from '../../gantry/test/support/browser.ts';
import { allow, memberAccount, userWithKey } from '../../gantry/test/support/iam-fixtures.ts';
import { signedFetch } from '../../gantry/test/support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from '../../gantry/test/support/test-server.ts';
import { ConsoleUser } from './support/console-user.ts';

const skip = chromiumUnavailable();
const SCREENSHOTS = join(tmpdir(), 'gantry-console-screenshots');
const ADMINISTRATOR = 'arn:aws:iam::aws:policy/AdministratorAccess';
const REGION = 'us-west-2';

/** A Todo model as `defineData` synthesises it: a required text, a number, a flag, and the API's own timestamps. */
function todoManifest() {
  const field = (name: string, type: string, extra: Record<string, unknown> = {}) => ({ name, isArray: false, type, isRequired: false, attributes: [], ...extra });
  return {
    manifestVersion: 1,
    data: {
      file: 'amplify/data/resource.ts',
      schema: 'type Todo @model @auth(rules: [{allow: public}]) {\n  content: String!\n  priority: Int\n  done: Boolean\n}',
      modelIntrospection: {
        version: 1,
        models: {
          Todo: {
            name: 'Todo', pluralName: 'Todos', syncable: true, attributes: [{ type: 'model', properties: {} }],
            primaryKeyInfo: { isCustomPrimaryKey: false, primaryKeyFieldName: 'id', sortKeyFieldNames: [] },
            fields: {
              id: field('id', 'ID', { isRequired: true }), content: field('content', 'String', { isRequired: true }),
              priority: field('priority', 'Int'), done: field('done', 'Boolean'),
              createdAt: field('createdAt', 'AWSDateTime', { isReadOnly: true }), updatedAt: field('updatedAt', 'AWSDateTime', { isReadOnly: true }),
            },
          },
        },
        enums: {}, nonModels: {},
      },
      defaultAuthorizationMode: 'apiKey', defaultAuthorizationType: 'API_KEY', authorizationModes: ['apiKey'], additionalAuthorizationTypes: [],
      apiKey: { expiresInDays: 30 },
    },
    unsupported: [],
  };
}

/** Deploys a backend with the backend API directly (what `ampx pipeline-deploy` sends) and waits for it. */
async function deployBackend(credentials: Credentials, backendId: BackendIdentifier) {
  const path = `/_gantry/backends/stacks/${toStackName(backendId)}`;
  const started = await signedFetch(ts.url, credentials, 'POST', `${path}/deployments`, { service: 'cloudformation', region: REGION, body: { backendId, manifest: todoManifest() } });
  assert.equal(started.status, 202, JSON.stringify(started.json));
  for (let i = 0; i < 300; i++) {
    const r = await signedFetch(ts.url, credentials, 'GET', `${path}/deployments/${started.json.deployment.deploymentId}`, { service: 'cloudformation', region: REGION });
    if (r.json.deployment.status === 'SUCCEEDED') {
      const stack = await signedFetch(ts.url, credentials, 'GET', path, { service: 'cloudformation', region: REGION });
      const payload = stack.json.stack.outputs['AWS::Amplify::GraphQL'].payload;
      return { stackName: toStackName(backendId), apiId: payload.awsAppsyncApiId as string, apiKey: payload.awsAppsyncApiKey as string, deploymentId: started.json.deployment.deploymentId as string };
    }
    assert.notEqual(r.json.deployment.status, 'FAILED', r.json.deployment.error);
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error('the backend did not deploy');
}

/** The data API as the app's own client reaches it: its URL and API key from amplify_outputs.json. */
async function graphql(apiId: string, apiKey: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${ts.url}/data/${apiId}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as any;
}

let ts: TestServer;
let browser: Browser;
let main: Awaited<ReturnType<typeof deployBackend>>;
let sandbox: Awaited<ReturnType<typeof deployBackend>>;
const APP_ID = `d${process.pid}console`;

before(async () => {
  if (skip) return;
  ts = await startTestServer();
  main = await deployBackend(ts.admin, { namespace: APP_ID, name: 'main', type: 'branch' });
  sandbox = await deployBackend(ts.admin, { namespace: 'todo-app', name: 'ana', type: 'sandbox' });
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
  await page.getByLabel('Region (optional)').fill(REGION);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Hosting apps/ }).waitFor();
}

test('a backend through the console: stacks, resources, outputs, deployments, data items, delete', { skip, timeout: 180_000 }, async () => {
  const context = await newTrustingContext(browser, { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  const scripts: string[] = [];
  page.on('request', (r) => void (r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname)));
  await signIn(page, ts.admin);
  const firstLoad = [...scripts];

  // The list, by app and branch, then sandboxes; the section's code arrives only now.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Backends' }).click();
  await page.getByRole('heading', { name: /Backends/ }).waitFor();
  const branches = page.getByRole('region', { name: `Branches of app ${APP_ID}` });
  await branches.getByRole('link', { name: main.stackName }).waitFor();
  await page.getByRole('region', { name: 'Sandboxes' }).getByRole('link', { name: sandbox.stackName }).waitFor();
  assert.ok(scripts.length > firstLoad.length && scripts.slice(firstLoad.length).every((p) => /\/chunk-/.test(p)), `the section is a chunk of its own: ${scripts.join(', ')}`);
  await shot(page, 'backends-list');

  // The stack: its resources.
  await branches.getByRole('link', { name: main.stackName }).click();
  await page.getByRole('heading', { name: main.stackName }).waitFor();
  const resources = page.getByRole('table', { name: 'Resources' });
  await resources.getByText('AWS::AppSync::GraphQLApi').waitFor();
  await resources.getByText(main.apiId).waitFor();

  // Outputs: amplify_outputs.json, downloaded as the frontend needs it.
  await page.getByRole('link', { name: 'Outputs', exact: true }).click();
  await page.getByTestId('outputs-json').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download amplify_outputs.json' }).click()]);
  assert.equal(download.suggestedFilename(), 'amplify_outputs.json');
  const outputs = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  assert.match(outputs.data.url, new RegExp(`^https://127\\.0\\.0\\.1:\\d+/data/${main.apiId}/graphql$`), 'the realtime client needs the TLS listener');
  assert.equal(outputs.data.api_key, main.apiKey);
  assert.equal(outputs.data.aws_region, REGION);
  await shot(page, 'backend-outputs');

  // Deployment history, then one deployment's plan and events.
  await page.getByRole('link', { name: 'Deployments', exact: true }).click();
  await page.getByRole('link', { name: main.deploymentId }).click();
  await page.getByRole('heading', { name: new RegExp(`Deployment ${main.deploymentId}`) }).waitFor();
  const plan = page.getByRole('list', { name: 'Plan steps' });
  await plan.locator('[data-step=data]').getByText('create', { exact: true }).waitFor();
  await plan.getByText(/model Todo/).first().waitFor();
  const events = page.getByRole('table', { name: 'Events' });
  await events.locator('[data-event="data CREATE_COMPLETE"]').waitFor();
  await events.locator('[data-event="data CREATE_IN_PROGRESS"]').waitFor();
  await shot(page, 'backend-deployment');

  // Data: the Todo model, empty; a create refused field by field before anything is sent.
  await page.goto(`${ts.url}/console/backends/stacks/${main.stackName}/data`);
  await page.getByText('No Todos yet').waitFor();
  await page.getByRole('button', { name: 'Create Todo' }).click();
  const form = page.getByRole('form', { name: 'New Todo' });
  await form.getByLabel('priority').fill('high');
  await form.getByRole('button', { name: 'Create' }).click();
  await form.getByText('content is required.').waitFor();
  await form.getByText('priority must be a whole number, e.g. 42.').waitFor();
  assert.equal(await form.getByLabel('content (required)').evaluate((el) => el === document.activeElement), true, 'the first wrong field has the focus');
  assert.equal(await form.getByLabel('content (required)').getAttribute('aria-invalid'), 'true');
  await shot(page, 'backend-data-validation');
  await form.getByLabel('content (required)').fill('buy milk');
  await form.getByLabel('priority').fill('2');
  await form.getByLabel('done').selectOption('false');
  await form.getByLabel('priority').press('Enter');
  await page.getByRole('status').filter({ hasText: /^Created / }).waitFor();
  const table = page.getByRole('table', { name: 'Todo items' });
  await table.getByRole('cell', { name: 'buy milk' }).waitFor();
  const stored = await graphql(main.apiId, main.apiKey, '{ listTodos { items { id content priority done } } }');
  assert.deepEqual(stored.data.listTodos.items.map((t: any) => [t.content, t.priority, t.done]), [['buy milk', 2, false]]);
  const id = stored.data.listTodos.items[0].id as string;

  // Edit it: the key stays, the rest is saved with updateTodo.
  await page.getByRole('button', { name: `Edit ${id}` }).click();
  const edit = page.getByRole('form', { name: `Edit Todo ${id}` });
  assert.equal(await edit.getByLabel('content (required)').inputValue(), 'buy milk');
  await edit.getByLabel('content (required)').fill('buy oat milk');
  await edit.getByRole('button', { name: 'Save' }).click();
  await table.getByRole('cell', { name: 'buy oat milk' }).waitFor();
  assert.equal((await graphql(main.apiId, main.apiKey, `{ getTodo(id: "${id}") { content } }`)).data.getTodo.content, 'buy oat milk');

  // More items than a page holds (written by the app's own client), then browse and filter them.
  for (let i = 1; i <= 22; i++) await graphql(main.apiId, main.apiKey, 'mutation($input: CreateTodoInput!) { createTodo(input: $input) { id } }', { input: { content: `chore ${i}`, priority: i } });
  await page.reload();
  await table.locator('tbody tr').first().waitFor();
  assert.equal(await table.locator('tbody tr').count(), 20, 'a page holds 20 items');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Page 2').waitFor();
  await table.locator('tbody tr').first().waitFor();
  assert.equal(await table.locator('tbody tr').count(), 3, 'the second page holds the rest');
  await page.getByLabel('Field').selectOption('priority');
  await page.getByLabel('Condition').selectOption('ge');
  await page.getByLabel('Value').fill('many');
  await page.getByRole('button', { name: 'Apply filter' }).click();
  await page.getByText('priority must be a whole number, e.g. 42.').waitFor();
  await page.getByLabel('Value').fill('21');
  await page.getByRole('button', { name: 'Apply filter' }).click();
  await page.getByText('Page 1').waitFor({ state: 'hidden' }).catch(() => {});
  await table.getByRole('cell', { name: 'chore 22' }).waitFor();
  assert.deepEqual((await table.locator('tbody tr td:nth-child(2)').allTextContents()).sort(), ['chore 21', 'chore 22']);
  await shot(page, 'backend-data-filtered');

  // Delete one (confirmed), gone from the page and from the API.
  const chore22 = (await graphql(main.apiId, main.apiKey, '{ listTodos(filter: { content: { eq: "chore 22" } }) { items { id } } }')).data.listTodos.items[0].id;
  await page.getByRole('button', { name: `Delete ${chore22}` }).click();
  await page.getByRole('status').filter({ hasText: `Deleted ${chore22}.` }).waitFor();
  await table.getByRole('cell', { name: 'chore 22' }).waitFor({ state: 'detached' });
  assert.equal((await graphql(main.apiId, main.apiKey, `{ getTodo(id: "${chore22}") { id } }`)).data.getTodo, null);

  // A phone-width layout keeps everything within the screen, in both themes.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${ts.url}/console/backends/stacks/${main.stackName}/data`);
  await table.locator('tbody tr').first().waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling on a phone');
  await shot(page, 'backend-data-phone');
  await page.getByRole('button', { name: /Switch to dark theme/ }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await shot(page, 'backend-data-phone-dark');
  await page.getByRole('button', { name: /Switch to light theme/ }).click();
  for (const path of [`/console/backends`, `/console/backends/stacks/${main.stackName}/deployments/${main.deploymentId}`]) {
    await page.goto(ts.url + path);
    await page.getByRole('table').first().waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `no sideways scrolling on a phone at ${path}`);
  }
  await shot(page, 'backend-deployment-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Delete the sandbox's stack (confirmed): its DELETE deployment's events, then it is gone from the list.
  await page.goto(`${ts.url}/console/backends/stacks/${sandbox.stackName}`);
  await page.getByRole('button', { name: 'Delete stack' }).click();
  await page.getByRole('heading', { name: /Deployment d-/ }).waitFor();
  await page.locator('h1 [data-status=SUCCEEDED]').waitFor({ timeout: 30_000 });
  await page.getByRole('table', { name: 'Events' }).locator('[data-event="data DELETE_COMPLETE"]').waitFor();
  await shot(page, 'backend-deleted');
  await page.goto(`${ts.url}/console/backends`);
  await page.getByRole('link', { name: main.stackName }).waitFor();
  assert.equal(await page.getByRole('link', { name: sandbox.stackName }).count(), 0);
  await context.close();
});

test('a user denied cloudformation:* sees which action is missing; without appsync:GraphQL the Data tab says so', { skip, timeout: 60_000 }, async () => {
  const denied = await userWithKey(ts, ts.admin, {
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'cloudformation:*', Resource: '*' }] },
  });
  const context = await newTrustingContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, denied.credentials);
  await page.goto(`${ts.url}/console/backends`);
  await page.getByRole('alert').filter({ hasText: /AccessDenied.*cloudformation:ListStacks/ }).waitFor();
  await shot(page, 'backends-access-denied');
  await page.goto(`${ts.url}/console/backends/stacks/${main.stackName}`);
  await page.getByRole('alert').filter({ hasText: /AccessDenied.*cloudformation:DescribeStacks/ }).waitFor();
  await context.close();

  // May read stacks, may not use the data API.
  const reader = await userWithKey(ts, ts.admin, { policy: allow(['cloudformation:ListStacks', 'cloudformation:DescribeStacks', 'sts:GetCallerIdentity']) });
  const readerContext = await newTrustingContext(browser, { viewport: { width: 1280, height: 900 } });
  const readerPage = await readerContext.newPage();
  await signIn(readerPage, reader.credentials);
  await readerPage.goto(`${ts.url}/console/backends/stacks/${main.stackName}/data`);
  await readerPage.getByRole('alert').filter({ hasText: new RegExp(`AccessDenied.*appsync:GraphQL on resource: arn:aws:appsync:${REGION}:${ts.managementAccount}:apis/${main.apiId}`) }).waitFor();
  await readerContext.close();
});

test('account B never sees account A\'s stacks, and the data proxy refuses A\'s API to B and to forged requests', { skip, timeout: 90_000 }, async () => {
  const member = await memberAccount(ts);
  const bUser = await userWithKey(ts, member.admin, { attach: [ADMINISTRATOR] });
  const context = await newTrustingContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, bUser.credentials);

  // Nothing deployed in B yet: the empty state says how to deploy, and shows nothing of A's.
  await page.goto(`${ts.url}/console/backends`);
  await page.getByText('No backends in this region yet').waitFor();
  await page.getByText('npx ampx sandbox', { exact: true }).waitFor();
  await page.getByText('npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID').waitFor();
  assert.equal(await page.getByRole('link', { name: main.stackName }).count(), 0);
  await shot(page, 'backends-empty');

  // Once B deployed its own: B's list holds B's stack only, and A's stack page answers as missing.
  const own = await deployBackend(member.admin, { namespace: `d${process.pid}other`, name: 'main', type: 'branch' });
  await page.reload();
  await page.getByRole('link', { name: own.stackName }).waitFor();
  assert.equal(await page.getByRole('link', { name: main.stackName }).count(), 0);
  await page.goto(`${ts.url}/console/backends/stacks/${main.stackName}/data`);
  await page.getByRole('alert').filter({ hasText: /NotFound/ }).waitFor();
  assert.doesNotMatch((await page.locator('main').textContent())!, new RegExp(`${main.apiId}|${ts.managementAccount}`), 'nothing of A\'s stack is shown');
  await context.close();

  const a = new ConsoleUser(ts.url);
  assert.equal((await a.signInWithKeys(ts.admin, REGION)).status, 200);
  const b = new ConsoleUser(ts.url);
  assert.equal((await b.signInWithKeys(bUser.credentials, REGION)).status, 200);
  const query = '{ listTodos { items { id content } } }';
  const proxy = (user: ConsoleUser, apiId: string, stackName: string, options: { consoleHeader?: boolean; origin?: string | null } = {}) =>
    user.request('POST', `/_console/data/${apiId}/graphql`, { body: { stackName, region: REGION, query }, ...options });

  // A reaches its own API through the proxy.
  const mine = await proxy(a, main.apiId, main.stackName);
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.json.data.listTodos.items.length > 0);

  // B, with A's API id: under A's stack name, under B's own stack name, or with B's stack's key field names.
  for (const stackName of [main.stackName, own.stackName]) {
    const refused = await proxy(b, main.apiId, stackName);
    assert.equal(refused.status, 404, refused.text);
    assert.equal(refused.json.code, 'NotFound');
    assert.match(refused.json.message, new RegExp(`GraphQL API ${main.apiId} was not found in account ${member.id}`));
    assert.doesNotMatch(refused.text, new RegExp(`${ts.managementAccount}|${main.apiKey}|buy oat milk`));
  }
  assert.equal((await proxy(b, own.apiId, own.stackName)).status, 200, 'B reaches its own API');
  // A stack listing through the signing proxy holds B's own stacks only.
  const listed = await b.call('cloudformation', 'GET', '/_gantry/backends/stacks');
  assert.deepEqual(listed.json.stacks.map((x: any) => x.stackName), [own.stackName]);
  for (const path of [`/_gantry/backends/stacks/${main.stackName}`, `/_gantry/backends/stacks/${main.stackName}/outputs`, `/_gantry/backends/stacks/${main.stackName}/deployments/${main.deploymentId}`]) {
    const other = await b.call('cloudformation', 'GET', path);
    assert.equal(other.status, 404, `${path}: ${other.text}`);
    assert.doesNotMatch(other.text, new RegExp(`${main.apiId}|${main.apiKey}`));
  }

  // Forged requests: no console header, a foreign Origin, no session at all.
  const noHeader = await proxy(a, main.apiId, main.stackName, { consoleHeader: false });
  assert.equal(noHeader.status, 403);
  assert.match(noHeader.json.message, /x-gantry-console/);
  const foreign = await proxy(a, main.apiId, main.stackName, { origin: 'https://evil.example' });
  assert.equal(foreign.status, 403);
  assert.match(foreign.json.message, /own origin only/);
  const anonymous = await proxy(new ConsoleUser(ts.url), main.apiId, main.stackName);
  assert.equal(anonymous.status, 401);
  for (const answer of [noHeader, foreign, anonymous]) assert.equal(answer.json.data, undefined, 'no data on a refusal');

  // After sign-out the same cookie reaches nothing.
  const cookie = a.cookie;
  await a.signOut();
  a.cookie = cookie;
  assert.equal((await proxy(a, main.apiId, main.stackName)).status, 401);
});
