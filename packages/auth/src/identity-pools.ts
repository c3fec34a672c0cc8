import type { JsonService } from '@gantry/edge';
import type { Iam } from '@gantry/iam';
import type { Migration } from '@gantry/store';
import type { Kysely } from 'kysely';
import { identityPoolDeployer } from './identity-pool-deployer.ts';
import { IdentityPoolStore } from './identity-pool-store.ts';
import { identityPoolMigrations } from './identity-pool-tables.ts';
import { identityPoolsJsonService } from './identity-pools-api.ts';
import type { UserPoolsService } from './index.ts';

export interface IdentityPoolsService {
  migrations: Migration[];
  /** `AWSCognitoIdentityService.*` for the edge's `jsonServices`. */
  jsonService: JsonService;
  /** Makes the identity pools backends' `defineAuth` comes with (the deploy engine's identity pool plane). */
  deployer: ReturnType<typeof identityPoolDeployer>;
}

/** Cognito-compatible identity pools over the server's user pools, handing out IAM role sessions. */
export function createIdentityPoolsService(options: { db: Kysely<any>; iam: Iam; userPools: Pick<UserPoolsService, 'pools'>; now?: () => number }): IdentityPoolsService {
  const store = new IdentityPoolStore(options.db, options.now);
  return {
    migrations: identityPoolMigrations,
    jsonService: identityPoolsJsonService(store, options.userPools.pools, options.iam),
    deployer: identityPoolDeployer(store, options.userPools.pools, options.iam),
  };
}
