import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GantryError } from '@gantry/core';
import { createSourceService, nameProblem } from '../src/index.ts';
import { allow, signedJson, startHarness, unique, userWithPolicy, type Harness } from './support/source-harness.ts';

let h: Harness;
before(async () => (h = await startHarness()));
after(() => h.stop());

const rejects = (promise: Promise<unknown>, code: string, message?: RegExp) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GantryError, String(error));
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });

test('names: letters, digits, . _ -, up to 100; no leading dot, no .., no .git suffix', () => {
  for (const ok of ['app', 'my-app_2', 'A.B', 'x'.repeat(100), 'gitty', 'a.gitx']) assert.equal(nameProblem(ok), undefined, ok);
  for (const bad of ['', 'a/b', 'a b', 'x'.repeat(101), '.', '..', '.hidden', 'a..b', 'app.git', 'APP.GIT', 'é', 'a%2e']) assert.ok(nameProblem(bad), bad);
});

test('createRepository without space or project uses default/default and makes a bare repo on main', async () => {
  const repo = await h.source.createRepository({ name: 'first', account: h.managementAccount });
  assert.equal(repo.space, 'default');
  assert.equal(repo.project, 'default');
  assert.equal(repo.account, h.managementAccount);
  assert.equal(repo.arn, `arn:aws:codecommit:us-west-2:${h.managementAccount}:first`);
  assert.equal(repo.cloneUrl, `${h.url}/git/default/default/first`);
  const dir = join(h.dataDir, 'git', 'default', 'default', 'first.git');
  assert.equal(h.source.gitDir(repo), dir);
  assert.equal(readFileSync(join(dir, 'HEAD'), 'utf8').trim(), 'ref: refs/heads/main');
  assert.match(readFileSync(join(dir, 'config'), 'utf8'), /bare = true/);
  assert.deepEqual(await h.source.listSpaces().then((s) => s.map((x) => x.name)), ['default']);
  assert.deepEqual(await h.source.getRepository('DEFAULT', 'Default', 'FIRST'), repo);
});

test('named spaces and projects are created on demand and listed', async () => {
  const repo = await h.source.createRepository({ name: 'site', space: 'acme', project: 'web', account: h.managementAccount });
  assert.equal(repo.cloneUrl, `${h.url}/git/acme/web/site`);
  assert.ok(existsSync(join(h.dataDir, 'git', 'acme', 'web', 'site.git', 'HEAD')));
  await h.source.createRepository({ name: 'api', space: 'ACME', project: 'Web', account: h.managementAccount });
  assert.deepEqual((await h.source.listProjects('acme')).map((p) => p.name), ['web']);
  assert.deepEqual((await h.source.listRepositories({ space: 'acme' })).map((r) => r.name), ['api', 'site']);
});

test('ensureSpace creates a space once; the first account to create it stays its owner', async () => {
  const other = (await h.iam.createAccount({ name: 'space-other' })).id;
  const created = await h.source.ensureSpace({ space: 'Owned', account: h.managementAccount });
  assert.equal(created.name, 'Owned');
  assert.equal(created.account, h.managementAccount);
  const again = await h.source.ensureSpace({ space: 'owned', account: other });
  assert.deepEqual(again, created);
});

test('invalid names and duplicates are refused with the catalogue\'s codes', async () => {
  await rejects(h.source.createRepository({ name: 'bad.git', account: h.managementAccount }), 'InvalidInput', /must not end in '.git'/);
  await rejects(h.source.createRepository({ name: '../escape', account: h.managementAccount }), 'InvalidInput');
  await rejects(h.source.createRepository({ name: 'ok', space: '..', account: h.managementAccount }), 'InvalidInput', /space name/);
  await rejects(h.source.createRepository({ name: 'ok', account: '999999999999' }), 'NoSuchEntity');
  await h.source.createRepository({ name: 'dup', account: h.managementAccount });
  await rejects(h.source.createRepository({ name: 'DUP', account: h.managementAccount }), 'EntityAlreadyExists', /already exists in default\/default/);
  // The ARN names only the repository, so one account cannot own two of the same name anywhere.
  await rejects(h.source.createRepository({ name: 'dup', project: 'other', account: h.managementAccount }), 'EntityAlreadyExists', /unique per account/);
  // Another account may use the name in another project.
  const member = await h.iam.createAccount({ name: unique('member') });
  const theirs = await h.source.createRepository({ name: 'dup', project: 'theirs', account: member.id });
  assert.equal(theirs.arn, `arn:aws:codecommit:us-west-2:${member.id}:dup`);
});

test('a stray directory where the repository would go is not adopted', async () => {
  mkdirSync(join(h.dataDir, 'git', 'default', 'default', 'stray.git'), { recursive: true });
  await rejects(h.source.createRepository({ name: 'stray', account: h.managementAccount }), 'Conflict', /already exists but belongs to no repository/);
  assert.equal(await h.source.getRepository('default', 'default', 'stray'), undefined);
});

test('deleteRepository removes the row and the directory', async () => {
  const repo = await h.source.createRepository({ name: 'doomed', account: h.managementAccount });
  await h.source.deleteRepository(repo);
  assert.equal(existsSync(h.source.gitDir(repo)), false);
  assert.equal(await h.source.getRepository('default', 'default', 'doomed'), undefined);
  await rejects(h.source.deleteRepository(repo), 'NoSuchEntity');
});

test('REST API: POST /_gantry/repos creates in the caller\'s account, authorised as codecommit:CreateRepository', async () => {
  const created = await signedJson(h, h.admin, 'POST', '/_gantry/repos', { name: 'via-api', space: 'api-space' });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.equal(created.json.repository.cloneUrl, `${h.url}/git/api-space/default/via-api`);
  assert.equal(created.json.repository.account, h.managementAccount);
  const again = await signedJson(h, h.admin, 'POST', '/_gantry/repos', { name: 'via-api', space: 'api-space' });
  assert.equal(again.status, 409);
  const listed = await signedJson(h, h.admin, 'GET', '/_gantry/repos');
  assert.ok(listed.json.repositories.some((r: { name: string }) => r.name === 'via-api'));

  const limited = await userWithPolicy(h, h.admin, allow('codecommit:CreateRepository', `arn:aws:codecommit:us-west-2:${h.managementAccount}:team-*`));
  assert.equal((await signedJson(h, limited.credentials, 'POST', '/_gantry/repos', { name: 'team-a' })).status, 201);
  const denied = await signedJson(h, limited.credentials, 'POST', '/_gantry/repos', { name: 'other' });
  assert.equal(denied.status, 403);
  assert.match(denied.json.message, /codecommit:CreateRepository/);
  assert.equal((await signedJson(h, limited.credentials, 'GET', '/_gantry/repos')).status, 403);
  assert.equal((await signedJson(h, h.admin, 'POST', '/_gantry/repos', { name: 'x.git' })).status, 400);
  assert.equal((await signedJson(h, h.admin, 'POST', '/_gantry/repos', {})).status, 400);
});

test('without a git executable, creating a repository says what to install', async () => {
  const broken = createSourceService({ store: h.store, iam: h.iam, dataDir: h.dataDir, publicUrl: h.url, gitBinary: '/nonexistent/git' });
  await rejects(broken.createRepository({ name: 'nogit', account: h.managementAccount }), 'ServiceUnavailable', /install git/);
  assert.equal(await h.source.getRepository('default', 'default', 'nogit'), undefined);
});
