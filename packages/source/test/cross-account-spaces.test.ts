import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GantryError } from '@gantry/core';
import { assumeRole, signedJson, startHarness, unique, type Credentials, type Harness } from './support/source-harness.ts';

// Account A is the management account (h.admin); account B is a member account, acting through its
// administrator role. B attacks A's space and probes A's repositories.
let h: Harness;
let accountB: string;
let adminB: Credentials;
before(async () => {
  h = await startHarness();
  const member = await h.iam.createAccount({ name: unique('member-b') });
  accountB = member.id;
  adminB = await assumeRole(h, h.admin, `arn:aws:iam::${member.id}:role/OrganizationAccountAccessRole`);
});
after(() => h.stop());

const basic = (c: Credentials) => ({
  authorization: `Basic ${Buffer.from(`${c.accessKeyId}:${c.sessionToken ? `${c.secretAccessKey}:${c.sessionToken}` : c.secretAccessKey}`).toString('base64')}`,
});

test('POST /_gantry/repos into another account\'s space is AccessDenied and creates nothing', async () => {
  const a = await signedJson(h, h.admin, 'POST', '/_gantry/repos', { name: 'a-site', space: 'acme', project: 'web' });
  assert.equal(a.status, 201, JSON.stringify(a.json));

  for (const body of [{ name: 'evil', space: 'acme', project: 'web' }, { name: 'evil2', space: 'ACME', project: 'new-project' }]) {
    const refused = await signedJson(h, adminB, 'POST', '/_gantry/repos', body);
    assert.equal(refused.status, 403, JSON.stringify(refused.json));
    assert.match(refused.json.message, /Space acme belongs to another account: only its owner account creates repositories in it/);
    assert.doesNotMatch(refused.json.message, new RegExp(h.managementAccount), 'the owner account id is not disclosed');
  }
  const inAcme = await h.source.listRepositories({ space: 'acme' });
  assert.deepEqual(inAcme.map((r) => r.name), ['a-site']);
  assert.equal((await h.source.listRepositories({ account: accountB })).length, 0);
  assert.ok(!(await h.source.listProjects('acme')).some((p) => p.name === 'new-project'), 'no project was created either');
  assert.ok(!existsSync(join(h.dataDir, 'git', 'acme', 'web', 'evil.git')));
});

test('createRepository itself refuses another account\'s space (the workflows API goes through it too)', async () => {
  await assert.rejects(h.source.createRepository({ name: 'evil3', space: 'acme', project: 'web', account: accountB }), (error: unknown) => {
    assert.ok(error instanceof GantryError);
    assert.equal(error.code, 'AccessDenied');
    assert.match(error.message, /belongs to another account/);
    return true;
  });
  assert.ok(!(await h.source.listRepositories({ space: 'acme' })).some((r) => r.name === 'evil3'));
});

test('B still creates repositories in its own new space and in the shared default space', async () => {
  const own = await signedJson(h, adminB, 'POST', '/_gantry/repos', { name: 'b-site', space: 'b-space' });
  assert.equal(own.status, 201, JSON.stringify(own.json));
  assert.equal(own.json.repository.account, accountB);
  const shared = await signedJson(h, adminB, 'POST', '/_gantry/repos', { name: 'b-default' });
  assert.equal(shared.status, 201, JSON.stringify(shared.json));
  // …and A cannot create in B's space.
  const refused = await signedJson(h, h.admin, 'POST', '/_gantry/repos', { name: 'a-evil', space: 'b-space' });
  assert.equal(refused.status, 403);
});

test('git: A\'s existing repository answers B exactly like a missing one (no existence oracle)', async () => {
  for (const service of ['git-upload-pack', 'git-receive-pack']) {
    const probe = async (name: string) => {
      const response = await fetch(`${h.url}/git/acme/web/${name}/info/refs?service=${service}`, { headers: basic(adminB) });
      const text = (await response.text()).replaceAll(name, '<name>');
      return { status: response.status, type: response.headers.get('x-amzn-errortype'), text };
    };
    const existing = await probe('a-site');
    const missing = await probe('no-such-repo');
    assert.deepEqual(existing, missing);
    assert.equal(existing.status, 404);
    const action = service === 'git-upload-pack' ? 'codecommit:GitPull' : 'codecommit:GitPush';
    assert.match(existing.text, new RegExp(`not found, or you are not authorized to perform: ${action}`));
    assert.doesNotMatch(existing.text, new RegExp(h.managementAccount));
  }
  // A itself still reaches its repository.
  const own = await fetch(`${h.url}/git/acme/web/a-site/info/refs?service=git-upload-pack`, { headers: basic(h.admin) });
  assert.equal(own.status, 200);
});
