import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { freePortPair } from './support/net.ts';

const GANTRY = resolve(import.meta.dirname, '../bin/gantry.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'gantry-cli-'));
let port: number;
let server: ChildProcess | undefined;

function startServer(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [GANTRY, 'server', '--data-dir', dataDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      if (output.includes(`listening on http://127.0.0.1:${port}`)) {
        clearTimeout(timer);
        done({ child, output: () => output });
      }
    });
    child.on('exit', (code) => fail(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function gantry(...args: string[]) {
  const env = { ...process.env };
  for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete env[name];
  return spawnSync(process.execPath, [GANTRY, ...args, '--data-dir', dataDir], { encoding: 'utf8', env });
}

/**
 * What a user does: point any AWS SDK at the generated files and pick a profile. A separate process, so the
 * SDK resolves everything (keys, role_arn/source_profile, endpoint_url) from its own default chain.
 */
function callerIdentity(profile: string): { Account: string; Arn: string } {
  const script = `const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    console.log(JSON.stringify(await new STSClient({}).send(new GetCallerIdentityCommand({}))));`;
  const env: Record<string, string | undefined> = { ...process.env, AWS_CONFIG_FILE: join(dataDir, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'credentials'), AWS_PROFILE: profile };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_REGION']) delete env[name];
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env, cwd: import.meta.dirname });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

before(async () => {
  port = await freePortPair();
});
after(() => {
  server?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

test('gantry --help lists the commands, and every command has --help', () => {
  const help = spawnSync(process.execPath, [GANTRY, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /server/);
  assert.match(help.stdout, /accounts/);
  for (const name of ['server', 'accounts', 'repos', 'buildspec', 'git-credential', 'demo']) assert.match(help.stdout, new RegExp(`gantry ${name}`));
  for (const command of [['server'], ['accounts', 'create'], ['repos', 'create'], ['buildspec', 'check'], ['git-credential']]) {
    const sub = spawnSync(process.execPath, [GANTRY, ...command, '--help'], { encoding: 'utf8' });
    assert.equal(sub.status, 0, `${command.join(' ')} --help`);
    assert.match(sub.stdout, /--data-dir/);
  }
});

test('the server starts, answers /health over HTTP and HTTPS, and writes AWS profile files', async () => {
  const started = await startServer();
  server = started.child;
  assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
  const ca = readFileSync(join(dataDir, 'tls', 'ca.pem'));
  const https = await import('node:https');
  const status = await new Promise<number>((done, fail) =>
    https.get({ host: '127.0.0.1', port: port + 1, path: '/health', ca }, (res) => done(res.statusCode!)).on('error', fail));
  assert.equal(status, 200, 'HTTPS works with the local CA trusted');
  for (const file of ['aws-config', 'credentials']) assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600);
  assert.match(readFileSync(join(dataDir, 'aws-config'), 'utf8'), new RegExp(`endpoint_url = http://127.0.0.1:${port}`));
});

test('gantry accounts create makes a member account reachable by its profile name with any AWS SDK', async () => {
  const created = gantry('accounts', 'create', '--name', 'staging', '--region', 'us-west-2', '--json');
  assert.equal(created.status, 0, created.stderr);
  const account = JSON.parse(created.stdout);
  assert.match(account.id, /^\d{12}$/);
  const production = gantry('accounts', 'create', '--name', 'production', '--id', '210987654321', '--region', 'eu-west-1', '--json');
  assert.equal(production.status, 0, production.stderr);
  assert.equal(JSON.parse(production.stdout).id, '210987654321');

  // The SDK's own profile chain: source_profile + role_arn → AssumeRole → the member account.
  const id = callerIdentity('staging');
  assert.equal(id.Account, account.id);
  assert.match(id.Arn, /assumed-role\/OrganizationAccountAccessRole\//);
  assert.match(callerIdentity('management').Arn, /user\/gantry-admin$/);

  const duplicate = gantry('accounts', 'create', '--name', 'staging');
  assert.notEqual(duplicate.status, 0);
  assert.match(duplicate.stderr, /already exists/);
  const badId = gantry('accounts', 'create', '--name', 'weird', '--id', '12345');
  assert.match(badId.stderr, /12 digits/);

  const list = gantry('accounts', 'list', '--json');
  assert.deepEqual(JSON.parse(list.stdout).map((a: any) => a.name).sort(), ['management', 'production', 'staging']);
});

test('SIGTERM shuts down cleanly and a restart keeps every account and key', async () => {
  const before = readFileSync(join(dataDir, 'credentials'), 'utf8');
  const exited = new Promise<number | null>((done) => server!.on('exit', (code) => done(code)));
  server!.kill('SIGTERM');
  assert.equal(await exited, 0);
  const restarted = await startServer();
  server = restarted.child;
  assert.equal(readFileSync(join(dataDir, 'credentials'), 'utf8'), before, 'the same administrator key is kept');
  assert.equal(callerIdentity('production').Account, '210987654321');
});

test('a port already in use is reported clearly', async () => {
  const clash = spawnSync(process.execPath, [GANTRY, 'server', '--data-dir', join(dataDir, 'other'), '--port', String(port)], { encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(clash.status, 0);
  assert.match(clash.stderr, /already in use/);
});

test('gantry buildspec check prints the plan of a valid spec and names file:line of a broken one', async () => {
  const { writeFileSync } = await import('node:fs');
  const good = join(dataDir, 'amplify.yml');
  writeFileSync(good, 'version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - npm run build\n  artifacts:\n    baseDirectory: dist\n    files:\n      - "**/*"\n');
  const ok = gantry('buildspec', 'check', good);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /frontend\.build/);
  assert.match(ok.stdout, /npm run build/);
  const bad = join(dataDir, 'broken.yml');
  writeFileSync(bad, 'version: 1\nfrontend:\n  phases:\n    prebuild:\n      commands:\n        - echo hi\n');
  const failed = gantry('buildspec', 'check', bad);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /broken\.yml:4:5: .*did you mean "preBuild"/);
});

test('gantry repos create prints the clone URL, and git pushes through gantry git-credential', async () => {
  const created = gantry('repos', 'create', 'cli-repo', '--json');
  assert.equal(created.status, 0, created.stderr);
  const { cloneUrl } = JSON.parse(created.stdout);
  assert.equal(cloneUrl, `http://127.0.0.1:${port}/git/default/default/cli-repo`);

  const { mkdirSync, writeFileSync } = await import('node:fs');
  const work = join(dataDir, 'wc');
  mkdirSync(work);
  writeFileSync(join(work, 'README.md'), 'hello\n');
  const env = {
    PATH: process.env.PATH, HOME: work, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1',
    AWS_CONFIG_FILE: join(dataDir, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'credentials'), AWS_PROFILE: 'management',
  };
  const git = (...args: string[]) => spawnSync('git', ['-c', `credential.helper=!${process.execPath} ${GANTRY} git-credential`, '-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work, encoding: 'utf8', env });
  for (const args of [['init', '-q', '-b', 'main'], ['add', '.'], ['commit', '-qm', 'first'], ['push', '-q', cloneUrl, 'main']]) {
    const out = git(...args);
    assert.equal(out.status, 0, `git ${args.join(' ')}: ${out.stderr}`);
  }
  const clone = spawnSync('git', ['-c', `credential.helper=!${process.execPath} ${GANTRY} git-credential`, 'clone', '-q', cloneUrl, join(dataDir, 'clone')], { encoding: 'utf8', env });
  assert.equal(clone.status, 0, clone.stderr);
  assert.equal(readFileSync(join(dataDir, 'clone', 'README.md'), 'utf8'), 'hello\n');

  const anonymous = spawnSync('git', ['clone', '-q', cloneUrl, join(dataDir, 'clone2')], { encoding: 'utf8', env: { ...env, AWS_PROFILE: 'nobody' } });
  assert.notEqual(anonymous.status, 0, 'no credentials, no clone');
});

test('gantry bootstrap creates the CDK deploy role of an account and region, idempotently', () => {
  const first = gantry('bootstrap', '--profile', 'staging', '--region', 'us-west-2');
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^bootstrapped \d{12} in us-west-2: arn:aws:iam::\d{12}:role\/cdk-hnb659fds-deploy-role-\d{12}-us-west-2$/m);
  const again = gantry('bootstrap', '--profile', 'staging', '--region', 'us-west-2');
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /already bootstrapped/);
});

test('gantry workflows validate accepts the scenario pipeline and names file:line:column of a broken one', async () => {
  const { writeFileSync } = await import('node:fs');
  const good = join(dataDir, 'pipeline.yaml');
  writeFileSync(good, `Name: DeployBackends
SchemaVersion: "1.0"
Triggers:
  - Type: PUSH
    Branches:
      - main
Actions:
  DeployStaging:
    Identifier: aws/build@v1
    Inputs:
      Sources:
        - WorkflowSource
      Variables:
        - Name: AWS_APP_ID
          Value: d1staging
        - Name: AWS_BRANCH
          Value: main
    Environment:
      Name: staging
      Connections:
        - Name: "111111111111"
          Role: deploy
    Configuration:
      Steps:
        - Run: export CI=1
        - Run: npm ci
        - Run: npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
  DeployProduction:
    Identifier: aws/build@v1
    DependsOn:
      - DeployStaging
    Inputs:
      Sources:
        - WorkflowSource
    Configuration:
      Steps:
        - Run: npx ampx pipeline-deploy --branch main --app-id d1production
`);
  const ok = gantry('workflows', 'validate', good);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /DeployProduction \(after DeployStaging\)/);
  const bad = join(dataDir, 'cycle.yaml');
  writeFileSync(bad, 'Name: Loop\nSchemaVersion: "1.0"\nActions:\n  A:\n    Identifier: aws/build@v1\n    DependsOn: [B]\n    Configuration:\n      Steps:\n        - Run: echo a\n  B:\n    Identifier: aws/build@v1\n    DependsOn: [A]\n    Configuration:\n      Steps:\n        - Run: echo b\n');
  const failed = gantry('workflows', 'validate', bad);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /cycle\.yaml:\d+:\d+: .*cycle/i);
});
