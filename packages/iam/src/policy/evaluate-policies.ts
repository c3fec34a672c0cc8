/**
 * The IAM decision for one request (reference_policies_evaluation-logic, ...-cross-account,
 * access_policies_boundaries; see shared/reference/iam-sts-sigv4.md §1):
 *
 *   ExplicitDeny  if any applicable Deny statement matches, in any policy;
 *   Allow         if the request is granted as below;
 *   ImplicitDeny  otherwise.
 *
 * The identity side is identity ∩ permissions boundary ∩ session policies (a missing boundary or session
 * policy does not limit). In the same account either side can grant; a resource-policy Allow overrides the
 * identity side's implicit denies according to how it names the caller:
 *   - the caller's own ARN (IAM user, role session) or `*`: no identity policy, boundary or session needed;
 *   - the caller's role ARN: no identity policy needed, still capped by boundary and session policies;
 *   - the caller's account: only delegates to the account, so the identity side must allow.
 * A role trust policy (`resourcePolicyRequired`) must itself allow, even in the same account.
 * Across accounts both the identity side and the resource policy must allow.
 * Service principals and anonymous callers have no identity policies: only the resource policy decides, and
 * for a service it must name the service in `Principal.Service`.
 * The account root user (`type: 'Account'`) has every permission in its own account's identity policies.
 */
import type {
  ApplicablePolicies,
  AuthorizationRequest,
  AuthorizationResult,
  MatchedStatement,
  SourcedPolicy,
} from './policy-types.ts';
import { compilePolicy, type CompiledPolicy, type CompiledStatement } from './compiled-policy.ts';
import { RequestContext } from './request-context.ts';
import type { PrincipalMatch } from './statement-matching.ts';

type PolicyKind = MatchedStatement['kind'];

/** The ways the resource policy's matching Allow statements named the caller, as bits. */
const GRANT: Record<PrincipalMatch, number> = { wildcard: 1, exact: 2, role: 4, account: 8, service: 16 };
const GRANTS_CALLER_ITSELF = GRANT.wildcard | GRANT.exact;

export function authorize(request: AuthorizationRequest, policies: ApplicablePolicies): AuthorizationResult {
  const evaluation = new Evaluation(request);
  const { principal } = request;
  const missingAllow: AuthorizationResult['missingAllow'] = [];
  let allowed: boolean;

  if (principal.type === 'Service' || principal.type === 'Anonymous') {
    const grants = evaluation.resourceGrants(policies.resource);
    allowed = (grants & (principal.type === 'Service' ? GRANT.service : GRANT.wildcard)) !== 0;
    if (!allowed) missingAllow.push('resource');
  } else {
    const isRoot = principal.type === 'Account';
    const identityAllows = evaluation.anyAllow(policies.identity, 'identity');
    const boundaryAllows = policies.boundary === undefined || evaluation.anyAllow([policies.boundary], 'boundary');
    // An empty list is "no session policies passed", the same as undefined.
    const session = policies.session !== undefined && policies.session.length > 0 ? policies.session : undefined;
    const sessionAllows = session === undefined || evaluation.anyAllow(session, 'session');
    const grants = evaluation.resourceGrants(policies.resource);

    const capsAllow = boundaryAllows && sessionAllows;
    const identitySide = (isRoot || identityAllows) && capsAllow;
    const sameAccount = request.resourceAccount === undefined || request.resourceAccount === principal.account;
    if (!sameAccount) {
      allowed = identitySide && grants !== 0;
    } else {
      const grantedDirectly = (grants & GRANTS_CALLER_ITSELF) !== 0 || ((grants & GRANT.role) !== 0 && capsAllow);
      allowed = grantedDirectly || (identitySide && (grants !== 0 || !policies.resourcePolicyRequired));
    }

    if (!isRoot && !identityAllows) missingAllow.push('identity');
    if (!boundaryAllows) missingAllow.push('boundary');
    if (!sessionAllows) missingAllow.push('session');
    if (grants === 0 && (policies.resource !== undefined || policies.resourcePolicyRequired || !sameAccount)) {
      missingAllow.push('resource');
    }
  }

  const decision = evaluation.denied ? 'ExplicitDeny' : allowed ? 'Allow' : 'ImplicitDeny';
  return { decision, matched: evaluation.matched, missingAllow };
}

/** Per-request state: the normalised inputs and what has matched so far. */
class Evaluation {
  readonly matched: MatchedStatement[] = [];
  denied = false;
  private readonly lowerAction: string;
  private readonly context: RequestContext;

  constructor(private readonly request: AuthorizationRequest) {
    this.lowerAction = request.action.toLowerCase();
    this.context = new RequestContext(request.context);
  }

  /** Whether an Allow statement of these (non-resource) policies matches; records every match. */
  anyAllow(policies: readonly SourcedPolicy[], kind: PolicyKind): boolean {
    let allow = false;
    for (const policy of policies) {
      const compiled = compilePolicy(policy.document, policy.text);
      for (const statement of compiled.statements) {
        if (!this.appliesToRequest(statement, false)) continue;
        this.record(policy, compiled, kind, statement);
        if (statement.effect === 'Allow') allow = true;
      }
    }
    return allow;
  }

  /** How the resource policy's matching Allow statements name the caller (GRANT bits); records every match. */
  resourceGrants(policy: SourcedPolicy | undefined): number {
    if (policy === undefined) return 0;
    let grants = 0;
    const compiled = compilePolicy(policy.document, policy.text);
    for (const statement of compiled.statements) {
      // Principal is required in a resource-based policy: a statement without one names nobody.
      if (statement.principal === undefined || !this.appliesToRequest(statement, true)) continue;
      const named = statement.principal(this.request.principal);
      if (named === undefined || (statement.condition !== undefined && !statement.condition(this.context))) continue;
      this.record(policy, compiled, 'resource', statement);
      if (statement.effect === 'Allow') grants |= GRANT[named];
    }
    return grants;
  }

  /**
   * Action, Resource and (unless the caller checks Principal first) Condition. A statement without
   * Resource/NotResource applies to the resource its resource policy is attached to (trust policies have
   * none), but is malformed in an identity policy and matches nothing there.
   */
  private appliesToRequest(statement: CompiledStatement, isResourcePolicy: boolean): boolean {
    if (!statement.action(this.lowerAction)) return false;
    if (statement.resource === undefined ? !isResourcePolicy : !statement.resource(this.request.resource, this.context)) {
      return false;
    }
    // Resource policies check the principal before the (costlier) condition.
    return isResourcePolicy || statement.condition === undefined || statement.condition(this.context);
  }

  private record(policy: SourcedPolicy, compiled: CompiledPolicy, kind: PolicyKind, statement: CompiledStatement): void {
    if (statement.effect === 'Deny') this.denied = true;
    const match: MatchedStatement = { policyId: policy.id, kind, index: statement.index, effect: statement.effect };
    if (statement.sid !== undefined) match.sid = statement.sid;
    if (policy.text !== undefined) {
      const position = compiled.positions(policy.text)[statement.index];
      if (position !== undefined) {
        match.start = position.start;
        match.end = position.end;
      }
    }
    this.matched.push(match);
  }
}
