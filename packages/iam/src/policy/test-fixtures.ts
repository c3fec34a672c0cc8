/** Principals, policies and requests shared by the policy evaluator's tests. */
import type {
  ApplicablePolicies,
  AuthorizationRequest,
  ContextKeys,
  Decision,
  RequestPrincipal,
  SourcedPolicy,
  Statement,
} from './policy-types.ts';
import { authorize } from './evaluate-policies.ts';

/** The caller's account. */
export const A = '111122223333';
/** Another account. */
export const B = '444455556666';

export const user = (name = 'alice', account = A): RequestPrincipal => ({
  arn: `arn:aws:iam::${account}:user/${name}`,
  account,
  type: 'User',
});

export const roleArn = (role: string, account = A, path = '/'): string => `arn:aws:iam::${account}:role${path}${role}`;

export const session = (role = 'deployer', name = 'run-1', account = A, path = '/'): RequestPrincipal => ({
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
  account,
  type: 'AssumedRole',
  roleArn: roleArn(role, account, path),
});

export const root = (account = A): RequestPrincipal => ({ arn: `arn:aws:iam::${account}:root`, account, type: 'Account' });

export const service = (name: string): RequestPrincipal => ({ arn: name, type: 'Service', service: name });

export const anonymous = (): RequestPrincipal => ({ arn: '*', type: 'Anonymous' });

export const policy = (id: string, ...statements: Statement[]): SourcedPolicy => ({
  id,
  document: { Version: '2012-10-17', Statement: statements },
});

export const allow = (action: string | string[], resource: string | string[] = '*', extra: Partial<Statement> = {}): Statement => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
});

export const deny = (action: string | string[], resource: string | string[] = '*', extra: Partial<Statement> = {}): Statement => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
  ...extra,
});

/** The principal condition keys an authorizer would populate. */
export function principalKeys(principal: RequestPrincipal): ContextKeys {
  const keys: ContextKeys = {};
  if (principal.account !== undefined) keys['aws:PrincipalAccount'] = principal.account;
  if (principal.type === 'User') keys['aws:username'] = principal.arn.slice(principal.arn.lastIndexOf('/') + 1);
  if (principal.type !== 'Service' && principal.type !== 'Anonymous') {
    keys['aws:PrincipalArn'] = principal.roleArn ?? principal.arn;
    keys['aws:PrincipalType'] = principal.type;
  }
  return keys;
}

export function request(
  principal: RequestPrincipal,
  action: string,
  resource: string,
  options: { resourceAccount?: string; context?: ContextKeys } = {},
): AuthorizationRequest {
  const resourceAccount = options.resourceAccount ?? principal.account ?? A;
  return {
    principal,
    action,
    resource,
    resourceAccount,
    context: { ...principalKeys(principal), 'aws:ResourceAccount': resourceAccount, ...options.context },
  };
}

export const decide = (req: AuthorizationRequest, policies: ApplicablePolicies): Decision => authorize(req, policies).decision;
