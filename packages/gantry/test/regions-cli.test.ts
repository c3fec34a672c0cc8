import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { unique } from './support/iam-fixtures.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const GANTRY = resolve(import.meta.dirname, '../bin/gantry.mjs');
let ts: TestServer;
before(async () => (ts = await startTestServer()));
after(() => ts.stop());

/** The CLI in its own process, as a user runs it against the server's generated profiles (asynchronously: the server lives in this process). */
async function gantry(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION'])
    delete env[name];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [GANTRY, ...args, '--data-dir', ts.dataDir], { env, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error: any) {
    return { code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
  }
}

test('accounts create --region sets the default region; regions, enable-region and disable-region manage opt-in regions', async () => {
  const name = unique('tokyo');
  const created = await gantry('accounts', 'create', '--name', name, '--region', 'ap-northeast-1', '--json');
  assert.equal(created.code, 0, created.stderr);
  const account = JSON.parse(created.stdout);
  assert.equal(account.defaultRegion, 'ap-northeast-1');
  assert.match(readFileSync(join(ts.dataDir, 'aws-config'), 'utf8'), new RegExp(`\\[profile ${name}\\]\\nregion = ap-northeast-1\\n`));

  const listed = await gantry('accounts', 'regions', name);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^REGION\s+STATUS\s+NAME$/m);
  assert.match(listed.stdout, /^ap-northeast-1 \*\s+ENABLED_BY_DEFAULT\s+Asia Pacific \(Tokyo\)$/m);
  assert.match(listed.stdout, /^af-south-1\s+DISABLED\s+Africa \(Cape Town\)$/m);

  const enabled = await gantry('accounts', 'enable-region', name, 'af-south-1');
  assert.equal(enabled.code, 0, enabled.stderr);
  assert.equal(enabled.stdout.trim(), `af-south-1 is ENABLED for account ${name} (${account.id})`);
  const json = JSON.parse((await gantry('accounts', 'regions', account.id, '--json')).stdout);
  assert.deepEqual(json.find((r: any) => r.RegionName === 'af-south-1'), { RegionName: 'af-south-1', RegionOptStatus: 'ENABLED' });
  assert.match((await gantry('accounts', 'list')).stdout, new RegExp(`${account.id}\\s+${name}\\s+ap-northeast-1\\s+af-south-1`));

  const disabled = await gantry('accounts', 'disable-region', name, 'af-south-1');
  assert.equal(disabled.stdout.trim(), `af-south-1 is DISABLED for account ${name} (${account.id})`);

  // The management account is addressed without AccountId, as AWS requires.
  const management = await gantry('accounts', 'enable-region', 'management', 'ap-east-1');
  assert.equal(management.code, 0, management.stderr);
  assert.match(management.stdout, /ap-east-1 is ENABLED for account management/);
});

test('the CLI passes on what is wrong: an unknown region, a default region, an unknown account, --region given twice', async () => {
  const unknownRegion = await gantry('accounts', 'create', '--name', unique('nowhere'), '--region', 'zz-fake-9');
  assert.notEqual(unknownRegion.code, 0);
  assert.match(unknownRegion.stderr, /'zz-fake-9' is not an AWS region/);

  const defaultRegion = await gantry('accounts', 'disable-region', 'management', 'us-east-1');
  assert.notEqual(defaultRegion.code, 0);
  assert.match(defaultRegion.stderr, /ValidationException: us-east-1 is enabled by default/);

  const noAccount = await gantry('accounts', 'regions', 'no-such-account');
  assert.notEqual(noAccount.code, 0);
  assert.match(noAccount.stderr, /no account 'no-such-account'/);

  const twice = await gantry('accounts', 'create', '--name', unique('twice'), '--region', 'us-west-2', '--region', 'eu-west-1');
  assert.notEqual(twice.code, 0);
  assert.match(twice.stderr, /--region names the one default region/);
});
