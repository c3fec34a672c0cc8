import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FunctionScope } from './function-plane.ts';
import type { FunctionTables } from './function-tables.ts';

export type FunctionRow = FunctionTables['lambda_functions'];

/** What a function is, as read back: numbers as numbers (PostgreSQL returns bigint columns as strings). */
export interface StoredFunction {
  account: string;
  region: string;
  name: string;
  codeSha256: string;
  codeSize: number;
  handler: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMB: number;
  version: number;
  revisionId: string;
  lastModified: number;
}

/** Function configurations: one row per account, region and name. */
export class FunctionStore {
  constructor(private readonly db: Kysely<FunctionTables>, private readonly now: () => number = Date.now) {}

  async get(scope: FunctionScope, name: string): Promise<StoredFunction | undefined> {
    const row = await this.db.selectFrom('lambda_functions').selectAll()
      .where('account_id', '=', scope.account).where('region', '=', scope.region).where('name', '=', name).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The scope's functions in name order, after `after`. */
  async list(scope: FunctionScope, options: { after?: string; limit: number }): Promise<StoredFunction[]> {
    let query = this.db.selectFrom('lambda_functions').selectAll().where('account_id', '=', scope.account).where('region', '=', scope.region);
    if (options.after !== undefined) query = query.where('name', '>', options.after);
    return (await query.orderBy('name').limit(options.limit).execute()).map(fromRow);
  }

  /**
   * Creates the function or replaces its configuration, as a new version. The same code and configuration again
   * (a redeploy that changed nothing else) is no change: the version, and its warm workers, stay.
   */
  async put(scope: FunctionScope, values: Pick<StoredFunction, 'name' | 'codeSha256' | 'codeSize' | 'handler' | 'environment' | 'timeoutSeconds' | 'memoryMB'>): Promise<{ fn: StoredFunction; changed: boolean }> {
    const previous = await this.get(scope, values.name);
    if (previous && sameConfiguration(previous, values)) return { fn: previous, changed: false };
    const row: FunctionRow = {
      account_id: scope.account,
      region: scope.region,
      name: values.name,
      code_sha256: values.codeSha256,
      code_size: values.codeSize,
      handler: values.handler,
      environment: JSON.stringify(values.environment),
      timeout_seconds: values.timeoutSeconds,
      memory_mb: values.memoryMB,
      version: (previous?.version ?? 0) + 1,
      revision_id: randomUUID(),
      last_modified: this.now(),
    };
    await this.db.insertInto('lambda_functions').values(row)
      .onConflict((c) => c.columns(['account_id', 'region', 'name']).doUpdateSet({
        code_sha256: row.code_sha256, code_size: row.code_size, handler: row.handler, environment: row.environment,
        timeout_seconds: row.timeout_seconds, memory_mb: row.memory_mb, version: row.version, revision_id: row.revision_id, last_modified: row.last_modified,
      }))
      .execute();
    return { fn: fromRow(row), changed: true };
  }

  async remove(scope: FunctionScope, name: string): Promise<void> {
    await this.db.deleteFrom('lambda_functions').where('account_id', '=', scope.account).where('region', '=', scope.region).where('name', '=', name).execute();
    await this.db.deleteFrom('lambda_invocation_logs').where('account_id', '=', scope.account).where('region', '=', scope.region).where('function_name', '=', name).execute();
  }
}

function sameConfiguration(a: StoredFunction, b: Pick<StoredFunction, 'codeSha256' | 'handler' | 'environment' | 'timeoutSeconds' | 'memoryMB'>): boolean {
  return a.codeSha256 === b.codeSha256 && a.handler === b.handler && a.timeoutSeconds === b.timeoutSeconds && a.memoryMB === b.memoryMB
    && JSON.stringify(Object.entries(a.environment).sort()) === JSON.stringify(Object.entries(b.environment).sort());
}

function fromRow(row: FunctionRow): StoredFunction {
  return {
    account: row.account_id,
    region: row.region,
    name: row.name,
    codeSha256: row.code_sha256,
    codeSize: Number(row.code_size),
    handler: row.handler,
    environment: JSON.parse(row.environment) as Record<string, string>,
    timeoutSeconds: Number(row.timeout_seconds),
    memoryMB: Number(row.memory_mb),
    version: Number(row.version),
    revisionId: row.revision_id,
    lastModified: Number(row.last_modified),
  };
}
