import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SecretBox } from '@gantry/core';
import { openStore, type Store } from '@gantry/store';
import { Iam } from './iam-service.ts';
import type { ServicePrincipal } from './principal.ts';
import { createRole } from './roles.ts';
import { assumeRole } from './sts.ts';

const runner: ServicePrincipal = { kind: 'service', service: 'codecatalyst-runner.amazonaws.com' };
let dir: string;
let store: Store;
let iam: Iam;
let account: string;
let roleArn: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gantry-audit-'));
  store = openStore({ dataDir: dir });
  // A clock that never moves: every event lands in the same millisecond.
  const frozen = new Date('2025-03-01T12:00:00.000Z');
  iam = new Iam({ store, box: SecretBox.ephemeral(), now: () => frozen });
  await store.migrate(Iam.migrations);
  await iam.initialize();
  account = (await iam.createAccount({ name: 'audited' })).id;
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: runner.service }, Action: 'sts:AssumeRole' }] });
  roleArn = (await createRole(iam.ctx, account, { name: 'runner', trustPolicy: trust })).arn;
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('events of the same millisecond still list newest first, across pages', async () => {
  const names = ['s-1', 's-2', 's-3', 's-4', 's-5'];
  for (const name of names) await assumeRole(iam.ctx, iam.authorizer, runner, { roleArn, roleSessionName: name });
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await iam.lookupEvents({ account, roleArn, maxResults: 2, nextToken });
    seen.push(...page.events.map((e) => String(e.record.requestParameters!.roleSessionName)));
    nextToken = page.nextToken;
  } while (nextToken);
  assert.deepEqual(seen, [...names].reverse());
});

test('a call refused before authorisation (an invalid session name) is recorded with its error code', async () => {
  await assert.rejects(assumeRole(iam.ctx, iam.authorizer, runner, { roleArn, roleSessionName: 'bad name!' }), { code: 'ValidationError' });
  const { events } = await iam.lookupEvents({ account, roleArn, maxResults: 1 });
  assert.equal(events[0]!.errorCode, 'ValidationError');
  assert.equal(events[0]!.record.requestParameters!.roleSessionName, 'bad name!');
  assert.equal(events[0]!.record.responseElements, null);
});

test('another account\'s trail is empty, and a malformed role ARN lands in no account', async () => {
  const other = (await iam.createAccount({ name: 'elsewhere' })).id;
  await assert.rejects(assumeRole(iam.ctx, iam.authorizer, runner, { roleArn: 'not-an-arn', roleSessionName: 'x1' }));
  assert.deepEqual((await iam.lookupEvents({ account: other })).events, []);
  const count = await store.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('resource_arn', 'is', null).executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 0);
});
