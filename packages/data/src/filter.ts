/**
 * Evaluates `Model<M>FilterInput`, `Model<M>ConditionInput` and `ModelSubscription<M>FilterInput` values
 * against an item with DynamoDB's semantics, which is what AppSync's generated resolvers turn them into
 * (`$util.transform.toDynamoDBFilterExpression` / `toDynamoDBConditionExpression`):
 *
 * - a missing attribute fails every comparison and function except `ne`, `notContains` and
 *   `attributeExists: false`;
 * - comparisons need both sides of the same type (strings compare by code point, numbers numerically);
 * - `contains` is a substring test on strings and a membership test on lists;
 * - `size` is the length of a string (UTF-8 bytes), list or map;
 * - several operators on one field, and several fields, are ANDed; `and`, `or`, `not` combine filters.
 *
 * The subscription filter operators `in` and `notIn` are supported too, so the realtime layer can reuse this.
 */
import { dynamoValidation } from './errors.ts';

export type Filter = Record<string, unknown>;
type Item = Record<string, unknown>;

export type AttributeType = 'string' | 'number' | 'bool' | 'list' | 'map' | '_null' | 'binary' | 'binarySet' | 'numberSet' | 'stringSet';

export function attributeTypeOf(value: unknown): AttributeType | undefined {
  if (value === undefined) return undefined;
  if (value === null) return '_null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  return 'map';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => deepEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Item)[k], (b as Item)[k]));
}

/** -1/0/1 when both values are strings or both numbers; undefined when DynamoDB would not compare them. */
export function compareScalars(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

function containsValue(attr: unknown, operand: unknown): boolean {
  if (typeof attr === 'string') return typeof operand === 'string' && attr.includes(operand);
  if (Array.isArray(attr)) return attr.some((v) => deepEqual(v, operand));
  return false;
}

function betweenBounds(operand: unknown): [unknown, unknown] {
  if (!Array.isArray(operand) || operand.length !== 2) {
    throw dynamoValidation(`Invalid FilterExpression: The BETWEEN operator requires exactly two values, got ${Array.isArray(operand) ? operand.length : 'none'}`);
  }
  return [operand[0], operand[1]];
}

/** One field's operators (`{ eq: 'x', beginsWith: 'y' }`) against the attribute's value (undefined = missing). */
export function matchesOperators(attr: unknown, operators: Record<string, unknown>): boolean {
  for (const [op, operand] of Object.entries(operators)) {
    if (operand === undefined) continue;
    let ok: boolean;
    switch (op) {
      case 'eq':
        ok = attr !== undefined && deepEqual(attr, operand);
        break;
      case 'ne':
        ok = attr === undefined || !deepEqual(attr, operand);
        break;
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le': {
        const c = compareScalars(attr, operand);
        ok = c !== undefined && (op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0);
        break;
      }
      case 'between': {
        const [low, high] = betweenBounds(operand);
        const a = compareScalars(attr, low);
        const b = compareScalars(attr, high);
        ok = a !== undefined && b !== undefined && a >= 0 && b <= 0;
        break;
      }
      case 'contains':
        ok = containsValue(attr, operand);
        break;
      case 'notContains':
        ok = !containsValue(attr, operand);
        break;
      case 'beginsWith':
        ok = typeof attr === 'string' && typeof operand === 'string' && attr.startsWith(operand);
        break;
      case 'attributeExists':
        ok = operand === null ? true : operand ? attr !== undefined : attr === undefined;
        break;
      case 'attributeType':
        ok = attributeTypeOf(attr) === operand;
        break;
      case 'size': {
        const size = sizeOf(attr);
        ok = size !== undefined && (operand === null || matchesOperators(size, operand as Record<string, unknown>));
        break;
      }
      case 'in':
        ok = Array.isArray(operand) && attr !== undefined && operand.some((v) => deepEqual(attr, v));
        break;
      case 'notIn':
        ok = !Array.isArray(operand) || attr === undefined || !operand.some((v) => deepEqual(attr, v));
        break;
      default:
        throw dynamoValidation(`Invalid FilterExpression: unsupported operator ${op}`);
    }
    if (!ok) return false;
  }
  return true;
}

/** Does `item` satisfy `filter`? A null or empty filter matches everything. */
export function matchesFilter(item: Item, filter: Filter | null | undefined): boolean {
  if (!filter) return true;
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null) continue;
    if (key === 'and') {
      if (!(value as Array<Filter | null>).every((f) => matchesFilter(item, f))) return false;
    } else if (key === 'or') {
      const branches = (value as Array<Filter | null>).filter((f): f is Filter => f !== null);
      if (branches.length > 0 && !branches.some((f) => matchesFilter(item, f))) return false;
    } else if (key === 'not') {
      if (Object.keys(value as Filter).length > 0 && matchesFilter(item, value as Filter)) return false;
    } else if (!matchesOperators(item[key], value as Record<string, unknown>)) {
      return false;
    }
  }
  return true;
}

/** A key condition (`ModelStringKeyConditionInput` …) on one sort-key value. */
export function matchesKeyCondition(value: unknown, condition: Record<string, unknown> | null | undefined): boolean {
  if (!condition) return true;
  if (value === undefined) return false;
  return matchesOperators(value, condition);
}
