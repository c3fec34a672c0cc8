import { GantryError, parseArn } from '@gantry/core';
import { sourced } from '../authorizer.ts';
import type { Iam } from '../iam-service.ts';
import { defaultPolicyDocument, listAttachedPolicies, listInlinePolicies } from '../policies.ts';
import { authorize } from '../policy/evaluate-policies.ts';
import type { ApplicablePolicies, AuthorizationResult, ContextKeys, MatchedStatement, RequestPrincipal, SourcedPolicy } from '../policy/policy-types.ts';
import { parsePolicyDocument } from '../policy/validate-policy.ts';
import { findRoleByArn } from '../roles.ts';
import { findUser } from '../users.ts';
import { callerAccount, type CallContext } from './operation.ts';

type Params = Record<string, any>;

/**
 * The IAM policy simulator (SimulateCustomPolicy, SimulatePrincipalPolicy). It answers with the same
 * evaluator that guards every real request, so what it says is what the server will do.
 */
export async function simulateCustomPolicy(iam: Iam, p: Params, call: CallContext) {
  const inputs: string[] = p.PolicyInputList ?? [];
  if (!inputs.length) throw new GantryError('ValidationError', 'The request must contain the parameter PolicyInputList: at least one policy document to simulate.');
  const identity = inputs.map((text, i) => policyInput(text, `PolicyInputList.${i + 1}`, 'identity'));
  const account = callerAccount(call);
  // Without a CallerArn the simulated caller is an IAM user of the account, bound by the given policies.
  const principal: RequestPrincipal = p.CallerArn ? principalFromArn(p.CallerArn) : { arn: `arn:aws:iam::${account}:user/simulated-caller`, account, type: 'User' };
  return simulate(p, { identity, boundary: boundaryInput(p) }, principal, account);
}

export async function simulatePrincipalPolicy(iam: Iam, p: Params, call: CallContext) {
  const source: string = p.PolicySourceArn;
  const arn = parseArn(source);
  const ctx = iam.ctx;
  let owner: string;
  let principal: RequestPrincipal;
  let boundaryArn: string | null;
  if (arn?.service === 'iam' && arn.resource.startsWith('role/')) {
    const role = await findRoleByArn(ctx, source);
    if (!role) throw new GantryError('NoSuchEntity', `The role with ARN ${source} cannot be found.`);
    owner = role.arn;
    boundaryArn = role.boundaryArn;
    principal = { arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/simulated`, account: role.account, type: 'AssumedRole', roleArn: role.arn };
  } else if (arn?.service === 'iam' && arn.resource.startsWith('user/')) {
    const user = await findUser(ctx, arn.account, arn.resource.slice(arn.resource.lastIndexOf('/') + 1));
    if (!user) throw new GantryError('NoSuchEntity', `The user with ARN ${source} cannot be found.`);
    owner = user.arn;
    boundaryArn = user.boundaryArn;
    principal = { arn: user.arn, account: user.account, type: 'User' };
  } else {
    throw new GantryError('InvalidInput', `PolicySourceArn ${source} must be the ARN of an IAM user or role.`);
  }
  const identity: SourcedPolicy[] = [];
  for (const inline of await listInlinePolicies(ctx, owner)) identity.push(sourced(inline.name, inline.document));
  for (const attached of await listAttachedPolicies(ctx, owner)) {
    const text = await defaultPolicyDocument(ctx, attached.arn);
    if (text) identity.push(sourced(attached.arn, text));
  }
  (p.PolicyInputList ?? []).forEach((text: string, i: number) => identity.push(policyInput(text, `PolicyInputList.${i + 1}`, 'identity')));
  let boundary = boundaryInput(p);
  if (!boundary && boundaryArn) {
    const text = await defaultPolicyDocument(ctx, boundaryArn);
    if (text) boundary = sourced(boundaryArn, text);
  }
  if (p.CallerArn) principal = principalFromArn(p.CallerArn);
  return simulate(p, { identity, boundary }, principal, arn.account);
}

function policyInput(text: string, id: string, kind: 'identity' | 'resource' | 'boundary'): SourcedPolicy {
  return { id, text, document: parsePolicyDocument(text, kind) };
}

function boundaryInput(p: Params): SourcedPolicy | undefined {
  const list: string[] = p.PermissionsBoundaryPolicyInputList ?? [];
  if (list.length > 1) throw new GantryError('InvalidInput', 'PermissionsBoundaryPolicyInputList takes at most one policy.');
  return list[0] === undefined ? undefined : policyInput(list[0], 'PermissionsBoundaryPolicyInputList.1', 'boundary');
}

function principalFromArn(text: string): RequestPrincipal {
  const arn = parseArn(text);
  if (!arn) throw new GantryError('InvalidInput', `CallerArn ${text} is not a valid ARN.`);
  if (arn.service === 'sts' && arn.resource.startsWith('assumed-role/')) {
    const role = arn.resource.split('/')[1];
    return { arn: text, account: arn.account, type: 'AssumedRole', roleArn: `arn:aws:iam::${arn.account}:role/${role}` };
  }
  return { arn: text, account: arn.account, type: arn.resource === 'root' ? 'Account' : 'User' };
}

/** Context entries: `ContextKeyValues` typed by `ContextKeyType`; `…List` types are multi-valued keys. */
function contextEntries(p: Params): ContextKeys {
  const keys: ContextKeys = {};
  for (const entry of (p.ContextEntries ?? []) as Array<{ ContextKeyName?: string; ContextKeyValues?: string[]; ContextKeyType?: string }>) {
    if (!entry.ContextKeyName) throw new GantryError('InvalidInput', 'Each ContextEntries member needs a ContextKeyName.');
    const values = entry.ContextKeyValues ?? [];
    keys[entry.ContextKeyName] = entry.ContextKeyType?.endsWith('List') ? values : (values[0] ?? '');
  }
  return keys;
}

const DECISION = { Allow: 'allowed', ExplicitDeny: 'explicitDeny', ImplicitDeny: 'implicitDeny' } as const;

function simulate(p: Params, policies: ApplicablePolicies, principal: RequestPrincipal, principalAccount: string) {
  const actions: string[] = p.ActionNames ?? [];
  if (!actions.length) throw new GantryError('ValidationError', 'The request must contain the parameter ActionNames.');
  const resources: string[] = p.ResourceArns?.length ? p.ResourceArns : ['*'];
  const resourceOwner = p.ResourceOwner ? parseArn(p.ResourceOwner)?.account ?? p.ResourceOwner : principalAccount;
  const resourcePolicy = p.ResourcePolicy ? policyInput(p.ResourcePolicy, 'ResourcePolicy', 'resource') : undefined;
  const now = new Date();
  const base: ContextKeys = {
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:PrincipalArn': principal.roleArn ?? principal.arn,
    'aws:PrincipalType': principal.type,
    ...(principal.account ? { 'aws:PrincipalAccount': principal.account } : {}),
  };
  const context = { ...base, ...contextEntries(p) };
  const results = [];
  for (const action of actions) {
    for (const resource of resources) {
      const result = authorize(
        { principal, action, resource, resourceAccount: resourceOwner, context: { ...context, 'aws:ResourceAccount': resourceOwner } },
        { ...policies, resource: resourcePolicy },
      );
      results.push(evaluationResult(action, resource, result, policies));
    }
  }
  return { EvaluationResults: results, IsTruncated: false };
}

function evaluationResult(action: string, resource: string, result: AuthorizationResult, policies: ApplicablePolicies) {
  const relevant = result.decision === 'ExplicitDeny' ? result.matched.filter((m) => m.effect === 'Deny') : result.matched.filter((m) => m.effect === 'Allow');
  return {
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: DECISION[result.decision],
    MatchedStatements: relevant.map(matchedStatement),
    MissingContextValues: [],
    PermissionsBoundaryDecisionDetail: policies.boundary ? { AllowedByPermissionsBoundary: !result.missingAllow.includes('boundary') } : undefined,
  };
}

function matchedStatement(m: MatchedStatement) {
  const type = m.kind === 'resource' ? 'resource' : m.policyId.startsWith('arn:aws:iam::aws:') ? 'aws-managed' : m.policyId.startsWith('arn:') ? 'user-managed' : 'IAM Policy';
  return {
    SourcePolicyId: m.policyId,
    SourcePolicyType: type,
    StartPosition: m.start ? { Line: m.start.line, Column: m.start.column } : undefined,
    EndPosition: m.end ? { Line: m.end.line, Column: m.end.column } : undefined,
  };
}
