import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { GANTRY } from './support/backend-app.ts';
import { WorkingCopy } from './support/git.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const SPACE = 'cli-space';
const PROJECT = 'web';
const IN_PROJECT = ['--space', SPACE, '--project', PROJECT];
const SECRET_VALUE = 's3cr3t-token-value';

const ECHO = `Name: Echo
SchemaVersion: "1.0"
Actions:
  Greet:
    Identifier: aws/build@v1
    Inputs:
      Variables:
        - Name: GREETING
          Value: hello-from-variables
        - Name: TOKEN
          Value: \${Secrets.apiToken}
    Configuration:
      Steps:
        - Run: echo "greeting=$GREETING"
        - Run: echo "token=$TOKEN"
    Outputs:
      Variables: [GREETING]
`;
const FAILS = `Name: Fails
SchemaVersion: "1.0"
Actions:
  Slow:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo first-line && sleep 1
        - Run: echo second-line
        - Run: exit 3
`;
const GATED = `Name: Gated
SchemaVersion: "1.0"
Actions:
  Gate:
    Identifier: aws/approval@v1
    Configuration:
      ApprovalsRequired: 1
  Ship:
    Identifier: aws/build@v1
    DependsOn: [Gate]
    Configuration:
      Steps:
        - Run: echo shipped
`;
// Line 8, column 11: the misspelt step key.
const BROKEN = `Name: Broken
SchemaVersion: "1.0"
Actions:
  Build:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Rum: echo typo
`;

let ts: TestServer;
let scratch: string;
let cloneUrl: string;

before(async () => {
  ts = await startTestServer();
  scratch = mkdtempSync(join(tmpdir(), 'gantry-wfcli-'));
});
after(async () => {
  await ts?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Runs the `gantry` CLI as a user would: the profile files of the data directory, one profile picked with
 * AWS_PROFILE. Asynchronous, since the server under test lives in this process.
 */
function gantry(args: string[], options: { profile?: string; input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, AWS_PROFILE: options.profile ?? 'management' };
  for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_REGION']) delete env[name];
  const child = spawn(process.execPath, [GANTRY, ...args, '--data-dir', ts.dataDir], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(options.input ?? '');
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI and expects success; returns stdout (parsed when `--json` was asked for). */
async function ok(args: string[], options: { profile?: string; input?: string } = {}): Promise<any> {
  const out = await gantry(args, options);
  assert.equal(out.code, 0, `gantry ${args.join(' ')} failed:\n${out.stderr}${out.stdout}`);
  return args.includes('--json') ? JSON.parse(out.stdout) : out.stdout;
}

/** Reads the API directly (no CLI start-up per look) while waiting for something to happen. */
async function waitFor<T>(what: string, path: string, test: (json: any) => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { status, json } = await signedFetch(ts.url, ts.admin, 'GET', path, { service: 'codecatalyst' });
    const found = status === 200 ? test(json) : undefined;
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last answer ${status} ${JSON.stringify(json)}`);
    await sleep(100);
  }
}
const projectPath = `/v1/spaces/${SPACE}/projects/${PROJECT}`;

test('spaces, projects and repositories are created and listed; an unknown space is named in the error', async () => {
  assert.match(await ok(['spaces', 'create', SPACE]), new RegExp(`space ${SPACE} belongs to account ${ts.managementAccount}`));
  assert.match(await ok(['projects', 'create', PROJECT, '--space', SPACE]), new RegExp(`project ${SPACE}/${PROJECT}`));
  const [spaces, table, repository, missing] = await Promise.all([
    ok(['spaces', 'list', '--json']),
    ok(['projects', 'list', '--space', SPACE]),
    ok(['repos', 'create', 'app', ...IN_PROJECT, '--json']),
    gantry(['projects', 'list', '--space', 'no-such-space']),
  ]);
  assert.deepEqual(spaces.map((s: any) => [s.name, s.account]), [[SPACE, ts.managementAccount]]);
  assert.match(table, /^PROJECT\s+ARN\nweb\s+arn:aws:codecatalyst:::space\/cli-space\/project\/web$/m);
  cloneUrl = repository.cloneUrl;
  assert.match(cloneUrl, /\/git\/cli-space\/web\/app$/);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /There is no space no-such-space/);
});

test('a secret is read from stdin, only its name is ever listed, and it can be deleted', async () => {
  await Promise.all([
    ok(['secrets', 'put', 'apiToken', ...IN_PROJECT], { input: `${SECRET_VALUE}\n` }),
    ok(['secrets', 'put', 'spaceWide', '--space', SPACE, '--value', 'other-value']),
  ]);
  const [inProject, inSpace] = await Promise.all([
    gantry(['secrets', 'list', ...IN_PROJECT, '--json']),
    ok(['secrets', 'list', '--space', SPACE]),
  ]);
  assert.deepEqual(JSON.parse(inProject.stdout).map((s: any) => s.name), ['apiToken']);
  assert.doesNotMatch(inProject.stdout, /s3cr3t/);
  assert.match(inSpace, /^SECRET\s+UPDATED\s+BY\nspaceWide\s/m);
  assert.match(await ok(['secrets', 'delete', 'spaceWide', '--space', SPACE]), /secret spaceWide deleted from space cli-space/);
});

test('pushed workflows are listed ACTIVE, and a broken one INVALID with file, line, column and path', async () => {
  const wc = await new WorkingCopy(cloneUrl, ts.admin).init();
  wc.write({ 'README.md': 'app\n', '.codecatalyst/workflows/echo.yaml': ECHO, '.codecatalyst/workflows/fails.yaml': FAILS, '.codecatalyst/workflows/gated.yaml': GATED });
  await wc.commitAndPush('workflows');
  await waitFor('three ACTIVE workflows', `${projectPath}/workflows`, (j) => j.items.filter((w: any) => w.status === 'ACTIVE').length === 3);
  wc.write({ '.codecatalyst/workflows/broken.yaml': BROKEN });
  await wc.commitAndPush('a broken workflow');
  await waitFor('the broken workflow', `${projectPath}/workflows`, (j) => j.items.some((w: any) => w.status === 'INVALID'));

  const [table, shown] = await Promise.all([
    ok(['workflows', 'list', ...IN_PROJECT, '--branch', 'main']),
    ok(['workflows', 'show', 'Echo', ...IN_PROJECT]),
  ]);
  assert.match(table, /^Echo\s+ACTIVE\s+app\s+main\s+\.codecatalyst\/workflows\/echo\.yaml$/m);
  assert.match(table, /^Broken\s+INVALID\s+app\s+main\s+\.codecatalyst\/workflows\/broken\.yaml$/m);
  assert.match(table, /^ {2}\.codecatalyst\/workflows\/broken\.yaml:8:11 Actions\.Build\.Configuration\.Steps\[0\]\.Rum: unknown key "Rum"/m);
  for (const name of ['Fails', 'Gated']) assert.match(table, new RegExp(`^${name}\\s+ACTIVE\\s`, 'm'));
  assert.match(shown, /^workflow Echo: ACTIVE$/m);
  assert.match(shown, /actions\s+Greet/);
  assert.match(shown, /echo "token=\$TOKEN"/, 'the file itself is shown');
});

test('workflows save prints every error of a broken file and commits a valid one', async () => {
  const broken = join(scratch, 'broken.yaml');
  writeFileSync(broken, BROKEN);
  const refused = await gantry(['workflows', 'save', broken, ...IN_PROJECT, '--repository', 'app']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:11 Actions\\.Build\\.Configuration\\.Steps\\[0\\]\\.Rum: unknown key`));
  assert.match(refused.stderr, /Steps\[0\]: a step needs "Run"/);
  assert.match(refused.stderr, /does not validate \(2 errors\); nothing was saved/);

  const valid = join(scratch, 'nightly.yml');
  writeFileSync(valid, ECHO.replace('Name: Echo', 'Name: Nightly'));
  const saved = await ok(['workflows', 'save', valid, ...IN_PROJECT, '--repository', 'app', '--message', 'Add the nightly workflow', '--json']);
  assert.equal(saved.name, 'Nightly');
  assert.equal(saved.path, '.codecatalyst/workflows/nightly.yml');
  assert.match(saved.commitId, /^[0-9a-f]{40}$/);
  await waitFor('the saved workflow', `${projectPath}/workflows/Nightly`, (j) => j.workflow.commitId === saved.commitId && j.workflow.status === 'ACTIVE');
});

test('a run is started, watched to SUCCEEDED, shown with its outputs, and its log has the secret masked', async () => {
  const run = await ok(['runs', 'start', 'Echo', ...IN_PROJECT, '--json']);
  assert.equal(run.workflowName, 'Echo');
  const watched = await gantry(['runs', 'watch', run.id, ...IN_PROJECT]);
  assert.equal(watched.code, 0, watched.stderr + watched.stdout);
  assert.match(watched.stdout, /\d\d:\d\d:\d\d {2}Greet {2}SUCCEEDED/);
  assert.match(watched.stdout, new RegExp(`run ${run.id} of Echo: SUCCEEDED\\n$`));

  const [shown, log, runs] = await Promise.all([
    ok(['runs', 'show', run.id, ...IN_PROJECT]),
    ok(['runs', 'logs', run.id, 'Greet', ...IN_PROJECT]),
    ok(['runs', 'list', ...IN_PROJECT, '--workflow', 'Echo', '--json']),
  ]);
  assert.match(shown, new RegExp(`^run ${run.id} of Echo: SUCCEEDED$`, 'm'));
  assert.match(shown, /^Greet\s+SUCCEEDED\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+outputs GREETING=hello-from-variables$/m);
  assert.match(log, /greeting=hello-from-variables/);
  assert.match(log, /token=\*\*\*/);
  assert.doesNotMatch(log, /s3cr3t/);
  assert.deepEqual(runs.map((r: any) => r.id), [run.id]);
});

test('a failing run: logs --follow prints until the action ends, watch exits 1, retry runs it again', async () => {
  const run = await ok(['runs', 'start', 'Fails', ...IN_PROJECT, '--json']);
  const [followed, watched] = await Promise.all([
    ok(['runs', 'logs', run.id, 'Slow', ...IN_PROJECT, '--follow']),
    gantry(['runs', 'watch', run.id, ...IN_PROJECT]),
  ]);
  assert.match(followed, /first-line[\s\S]*second-line/);
  assert.equal(watched.code, 1);
  assert.match(watched.stdout, /Slow {2}FAILED {2}exit 3; .*exit code 3/);
  assert.match(watched.stdout, /of Fails: FAILED/);

  const retried = await ok(['runs', 'retry', run.id, ...IN_PROJECT]);
  assert.match(retried, new RegExp(`^run ${run.id} of Fails: (QUEUED|IN_PROGRESS)`));
  const again = await gantry(['runs', 'watch', run.id, ...IN_PROJECT]);
  assert.equal(again.code, 1);
  assert.match(again.stdout, /Slow {2}FAILED \(attempt 2\)/);
});

test('an approval gate is approved from the CLI; a waiting run is stopped', async () => {
  const gateWaits = (id: string) => waitFor('the approval gate', `${projectPath}/workflowRuns/${id}`, (j) => j.run.actions[0].status === 'WAITING_FOR_APPROVAL');
  const approved = await ok(['runs', 'start', 'Gated', ...IN_PROJECT, '--json']);
  await gateWaits(approved.id);
  await ok(['runs', 'approve', approved.id, 'Gate', ...IN_PROJECT]);
  const watched = await gantry(['runs', 'watch', approved.id, ...IN_PROJECT]);
  assert.equal(watched.code, 0, watched.stdout + watched.stderr);
  assert.match(watched.stdout, /Gate {2}SUCCEEDED {2}approved by arn:aws:iam::\d{12}:user\/gantry-admin/);
  assert.match(watched.stdout, /Ship {2}SUCCEEDED/);

  const stopped = await ok(['runs', 'start', 'Gated', ...IN_PROJECT, '--json']);
  await gateWaits(stopped.id);
  const answer = await ok(['runs', 'stop', stopped.id, ...IN_PROJECT, '--json']);
  assert.match(answer.status, /^(STOPPING|STOPPED)$/);
  const shown = await waitFor('the stopped run', `${projectPath}/workflowRuns/${stopped.id}`, (j) => j.run.status === 'STOPPED' && j.run);
  assert.equal(shown.actions.find((a: any) => a.name === 'Ship').status, 'STOPPED');
});

test('a connection asked of a member account is refused to another account, accepted by its own, and given a role', async () => {
  const [staging, production] = await Promise.all([
    ok(['accounts', 'create', '--name', 'staging', '--json']),
    ok(['accounts', 'create', '--name', 'production', '--json']),
  ]);
  const requested = await ok(['connections', 'create', '--space', SPACE, '--name', 'staging', '--account-id', staging.id, '--json']);
  assert.equal(requested.status, 'PENDING');
  const id = requested.connectionId;

  const [offered, wrongAccount, notOffered] = await Promise.all([
    ok(['connections', 'list'], { profile: 'staging' }),
    gantry(['connections', 'accept', id], { profile: 'production' }),
    ok(['connections', 'list', '--json'], { profile: 'production' }),
  ]);
  assert.match(offered, new RegExp(`^${id}\\s+staging\\s+${SPACE}\\s+${staging.id}\\s+PENDING\\s+-$`, 'm'));
  assert.equal(wrongAccount.code, 1);
  assert.match(wrongAccount.stderr, /^gantry: .*/);
  assert.match(wrongAccount.stderr, new RegExp(staging.id), 'the refusal names the account that must decide');
  assert.deepEqual(notOffered, [], `nothing is asked of account ${production.id}`);

  assert.match(await ok(['connections', 'accept', id], { profile: 'staging' }), new RegExp(`connection ${id} \\(staging\\) from space ${SPACE} to account ${staging.id}: ACTIVE`));
  const role = `arn:aws:iam::${staging.id}:role/OrganizationAccountAccessRole`;
  const withRole = await ok(['connections', 'add-role', id, '--role-arn', role, '--json'], { profile: 'staging' });
  assert.deepEqual(withRole.roles, [role]);
  const listed = await ok(['connections', 'list', '--space', SPACE, '--json']);
  assert.deepEqual(listed.map((c: any) => [c.name, c.status, c.roles]), [['staging', 'ACTIVE', [role]]]);
});
