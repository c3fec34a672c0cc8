/**
 * Matching of the Action, Resource and Principal elements of a statement, compiled once per statement.
 * Sources: reference_policies_elements_{action,notaction,resource,notresource,principal,notprincipal}.
 */
import type { PrincipalElement, RequestPrincipal } from './policy-types.ts';
import type { RequestContext } from './request-context.ts';
import { compileGlob, compileGlobText, hasWildcards, type Glob } from './glob.ts';
import { parseTemplate, resolveGlobParts } from './policy-variables.ts';

// ---- Action ------------------------------------------------------------------------------------------

/** Takes the request action already lower-cased (once per request, not once per statement). */
export type ActionMatcher = (lowerAction: string) => boolean;

/**
 * Actions are case-insensitive ("`iam:ListAccessKeys` is the same as `IAM:listaccesskeys`") and take `*`
 * and `?` wildcards; a bare `*` is every action. Plain names go in a Set so most statements cost one lookup.
 */
export function compileActions(patterns: readonly string[]): ActionMatcher {
  const exact = new Set<string>();
  const globs: Glob[] = [];
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase();
    if (lower === '*') return () => true;
    if (hasWildcards(lower)) globs.push(compileGlobText(lower));
    else exact.add(lower);
  }
  if (globs.length === 0) return (action) => exact.has(action);
  return (action) => exact.has(action) || globs.some((glob) => glob.matches(action));
}

/** Whether one Action pattern (e.g. `iam:*AccessKey*`) matches an action (e.g. `iam:CreateAccessKey`). */
export const actionMatches = (pattern: string, action: string): boolean =>
  compileActions([pattern])(action.toLowerCase());

// ---- Resource ----------------------------------------------------------------------------------------

export type ResourceMatcher = (resource: string, context: RequestContext) => boolean;

/**
 * Resources are case-sensitive globs over the whole ARN: `*` spans `/` and `:` (SIM and AWS agree for the
 * Resource element, unlike the Arn* condition operators). Policy variables are substituted as literal text;
 * a pattern whose variable has no value "matches nothing" (policy variables reference).
 */
export function compileResources(patterns: readonly string[], variablesEnabled: boolean): ResourceMatcher {
  const exact = new Set<string>();
  const globs: Glob[] = [];
  const dynamic: Array<ReturnType<typeof parseTemplate>> = [];
  for (const pattern of patterns) {
    if (pattern === '*') return () => true;
    const template = parseTemplate(pattern, variablesEnabled);
    if (!template.static) dynamic.push(template);
    else if (template.parts.length === 1 && template.parts[0].kind === 'text' && !hasWildcards(pattern)) exact.add(pattern);
    else globs.push(compileGlob(resolveGlobParts(template)!, false));
  }
  return (resource, context) => {
    if (exact.has(resource)) return true;
    for (const glob of globs) if (glob.matches(resource)) return true;
    for (const template of dynamic) {
      const parts = resolveGlobParts(template, context);
      if (parts !== undefined && compileGlob(parts, false).matches(resource)) return true;
    }
    return false;
  };
}

// ---- Principal ---------------------------------------------------------------------------------------

/**
 * How a resource-policy statement named the caller. The evaluator needs it because "the principal that is
 * named in the resource-based policy" decides which implicit denies a same-account grant overrides:
 * - `wildcard`: `"*"` or `{"AWS": "*"}` (everyone, the caller included);
 * - `exact`: the caller's own ARN (IAM user, role session, root);
 * - `role`: the ARN of the role whose session is calling;
 * - `account`: the caller's account (`"123456789012"` or `arn:aws:iam::123456789012:root`), which only
 *   delegates to that account's own policies;
 * - `service`: the calling service principal, in `Principal.Service`.
 */
export type PrincipalMatch = 'wildcard' | 'exact' | 'role' | 'account' | 'service';

export type PrincipalMatcher = (principal: RequestPrincipal) => PrincipalMatch | undefined;

interface NamedPrincipals {
  everyone: boolean;
  accounts: Set<string>;
  arns: Set<string>;
  services: Set<string>;
}

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;

function namedPrincipals(element: PrincipalElement | undefined): NamedPrincipals {
  const named: NamedPrincipals = { everyone: false, accounts: new Set(), arns: new Set(), services: new Set() };
  if (element === '*') named.everyone = true;
  else if (typeof element === 'object' && element !== null) {
    for (const id of listOf(element.AWS)) {
      const root = ACCOUNT_ROOT.exec(id);
      if (id === '*') named.everyone = true;
      else if (ACCOUNT_ID.test(id)) named.accounts.add(id);
      else if (root) named.accounts.add(root[1]);
      else named.arns.add(id);
    }
    // Service principal names are DNS names, so compared without case.
    for (const service of listOf(element.Service)) named.services.add(service.toLowerCase());
    // Federated and CanonicalUser principals are not callers Gantry has, so they never match (but `*` does).
  }
  return named;
}

/** `Principal`: which way (if any) the element names the caller. */
export function compilePrincipal(element: PrincipalElement | undefined): PrincipalMatcher {
  const named = namedPrincipals(element);
  return (principal) => {
    if (principal.type === 'Service') {
      if (named.services.has(serviceName(principal))) return 'service';
      return named.everyone ? 'wildcard' : undefined;
    }
    if (named.everyone) return 'wildcard';
    if (principal.type === 'Anonymous') return undefined;
    if (named.arns.has(principal.arn)) return 'exact';
    // "A role ARN matches sessions of that role": trust policies name the role, callers are its sessions.
    if (principal.roleArn !== undefined && named.arns.has(principal.roleArn)) return 'role';
    if (principal.account !== undefined && named.accounts.has(principal.account)) return 'account';
    return undefined;
  };
}

/**
 * `NotPrincipal`: the statement applies to everyone the element does not exempt. An exemption must name
 * the caller itself, and for a role session both the session and its role: "If the NotPrincipal element was
 * missing the ARN of the role, the effect of the policy might be to explicitly deny access to the role"
 * (NotPrincipal reference). Naming an account exempts only that account's root.
 */
export function compileNotPrincipal(element: PrincipalElement | undefined): PrincipalMatcher {
  const named = namedPrincipals(element);
  const exempt = (principal: RequestPrincipal): boolean => {
    if (named.everyone) return true;
    switch (principal.type) {
      case 'Service':
        return named.services.has(serviceName(principal));
      case 'Account':
        return principal.account !== undefined && named.accounts.has(principal.account);
      case 'User':
        return named.arns.has(principal.arn);
      case 'AssumedRole':
        return named.arns.has(principal.arn) && principal.roleArn !== undefined && named.arns.has(principal.roleArn);
      default:
        return false;
    }
  };
  return (principal) => (exempt(principal) ? undefined : 'wildcard');
}

const serviceName = (principal: RequestPrincipal): string => (principal.service ?? principal.arn).toLowerCase();

/** Every element is "a string or an array of strings"; anything else in a malformed document is ignored. */
export function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
