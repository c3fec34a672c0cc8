import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Repository } from '../src/index.ts';
import { withCredentials, Workspace } from './support/git-cli.ts';
import { startHarness, type Harness } from './support/source-harness.ts';

let h: Harness;
let ws: Workspace;
let repo: Repository;
let main: string;

// Small limits, so the limits themselves can be tested quickly.
const MAX_REQUEST = 256 * 1024;
const TIMEOUT = 1500;

before(async () => {
  h = await startHarness({ limits: { maxRequestBytes: MAX_REQUEST, requestTimeoutMs: TIMEOUT } });
  ws = new Workspace();
  repo = await h.source.createRepository({ name: 'sturdy', account: h.managementAccount });
  await ws.ok(['init', '-q', 'seed']);
  ws.write('seed/a.txt', 'a\n');
  ws.write('seed/dir/b.txt', 'b\n');
  main = await ws.commit('seed', 'seed');
  await ws.ok(['push', withCredentials(repo.cloneUrl, h.admin), 'HEAD:main'], { cwd: ws.path('seed') });
});
after(async () => {
  await h.stop();
  ws.remove();
});

const auth = () => ({ authorization: `Basic ${Buffer.from(`${h.admin.accessKeyId}:${h.admin.secretAccessKey}`).toString('base64')}` });
const pkt = (line: string | Buffer) => {
  const data = typeof line === 'string' ? Buffer.from(line) : line;
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0')), data]);
};
const ZERO = '0'.repeat(40);
const emptyPack = () => {
  const header = Buffer.from('5041434b0000000200000000', 'hex');
  return Buffer.concat([header, createHash('sha1').update(header).digest()]);
};
const receivePack = (body: Buffer, headers: Record<string, string> = {}) =>
  fetch(`${repo.cloneUrl}/git-receive-pack`, {
    method: 'POST', body: new Uint8Array(body), headers: { ...auth(), 'content-type': 'application/x-git-receive-pack-request', ...headers },
  });

/** Sends bytes over a raw socket (no URL normalisation) and returns what came back until the server closed. */
function raw(request: string, options: { waitMs?: number } = {}): Promise<string> {
  const { port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
    let out = '';
    socket.on('data', (d) => (out += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    setTimeout(() => socket.destroy(), options.waitMs ?? 5000);
  });
}

async function stillServing(): Promise<void> {
  assert.match(await ws.ok(['ls-remote', withCredentials(repo.cloneUrl, h.admin), 'refs/heads/main']), new RegExp(main));
}

test('paths that try to leave the repository root are 404s', async () => {
  for (const path of ['/git/../../etc/passwd', '/git/default/default/../../../../etc/info/refs?service=git-upload-pack', '/git/%2e%2e/%2e%2e/etc/info/refs?service=git-upload-pack', '/git/default/default/%2e%2e%2fsturdy/info/refs?service=git-upload-pack', '/git//default/sturdy/info/refs?service=git-upload-pack']) {
    const response = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth().authorization}\r\nConnection: close\r\n\r\n`);
    assert.match(response, /^HTTP\/1\.1 404 /, `${path}: ${response}`);
  }
  await stillServing();
});

test('unknown repositories, dumb-HTTP paths and wrong methods are refused with clear statuses', async () => {
  const unknown = await fetch(`${h.url}/git/default/default/nope/info/refs?service=git-upload-pack`, { headers: auth() });
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /Repository default\/default\/nope not found/);
  for (const path of ['info/refs', 'info/refs?service=git-upload-archive', 'HEAD', 'objects/info/packs', 'config']) {
    const response = await fetch(`${repo.cloneUrl}/${path}`, { headers: auth() });
    assert.equal(response.status, 404, path);
  }
  assert.equal((await fetch(`${repo.cloneUrl}/git-upload-pack`, { headers: auth() })).status, 405);
  assert.equal((await fetch(`${repo.cloneUrl}/info/refs?service=git-upload-pack`, { method: 'POST', headers: auth() })).status, 405);
  const wrongType = await fetch(`${repo.cloneUrl}/git-receive-pack`, { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(wrongType.status, 415);
  const wrongEncoding = await receivePack(Buffer.from('x'), { 'content-encoding': 'br' });
  assert.equal(wrongEncoding.status, 415);
});

test('a nonsense body to git-receive-pack is a 400 and git never sees it', async () => {
  for (const body of ['hello world', 'zzzz', '0004', '00a0short', '0001']) {
    const response = await receivePack(Buffer.from(body));
    assert.equal(response.status, 400, body);
    assert.match(await response.text(), /not a git-receive-pack request/);
  }
  await stillServing();
});

test('valid commands followed by a non-pack payload change nothing and corrupt nothing', async () => {
  const fake = 'ab'.repeat(20);
  const count = h.pushes.length;
  const body = Buffer.concat([pkt(`${ZERO} ${fake} refs/heads/evil\0report-status\n`), pkt(`${main} ${fake} refs/heads/main\n`), Buffer.from('0000'), Buffer.from('this is not a pack file at all '.repeat(100))]);
  const response = await receivePack(body);
  const text = await response.text();
  assert.equal(response.status, 200);
  assert.match(text, /unpack (?!ok)/);
  assert.match(text, /ng refs\/heads\/main/);
  const refs = await ws.ok(['--git-dir', h.source.gitDir(repo), 'for-each-ref', '--format=%(refname) %(objectname)']);
  assert.equal(refs, `refs/heads/main ${main}`);
  await ws.ok(['--git-dir', h.source.gitDir(repo), 'fsck', '--strict', '--no-dangling']);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(h.pushes.length, count);
  await stillServing();
});

test('garbage to git-upload-pack fails cleanly and the server stays up', async () => {
  const response = await fetch(`${repo.cloneUrl}/git-upload-pack`, {
    method: 'POST', body: randomBytes(4096), headers: { ...auth(), 'content-type': 'application/x-git-upload-pack-request' },
  });
  await response.arrayBuffer();
  assert.ok(response.status === 500 || response.status === 200 || response.status === 400, String(response.status));
  await stillServing();
});

test('a gzip-encoded receive-pack request is inflated; a corrupt one is a 400', async () => {
  const event = h.nextPush();
  const body = Buffer.concat([pkt(`${ZERO} ${main} refs/heads/copy\0report-status side-band-64k\n`), Buffer.from('0000'), emptyPack()]);
  const response = await receivePack(gzipSync(body), { 'content-encoding': 'gzip' });
  assert.equal(response.status, 200);
  assert.match(await response.text(), /ok refs\/heads\/copy/);
  const push = await event;
  assert.equal(push.branch, 'copy');
  assert.equal(push.after, main);
  assert.deepEqual(push.changedFiles.sort(), ['a.txt', 'dir/b.txt']);

  const corrupt = await receivePack(Buffer.concat([gzipSync(body).subarray(0, 20), Buffer.from('garbage')]), { 'content-encoding': 'gzip' });
  assert.equal(corrupt.status, 400);
  assert.match(await corrupt.text(), /gzip/);
});

test('a push of an update to an existing commit without a pack is refused by git, not by a crash', async () => {
  const body = Buffer.concat([pkt(`${ZERO} ${main} refs/heads/nopack\0report-status\n`), Buffer.from('0000')]);
  const response = await receivePack(body);
  await response.text();
  assert.ok([200, 500].includes(response.status), String(response.status));
  await stillServing();
});

test('requests over the size limit: 413 when declared, cut off when streamed; nothing is stored', async () => {
  const declared = await receivePack(Buffer.alloc(MAX_REQUEST + 1));
  assert.equal(declared.status, 413);
  // A gzip bomb: small on the wire, over the limit once inflated (git-upload-pack reads all of its input
  // before answering, so the limit is what stops it).
  const bomb = gzipSync(Buffer.alloc(MAX_REQUEST * 4));
  assert.ok(bomb.length < MAX_REQUEST);
  const inflated = await fetch(`${repo.cloneUrl}/git-upload-pack`, {
    method: 'POST', body: new Uint8Array(bomb), headers: { ...auth(), 'content-type': 'application/x-git-upload-pack-request', 'content-encoding': 'gzip' },
  });
  assert.equal(inflated.status, 413);
  assert.match(await inflated.text(), /larger than the 262144 bytes/);

  await ws.ok(['clone', '-q', withCredentials(repo.cloneUrl, h.admin), 'big']);
  ws.write('big/big.bin', randomBytes(MAX_REQUEST * 2));
  await ws.commit('big', 'big');
  const run = await ws.git(['push', 'origin', 'HEAD:main'], { cwd: ws.path('big') });
  assert.notEqual(run.code, 0);
  // git shows the 413 when it reads the answer before the server closes; otherwise only the failed RPC.
  assert.match(run.stderr, /413|larger than|RPC failed/);
  const refs = await ws.ok(['--git-dir', h.source.gitDir(repo), 'for-each-ref', '--format=%(refname)', 'refs/heads/main']);
  assert.equal(refs, 'refs/heads/main');
  await stillServing();
});

test('a request that stalls is stopped after the time limit', async () => {
  const started = Date.now();
  const head = `POST /git/default/default/sturdy/git-upload-pack HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth().authorization}\r\nContent-Type: application/x-git-upload-pack-request\r\nContent-Length: 1000\r\n\r\n0032want `;
  const response = await raw(head, { waitMs: TIMEOUT * 4 });
  assert.ok(Date.now() - started < TIMEOUT * 3, 'the server ended the request');
  assert.match(response, /^HTTP\/1\.1 504 /);

  // The same while Gantry itself reads the list of ref updates of a push, before git runs.
  const push = `POST /git/default/default/sturdy/git-receive-pack HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth().authorization}\r\nContent-Type: application/x-git-receive-pack-request\r\nContent-Length: 1000\r\n\r\n0090${main}`;
  const stalledPush = await raw(push, { waitMs: TIMEOUT * 4 });
  assert.match(stalledPush, /^HTTP\/1\.1 504 /);
  assert.match(stalledPush, /did not finish within 2 seconds/);
  await stillServing();
});

test('a client that disconnects mid-push leaves the repository intact and the server serving', async () => {
  const { port } = new URL(h.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write(`POST /git/default/default/sturdy/git-receive-pack HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth().authorization}\r\nContent-Type: application/x-git-receive-pack-request\r\nTransfer-Encoding: chunked\r\n\r\n`);
  const commands = Buffer.concat([pkt(`${main} ${'cd'.repeat(20)} refs/heads/main\0report-status\n`), Buffer.from('0000PACK')]);
  socket.write(`${commands.length.toString(16)}\r\n`);
  socket.write(commands);
  socket.write('\r\n');
  await new Promise((r) => setTimeout(r, 300));
  socket.destroy();
  await new Promise((r) => setTimeout(r, 300));
  await ws.ok(['--git-dir', h.source.gitDir(repo), 'fsck', '--no-dangling']);
  await stillServing();
});
