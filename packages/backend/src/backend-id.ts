import { createHash } from 'node:crypto';
import { GantryError } from '@gantry/core';

/**
 * Which backend a stack holds, as Amplify identifies it: the app id and branch of a branch deployment
 * (`ampx pipeline-deploy`), or the project name and user of a sandbox (`ampx sandbox`).
 * @example { namespace: 'd1abcd2345', name: 'main', type: 'branch' }
 */
export interface BackendIdentifier {
  /** The Amplify app id (branch), or the project's package name (sandbox). */
  namespace: string;
  /** The git branch (branch), or the user name / `--identifier` (sandbox). */
  name: string;
  type: 'branch' | 'sandbox';
}

const STACK_NAME_LIMIT = 128;
const HASH_LENGTH = 10;

const alphanumeric = (text: string): string => text.replace(/[^A-Za-z0-9]/g, '');

/**
 * The CloudFormation stack name Amplify gives a backend: `amplify-<namespace>-<name>-<type>-<hash>`. The hash
 * is the first 10 hex digits of sha512(namespace + name) over the raw values; the name keeps its first 50
 * alphanumeric characters and the namespace whatever fits in 128. Gantry must produce the same names so that
 * `--stack` arguments, hosting's `backendStackArn` and policies written for AWS (`stack/amplify-*`) keep working.
 */
export function toStackName(id: BackendIdentifier): string {
  const hash = createHash('sha512').update(id.namespace).update(id.name).digest('hex').slice(0, HASH_LENGTH);
  const name = alphanumeric(id.name).slice(0, 50);
  // 4 dashes joining 5 parts; Amplify keeps one more character free than that, so we do too.
  const namespaceRoom = STACK_NAME_LIMIT - 'amplify'.length - id.type.length - name.length - 4 - HASH_LENGTH - 1;
  const namespace = alphanumeric(id.namespace).slice(0, namespaceRoom);
  return ['amplify', namespace, name, id.type, hash].join('-');
}

/** The parts of an Amplify stack name (lossy: sanitised values), or undefined for any other name. */
export function parseStackName(stackName: string): (BackendIdentifier & { hash: string }) | undefined {
  const parts = stackName.split('-');
  if (parts.length !== 5 || parts[0] !== 'amplify') return undefined;
  const [, namespace, name, type, hash] = parts as [string, string, string, string, string];
  if (type !== 'branch' && type !== 'sandbox') return undefined;
  return { namespace, name, type, hash };
}

/** Checks a backend identifier from a request, saying which field is wrong. */
export function validateBackendId(value: unknown): BackendIdentifier {
  const where = 'backendId';
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new GantryError('ValidationError', `${where} must be an object { namespace, name, type } (the app id, the branch and "branch", or the project, the user and "sandbox").`);
  const v = value as Record<string, unknown>;
  for (const field of ['namespace', 'name'] as const) {
    const text = v[field];
    if (typeof text !== 'string' || alphanumeric(text).length === 0)
      throw new GantryError('ValidationError', `${where}.${field} must be a string with at least one letter or digit.`);
    if (text.length > 255) throw new GantryError('ValidationError', `${where}.${field} is longer than 255 characters.`);
  }
  if (v.type !== 'branch' && v.type !== 'sandbox')
    throw new GantryError('ValidationError', `${where}.type must be "branch" or "sandbox", not ${JSON.stringify(v.type)}.`);
  return { namespace: v.namespace as string, name: v.name as string, type: v.type };
}
