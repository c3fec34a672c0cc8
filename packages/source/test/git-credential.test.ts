import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { gitCredential, parseCredentialInput, type Repository } from '../src/index.ts';
import { Workspace } from './support/git-cli.ts';
import { assumeRole, startHarness, unique, type Harness } from './support/source-harness.ts';

let h: Harness;
let ws: Workspace;
let repo: Repository;
before(async () => {
  h = await startHarness();
  ws = new Workspace();
  repo = await h.source.createRepository({ name: 'helped', account: h.managementAccount });
});
after(async () => {
  await h.stop();
  ws.remove();
});

const keys = { accessKeyId: 'AKIAEXAMPLEEXAMPLE12', secretAccessKey: 'secret/with+chars' };
const fixed = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({ credentials: async () => credentials });

test('get answers username and password for the configured endpoint\'s host', async () => {
  const answer = await gitCredential('get', 'protocol=http\nhost=127.0.0.1:4750\n\n', { endpoint: 'http://127.0.0.1:4750', ...fixed(keys) });
  assert.equal(answer, 'username=AKIAEXAMPLEEXAMPLE12\npassword=secret/with+chars\n');
  const session = await gitCredential('get', 'protocol=https\nhost=gantry.example.com\npath=git/default/default/app\n', { endpoint: 'https://gantry.example.com/', ...fixed({ ...keys, sessionToken: 'TOKEN' }) });
  assert.equal(session, 'username=AKIAEXAMPLEEXAMPLE12\npassword=secret/with+chars:TOKEN\n');
});

test('get stays silent for other hosts, other paths, other schemes and other user names', async () => {
  const options = { endpoint: 'http://127.0.0.1:4750', ...fixed(keys) };
  assert.equal(await gitCredential('get', 'protocol=https\nhost=github.com\n', options), '');
  assert.equal(await gitCredential('get', 'protocol=http\nhost=127.0.0.1:9999\n', options), '');
  assert.equal(await gitCredential('get', 'protocol=http\nhost=127.0.0.1:4750\npath=elsewhere/repo\n', options), '');
  assert.equal(await gitCredential('get', 'protocol=ssh\nhost=127.0.0.1:4750\n', options), '');
  assert.equal(await gitCredential('get', 'protocol=http\nhost=127.0.0.1:4750\nusername=AKIAOTHER\n', options), '');
  // Without a configured endpoint only a path under git/ (credential.useHttpPath) identifies Gantry.
  const noEndpoint = { endpoint: '', ...fixed(keys) };
  assert.equal(await gitCredential('get', 'protocol=http\nhost=somewhere\n', noEndpoint), '');
  assert.match(await gitCredential('get', 'protocol=http\nhost=somewhere\npath=git/s/p/r\n', noEndpoint), /^username=AKIA/);
});

test('store and erase do nothing: the credentials live in the AWS configuration', async () => {
  assert.equal(await gitCredential('store', 'protocol=http\nhost=127.0.0.1:4750\nusername=a\npassword=b\n', fixed(keys)), '');
  assert.equal(await gitCredential('erase', 'protocol=http\nhost=127.0.0.1:4750\n', fixed(keys)), '');
});

test('input parsing understands url= and stops at the blank line', () => {
  assert.deepEqual(parseCredentialInput('url=https://AKIA1@h.example:8443/git/a/b/c\n'), { protocol: 'https', host: 'h.example:8443', path: 'git/a/b/c', username: 'AKIA1' });
  assert.deepEqual(parseCredentialInput('protocol=http\nhost=a\n\nhost=b\n'), { protocol: 'http', host: 'a' });
  assert.deepEqual(parseCredentialInput('wwwauth[]=Basic realm="Gantry"\ncapability[]=authtype\nprotocol=http\n'), { protocol: 'http' });
});

/** `git -c credential.helper='!…'` running the helper in a process of its own, as `npx gantry git-credential` would. */
function helperConfig(): string[] {
  const tsx = import.meta.resolve('tsx');
  const script = fileURLToPath(new URL('./support/credential-helper.ts', import.meta.url));
  return ['-c', `credential.helper=!'${process.execPath}' --import '${tsx}' '${script}'`];
}

test('git clones and pushes with the helper, credentials from the environment (the node provider chain)', async () => {
  const env = { AWS_ACCESS_KEY_ID: h.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: h.admin.secretAccessKey, AWS_ENDPOINT_URL: h.url };
  await ws.ok([...helperConfig(), 'clone', '-q', repo.cloneUrl, 'env'], { env });
  ws.write('env/x.txt', 'x\n');
  await ws.commit('env', 'x');
  const event = h.nextPush();
  await ws.ok([...helperConfig(), 'push', '-q', 'origin', 'HEAD:main'], { cwd: ws.path('env'), env });
  assert.equal((await event).branch, 'main');
  // The URL holds no credentials: only the helper supplied them.
  assert.equal(await ws.ok(['remote', 'get-url', 'origin'], { cwd: ws.path('env') }), repo.cloneUrl);
});

test('the helper follows an AWS profile (endpoint_url and temporary credentials from its files)', async () => {
  const member = await h.iam.createAccount({ name: unique('member') });
  const session = await assumeRole(h, h.admin, `arn:aws:iam::${member.id}:role/OrganizationAccountAccessRole`);
  const memberRepo = await h.source.createRepository({ name: 'profiled', account: member.id });
  writeFileSync(ws.path('aws-config'), `[profile deployer]\nregion = us-west-2\nendpoint_url = ${h.url}\n`);
  writeFileSync(ws.path('aws-credentials'), `[deployer]\naws_access_key_id = ${session.accessKeyId}\naws_secret_access_key = ${session.secretAccessKey}\naws_session_token = ${session.sessionToken}\n`);
  const env = { AWS_CONFIG_FILE: ws.path('aws-config'), AWS_SHARED_CREDENTIALS_FILE: ws.path('aws-credentials'), AWS_PROFILE: 'deployer' };
  const refs = await ws.git([...helperConfig(), 'ls-remote', memberRepo.cloneUrl], { env });
  assert.equal(refs.code, 0, refs.stderr);

  // Credentials of another account than the repository's are refused by IAM, not by the helper.
  const other = await ws.git([...helperConfig(), 'ls-remote', repo.cloneUrl], { env });
  assert.notEqual(other.code, 0);
  assert.match(other.stderr, /not authorized to perform: codecommit:GitPull/);
});
