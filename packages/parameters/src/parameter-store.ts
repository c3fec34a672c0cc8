import { GantryError, type SecretBox } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import type { Kysely } from 'kysely';
import { LIMITS } from './parameter-names.ts';
import type { ParameterTables } from './parameter-tables.ts';

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];
export type ParameterRow = ParameterTables['ssm_parameters'];

/** Where parameters live: each account and region has its own. */
export interface ParameterScope {
  account: string;
  region: string;
}

export interface PutArgs {
  name: string;
  value: string;
  /** Required for a new parameter; an overwrite keeps the type when it is omitted. */
  type?: ParameterType;
  description?: string;
  tier?: 'Standard' | 'Advanced';
  overwrite: boolean;
  modifiedBy: string;
}

/** Parameters: versioned values, SecureStrings sealed at rest, opened only for callers that ask to decrypt. */
export class ParameterStore {
  private readonly db: Kysely<ParameterTables>;

  constructor(db: Kysely<any>, private readonly box: SecretBox, private readonly now: () => number = Date.now) {
    this.db = db as Kysely<ParameterTables>;
  }

  async put(scope: ParameterScope, args: PutArgs): Promise<{ version: number; tier: string }> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.current(scope, args.name);
      if (current && !args.overwrite) {
        throw new GantryError('ParameterAlreadyExists', `The parameter ${args.name} already exists: pass Overwrite (--overwrite) to store a new version of it.`);
      }
      const type = args.type ?? (current?.type as ParameterType | undefined);
      if (!type) throw new GantryError('ValidationException', `Type is required for a new parameter: String, StringList or SecureString.`);
      const tier = args.tier ?? (Buffer.byteLength(args.value) > LIMITS.standardValueBytes ? 'Advanced' : current?.tier ?? 'Standard');
      const limit = tier === 'Advanced' ? LIMITS.advancedValueBytes : LIMITS.standardValueBytes;
      if (Buffer.byteLength(args.value) > limit) {
        throw new GantryError('ValidationException', `The value of ${args.name} is ${Buffer.byteLength(args.value)} bytes; a ${tier} parameter holds at most ${limit} (Advanced: ${LIMITS.advancedValueBytes}).`);
      }
      const row: ParameterRow = {
        account_id: scope.account, region: scope.region, name: args.name, version: (current?.version ?? 0) + 1, type,
        value: type === 'SecureString' ? this.box.seal(args.value) : args.value,
        description: args.description ?? current?.description ?? '', tier, modified_at: this.now(), modified_by: args.modifiedBy,
      };
      try {
        await this.db.insertInto('ssm_parameters').values(row).execute();
      } catch (error) {
        // Another writer took this version number: look again (it may now exist for a non-overwrite).
        if (isUniqueViolation(error) && attempt < 5) continue;
        throw error;
      }
      // Parameter Store keeps the last 100 versions.
      await this.db.deleteFrom('ssm_parameters').where('account_id', '=', scope.account).where('region', '=', scope.region)
        .where('name', '=', args.name).where('version', '<=', row.version - LIMITS.versionsKept).execute();
      return { version: row.version, tier };
    }
  }

  /** The newest version, or the one asked for; undefined when there is none. */
  async get(scope: ParameterScope, name: string, version?: number): Promise<ParameterRow | undefined> {
    if (version === undefined) return this.current(scope, name);
    return this.db.selectFrom('ssm_parameters').selectAll().where('account_id', '=', scope.account).where('region', '=', scope.region)
      .where('name', '=', name).where('version', '=', version).executeTakeFirst();
  }

  /**
   * The newest version of each parameter under `path` (ending in `/`), in name order, after `after`: its direct
   * children, or every level below with `recursive`.
   */
  async underPath(scope: ParameterScope, path: string, options: { recursive: boolean; after?: string; limit: number }): Promise<ParameterRow[]> {
    const found: ParameterRow[] = [];
    let after = options.after;
    // Non-recursive listings skip deeper names, so a page may need more than one read.
    while (found.length < options.limit) {
      let query = this.db.selectFrom('ssm_parameters').selectAll().where('account_id', '=', scope.account).where('region', '=', scope.region)
        .where('name', '>=', path).where('name', '<', `${path}\uffff`);
      if (after !== undefined) query = query.where('name', '>', after);
      const rows = await query.orderBy('name').orderBy('version', 'desc').limit(500).execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        if (row.name === after) continue; // an older version of the name just taken
        after = row.name;
        if (!options.recursive && row.name.slice(path.length).includes('/')) continue;
        found.push(row);
        if (found.length === options.limit) break;
      }
      if (rows.length < 500) break;
    }
    return found;
  }

  /** The newest version of every parameter of the scope, in name order, after `after`. */
  async list(scope: ParameterScope, options: { after?: string; limit: number }): Promise<ParameterRow[]> {
    let query = this.db.selectFrom('ssm_parameters').selectAll().where('account_id', '=', scope.account).where('region', '=', scope.region);
    if (options.after !== undefined) query = query.where('name', '>', options.after);
    const rows = await query.orderBy('name').orderBy('version', 'desc').limit(options.limit * LIMITS.versionsKept).execute();
    const newest: ParameterRow[] = [];
    for (const row of rows) if (newest.at(-1)?.name !== row.name && newest.length < options.limit) newest.push(row);
    return newest;
  }

  /** Deletes every version; false when there was no such parameter. */
  async delete(scope: ParameterScope, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('ssm_parameters').where('account_id', '=', scope.account).where('region', '=', scope.region).where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The value in the clear (a SecureString opened). */
  reveal(row: ParameterRow): string {
    return row.type === 'SecureString' ? this.box.open(row.value) : row.value;
  }

  /**
   * The decrypted values of the parameters under `path` (every level), by name: for a service acting for the
   * account (a hosting build reading its app's secrets), not for API callers.
   */
  async readTree(scope: ParameterScope, path: string): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    let after: string | undefined;
    for (;;) {
      const page = await this.underPath(scope, path, { recursive: true, after, limit: 100 });
      for (const row of page) values.set(row.name, this.reveal(row));
      if (page.length < 100) return values;
      after = page.at(-1)!.name;
    }
  }

  private current(scope: ParameterScope, name: string): Promise<ParameterRow | undefined> {
    return this.db.selectFrom('ssm_parameters').selectAll().where('account_id', '=', scope.account).where('region', '=', scope.region)
      .where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
  }
}
