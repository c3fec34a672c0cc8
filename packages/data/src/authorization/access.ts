/**
 * What a caller may do with a model (or one field of it), from its `@auth` rules, as the Amplify transformer's
 * resolvers decide it:
 *
 * - a rule counts only for the authorization type it is written for: `public` is API-key (or IAM) access,
 *   `private`, `owner` and `groups` are user-pool access unless their `provider` says otherwise;
 * - `public`, `private` and static `groups` rules grant every item; `owner` and `groupsField` rules grant only
 *   the items whose field names the caller (or one of its groups): the access is then conditional;
 * - a model without rules is open to the API's default authorization type only;
 * - `read` covers get, list, sync, search and listen (subscriptions); `listen` alone only subscriptions.
 */
import type { Filter } from '../filter.ts';
import type { AuthRule, FieldDef } from '../model-schema.ts';
import { ownerIdentities, type AuthorizationType, type Caller } from './caller.ts';

export type AccessOperation = 'create' | 'update' | 'delete' | 'read' | 'listen';

/** An item is granted when its `field` holds one of `values` (or, for a list field, contains one). */
export interface ItemCondition {
  field: string;
  values: string[];
  /** The rule it comes from, for owner auto-fill on create. */
  rule: AuthRule;
}

/** Every item (`all`), or only the items meeting one of `conditions`. Undefined access is none. */
export interface Access {
  all: boolean;
  conditions: ItemCondition[];
}

const READS = new Set(['read', 'get', 'list', 'sync', 'search']);
const ALL_OPERATIONS = ['create', 'update', 'delete', 'read'];

/** The authorization type a rule is for. */
export function ruleType(rule: AuthRule): AuthorizationType | undefined {
  const provider = rule.provider ?? (rule.allow === 'public' ? 'apiKey' : rule.allow === 'custom' ? 'function' : 'userPools');
  switch (provider) {
    case 'apiKey':
      return 'API_KEY';
    case 'userPools':
      return 'AMAZON_COGNITO_USER_POOLS';
    case 'iam':
    case 'identityPool':
      return 'AWS_IAM';
    case 'oidc':
      return 'OPENID_CONNECT';
    case 'function':
      return 'AWS_LAMBDA';
    default:
      return undefined;
  }
}

function ruleGrants(rule: AuthRule, operation: AccessOperation): boolean {
  const operations = rule.operations ?? ALL_OPERATIONS;
  if (operation === 'listen') return operations.some((o) => o === 'listen' || o === 'read');
  if (operation === 'read') return operations.some((o) => READS.has(o));
  return operations.includes(operation);
}

/**
 * The caller's access under `rules` for `operation`. `fields` resolves a rule's owner or groups field
 * (whether it holds a list changes nothing here; conditions test both shapes).
 */
export function accessUnder(rules: AuthRule[], caller: Caller, operation: AccessOperation, defaultType: AuthorizationType): Access | undefined {
  if (rules.length === 0) return caller.type === defaultType ? { all: true, conditions: [] } : undefined;
  const conditions: ItemCondition[] = [];
  for (const rule of rules) {
    if (ruleType(rule) !== caller.type || !ruleGrants(rule, operation)) continue;
    if (rule.allow === 'public' || rule.allow === 'private') return { all: true, conditions: [] };
    if (caller.type !== 'AMAZON_COGNITO_USER_POOLS') continue;
    if (rule.allow === 'groups') {
      if (rule.groupsField) conditions.push({ field: rule.groupsField, values: caller.groups, rule });
      else if ((rule.groups ?? []).some((g) => caller.groups.includes(g))) return { all: true, conditions: [] };
    } else if (rule.allow === 'owner') {
      conditions.push({ field: rule.ownerField ?? 'owner', values: ownerIdentities(caller, rule.identityClaim), rule });
    }
  }
  return conditions.some((c) => c.values.length > 0) ? { all: false, conditions: conditions.filter((c) => c.values.length > 0) } : undefined;
}

/** Does the item meet the access (any of its conditions)? */
export function itemGranted(access: Access, item: Record<string, unknown>): boolean {
  if (access.all) return true;
  return access.conditions.some(({ field, values }) => {
    const held = item[field];
    return Array.isArray(held) ? held.some((v) => values.includes(v as string)) : typeof held === 'string' && values.includes(held);
  });
}

/** The access as a list filter (`or` of the conditions), to AND with the caller's own; null for `all`. */
export function accessFilter(access: Access, fieldOf: (name: string) => FieldDef | undefined): Filter | null {
  if (access.all) return null;
  const or = access.conditions.flatMap(({ field, values }): Filter[] =>
    fieldOf(field)?.isList ? values.map((v) => ({ [field]: { contains: v } }) as Filter) : [{ [field]: { in: values } } as Filter]);
  return { or } as Filter;
}
