import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '@gantry/store';
import type { Kysely } from 'kysely';
import type { IdentityPoolTables } from './identity-pool-tables.ts';

export type IdentityPoolRow = IdentityPoolTables['cognito_identity_pools'];
export type IdentityRow = IdentityPoolTables['cognito_identities'];

/** A user pool an identity pool accepts id tokens of (`CognitoIdentityProviders[]`). */
export interface IdentityProvider {
  /** `<issuer without scheme>`, e.g. `cognito-idp.us-west-2.amazonaws.com/us-west-2_abc` or `<host>/cognito-idp/<poolId>`. */
  ProviderName: string;
  /** The app client whose id tokens are accepted (their `aud`). */
  ClientId: string;
  ServerSideTokenCheck?: boolean;
}

export interface IdentityPoolRoles {
  authenticated?: string;
  unauthenticated?: string;
}

/** The user pool id a provider name ends with (`…/us-west-2_abc`). */
export const providerUserPoolId = (providerName: string): string => providerName.slice(providerName.lastIndexOf('/') + 1);

/** Identity pools and their identities, in the Gantry store. */
export class IdentityPoolStore {
  constructor(private readonly db: Kysely<IdentityPoolTables>, readonly now: () => number = Date.now) {}

  async create(scope: { account: string; region: string }, args: { name: string; allowUnauthenticated: boolean; providers: IdentityProvider[] }): Promise<IdentityPoolRow> {
    const row: IdentityPoolRow = {
      id: `${scope.region}:${randomUUID()}`, account_id: scope.account, region: scope.region, name: args.name,
      allow_unauthenticated: args.allowUnauthenticated ? 1 : 0, providers: JSON.stringify(args.providers), roles: '{}', created_at: this.now(),
    };
    await this.db.insertInto('cognito_identity_pools').values(row).execute();
    return row;
  }

  pool(id: string): Promise<IdentityPoolRow | undefined> {
    return this.db.selectFrom('cognito_identity_pools').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(scope: { account: string; region: string }, after: string | undefined, limit: number): Promise<IdentityPoolRow[]> {
    let query = this.db.selectFrom('cognito_identity_pools').selectAll().where('account_id', '=', scope.account).where('region', '=', scope.region);
    if (after !== undefined) query = query.where('id', '>', after);
    return query.orderBy('id').limit(limit).execute();
  }

  async update(id: string, changes: { name?: string; allowUnauthenticated?: boolean; providers?: IdentityProvider[]; roles?: IdentityPoolRoles }): Promise<void> {
    await this.db.updateTable('cognito_identity_pools').set({
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.allowUnauthenticated !== undefined && { allow_unauthenticated: changes.allowUnauthenticated ? 1 : 0 }),
      ...(changes.providers !== undefined && { providers: JSON.stringify(changes.providers) }),
      ...(changes.roles !== undefined && { roles: JSON.stringify(changes.roles) }),
    }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('cognito_identities').where('pool_id', '=', id).execute();
    await this.db.deleteFrom('cognito_identity_pools').where('id', '=', id).execute();
  }

  identity(id: string): Promise<IdentityRow | undefined> {
    return this.db.selectFrom('cognito_identities').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The identity of a login, made on first use; concurrent first uses agree on one. */
  async identityOfLogin(pool: IdentityPoolRow, login: string): Promise<IdentityRow> {
    const existing = await this.db.selectFrom('cognito_identities').selectAll().where('pool_id', '=', pool.id).where('login', '=', login).executeTakeFirst();
    if (existing) return existing;
    try {
      return await this.newIdentity(pool, login);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.db.selectFrom('cognito_identities').selectAll().where('pool_id', '=', pool.id).where('login', '=', login).executeTakeFirstOrThrow());
    }
  }

  /** A new identity: a guest's (login null) or a login's. */
  async newIdentity(pool: IdentityPoolRow, login: string | null): Promise<IdentityRow> {
    const now = this.now();
    const row: IdentityRow = { id: `${pool.region}:${randomUUID()}`, pool_id: pool.id, login, created_at: now, modified_at: now };
    await this.db.insertInto('cognito_identities').values(row).execute();
    return row;
  }

  /** Links a guest identity to a login (the guest signed in). False when the login already has an identity. */
  async link(identity: IdentityRow, login: string): Promise<boolean> {
    try {
      const result = await this.db.updateTable('cognito_identities').set({ login, modified_at: this.now() }).where('id', '=', identity.id).where('login', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
