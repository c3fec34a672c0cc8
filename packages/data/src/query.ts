/**
 * Reading pages of items: a scan in insertion order (`list<M>s` without a key), or a query over one
 * partition of the primary key, a secondary index or a relationship, sorted by its sort key(s). Filters are
 * evaluated in JS; `limit` counts matching items (at most `limit` are returned and `nextToken` is only set
 * when another matching item exists), so paging until `nextToken` is null sees every match exactly once.
 *
 * `nextToken` is opaque to clients: base64url JSON of where the page stopped (the last item's insertion
 * sequence and sort-key value) and which query it belongs to. Deleting or adding items between pages does
 * not make a page skip or repeat the items that remain.
 */
import { compareScalars, matchesFilter, matchesKeyCondition, type Filter } from './filter.ts';
import { dynamoValidation } from './errors.ts';
import type { ItemOps, StoredItem } from './storage/item-store.ts';

export type Direction = 'ASC' | 'DESC';

export interface QuerySpec {
  model: string;
  /** Attribute equalities selecting the partition (primary, index or relationship key values). */
  equals?: Array<[field: string, value: unknown]>;
  /** `equals` is exactly the model's primary partition key: use the indexed partition column. */
  primaryPartition?: string;
  /** Sort-key fields; items are ordered by them (a composite key as `a#b` strings). Empty: insertion order. */
  sortKeys: string[];
  /** Condition on the sort key (`ModelStringKeyConditionInput`, or a composite one with object operands). */
  keyCondition?: Record<string, unknown> | null;
  direction?: Direction | null;
  filter?: Filter | null;
  limit: number;
  nextToken?: string | null;
  /** Ties a token to the query that produced it (e.g. the field name). */
  scope: string;
}

export interface Page {
  items: Array<Record<string, unknown>>;
  nextToken: string | null;
}

interface Cursor {
  q: string;
  s: number;
  v?: unknown;
}

const SCAN_BATCH = 500;

function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeToken(token: string, scope: string): Cursor {
  let cursor: Cursor | undefined;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
  } catch {
    cursor = undefined;
  }
  if (!cursor || typeof cursor !== 'object' || typeof cursor.s !== 'number' || cursor.q !== scope) {
    throw dynamoValidation('Invalid nextToken: pass the nextToken returned by the previous page of the same query unchanged');
  }
  return cursor;
}

/** The value an item sorts by: the single sort key's value, or the composite `a#b#c` string. */
export function sortValueOf(doc: Record<string, unknown>, sortKeys: string[]): unknown {
  if (sortKeys.length === 1) return doc[sortKeys[0]!];
  const parts: string[] = [];
  for (const key of sortKeys) {
    const v = doc[key];
    if (v === undefined || v === null) return undefined;
    parts.push(String(v));
  }
  return parts.join('#');
}

/** A composite key condition operand `{ status: 'a', date: 'b' }` → `'a#b'` (the leading fields given). */
export function compositeOperand(operand: unknown, sortKeys: string[]): unknown {
  if (operand === null || typeof operand !== 'object' || Array.isArray(operand)) return operand;
  const parts: string[] = [];
  for (const key of sortKeys) {
    const v = (operand as Record<string, unknown>)[key];
    if (v === undefined || v === null) break;
    parts.push(String(v));
  }
  return parts.join('#');
}

function normaliseKeyCondition(condition: Record<string, unknown>, sortKeys: string[]): Record<string, unknown> {
  if (sortKeys.length < 2) return condition;
  const out: Record<string, unknown> = {};
  for (const [op, operand] of Object.entries(condition)) {
    if (operand === undefined || operand === null) continue;
    out[op] = op === 'between' && Array.isArray(operand) ? operand.map((o) => compositeOperand(o, sortKeys)) : compositeOperand(operand, sortKeys);
  }
  return out;
}

function compareSortValues(a: unknown, b: unknown): number {
  const c = compareScalars(a, b);
  if (c !== undefined) return c;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function clampLimit(limit: number | null | undefined, options: { defaultLimit: number; maxLimit: number }): number {
  if (limit === null || limit === undefined) return options.defaultLimit;
  if (!Number.isInteger(limit) || limit < 1) {
    throw dynamoValidation(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  }
  return Math.min(limit, options.maxLimit);
}

export async function runQuery(ops: ItemOps, spec: QuerySpec): Promise<Page> {
  const cursor = spec.nextToken ? decodeToken(spec.nextToken, spec.scope) : undefined;
  const equals = spec.equals ?? [];
  const wanted = spec.limit + 1;
  const matched: StoredItem[] = [];

  if (equals.length === 0 && spec.sortKeys.length === 0) {
    // A scan in insertion order, in batches, stopping as soon as one match beyond the page is seen.
    let after = cursor?.s ?? 0;
    // Without a filter every item matches: read just the page (plus one to know whether another follows).
    const batchSize = spec.filter ? SCAN_BATCH : wanted;
    for (;;) {
      const batch = await ops.scanBatch(spec.model, after, batchSize);
      for (const item of batch) {
        if (matchesFilter(item.doc, spec.filter)) {
          matched.push(item);
          if (matched.length === wanted) break;
        }
      }
      if (matched.length === wanted || batch.length < batchSize) break;
      after = batch[batch.length - 1]!.seq;
    }
    return finish(matched, spec, (item) => ({ q: spec.scope, s: item.seq }));
  }

  // A query: gather the partition, keep the items in the (sparse) index, order them, resume after the cursor.
  let candidates: StoredItem[];
  if (spec.primaryPartition !== undefined) {
    candidates = await ops.partition(spec.model, spec.primaryPartition);
  } else {
    candidates = [];
    let after = 0;
    for (;;) {
      const batch = await ops.scanBatch(spec.model, after, SCAN_BATCH);
      for (const item of batch) if (equals.every(([f, v]) => item.doc[f] === v)) candidates.push(item);
      if (batch.length < SCAN_BATCH) break;
      after = batch[batch.length - 1]!.seq;
    }
  }
  const keyCondition = spec.keyCondition ? normaliseKeyCondition(spec.keyCondition, spec.sortKeys) : null;
  const entries = candidates
    .map((item) => ({ item, sort: spec.sortKeys.length ? sortValueOf(item.doc, spec.sortKeys) : item.seq }))
    .filter((e) => e.sort !== undefined && e.sort !== null && (!keyCondition || matchesKeyCondition(e.sort, keyCondition)));
  const sign = spec.direction === 'DESC' ? -1 : 1;
  const order = (a: { sort: unknown; item: StoredItem }, b: { sort: unknown; item: StoredItem }): number =>
    sign * (compareSortValues(a.sort, b.sort) || a.item.seq - b.item.seq);
  entries.sort(order);
  let start = 0;
  if (cursor) {
    const anchor = { sort: spec.sortKeys.length ? cursor.v : cursor.s, item: { seq: cursor.s, doc: {} } };
    while (start < entries.length && order(entries[start]!, anchor) <= 0) start++;
  }
  const sortOf = new Map<StoredItem, unknown>();
  for (let i = start; i < entries.length && matched.length < wanted; i++) {
    const entry = entries[i]!;
    if (matchesFilter(entry.item.doc, spec.filter)) {
      matched.push(entry.item);
      sortOf.set(entry.item, entry.sort);
    }
  }
  return finish(matched, spec, (item) => ({ q: spec.scope, s: item.seq, ...(spec.sortKeys.length ? { v: sortOf.get(item) } : {}) }));
}

function finish(matched: StoredItem[], spec: QuerySpec, cursorOf: (item: StoredItem) => Cursor): Page {
  const page = matched.slice(0, spec.limit);
  const more = matched.length > spec.limit;
  return { items: page.map((i) => i.doc), nextToken: more && page.length > 0 ? encodeToken(cursorOf(page[page.length - 1]!)) : null };
}
