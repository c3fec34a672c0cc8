import { GantryError } from '@gantry/core';

/**
 * Parameter constraints of the IAM and STS models, reported the way AWS's request validation words them,
 * so scripts that parse "1 validation error detected" messages keep working.
 */
export function constraintError(field: string, value: string, constraint: string): GantryError {
  return new GantryError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

const NAME = /^[\w+=,.@-]+$/;

/** User, role, policy and session names: `[\w+=,.@-]+` within length limits. */
export function checkName(field: string, value: string | undefined, max: number, min = 1): string {
  if (value === undefined || value === '') throw new GantryError('ValidationError', `The request must contain the parameter ${field[0]!.toUpperCase()}${field.slice(1)}.`);
  if (value.length < min || value.length > max)
    throw constraintError(field, value, `Member must have length ${value.length < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`);
  if (!NAME.test(value)) throw constraintError(field, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return value;
}

/** IAM paths: `/` or `/segment/.../` of printable ASCII, at most 512 characters. */
export function checkPath(value: string | undefined): string {
  const path = value ?? '/';
  if (path.length > 512 || !(path === '/' || /^\/[\u0021-\u007E]+\/$/.test(path)))
    throw constraintError('path', path, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  return path;
}

export function requireParam(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new GantryError('MissingParameter', `The request must contain the parameter ${name}.`);
  return value;
}
