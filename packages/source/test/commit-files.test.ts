import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { GantryError } from '@gantry/core';
import { ZERO_ID, type CommitFilesArgs, type Repository } from '../src/index.ts';
import { withCredentials, Workspace } from './support/git-cli.ts';
import { startHarness, unique, type Harness } from './support/source-harness.ts';

let h: Harness;
let ws: Workspace;
let repo: Repository;
let pusher: string;
const author = { name: 'Workflow Editor', email: 'editor@example.com' };

before(async () => {
  h = await startHarness();
  ws = new Workspace();
  repo = await h.source.createRepository({ name: 'saved', account: h.managementAccount });
  pusher = `arn:aws:iam::${h.managementAccount}:user/gantry-admin`;
});
after(async () => {
  await h.stop();
  ws.remove();
});

const commit = (files: CommitFilesArgs['files'], extra: Partial<CommitFilesArgs> = {}) =>
  h.source.commitFiles({ repository: repo, branch: 'main', files, message: 'save', author, pusher, ...extra });
const git = (...args: string[]) => ws.ok(['--git-dir', h.source.gitDir(repo), ...args]);
const headOf = async (branch: string) => (await ws.git(['--git-dir', h.source.gitDir(repo), 'rev-parse', '--verify', '-q', `refs/heads/${branch}`])).stdout.trim() || undefined;

let first = '';
let second = '';

test('the first commit to an empty repository creates the branch without a parent and emits a push', async () => {
  const event = h.nextPush();
  const result = await commit([
    { path: '.codecatalyst/workflows/deploy.yaml', content: 'Name: deploy\n' },
    { path: 'README.md', content: '# saved\n' },
    { path: 'bin/run.sh', content: '#!/bin/sh\necho hi\n', executable: true },
  ], { message: 'Add the deploy workflow' });
  first = result.commitId;
  assert.equal(result.before, ZERO_ID);
  assert.match(first, /^[0-9a-f]{40}$/);
  assert.equal(await headOf('main'), first);
  assert.equal(await git('rev-list', '--count', first), '1');
  assert.equal(await git('log', '-1', '--format=%an <%ae>|%cn <%ce>|%B', first), 'Workflow Editor <editor@example.com>|Workflow Editor <editor@example.com>|Add the deploy workflow');
  assert.equal(await git('cat-file', 'blob', `${first}:.codecatalyst/workflows/deploy.yaml`), 'Name: deploy');

  const push = await event;
  assert.equal(push.branch, 'main');
  assert.equal(push.ref, 'refs/heads/main');
  assert.equal(push.before, ZERO_ID);
  assert.equal(push.after, first);
  assert.equal(push.pusher, pusher);
  assert.deepEqual(push.changedFiles.sort(), ['.codecatalyst/workflows/deploy.yaml', 'README.md', 'bin/run.sh']);
  assert.deepEqual(push.repository, { space: 'default', project: 'default', name: 'saved', account: h.managementAccount, arn: repo.arn, cloneUrl: repo.cloneUrl });
});

test('a second commit changes, adds and deletes files on top of the head; the push lists exactly those', async () => {
  const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
  const event = h.nextPush();
  const result = await commit([
    { path: '.codecatalyst/workflows/deploy.yaml', content: 'Name: deploy\nSchemaVersion: "1.0"\n' },
    { path: 'assets/logo.bin', content: binary },
    { path: 'README.md', delete: true },
  ], { expectedHead: first });
  second = result.commitId;
  assert.equal(result.before, first);
  assert.equal(await git('rev-parse', `${second}^`), first);
  assert.equal(await git('ls-tree', '-r', '--name-only', second), '.codecatalyst/workflows/deploy.yaml\nassets/logo.bin\nbin/run.sh');

  const push = await event;
  assert.equal(push.before, first);
  assert.equal(push.after, second);
  assert.deepEqual(push.changedFiles.sort(), ['.codecatalyst/workflows/deploy.yaml', 'README.md', 'assets/logo.bin']);
});

test('a git clone over HTTP sees the commits, the bytes and the executable bit', async () => {
  await ws.ok(['clone', '-q', withCredentials(repo.cloneUrl, h.admin), 'clone']);
  assert.equal(await ws.ok(['rev-parse', 'HEAD'], { cwd: ws.path('clone') }), second);
  assert.equal(readFileSync(ws.path('clone/.codecatalyst/workflows/deploy.yaml'), 'utf8'), 'Name: deploy\nSchemaVersion: "1.0"\n');
  assert.deepEqual(readFileSync(ws.path('clone/assets/logo.bin')), Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]));
  assert.ok(statSync(ws.path('clone/bin/run.sh')).mode & 0o100);
  await git('fsck', '--strict');
});

test('a stale expectedHead is refused with Conflict and changes nothing', async () => {
  const count = h.pushes.length;
  await assert.rejects(commit([{ path: 'x.txt', content: 'x' }], { expectedHead: first }), (e: GantryError) => {
    assert.equal(e.code, 'Conflict');
    assert.match(e.message, new RegExp(`Branch main of default/default/saved changed: it points at ${second}, not at the expected ${first}`));
    return true;
  });
  await assert.rejects(commit([{ path: 'x.txt', content: 'x' }], { expectedHead: ZERO_ID }), { code: 'Conflict' });
  assert.equal(await headOf('main'), second);
  assert.equal(h.pushes.length, count);
});

test('a server commit and a push from a clone never overwrite each other', async () => {
  // The clone is at `second`; the server commits on top, so the clone's push must be refused as non-fast-forward.
  const server = await commit([{ path: 'server.txt', content: 'server\n' }], { expectedHead: second });
  ws.write('clone/client.txt', 'client\n');
  await ws.commit('clone', 'client change');
  const refused = await ws.git(['push', 'origin', 'main'], { cwd: ws.path('clone') });
  assert.notEqual(refused.code, 0);
  assert.equal(await headOf('main'), server.commitId);

  // And the other way round: after the client's push lands, a commit pinned to the old head is refused.
  await ws.ok(['pull', '-q', '--rebase', 'origin', 'main'], { cwd: ws.path('clone') });
  await ws.ok(['push', '-q', 'origin', 'main'], { cwd: ws.path('clone') });
  const pushed = await ws.ok(['rev-parse', 'HEAD'], { cwd: ws.path('clone') });
  await assert.rejects(commit([{ path: 'server.txt', content: 'again\n' }], { expectedHead: server.commitId }), { code: 'Conflict' });
  assert.equal(await headOf('main'), pushed);
  assert.equal(await git('cat-file', 'blob', `${pushed}:client.txt`), 'client');
});

test('concurrent commits to one branch either land on top of each other or fail with Conflict; none is lost', async () => {
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => commit([{ path: `race/${i}.txt`, content: `${i}\n` }])));
  const landed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.commitId] : []));
  for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as GantryError).code, 'Conflict');
  assert.ok(landed.length >= 1);
  const head = (await headOf('main'))!;
  for (const id of landed) assert.equal((await ws.git(['--git-dir', h.source.gitDir(repo), 'merge-base', '--is-ancestor', id, head])).code, 0, `${id} is not in the history of main`);
});

test('a new branch in a non-empty repository starts without a parent', async () => {
  const branch = unique('drafts');
  const event = h.nextPush();
  const result = await commit([{ path: 'draft.yaml', content: 'Name: draft\n' }], { branch, expectedHead: ZERO_ID });
  assert.equal(result.before, ZERO_ID);
  assert.equal(await git('rev-list', '--count', result.commitId), '1');
  const push = await event;
  assert.equal(push.branch, branch);
  assert.deepEqual(push.changedFiles, ['draft.yaml']);
});

test('a commit that changes nothing is not made and emits nothing', async () => {
  const head = (await headOf('main'))!;
  const content = await git('cat-file', 'blob', `${head}:server.txt`);
  const count = h.pushes.length;
  const result = await commit([{ path: 'server.txt', content: `${content}\n` }]);
  assert.deepEqual(result, { commitId: head, before: head });
  assert.equal(await headOf('main'), head);
  assert.equal(h.pushes.length, count);
});

test('unsafe paths and malformed requests are refused before anything is written', async () => {
  const head = await headOf('main');
  const count = h.pushes.length;
  const refused = async (files: CommitFilesArgs['files'], pattern: RegExp, extra: Partial<CommitFilesArgs> = {}) =>
    assert.rejects(commit(files, extra), (e: GantryError) => {
      assert.equal(e.code, 'ValidationError');
      assert.match(e.message, pattern);
      return true;
    });
  await refused([{ path: '../escape.txt', content: 'x' }], /'\.\.' segment/);
  await refused([{ path: 'a/../../b', content: 'x' }], /'\.\.' segment/);
  await refused([{ path: '/etc/passwd', content: 'x' }], /absolute/);
  await refused([{ path: '.git/config', content: 'x' }], /\.git directory/);
  await refused([{ path: 'sub/.GIT/hooks/post-update', content: 'x' }], /\.git directory/);
  await refused([{ path: 'a//b', content: 'x' }], /empty segment/);
  await refused([{ path: 'dir/', content: 'x' }], /empty segment/);
  await refused([{ path: '', content: 'x' }], /a path is required/);
  await refused([{ path: 'a\\b', content: 'x' }], /backslash/);
  await refused([{ path: 'same', content: 'x' }, { path: 'same', delete: true }], /appears twice/);
  await refused([], /at least one file/);
  await refused([{ path: 'missing.txt', delete: true }], /no such file on main/);
  await refused([{ path: 'race', delete: true }], /it is a directory/);
  await refused([{ path: 'server.txt/inner', content: 'x' }], /server\.txt is a file there/);
  await refused([{ path: 'race', content: 'x' }], /it is a directory there/);
  await refused([{ path: 'new', content: 'x' }, { path: 'new/inner', content: 'x' }], /would have to be a file and a directory/);
  await refused([{ path: 'ok.txt', content: 'x' }], /not a valid branch name/, { branch: 'bad..name' });
  await refused([{ path: 'ok.txt', content: 'x' }], /not a branch name/, { branch: 'refs/heads/main' });
  await refused([{ path: 'ok.txt', content: 'x' }], /author email/, { author: { name: 'A', email: 'a>b' } });
  await refused([{ path: 'ok.txt', content: 'x' }], /needs a message/, { message: '  ' });
  await refused([{ path: 'ok.txt', content: 'x' }], /not a commit id/, { expectedHead: 'HEAD' });
  assert.equal(await headOf('main'), head);
  assert.equal(h.pushes.length, count);
});

test('a file becomes a directory when the same commit deletes it', async () => {
  const result = await commit([{ path: 'server.txt', delete: true }, { path: 'server.txt/inner.txt', content: 'inner\n' }]);
  assert.equal(await git('ls-tree', '--name-only', result.commitId, 'server.txt/'), 'server.txt/inner.txt');
});

test('a repository that does not exist is NotFound', async () => {
  await assert.rejects(commit([{ path: 'a', content: 'a' }], { repository: { space: 'default', project: 'default', name: 'nope' } }), { code: 'NotFound' });
});
