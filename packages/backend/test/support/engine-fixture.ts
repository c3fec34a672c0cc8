import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '@gantry/core';
import { Iam } from '@gantry/iam';
import { openSqliteStore, type Store } from '@gantry/store';
import { createBackendService, toStackName, type BackendIdentifier, type BackendService, type DataPlane, type ResourceProvider, type StackRef } from '../../src/index.ts';
import type { DeploymentRow } from '../../src/stacks/deployment-store.ts';
import type { BackendDb } from '../../src/stacks/stack-store.ts';
import { StandInDataPlane } from './stand-in-data-plane.ts';

export interface EngineFixture {
  store: Store;
  service: BackendService;
  /** The stand-in, unless the fixture was given another data plane. */
  dataPlane: StandInDataPlane;
  /** Moves the engine's clock. */
  clock: { now: Date };
  stop(): Promise<void>;
}

/** A backend service on a fresh SQLite file, without HTTP: for engine tests. */
export async function engineFixture(options: { providers?: (defaults: ResourceProvider[]) => ResourceProvider[]; dataPlane?: DataPlane } = {}): Promise<EngineFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-backend-'));
  const store = openSqliteStore(join(dir, 'gantry.db'));
  const dataPlane = new StandInDataPlane();
  const clock = { now: new Date('2025-01-01T00:00:00Z') };
  const iam = new Iam({ store, box: SecretBox.ephemeral() });
  const service = createBackendService({ store, iam, dataPlane: options.dataPlane ?? dataPlane, dataBaseUrl: 'https://gantry.test', now: () => clock.now, providers: options.providers });
  await store.migrate([...Iam.migrations, ...service.migrations]);
  return {
    store, service, dataPlane, clock,
    async stop() {
      await service.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A fresh branch backend in account 111111111111, us-east-1. */
export function newBackend(): { backendId: BackendIdentifier; ref: StackRef } {
  const backendId: BackendIdentifier = { namespace: `d${process.pid}x${++counter}`, name: 'main', type: 'branch' };
  return { backendId, ref: { account: '111111111111', region: 'us-east-1', stackName: toStackName(backendId) } };
}

export async function finished(f: EngineFixture, row: DeploymentRow): Promise<DeploymentRow> {
  await f.service.deployer.idle();
  return (f.store.db as BackendDb).selectFrom('backend_deployments').selectAll().where('deployment_id', '=', row.deployment_id).executeTakeFirstOrThrow();
}
