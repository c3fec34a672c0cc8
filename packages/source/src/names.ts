import { GantryError } from '@gantry/core';

/**
 * Names of spaces, projects and repositories. They become directory names under `<dataDir>/git` and path
 * segments of clone URLs, so the rule is strict: 1 to 100 letters, digits, `.`, `_` or `-`; not starting with
 * `.` (no hidden directories, no `.` or `..`), no `..` anywhere, and not ending in `.git` (the clone URL may
 * add that suffix itself).
 */
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

export type NameKind = 'space' | 'project' | 'repository';

/** Why `name` is not a valid name, or undefined when it is. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'a name is required';
  if (!NAME.test(name)) return 'use 1 to 100 letters, digits, \'.\', \'_\' or \'-\'';
  if (name.startsWith('.')) return 'it must not start with \'.\'';
  if (name.includes('..')) return 'it must not contain \'..\'';
  if (name.toLowerCase().endsWith('.git')) return 'it must not end in \'.git\' (clone URLs add that suffix themselves)';
  return undefined;
}

export function isValidName(name: unknown): name is string {
  return nameProblem(name) === undefined;
}

/** Throws InvalidInput naming the rule `name` breaks. */
export function requireValidName(kind: NameKind, name: unknown): string {
  const problem = nameProblem(name);
  if (problem) throw new GantryError('InvalidInput', `The ${kind} name '${String(name)}' is not valid: ${problem}.`);
  return name as string;
}

/**
 * Names compare ignoring case (two repositories differing only in case would share a directory on a
 * case-insensitive filesystem), so each table keeps a lowercased key under its unique index.
 */
export const nameKey = (name: string): string => name.toLowerCase();
