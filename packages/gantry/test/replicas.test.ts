// Two `gantry server` processes on one PostgreSQL database, as replicas behind a load balancer run: what IAM
// changes on one is enforced by the other straight away, although each caches credentials and policies.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DetachUserPolicyCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { postgresUnavailable, scratchPostgres, type ScratchDatabase } from '@gantry/store/test-support';
import { freePortPair } from './support/net.ts';

const GANTRY = resolve(import.meta.dirname, '../bin/gantry.mjs');
type Credentials = { accessKeyId: string; secretAccessKey: string };

/** Starts `gantry server` on the shared database and data directory; resolves with its URL once it listens. */
async function startReplica(dataDir: string, databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePortPair();
  const child = spawn(process.execPath, [GANTRY, 'server', '--data-dir', dataDir, '--port', String(port), '--unsafe-builds'], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GANTRY_DATABASE_URL: databaseUrl },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`replica did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      if (output.includes(`listening on ${url}`)) {
        clearTimeout(timer);
        done();
      }
    });
    child.on('exit', (code) => fail(new Error(`replica exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

/** Polls `probe` until it stops answering `before`; returns how long that took. */
async function untilChanged(probe: () => Promise<string>, before: string, timeoutMs = 5000): Promise<{ now: string; ms: number }> {
  const start = Date.now();
  let now = await probe();
  while (now === before && Date.now() - start < timeoutMs) {
    await new Promise((done) => setTimeout(done, 25));
    now = await probe();
  }
  return { now, ms: Date.now() - start };
}

const outcome = (call: Promise<unknown>) => call.then(() => 'ok', (error: { name?: string }) => error.name ?? 'error');

describe('server replicas on one PostgreSQL database', { skip: await postgresUnavailable() }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-replicas-'));
  let database: ScratchDatabase;
  const replicas: ChildProcess[] = [];
  let a: string;
  let b: string;
  let admin: Credentials;
  const iam = (url: string, credentials: Credentials) => new IAMClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const sts = (url: string, credentials: Credentials) => new STSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });

  before(async () => {
    database = await scratchPostgres();
    // The first replica initialises the organisation; the second finds it.
    const first = await startReplica(dataDir, database.url);
    const second = await startReplica(dataDir, database.url);
    replicas.push(first.child, second.child);
    a = first.url;
    b = second.url;
    const file = readFileSync(join(dataDir, 'credentials'), 'utf8');
    admin = { accessKeyId: /aws_access_key_id = (\S+)/.exec(file)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(file)![1]! };
  });
  after(async () => {
    for (const child of replicas) child.kill('SIGTERM');
    await Promise.all(replicas.map((child) => new Promise((done) => (child.exitCode !== null || child.signalCode !== null ? done(undefined) : child.once('exit', done)))));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function userWithKey(name: string): Promise<Credentials> {
    await iam(a, admin).send(new CreateUserCommand({ UserName: name }));
    const { AccessKey } = await iam(a, admin).send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  }

  it('refuses on replica B a key deleted on replica A', async () => {
    const key = await userWithKey('revoked');
    const whoAmI = () => outcome(sts(b, key).send(new GetCallerIdentityCommand({})));
    // B has now resolved (and cached) the key.
    assert.equal(await whoAmI(), 'ok');
    assert.equal(await whoAmI(), 'ok');
    await iam(a, admin).send(new DeleteAccessKeyCommand({ UserName: 'revoked', AccessKeyId: key.accessKeyId }));
    const { now, ms } = await untilChanged(whoAmI, 'ok');
    assert.equal(now, 'InvalidClientTokenId', `B still accepted the key ${ms} ms after A deleted it`);
    console.log(`# replica B refused the deleted key after ${ms} ms`);
  });

  it('stops on replica B what a policy detached on replica A allowed', async () => {
    const key = await userWithKey('reader');
    await iam(a, admin).send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const getUser = () => outcome(iam(b, key).send(new GetUserCommand({ UserName: 'reader' })));
    const allowed = await untilChanged(getUser, 'AccessDenied');
    assert.equal(allowed.now, 'ok', 'the attached policy is in force on B');
    await iam(a, admin).send(new DetachUserPolicyCommand({ UserName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const { now, ms } = await untilChanged(getUser, 'ok');
    assert.equal(now, 'AccessDenied', `B still allowed GetUser ${ms} ms after A detached the policy`);
    console.log(`# replica B denied after the detach in ${ms} ms`);
  });

  it('keeps serving on B when A is gone, with everything A wrote', async () => {
    const key = await userWithKey('survivor');
    replicas[0]!.kill('SIGKILL');
    await new Promise((done) => replicas[0]!.once('exit', done));
    assert.equal(await outcome(sts(b, key).send(new GetCallerIdentityCommand({}))), 'ok');
    for (const name of ['revoked', 'reader', 'survivor']) {
      const { User } = await iam(b, admin).send(new GetUserCommand({ UserName: name }));
      assert.equal(User?.UserName, name);
    }
  });
});
