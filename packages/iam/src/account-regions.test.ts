import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GantryError, SecretBox } from '@gantry/core';
import { openStore, type Store } from '@gantry/store';
import { regionOptStatus, regionOptStatuses, setOptInStatus } from './account-regions.ts';
import { Iam } from './iam-service.ts';
import { AWS_REGIONS, isDefaultRegion, isOptInRegion } from './regions.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gantry-regions-'));
const stores: Store[] = [];
after(async () => {
  for (const store of stores) await store.close();
  rmSync(scratch, { recursive: true, force: true });
});

let storesMade = 0;
function freshStore(): Store {
  const store = openStore({ dataDir: mkdtempSync(join(scratch, `store-${++storesMade}-`)) });
  stores.push(store);
  return store;
}

async function freshIam(): Promise<Iam> {
  const store = freshStore();
  const iam = new Iam({ store, box: SecretBox.ephemeral() });
  await store.migrate(Iam.migrations);
  await iam.initialize();
  return iam;
}

describe('the region table', () => {
  test('holds the 17 default and the opt-in regions of the commercial partition, each once, sorted', () => {
    const names = AWS_REGIONS.map((r) => r.name);
    assert.deepEqual(names, [...new Set(names)].sort());
    assert.deepEqual(names.filter(isDefaultRegion), [
      'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1',
      'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    ]);
    for (const name of ['af-south-1', 'ap-east-1', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ca-west-1',
      'eu-south-1', 'eu-south-2', 'eu-central-2', 'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1']) assert.ok(isOptInRegion(name), name);
    assert.equal(isDefaultRegion('zz-fake-9') || isOptInRegion('zz-fake-9'), false);
  });
});

describe('account regions', () => {
  test('an account is created with a default region; every default region is usable, opt-in ones only once enabled', async () => {
    const iam = await freshIam();
    const account = await iam.createAccount({ name: 'ireland', defaultRegion: 'eu-west-1' });
    assert.equal(account.defaultRegion, 'eu-west-1');
    assert.deepEqual(account.regions, ['eu-west-1']);
    assert.deepEqual(account.optInRegions, []);
    for (const region of ['us-west-2', 'ap-northeast-1', 'eu-west-1']) assert.equal(await iam.regions.isEnabled(account.id, region), true, region);
    assert.equal(await iam.regions.isEnabled(account.id, 'af-south-1'), false);
    assert.equal(await iam.regions.isEnabled(account.id, 'zz-fake-9'), false);

    // The cached answer follows the change at once: enabling bumps the IAM generation.
    await setOptInStatus(iam.ctx, account.id, 'af-south-1', 'ENABLED');
    assert.equal(await iam.regions.isEnabled(account.id, 'af-south-1'), true);
    assert.deepEqual((await iam.getAccount(account.id))!.regions, ['eu-west-1', 'af-south-1']);
    await setOptInStatus(iam.ctx, account.id, 'af-south-1', 'DISABLED');
    assert.equal(await iam.regions.isEnabled(account.id, 'af-south-1'), false);
    assert.equal(await regionOptStatus(iam.ctx, account.id, 'af-south-1'), 'DISABLED');
    assert.equal(await regionOptStatus(iam.ctx, account.id, 'us-east-1'), 'ENABLED_BY_DEFAULT');
  });

  test('an opt-in default region, or opt-in regions in the earlier regions list, are enabled with the account', async () => {
    const iam = await freshIam();
    const cape = await iam.createAccount({ name: 'cape', defaultRegion: 'af-south-1' });
    assert.deepEqual([cape.defaultRegion, cape.optInRegions], ['af-south-1', ['af-south-1']]);
    const legacy = await iam.createAccount({ name: 'legacy', regions: ['us-west-2', 'eu-west-1', 'me-south-1'] });
    assert.equal(legacy.defaultRegion, 'us-west-2');
    assert.deepEqual(legacy.regions, ['us-west-2', 'me-south-1']);
    const statuses = await regionOptStatuses(iam.ctx, legacy.id);
    assert.equal(statuses.length, AWS_REGIONS.length);
    assert.deepEqual(statuses.filter((s) => s.status === 'ENABLED').map((s) => s.regionName), ['me-south-1']);
  });

  test('a region that does not exist is refused when creating an account, saying what regions look like', async () => {
    const iam = await freshIam();
    await assert.rejects(iam.createAccount({ name: 'nowhere', defaultRegion: 'zz-fake-9' }), (e: GantryError) =>
      e.code === 'InvalidInput' && /'zz-fake-9' is not an AWS region/.test(e.message) && /us-west-2/.test(e.message));
    await assert.rejects(iam.createAccount({ name: 'nowhere', regions: ['us-west-2', 'mars-north-1'] }), /mars-north-1/);
    assert.equal((await iam.listAccounts()).some((a) => a.name === 'nowhere'), false);
  });
});

describe('the account-regions migration', () => {
  test('a store written by an earlier version keeps its accounts: first listed region as default, listed opt-in regions enabled', async () => {
    const store = freshStore();
    const earlier = Iam.migrations.filter((m) => m.name < 'iam-0003');
    await store.migrate(earlier);
    const created = '2025-01-01T00:00:00.000Z';
    const old = [
      { id: '111111111111', name: 'management', regions: '["us-west-2"]', is_management: 1 },
      { id: '222222222222', name: 'production', regions: '["eu-west-1","us-west-2"]', is_management: 0 },
      { id: '333333333333', name: 'bahrain', regions: '["me-south-1","zz-fake-9","af-south-1"]', is_management: 0 },
      { id: '444444444444', name: 'odd', regions: '["zz-fake-9"]', is_management: 0 },
      { id: '555555555555', name: 'broken', regions: 'not json', is_management: 0 },
    ];
    for (const row of old) await store.db.insertInto('accounts').values({ ...row, name_key: row.name, created_at: created }).execute();

    await store.migrate(Iam.migrations);
    const iam = new Iam({ store, box: SecretBox.ephemeral() });
    const byName = Object.fromEntries((await iam.listAccounts()).map((a) => [a.name, a]));
    assert.deepEqual(Object.keys(byName).sort(), ['bahrain', 'broken', 'management', 'odd', 'production']);
    assert.deepEqual(byName.management!.regions, ['us-west-2']);
    assert.equal(byName.management!.isManagement, true);
    assert.deepEqual(byName.production!.regions, ['eu-west-1']);
    assert.deepEqual([byName.bahrain!.defaultRegion, byName.bahrain!.optInRegions], ['me-south-1', ['af-south-1', 'me-south-1']]);
    assert.equal(byName.odd!.defaultRegion, 'us-west-2');
    assert.equal(byName.broken!.defaultRegion, 'us-west-2');
    assert.equal(await iam.regions.isEnabled('333333333333', 'af-south-1'), true);
    const columns = (await store.db.introspection.getTables()).find((t) => t.name === 'accounts')!.columns.map((c) => c.name);
    assert.equal(columns.includes('regions'), false);
    // Migrating again is a no-op.
    await store.migrate(Iam.migrations);
  });
});
