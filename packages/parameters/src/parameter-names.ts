import { GantryError } from '@gantry/core';

/** Parameter Store's limits (Systems Manager quotas): standard and advanced tiers. */
export const LIMITS = {
  nameLength: 1011,
  hierarchyLevels: 15,
  standardValueBytes: 4096,
  advancedValueBytes: 8192,
  descriptionLength: 1024,
  versionsKept: 100,
};

const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/;
/** Names AWS keeps for itself. */
const RESERVED = /^\/?(aws|ssm)/i;

/**
 * The name of a parameter as given (a name or its ARN, optionally `:version`), checked as Parameter Store checks
 * it. Names with `/` form a hierarchy and must start with one.
 */
export function parseParameterName(input: unknown, field = 'Name', scope?: { account: string; region: string }): { name: string; version?: number } {
  if (typeof input !== 'string' || input.length === 0) throw new GantryError('ValidationException', `${field} is required: give the parameter's name, e.g. /amplify/<appId>/<branch>/API_KEY.`);
  let name = input;
  const arn = /^arn:aws:ssm:([^:]*):(\d{12}):parameter(\/.*)$/.exec(name);
  if (arn) {
    // An ARN names its account and region: another's parameter is not found here (nothing is shared across accounts).
    if (scope && (arn[1] !== scope.region || arn[2] !== scope.account)) {
      throw new GantryError('ParameterNotFound', `Parameter ${input} is not in this account and region (${scope.account}, ${scope.region}).`);
    }
    name = arn[3]!.replace(/^\/(?=[^/]*$)/, '');
  }
  let version: number | undefined;
  const selector = /^(.*):(\d+)$/.exec(name);
  if (selector) {
    name = selector[1]!;
    version = Number(selector[2]);
  }
  checkName(name, field);
  return { name, ...(version !== undefined && { version }) };
}

export function checkName(name: string, field = 'Name'): void {
  if (name.length > LIMITS.nameLength) throw new GantryError('ValidationException', `${field} is ${name.length} characters long; a parameter name may have at most ${LIMITS.nameLength}.`);
  if (!NAME_CHARS.test(name)) throw new GantryError('ValidationException', `${field} '${name}' has characters a parameter name cannot have: use letters, digits and . - _ /.`);
  if (name.includes('/') && !name.startsWith('/')) throw new GantryError('ValidationException', `${field} '${name}' is a hierarchy (it has '/'), so it must start with '/': /${name}.`);
  if (RESERVED.test(name)) throw new GantryError('ValidationException', `${field} '${name}' begins with 'aws' or 'ssm', which are reserved: choose another name.`);
  if (name.split('/').filter(Boolean).length > LIMITS.hierarchyLevels)
    throw new GantryError('HierarchyLevelLimitExceededException', `${field} '${name}' has more than ${LIMITS.hierarchyLevels} levels of hierarchy.`);
}

/** A path of GetParametersByPath: `/` or a hierarchy prefix, normalised to end with `/`. */
export function parsePath(input: unknown): string {
  if (typeof input !== 'string' || !input.startsWith('/')) throw new GantryError('ValidationException', `Path must start with '/' (e.g. /amplify/<appId>/); got ${JSON.stringify(input)}.`);
  if (input !== '/') checkName(input.replace(/\/+$/, ''), 'Path');
  return input.endsWith('/') ? input : `${input}/`;
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`, as Systems Manager forms it. */
export const parameterArn = (region: string, account: string, name: string): string =>
  `arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;
