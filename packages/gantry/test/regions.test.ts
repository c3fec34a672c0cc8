import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AccountClient, DisableRegionCommand, EnableRegionCommand, GetRegionOptStatusCommand, ListRegionsCommand, paginateListRegions,
} from '@aws-sdk/client-account';
import { AmplifyClient, ListAppsCommand } from '@aws-sdk/client-amplify';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AWS_REGIONS } from '@gantry/iam';
import { assume, memberAccount, unique, userWithKey } from './support/iam-fixtures.ts';
import { signedFetch } from './support/signed-fetch.ts';
import { startTestServer, type Credentials, type TestServer } from './support/test-server.ts';

let ts: TestServer;
before(async () => (ts = await startTestServer()));
after(() => ts.stop());

// No retries: a test must see the first answer.
const account = (credentials: Credentials, region = 'us-west-2') => new AccountClient({ endpoint: ts.url, region, credentials, maxAttempts: 1 });
const amplify = (credentials: Credentials, region: string) => new AmplifyClient({ endpoint: ts.url, region, credentials, maxAttempts: 1 });
const accessRole = (accountId: string) => `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`;

interface SdkError { name: string; message: string; status?: number; reason?: string; fieldList?: Array<{ name: string; message: string }> }
async function errorOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error: any) {
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode, reason: error.reason, fieldList: error.fieldList };
  }
  assert.fail('expected the call to fail');
}

const optStatus = async (credentials: Credentials, regionName: string, accountId?: string) =>
  (await account(credentials).send(new GetRegionOptStatusCommand({ RegionName: regionName, AccountId: accountId }))).RegionOptStatus;

describe('default regions', () => {
  test('an account created with default region eu-west-1 is usable in every default region, and its profile uses eu-west-1', async () => {
    const name = unique('ireland');
    const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/accounts', { service: 'organizations', body: { name, defaultRegion: 'eu-west-1' } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const ireland = created.json.account;
    assert.equal(ireland.defaultRegion, 'eu-west-1');
    assert.deepEqual(ireland.regions, ['eu-west-1']);
    assert.deepEqual(ireland.optInRegions, []);

    for (const region of ['us-west-2', 'ap-northeast-1', 'eu-west-1']) {
      const admin = await assume(ts, ts.admin, accessRole(ireland.id), {}, region);
      const identity = await ts.sts(admin, region).send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Account, ireland.id, region);
      await amplify(admin, region).send(new ListAppsCommand({}));
    }
    const config = readFileSync(join(ts.dataDir, 'aws-config'), 'utf8');
    assert.match(config, new RegExp(`\\[profile ${name}\\]\\nregion = eu-west-1\\n`));
  });

  test('the accounts API still takes the earlier regions list: the first is the default region, opt-in ones are enabled', async () => {
    const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/accounts', { service: 'organizations', body: { name: unique('legacy'), regions: ['eu-west-2', 'af-south-1'] } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.deepEqual(created.json.account.regions, ['eu-west-2', 'af-south-1']);
    assert.equal(created.json.account.defaultRegion, 'eu-west-2');
    assert.equal(await optStatus(ts.admin, 'af-south-1', created.json.account.id), 'ENABLED');

    const listed = await signedFetch(ts.url, ts.admin, 'GET', '/_gantry/accounts', { service: 'organizations' });
    const management = listed.json.accounts.find((a: any) => a.isManagement);
    assert.deepEqual(management.regions, ['us-west-2']);

    const nowhere = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/accounts', { service: 'organizations', body: { name: unique('nowhere'), defaultRegion: 'zz-fake-9' } });
    assert.equal(nowhere.status, 400);
    assert.match(nowhere.json.message, /'zz-fake-9' is not an AWS region/);
  });
});

describe('unknown regions', () => {
  test('a request signed for a region that does not exist is refused by every service with the scope error', async () => {
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['sts', () => ts.sts(ts.admin, 'zz-fake-9').send(new GetCallerIdentityCommand({}))],
      ['iam', () => ts.iam(ts.admin, 'zz-fake-9').send(new ListRolesCommand({}))],
      ['amplify', () => amplify(ts.admin, 'zz-fake-9').send(new ListAppsCommand({}))],
      ['account', () => account(ts.admin, 'zz-fake-9').send(new GetRegionOptStatusCommand({ RegionName: 'us-east-1' }))],
    ];
    for (const [service, call] of calls) {
      const error = await errorOf(call());
      assert.equal(error.name, 'SignatureDoesNotMatch', service);
      assert.equal(error.status, 403, service);
      assert.match(error.message, /^Credential should be scoped to a valid region, not 'zz-fake-9'\./, service);
      assert.match(error.message, /us-west-2/, service);
    }
  });
});

describe('opt-in regions', () => {
  test('af-south-1 is refused until enabled, works after EnableRegion, and is refused again after DisableRegion', async () => {
    const cape = await memberAccount(ts);
    const refused = async () => {
      const sts = await errorOf(ts.sts(ts.admin, 'af-south-1').send(new AssumeRoleCommand({ RoleArn: accessRole(cape.id), RoleSessionName: 'cape' })));
      assert.equal(sts.name, 'RegionDisabledException');
      assert.match(sts.message, new RegExp(`^STS is not activated in this region for account:${cape.id}\\.`));
      assert.match(sts.message, /aws account enable-region --region-name af-south-1/);
      const hosting = await errorOf(amplify(cape.admin, 'af-south-1').send(new ListAppsCommand({})));
      assert.equal(hosting.status, 403);
      assert.match(hosting.message, new RegExp(`af-south-1 is an opt-in region that account ${cape.id} has not enabled`));
      assert.match(hosting.message, /aws account enable-region --region-name af-south-1/);
    };

    assert.equal(await optStatus(cape.admin, 'af-south-1'), 'DISABLED');
    await refused();

    // Signed in the very region it enables: Account Management is global, the fix works from where it is needed.
    await account(cape.admin, 'af-south-1').send(new EnableRegionCommand({ RegionName: 'af-south-1' }));
    assert.equal(await optStatus(cape.admin, 'af-south-1'), 'ENABLED');
    const admin = await assume(ts, ts.admin, accessRole(cape.id), {}, 'af-south-1');
    assert.equal((await ts.sts(admin, 'af-south-1').send(new GetCallerIdentityCommand({}))).Account, cape.id);
    await amplify(cape.admin, 'af-south-1').send(new ListAppsCommand({}));

    await account(cape.admin).send(new DisableRegionCommand({ RegionName: 'af-south-1' }));
    assert.equal(await optStatus(cape.admin, 'af-south-1'), 'DISABLED');
    await refused();
  });

  test('an account whose default region is an opt-in region has it enabled from the start', async () => {
    const created = await signedFetch(ts.url, ts.admin, 'POST', '/_gantry/accounts', { service: 'organizations', body: { name: unique('bahrain'), defaultRegion: 'me-south-1' } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const admin = await assume(ts, ts.admin, accessRole(created.json.account.id), {}, 'me-south-1');
    await amplify(admin, 'me-south-1').send(new ListAppsCommand({}));
  });

  test('default regions can be neither disabled nor enabled: ValidationException, invalidRegionOptTarget', async () => {
    const disable = await errorOf(account(ts.admin).send(new DisableRegionCommand({ RegionName: 'us-east-1' })));
    assert.equal(disable.name, 'ValidationException');
    assert.equal(disable.status, 400);
    assert.equal(disable.reason, 'invalidRegionOptTarget');
    assert.match(disable.message, /us-east-1 is enabled by default/);
    const enable = await errorOf(account(ts.admin).send(new EnableRegionCommand({ RegionName: 'eu-west-1' })));
    assert.equal(enable.name, 'ValidationException');
    assert.equal(await optStatus(ts.admin, 'us-east-1'), 'ENABLED_BY_DEFAULT');
  });
});

describe('who manages regions', () => {
  let a: { id: string; admin: Credentials };
  let b: { id: string; admin: Credentials };
  before(async () => {
    a = await memberAccount(ts);
    b = await memberAccount(ts);
  });

  test("the management account manages a member's regions with AccountId", async () => {
    await account(ts.admin).send(new EnableRegionCommand({ AccountId: a.id, RegionName: 'me-central-1' }));
    const enabled = await account(ts.admin).send(new ListRegionsCommand({ AccountId: a.id, RegionOptStatusContains: ['ENABLED'] }));
    assert.deepEqual(enabled.Regions, [{ RegionName: 'me-central-1', RegionOptStatus: 'ENABLED' }]);
    assert.equal(await optStatus(a.admin, 'me-central-1'), 'ENABLED');
    // The management account's own regions are untouched.
    assert.equal(await optStatus(ts.admin, 'me-central-1'), 'DISABLED');
  });

  test("account B cannot enable, disable or read the regions of account A (AccessDeniedException)", async () => {
    for (const command of [
      new EnableRegionCommand({ AccountId: a.id, RegionName: 'ap-east-1' }),
      new DisableRegionCommand({ AccountId: a.id, RegionName: 'me-central-1' }),
      new GetRegionOptStatusCommand({ AccountId: a.id, RegionName: 'ap-east-1' }),
      new ListRegionsCommand({ AccountId: a.id }),
    ]) {
      const error = await errorOf(account(b.admin).send(command as any));
      assert.equal(error.name, 'AccessDeniedException', command.constructor.name);
      assert.equal(error.status, 403);
      assert.match(error.message, /only the management account/);
    }
    assert.equal(await optStatus(a.admin, 'ap-east-1'), 'DISABLED');
    // Naming its own account is the same as naming none.
    assert.equal(await optStatus(b.admin, 'ap-east-1', b.id), 'DISABLED');
    const stranger = await errorOf(account(ts.admin).send(new EnableRegionCommand({ AccountId: '999999999999', RegionName: 'ap-east-1' })));
    assert.equal(stranger.name, 'AccessDeniedException');
    assert.match(stranger.message, /not a member of this organisation/);
  });

  test('IAM policies decide, with account:TargetRegion naming the region', async () => {
    const user = await userWithKey(ts, a.admin, {
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['account:GetRegionOptStatus', 'account:ListRegions'], Resource: '*' },
          { Effect: 'Allow', Action: 'account:EnableRegion', Resource: '*', Condition: { StringEquals: { 'account:TargetRegion': 'ap-south-2' } } },
        ],
      },
    });
    const other = await errorOf(account(user.credentials).send(new EnableRegionCommand({ RegionName: 'il-central-1' })));
    assert.equal(other.name, 'AccessDeniedException');
    assert.match(other.message, new RegExp(`not authorized to perform: account:EnableRegion on resource: arn:aws:account::${a.id}:account`));
    await account(user.credentials).send(new EnableRegionCommand({ RegionName: 'ap-south-2' }));
    assert.equal(await optStatus(user.credentials, 'ap-south-2'), 'ENABLED');
    const disable = await errorOf(account(user.credentials).send(new DisableRegionCommand({ RegionName: 'ap-south-2' })));
    assert.equal(disable.name, 'AccessDeniedException');
  });
});

describe('ListRegions', () => {
  test('lists every region with its status, in region order', async () => {
    const out = await account(ts.admin).send(new ListRegionsCommand({}));
    assert.equal(out.NextToken, undefined);
    assert.deepEqual(out.Regions!.map((r) => r.RegionName), AWS_REGIONS.map((r) => r.name));
    const status = Object.fromEntries(out.Regions!.map((r) => [r.RegionName, r.RegionOptStatus]));
    assert.equal(status['us-east-1'], 'ENABLED_BY_DEFAULT');
    assert.equal(status['ap-northeast-3'], 'ENABLED_BY_DEFAULT');
    assert.equal(status['il-central-1'], 'DISABLED');
    for (const region of out.Regions!) assert.deepEqual(Object.keys(region).sort(), ['RegionName', 'RegionOptStatus']);
    const byDefault = await account(ts.admin).send(new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED_BY_DEFAULT'] }));
    assert.equal(byDefault.Regions!.length, 17);
  });

  test('pages with MaxResults and NextToken, as the SDK paginator follows them', async () => {
    const pages: string[][] = [];
    for await (const page of paginateListRegions({ client: account(ts.admin), pageSize: 5 }, {})) pages.push(page.Regions!.map((r) => r.RegionName!));
    assert.equal(pages.length, Math.ceil(AWS_REGIONS.length / 5));
    for (const page of pages) assert.ok(page.length <= 5 && page.length > 0);
    assert.deepEqual(pages.flat(), AWS_REGIONS.map((r) => r.name));

    const filtered: string[] = [];
    for await (const page of paginateListRegions({ client: account(ts.admin), pageSize: 2 }, { RegionOptStatusContains: ['DISABLED'] })) filtered.push(...page.Regions!.map((r) => r.RegionName!));
    assert.deepEqual(filtered, AWS_REGIONS.filter((r) => r.optIn).map((r) => r.name));

    const foreign = await errorOf(account(ts.admin).send(new ListRegionsCommand({ NextToken: 'not-a-token' })));
    assert.equal(foreign.name, 'ValidationException');
    assert.match(foreign.message, /NextToken/);
  });
});

describe('bad input', () => {
  test('an unknown RegionName, a missing one, or out-of-range values are ValidationExceptions naming the field', async () => {
    const unknown = await errorOf(account(ts.admin).send(new GetRegionOptStatusCommand({ RegionName: 'zz-fake-9' })));
    assert.equal(unknown.name, 'ValidationException');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.reason, 'fieldValidationFailed');
    assert.equal(unknown.fieldList?.[0]?.name, 'RegionName');
    assert.match(unknown.message, /'zz-fake-9' is not an AWS region/);

    const missing = await errorOf(account(ts.admin).send(new EnableRegionCommand({} as any)));
    assert.equal(missing.name, 'ValidationException');
    assert.match(missing.message, /'regionName' failed to satisfy constraint: Member must not be null/);

    for (const MaxResults of [0, 51]) {
      const error = await errorOf(account(ts.admin).send(new ListRegionsCommand({ MaxResults })));
      assert.equal(error.name, 'ValidationException', String(MaxResults));
      assert.equal(error.fieldList?.[0]?.name, 'MaxResults');
    }
    const status = await errorOf(account(ts.admin).send(new ListRegionsCommand({ RegionOptStatusContains: ['SOMETIMES' as any] })));
    assert.equal(status.name, 'ValidationException');
  });

  test('wrong types in a raw request get the same ValidationException body', async () => {
    for (const [path, body, field] of [
      ['/getRegionOptStatus', { RegionName: 5 }, 'RegionName'],
      ['/enableRegion', { RegionName: 'af-south-1', AccountId: 'abc' }, 'AccountId'],
      ['/listRegions', { MaxResults: '5' }, 'MaxResults'],
      ['/listRegions', { RegionOptStatusContains: 'ENABLED' }, 'RegionOptStatusContains'],
    ] as const) {
      const response = await signedFetch(ts.url, ts.admin, 'POST', path, { service: 'account', body });
      assert.equal(response.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(response.json.reason, 'fieldValidationFailed');
      assert.equal(response.json.fieldList[0].name, field);
      assert.equal(typeof response.json.message, 'string');
    }
  });
});
