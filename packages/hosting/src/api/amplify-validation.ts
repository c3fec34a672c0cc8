import { GantryError } from '@gantry/core';
import { refuseReservedEnvironment } from './reserved-environment.ts';

/**
 * Input validation with the messages Amplify's BadRequestException carries
 * (`1 validation error detected: Value … at '…' failed to satisfy constraint: …`).
 */
export function badRequest(message: string): GantryError {
  return new GantryError('BadRequestException', message);
}

const constraint = (member: string, value: unknown, rule: string): GantryError =>
  badRequest(`1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${rule}`);

export function requiredString(member: string, value: unknown, max: number): string {
  if (value === undefined || value === null) throw constraint(member, undefined, 'Member must not be null');
  return optionalString(member, value, max, 1)!;
}

export function optionalString(member: string, value: unknown, max: number, min = 0): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw constraint(member, value, 'Member must be a string');
  if (value.length < min) throw constraint(member, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraint(member, value.slice(0, 32) + '…', `Member must have length less than or equal to ${max}`);
  return value;
}

export function optionalEnum<T extends string>(member: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!allowed.includes(value as T)) throw constraint(member, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value as T;
}

export function optionalBoolean(member: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw constraint(member, value, 'Member must be a boolean');
  return value;
}

/** Amplify environment variables: string → string, names not starting with the reserved `AWS` prefix nor reserved for the build shell (reserved-environment.ts). */
export function optionalEnvironment(member: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw constraint(member, value, 'Member must be a map of strings');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw constraint(`${member}.${key}`, v, 'Member must be a string');
    if (key.length > 255) throw constraint(`${member}`, key, 'Map keys must have length less than or equal to 255');
    if (v.length > 5500) throw constraint(`${member}.${key}`, v.slice(0, 32) + '…', 'Member must have length less than or equal to 5500');
    if (/^AWS/i.test(key)) throw badRequest(`Environment variable names cannot start with the reserved prefix "AWS": ${key}. Rename the variable.`);
  }
  refuseReservedEnvironment(member, value as Record<string, string>);
  return value as Record<string, string>;
}

export interface CustomRule { source: string; target: string; status?: string; condition?: string }

export function optionalCustomRules(value: unknown): CustomRule[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw constraint('customRules', value, 'Member must be a list');
  return value.map((rule, i) => {
    const member = `customRules.${i + 1}.member`;
    if (typeof rule !== 'object' || rule === null) throw constraint(member, rule, 'Member must be a structure');
    const r = rule as Record<string, unknown>;
    const out: CustomRule = { source: requiredString(`${member}.source`, r.source, 2048), target: requiredString(`${member}.target`, r.target, 2048) };
    const status = optionalString(`${member}.status`, r.status, 7, 3);
    const condition = optionalString(`${member}.condition`, r.condition, 2048);
    if (status !== undefined) out.status = status;
    if (condition !== undefined) out.condition = condition;
    return out;
  });
}

export function optionalTags(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw constraint('tags', value, 'Member must be a map of strings');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string' || v.length > 256) throw constraint(`tags.${key}`, v, 'Member must have length less than or equal to 256');
    if (key.length < 1 || key.length > 128 || key.startsWith('aws:')) throw constraint('tags', key, 'Map keys must have length between 1 and 128 and not start with aws:');
  }
  return value as Record<string, string>;
}
