import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { GantryError, SecretBox } from '@gantry/core';
import { accountManagementOperations, Iam, type CallContext } from '@gantry/iam';
import { openStore, type Store } from '@gantry/store';
import { authenticate } from './authenticate.ts';
import type { SignedRequest } from './sigv4-request.ts';

let dir: string;
let store: Store;
let iam: Iam;
let admin: { accessKeyId: string; secretAccessKey: string };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gantry-region-scope-'));
  store = openStore({ dataDir: dir });
  iam = new Iam({ store, box: SecretBox.ephemeral() });
  await store.migrate(Iam.migrations);
  const init = (await iam.initialize())!;
  admin = { accessKeyId: init.accessKeyId, secretAccessKey: init.secretAccessKey };
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A request signed the way the SDKs sign it, for one region and service. */
async function signed(region: string, service: string, credentials = admin): Promise<SignedRequest> {
  const body = '{}';
  const signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256') });
  const request = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4750, path: '/listRegions', query: {},
    headers: { host: '127.0.0.1:4750', 'content-type': 'application/json' }, body,
  });
  return {
    method: 'POST', path: '/listRegions', query: '',
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(body),
  };
}

async function codeOf(request: Promise<unknown>): Promise<string> {
  try {
    await request;
    return 'OK';
  } catch (error) {
    assert.ok(error instanceof GantryError, String(error));
    return error.code;
  }
}

test('a scope naming no region is SignatureDoesNotMatch in AWS words, but an unknown key is still reported first', async () => {
  await assert.rejects(authenticate(iam, await signed('zz-fake-9', 'amplify')), (e: GantryError) =>
    e.code === 'SignatureDoesNotMatch' && e.status === 403 && e.message.startsWith("Credential should be scoped to a valid region, not 'zz-fake-9'."));
  const stranger = { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) };
  assert.equal(await codeOf(authenticate(iam, await signed('zz-fake-9', 'amplify', stranger))), 'InvalidClientTokenId');
});

test('an opt-in region the account has not enabled is refused for regional services only, and follows enabling at once', async () => {
  assert.equal(await codeOf(authenticate(iam, await signed('eu-west-1', 'amplify'))), 'OK');
  assert.equal(await codeOf(authenticate(iam, await signed('af-south-1', 'amplify'))), 'InvalidClientTokenId');
  // Global services and STS (which checks the account it issues credentials for) are not refused here.
  for (const service of ['iam', 'account', 'organizations', 'codecatalyst', 'sts'])
    assert.equal(await codeOf(authenticate(iam, await signed('af-south-1', service))), 'OK', service);

  const operations = accountManagementOperations(iam);
  const call: CallContext = { principal: (await iam.credentials.resolve(admin.accessKeyId))!.principal, region: 'us-west-2', requestContext: {}, requestId: 'test' };
  await operations.EnableRegion.run({ RegionName: 'af-south-1' }, call);
  assert.equal(await codeOf(authenticate(iam, await signed('af-south-1', 'amplify'))), 'OK');
  await operations.DisableRegion.run({ RegionName: 'af-south-1' }, call);
  assert.equal(await codeOf(authenticate(iam, await signed('af-south-1', 'amplify'))), 'InvalidClientTokenId');
});
