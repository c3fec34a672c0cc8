import type { ContextKeys } from './policy-types.ts';

/**
 * Condition-key lookup for one request. Key names are case-insensitive in IAM ("`aws:CurrentTime` is
 * equivalent to `AWS:currenttime`", reference_policies_variables). Policies and callers nearly always spell
 * keys the documented way, so the exact spelling is tried first; a lower-cased index is built only on a miss,
 * and at most once per request.
 */
export class RequestContext {
  private lowered: Map<string, string | string[]> | undefined;

  constructor(private readonly keys: ContextKeys) {}

  /** `lowerKey` is `key.toLowerCase()`, computed once when the policy was compiled. */
  get(key: string, lowerKey: string): string | string[] | undefined {
    // hasOwn: a key such as `constructor` must not find Object.prototype's members.
    if (Object.hasOwn(this.keys, key)) return this.keys[key];
    this.lowered ??= lowerCaseIndex(this.keys);
    return this.lowered.get(lowerKey);
  }
}

function lowerCaseIndex(keys: ContextKeys): Map<string, string | string[]> {
  const index = new Map<string, string | string[]>();
  for (const [key, value] of Object.entries(keys)) {
    const lower = key.toLowerCase();
    if (!index.has(lower)) index.set(lower, value);
  }
  return index;
}
