/**
 * Deep-merges `backend.addOutput(...)` payloads the way Amplify's accumulator does: objects merge key by key,
 * and two different values for the same leaf are an error naming the key.
 */
export function mergeCustomOutputs(parts: Array<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const part of parts) {
    const withVersion = { version: '1', ...part };
    mergeInto(merged, withVersion, '');
  }
  return merged;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, at: string): void {
  for (const [key, value] of Object.entries(source)) {
    const keyPath = at ? `${at}.${key}` : key;
    const existing = target[key];
    if (isPlainObject(existing) && isPlainObject(value)) {
      mergeInto(existing, value, keyPath);
    } else if (existing === undefined) {
      target[key] = value;
    } else if (JSON.stringify(existing) !== JSON.stringify(value)) {
      throw new Error(`backend.addOutput: "${keyPath}" was given two different values (${JSON.stringify(existing)} and ${JSON.stringify(value)}).`);
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
