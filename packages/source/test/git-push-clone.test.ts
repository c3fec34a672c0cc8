import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ZERO_ID, type Repository } from '../src/index.ts';
import { withCredentials, Workspace } from './support/git-cli.ts';
import { startHarness, type Harness } from './support/source-harness.ts';

let h: Harness;
let ws: Workspace;
let repo: Repository;
let remote: string;

before(async () => {
  h = await startHarness();
  ws = new Workspace();
  repo = await h.source.createRepository({ name: 'app', account: h.managementAccount });
  remote = withCredentials(repo.cloneUrl, h.admin);
});
after(async () => {
  await h.stop();
  ws.remove();
});

test('clone of the new, empty repository succeeds', async () => {
  const run = await ws.git(['clone', remote, 'work']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /empty repository/);
});

test('first push to main emits a push event with every file as changed', async () => {
  ws.write('work/README.md', '# app\n');
  ws.write('work/src/index.ts', 'export {};\n');
  const commit = await ws.commit('work', 'first');
  const event = h.nextPush();
  await ws.ok(['push', 'origin', 'HEAD:main'], { cwd: ws.path('work') });
  const push = await event;
  assert.equal(push.branch, 'main');
  assert.equal(push.ref, 'refs/heads/main');
  assert.equal(push.before, ZERO_ID);
  assert.equal(push.after, commit);
  assert.deepEqual(push.changedFiles.sort(), ['README.md', 'src/index.ts']);
  assert.equal(push.pusher, `arn:aws:iam::${h.managementAccount}:user/gantry-admin`);
  assert.deepEqual(push.repository, { space: 'default', project: 'default', name: 'app', account: h.managementAccount, arn: repo.arn, cloneUrl: repo.cloneUrl });
  assert.ok(Math.abs(Date.parse(push.at) - Date.now()) < 60_000);
});

test('a second push lists only the changed files, renames as both paths', async () => {
  const before = await ws.ok(['rev-parse', 'HEAD'], { cwd: ws.path('work') });
  ws.write('work/src/index.ts', 'export const x = 1;\n');
  await ws.ok(['mv', 'README.md', 'README.txt'], { cwd: ws.path('work') });
  const commit = await ws.commit('work', 'second');
  const event = h.nextPush();
  await ws.ok(['push', 'origin', 'main'], { cwd: ws.path('work') });
  const push = await event;
  assert.equal(push.before, before);
  assert.equal(push.after, commit);
  assert.deepEqual(push.changedFiles.sort(), ['README.md', 'README.txt', 'src/index.ts']);
});

test('a fresh clone has the pushed history and content', async () => {
  await ws.ok(['clone', remote, 'copy']);
  assert.equal(await ws.ok(['rev-parse', 'HEAD'], { cwd: ws.path('copy') }), await ws.ok(['rev-parse', 'HEAD'], { cwd: ws.path('work') }));
  assert.equal(await ws.ok(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: ws.path('copy') }), 'main');
  assert.equal(readFileSync(ws.path('copy/src/index.ts'), 'utf8'), 'export const x = 1;\n');
  assert.equal(await ws.ok(['rev-list', '--count', 'HEAD'], { cwd: ws.path('copy') }), '2');
});

test('clone and fetch work with protocol v0 as well as v2', async () => {
  await ws.ok(['-c', 'protocol.version=0', 'clone', remote, 'copy-v0']);
  assert.equal(await ws.ok(['rev-list', '--count', 'HEAD'], { cwd: ws.path('copy-v0') }), '2');
  await ws.ok(['-c', 'protocol.version=2', 'fetch', 'origin'], { cwd: ws.path('copy-v0') });
});

test('pushing a new branch, then deleting it, emits both with zeros on the right side', async () => {
  await ws.ok(['checkout', '-q', '-b', 'feature/x'], { cwd: ws.path('work') });
  ws.write('work/feature.txt', 'feature\n');
  const commit = await ws.commit('work', 'feature');
  let event = h.nextPush();
  await ws.ok(['push', 'origin', 'feature/x'], { cwd: ws.path('work') });
  let push = await event;
  assert.equal(push.branch, 'feature/x');
  assert.equal(push.before, ZERO_ID);
  assert.equal(push.after, commit);
  assert.deepEqual(push.changedFiles.sort(), ['README.txt', 'feature.txt', 'src/index.ts']);

  event = h.nextPush();
  await ws.ok(['push', 'origin', '--delete', 'feature/x'], { cwd: ws.path('work') });
  push = await event;
  assert.equal(push.branch, 'feature/x');
  assert.equal(push.before, commit);
  assert.equal(push.after, ZERO_ID);
  assert.deepEqual(push.changedFiles, []);
  await ws.ok(['checkout', '-q', 'main'], { cwd: ws.path('work') });
});

test('one push of two branches emits one event per branch; tags emit none', async () => {
  const count = h.pushes.length;
  await ws.ok(['branch', 'b1'], { cwd: ws.path('work') });
  await ws.ok(['branch', 'b2'], { cwd: ws.path('work') });
  await ws.ok(['tag', 'v1'], { cwd: ws.path('work') });
  await ws.ok(['push', 'origin', 'b1', 'b2', 'v1'], { cwd: ws.path('work') });
  // Events are emitted before the request handler finishes; the push command returns once the response ends.
  await waitFor(() => h.pushes.length >= count + 2);
  assert.deepEqual(h.pushes.slice(count).map((p) => p.branch).sort(), ['b1', 'b2']);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(h.pushes.length, count + 2);
});

test('a forced non-fast-forward push goes through, as git decides, with before/after of the rewrite', async () => {
  const before = await ws.ok(['rev-parse', 'HEAD'], { cwd: ws.path('work') });
  await ws.ok(['reset', '-q', '--hard', 'HEAD~1'], { cwd: ws.path('work') });
  ws.write('work/other.txt', 'rewritten\n');
  const commit = await ws.commit('work', 'rewrite');
  const rejected = await ws.git(['push', 'origin', 'main'], { cwd: ws.path('work') });
  assert.notEqual(rejected.code, 0);
  assert.match(rejected.stderr, /rejected|non-fast-forward/);
  const event = h.nextPush();
  await ws.ok(['push', '--force', 'origin', 'main'], { cwd: ws.path('work') });
  const push = await event;
  assert.equal(push.before, before);
  assert.equal(push.after, commit);
  // Back to the first commit's tree plus other.txt: the rename and the edit of the second commit are undone.
  assert.deepEqual(push.changedFiles.sort(), ['README.md', 'README.txt', 'other.txt', 'src/index.ts']);
});

test('a push larger than git\'s post buffer (chunked, with a probe request) streams through', async () => {
  ws.write('work/big.bin', randomBytes(3 * 1024 * 1024));
  const commit = await ws.commit('work', 'big');
  const event = h.nextPush();
  await ws.ok(['push', 'origin', 'main'], { cwd: ws.path('work') });
  const push = await event;
  assert.equal(push.after, commit);
  assert.deepEqual(push.changedFiles, ['big.bin']);
  await ws.ok(['clone', remote, 'copy-big']);
  assert.deepEqual(readFileSync(ws.path('copy-big/big.bin')), readFileSync(ws.path('work/big.bin')));
  await ws.ok(['--git-dir', h.source.gitDir(repo), 'fsck', '--strict']);
});

test('concurrent pushes of different branches from different clones all land, one event each', async () => {
  const names = ['p1', 'p2', 'p3'];
  await Promise.all(names.map((n) => ws.ok(['clone', '-q', remote, n])));
  const commits = await Promise.all(names.map(async (n) => {
    ws.write(`${n}/${n}.txt`, `${n}\n`);
    return ws.commit(n, n);
  }));
  const count = h.pushes.length;
  await Promise.all(names.map((n) => ws.ok(['push', '-q', 'origin', `HEAD:refs/heads/${n}`], { cwd: ws.path(n) })));
  await waitFor(() => h.pushes.length >= count + 3);
  const events = h.pushes.slice(count).sort((a, b) => a.branch.localeCompare(b.branch));
  assert.deepEqual(events.map((e) => [e.branch, e.after]), names.map((n, i) => [n, commits[i]]));
});

test('the .git suffix and other letter case in the URL reach the same repository', async () => {
  const url = new URL(remote);
  url.pathname = '/git/Default/DEFAULT/App.git';
  await ws.ok(['ls-remote', url.toString(), 'refs/heads/main']);
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
