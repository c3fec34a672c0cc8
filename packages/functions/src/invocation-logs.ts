import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { FunctionScope } from './function-plane.ts';
import type { FunctionTables } from './function-tables.ts';

/** How many invocations' logs each function keeps. */
export const KEPT_INVOCATIONS = 1000;
const PRUNE_EVERY = 50;

/** One invocation's log, START to REPORT, as CloudWatch Logs shows it in the function's log group. */
export interface InvocationLog {
  requestId: string;
  startedAt: number;
  text: string;
}

/**
 * The logs of every function's invocations, one row each, and a live feed of new ones for followers in this
 * process (a second server replica's followers see them on their next read).
 */
export class InvocationLogs {
  readonly #feed = new EventEmitter();
  #appended = 0;

  constructor(private readonly db: Kysely<FunctionTables>) {
    this.#feed.setMaxListeners(0);
  }

  async append(scope: FunctionScope, name: string, log: InvocationLog): Promise<void> {
    await this.db.insertInto('lambda_invocation_logs').values({
      account_id: scope.account, region: scope.region, function_name: name, request_id: log.requestId, started_at: log.startedAt, text: log.text,
    }).execute();
    this.#feed.emit(feedKey(scope, name), log);
    // Only the latest invocations are kept; pruning now and then keeps that cheap.
    if (++this.#appended % PRUNE_EVERY === 0) await this.#prune(scope, name);
  }

  async #prune(scope: FunctionScope, name: string): Promise<void> {
    const oldestKept = await this.db.selectFrom('lambda_invocation_logs').select('started_at')
      .where('account_id', '=', scope.account).where('region', '=', scope.region).where('function_name', '=', name)
      .orderBy('started_at', 'desc').limit(1).offset(KEPT_INVOCATIONS - 1).executeTakeFirst();
    if (!oldestKept) return;
    await this.db.deleteFrom('lambda_invocation_logs')
      .where('account_id', '=', scope.account).where('region', '=', scope.region).where('function_name', '=', name)
      .where('started_at', '<', oldestKept.started_at).execute();
  }

  /** The most recent invocations' logs (at most `limit`), oldest first, started at or after `since`. */
  async recent(scope: FunctionScope, name: string, options: { since?: number; limit: number }): Promise<InvocationLog[]> {
    let query = this.db.selectFrom('lambda_invocation_logs').select(['request_id', 'started_at', 'text'])
      .where('account_id', '=', scope.account).where('region', '=', scope.region).where('function_name', '=', name);
    if (options.since !== undefined) query = query.where('started_at', '>=', options.since);
    const rows = await query.orderBy('started_at', 'desc').orderBy('request_id', 'desc').limit(options.limit).execute();
    return rows.reverse().map((row) => ({ requestId: row.request_id, startedAt: Number(row.started_at), text: row.text }));
  }

  /** Calls `listener` with each new invocation log of the function; returns how to stop. */
  follow(scope: FunctionScope, name: string, listener: (log: InvocationLog) => void): () => void {
    const key = feedKey(scope, name);
    this.#feed.on(key, listener);
    return () => this.#feed.off(key, listener);
  }
}

const feedKey = (scope: FunctionScope, name: string) => `${scope.account}/${scope.region}/${name}`;
