import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Repository } from '../src/index.ts';
import { withCredentials, Workspace } from './support/git-cli.ts';
import { allow, assumeRole, startHarness, unique, userWithPolicy, type Credentials, type Harness } from './support/source-harness.ts';

let h: Harness;
let ws: Workspace;
let repo: Repository;

before(async () => {
  h = await startHarness();
  ws = new Workspace();
  repo = await h.source.createRepository({ name: 'guarded', space: 'team', project: 'web', account: h.managementAccount });
  // Seed it with one commit on main, pushed by the administrator.
  await ws.ok(['init', '-q', 'seed']);
  ws.write('seed/a.txt', 'a\n');
  await ws.commit('seed', 'seed');
  await ws.ok(['push', withCredentials(repo.cloneUrl, h.admin), 'HEAD:main'], { cwd: ws.path('seed') });
});
after(async () => {
  await h.stop();
  ws.remove();
});

const infoRefs = (r: Repository, service = 'git-upload-pack') => `${r.cloneUrl}/info/refs?service=${service}`;
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

test('no credentials: 401 with a Basic challenge, and git (prompts disabled) fails asking for a username', async () => {
  const response = await fetch(infoRefs(repo));
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), 'Basic realm="Gantry", charset="UTF-8"');
  assert.match(await response.text(), /access key id as the git username/);
  const run = await ws.git(['ls-remote', repo.cloneUrl]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /could not read Username/);
});

test('wrong secret or unknown key: 401, and git reports the authentication failure', async () => {
  const wrong = await fetch(infoRefs(repo), { headers: basic(h.admin.accessKeyId, 'x'.repeat(40)) });
  assert.equal(wrong.status, 401);
  assert.ok(wrong.headers.get('www-authenticate'));
  const unknown = await fetch(infoRefs(repo), { headers: basic('AKIAAAAAAAAAAAAAAAAA', h.admin.secretAccessKey) });
  assert.equal(unknown.status, 401);
  const garbage = await fetch(infoRefs(repo), { headers: { authorization: 'Basic %%%' } });
  assert.equal(garbage.status, 401);
  const run = await ws.git(['ls-remote', withCredentials(repo.cloneUrl, { ...h.admin, secretAccessKey: 'wrong' })]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /Authentication failed/);
});

test('a user allowed only codecommit:GitPull clones but cannot push: 403 naming the missing permission', async () => {
  const reader = await userWithPolicy(h, h.admin, allow('codecommit:GitPull', repo.arn));
  const url = withCredentials(repo.cloneUrl, reader.credentials);
  await ws.ok(['clone', '-q', url, 'reader']);
  ws.write('reader/b.txt', 'b\n');
  await ws.commit('reader', 'b');
  const count = h.pushes.length;
  const run = await ws.git(['push', 'origin', 'HEAD:main'], { cwd: ws.path('reader') });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, new RegExp(`remote: User: ${reader.arn} is not authorized to perform: codecommit:GitPush on resource: ${repo.arn}`));
  assert.match(run.stderr, /403/);
  assert.equal(h.pushes.length, count);
});

test('a user without codecommit:GitPull cannot clone (403 naming GitPull)', async () => {
  const nobody = await userWithPolicy(h, h.admin, allow('codecommit:GitPull', 'arn:aws:codecommit:*:*:other-repo'));
  const run = await ws.git(['clone', withCredentials(repo.cloneUrl, nobody.credentials), 'nobody']);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /not authorized to perform: codecommit:GitPull/);
});

test('the CodeCommit branch-protection policy (GitPush denied on codecommit:References) refuses pushes to main only', async () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['codecommit:GitPull', 'codecommit:GitPush'], Resource: repo.arn },
      {
        Effect: 'Deny', Action: ['codecommit:GitPush', 'codecommit:DeleteBranch'], Resource: repo.arn,
        Condition: { StringEqualsIfExists: { 'codecommit:References': ['refs/heads/main'] }, Null: { 'codecommit:References': 'false' } },
      },
    ],
  };
  const dev = await userWithPolicy(h, h.admin, policy);
  await ws.ok(['clone', '-q', withCredentials(repo.cloneUrl, dev.credentials), 'dev']);
  const mainBefore = await ws.ok(['ls-remote', withCredentials(repo.cloneUrl, h.admin), 'refs/heads/main']);
  ws.write('dev/c.txt', 'c\n');
  await ws.commit('dev', 'c');
  const count = h.pushes.length;

  const denied = await ws.git(['push', 'origin', 'HEAD:main'], { cwd: ws.path('dev') });
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /\[remote rejected\] HEAD -> main \(User: .* is not authorized to perform: codecommit:GitPush/);
  assert.match(denied.stderr, /remote: Gantry: push refused/);
  assert.equal(await ws.ok(['ls-remote', withCredentials(repo.cloneUrl, h.admin), 'refs/heads/main']), mainBefore);

  const event = h.nextPush();
  await ws.ok(['push', 'origin', 'HEAD:refs/heads/dev-branch'], { cwd: ws.path('dev') });
  assert.equal((await event).branch, 'dev-branch');
  assert.equal(h.pushes.length, count + 1);
});

test('cross-account: another account\'s principals are refused even with codecommit:* on *', async () => {
  const member = await h.iam.createAccount({ name: unique('member'), regions: ['eu-west-1'] });
  const memberAdmin = await assumeRole(h, h.admin, `arn:aws:iam::${member.id}:role/OrganizationAccountAccessRole`, 'eu-west-1');
  const outsider = await userWithPolicy(h, memberAdmin, allow('codecommit:*'));
  const run = await ws.git(['ls-remote', withCredentials(repo.cloneUrl, outsider.credentials)]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /not authorized to perform: codecommit:GitPull/);

  // The management account's administrator is refused in the member account's repository too.
  const memberRepo = await h.source.createRepository({ name: 'member-app', account: member.id });
  assert.equal(memberRepo.arn, `arn:aws:codecommit:eu-west-1:${member.id}:member-app`);
  const adminRun = await ws.git(['ls-remote', withCredentials(memberRepo.cloneUrl, h.admin)]);
  assert.notEqual(adminRun.code, 0);
  assert.match(adminRun.stderr, /codecommit:GitPull/);
});

test('temporary credentials: password <secret>:<sessionToken>; a wrong or missing token is 401', async () => {
  const member = await h.iam.createAccount({ name: unique('member') });
  const session = await assumeRole(h, h.admin, `arn:aws:iam::${member.id}:role/OrganizationAccountAccessRole`);
  const memberRepo = await h.source.createRepository({ name: 'session-app', account: member.id });
  await ws.ok(['init', '-q', 'session']);
  ws.write('session/s.txt', 's\n');
  await ws.commit('session', 's');
  const event = h.nextPush();
  await ws.ok(['push', withCredentials(memberRepo.cloneUrl, session), 'HEAD:main'], { cwd: ws.path('session') });
  assert.equal((await event).pusher, `arn:aws:sts::${member.id}:assumed-role/OrganizationAccountAccessRole/test`);

  const noToken: Credentials = { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey };
  const wrongToken: Credentials = { ...session, sessionToken: 'IQoJnot-the-token' };
  for (const credentials of [noToken, wrongToken]) {
    const run = await ws.git(['ls-remote', withCredentials(memberRepo.cloneUrl, credentials)]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Authentication failed/);
  }
});
