import { GantryError } from '@gantry/core';
import type { IamContext } from './iam-context.ts';
import { defaultPolicyDocument, listAttachedPolicies, listInlinePolicies } from './policies.ts';
import { authorize } from './policy/evaluate-policies.ts';
import type { ApplicablePolicies, AuthorizationResult, ContextKeys, PolicyDocument, RequestPrincipal, SourcedPolicy } from './policy/policy-types.ts';
import { principalUserId, type Principal } from './principal.ts';

/** One authorisation question: may `principal` do `action` on `resource`? */
export interface AccessRequest {
  principal: Principal;
  /** `service:Action`, e.g. `amplify:CreateApp`. */
  action: string;
  /** Resource ARN, or `*`. */
  resource: string;
  /** Owner of the resource. @default the principal's account */
  resourceAccount?: string;
  /** Request-specific condition keys (`aws:SourceIp`, `sts:ExternalId`, `aws:RequestTag/…`), added to the principal's. */
  context?: ContextKeys;
  /** A resource-based policy on the resource (a role's trust policy). */
  resourcePolicy?: SourcedPolicy;
  /** Role trust policies must allow the principal themselves, even in the same account. */
  resourcePolicyRequired?: boolean;
}

const parsed = new Map<string, PolicyDocument>();
/** Parses stored policy JSON once; documents were validated on write. */
function documentOf(text: string): PolicyDocument {
  let doc = parsed.get(text);
  if (!doc) {
    doc = JSON.parse(text) as PolicyDocument;
    if (parsed.size > 5000) parsed.clear();
    parsed.set(text, doc);
  }
  return doc;
}

export const sourced = (id: string, text: string): SourcedPolicy => ({ id, text, document: documentOf(text) });

/**
 * Gathers the policies that apply to a principal and asks the evaluator. Identity, boundary and session
 * policies are cached per principal and IAM generation, because every request needs them.
 */
export class Authorizer {
  private cache = new Map<string, { generation: number; policies: ApplicablePolicies }>();

  constructor(private readonly ctx: IamContext) {}

  async check(request: AccessRequest): Promise<AuthorizationResult> {
    const policies = { ...(await this.principalPolicies(request.principal)) };
    if (request.resourcePolicy) policies.resource = request.resourcePolicy;
    if (request.resourcePolicyRequired) policies.resourcePolicyRequired = true;
    const principal = request.principal;
    const resourceAccount = request.resourceAccount ?? (principal.kind === 'service' ? undefined : principal.account);
    const context = principalContext(principal, this.ctx.now());
    if (resourceAccount) context['aws:ResourceAccount'] = resourceAccount;
    return authorize(
      { principal: requestPrincipal(principal), action: request.action, resource: request.resource, resourceAccount, context: Object.assign(context, request.context) },
      policies,
    );
  }

  /**
   * The same question for an account as a whole, as when a service acts for it (a hosting build checking out
   * the app's repository): the account's identity side allows everything, so within the account the answer is
   * Allow unless a policy denies, and across accounts the resource policy must grant the account (or `*`).
   */
  async checkAccount(account: string, request: Omit<AccessRequest, 'principal'>): Promise<AuthorizationResult> {
    const arn = `arn:aws:iam::${account}:root`;
    const now = this.ctx.now();
    const context: ContextKeys = {
      'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
      'aws:PrincipalIsAWSService': 'false',
      'aws:PrincipalAccount': account,
      'aws:PrincipalArn': arn,
      'aws:PrincipalType': 'Account',
    };
    const resourceAccount = request.resourceAccount ?? account;
    context['aws:ResourceAccount'] = resourceAccount;
    const policies: ApplicablePolicies = { identity: [] };
    if (request.resourcePolicy) policies.resource = request.resourcePolicy;
    return authorize(
      { principal: { arn, account, type: 'Account' }, action: request.action, resource: request.resource, resourceAccount, context: Object.assign(context, request.context) },
      policies,
    );
  }

  /** Throws AccessDenied with AWS's message unless the request is allowed. */
  async require(request: AccessRequest): Promise<void> {
    const result = await this.check(request);
    if (result.decision !== 'Allow') throw accessDenied(request, result);
  }

  async principalPolicies(principal: Principal): Promise<ApplicablePolicies> {
    if (principal.kind === 'service') return { identity: [] };
    const key = principal.kind === 'session' ? principal.arn + '\n' + principal.issuedAt.getTime() : principal.arn;
    const hit = this.cache.get(key);
    if (hit && hit.generation === this.ctx.generation) return hit.policies;
    const generation = this.ctx.generation;
    const owner = principal.kind === 'session' ? principal.roleArn : principal.arn;
    const identity: SourcedPolicy[] = [];
    for (const inline of await listInlinePolicies(this.ctx, owner)) identity.push(sourced(`${owner}/inline/${inline.name}`, inline.document));
    for (const attached of await listAttachedPolicies(this.ctx, owner)) {
      const text = await defaultPolicyDocument(this.ctx, attached.arn);
      if (text) identity.push(sourced(attached.arn, text));
    }
    const policies: ApplicablePolicies = { identity };
    if (principal.boundaryArn) {
      const text = await defaultPolicyDocument(this.ctx, principal.boundaryArn);
      // A boundary whose policy vanished allows nothing, which is the safe reading.
      policies.boundary = sourced(principal.boundaryArn, text ?? '{"Version":"2012-10-17","Statement":[]}');
    }
    if (principal.kind === 'session' && (principal.sessionPolicy || principal.sessionPolicyArns.length)) {
      const session: SourcedPolicy[] = [];
      if (principal.sessionPolicy) session.push(sourced('session', principal.sessionPolicy));
      for (const arn of principal.sessionPolicyArns) {
        const text = await defaultPolicyDocument(this.ctx, arn);
        if (text) session.push(sourced(arn, text));
      }
      policies.session = session;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { generation, policies });
    return policies;
  }
}

export function requestPrincipal(p: Principal): RequestPrincipal {
  if (p.kind === 'service') return { arn: p.service, type: 'Service', service: p.service };
  if (p.kind === 'session') return { arn: p.arn, account: p.account, type: 'AssumedRole', roleArn: p.roleArn };
  return { arn: p.arn, account: p.account, type: 'User' };
}

/** The global condition keys that describe the principal (see "AWS global condition context keys"). */
export function principalContext(p: Principal, now: Date): ContextKeys {
  const keys: ContextKeys = {
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
  };
  if (p.kind === 'service') {
    keys['aws:PrincipalIsAWSService'] = 'true';
    keys['aws:PrincipalServiceName'] = p.service;
    return keys;
  }
  keys['aws:PrincipalIsAWSService'] = 'false';
  keys['aws:PrincipalAccount'] = p.account;
  keys['aws:userid'] = principalUserId(p);
  for (const [k, v] of Object.entries(p.tags)) keys[`aws:PrincipalTag/${k}`] = v;
  if (p.kind === 'user') {
    keys['aws:PrincipalArn'] = p.arn;
    keys['aws:PrincipalType'] = 'User';
    keys['aws:username'] = p.userName;
  } else {
    keys['aws:PrincipalArn'] = p.roleArn;
    keys['aws:PrincipalType'] = 'AssumedRole';
    keys['aws:TokenIssueTime'] = p.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
    keys['aws:MultiFactorAuthPresent'] = 'false';
    if (p.sourceIdentity) keys['aws:SourceIdentity'] = p.sourceIdentity;
    if (p.webIdentity) Object.assign(keys, p.webIdentity);
  }
  return keys;
}

/** AccessDenied in the words AWS uses, naming the policy type that lacked an allow or held the deny. */
export function accessDenied(request: AccessRequest, result: AuthorizationResult): GantryError {
  const who = request.principal.kind === 'service' ? request.principal.service : request.principal.arn;
  const prefix = `User: ${who} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  const KIND: Record<string, string> = { identity: 'identity-based', boundary: 'permissions boundary', session: 'session', resource: 'resource-based' };
  let reason: string;
  if (result.decision === 'ExplicitDeny') {
    const deny = result.matched.find((m) => m.effect === 'Deny');
    reason = `with an explicit deny in a${deny?.kind === 'identity' ? 'n' : ''} ${KIND[deny?.kind ?? 'identity']} policy`;
  } else {
    const missing = result.missingAllow[0] ?? 'identity';
    reason = missing === 'resource' && request.resourcePolicyRequired && request.action === 'sts:AssumeRole'
      ? 'because the role\'s trust policy does not allow it'
      : `because no ${KIND[missing]} policy allows the ${request.action} action`;
  }
  return new GantryError('AccessDenied', `${prefix} ${reason}`);
}
