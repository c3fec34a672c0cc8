/**
 * The IAM JSON policy language as Gantry reads it, and the request context the evaluator decides on.
 * Names follow the AWS documentation ("Policy elements reference", "Policy evaluation logic").
 */

/** A single value or a list of values, as every policy element allows. */
export type OneOrMany<T> = T | T[];

/** `Principal` / `NotPrincipal`: `"*"` or a map of principal type to identifiers. */
export type PrincipalElement =
  | '*'
  | { AWS?: OneOrMany<string>; Service?: OneOrMany<string>; Federated?: OneOrMany<string>; CanonicalUser?: OneOrMany<string> };

/** `Condition`: operator → key → value(s). Operator and key names are case-insensitive. */
export type ConditionBlock = Record<string, Record<string, OneOrMany<string | number | boolean>>>;

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<string>;
  NotResource?: OneOrMany<string>;
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  /** `2012-10-17` enables policy variables; `2008-10-17` (or none) treats `${...}` literally. */
  Version?: '2012-10-17' | '2008-10-17' | string;
  Id?: string;
  Statement: OneOrMany<Statement>;
}

/** A policy as the evaluator receives it: the parsed document plus where it came from (for explanations). */
export interface SourcedPolicy {
  /** e.g. the policy ARN, `role/NAME/inline/POLICY`, `session`, `boundary`, `trust`. */
  id: string;
  document: PolicyDocument;
  /** The original JSON text, when known, so matched statements can report line/column positions. */
  text?: string;
}

/** Who is asking. */
export interface RequestPrincipal {
  /** The ARN policies see: user ARN, `arn:aws:sts::A:assumed-role/R/S`, `arn:aws:iam::A:root`, or a service name. */
  arn: string;
  /** 12-digit account of the principal; absent for service principals. */
  account?: string;
  type: 'User' | 'AssumedRole' | 'Account' | 'Service' | 'Anonymous';
  /** For an assumed-role session: the role's ARN (`arn:aws:iam::A:role/PATH/R`), which `Principal.AWS` may also name. */
  roleArn?: string;
  /** For `type: 'Service'`: the service principal, e.g. `codecatalyst-runner.amazonaws.com`. */
  service?: string;
}

/**
 * Condition-key values of the request. Keys are matched case-insensitively (store them as given; the
 * evaluator normalises). A string[] is a multi-valued key (e.g. `aws:TagKeys`, `aws:CalledVia`).
 */
export type ContextKeys = Record<string, string | string[]>;

export interface AuthorizationRequest {
  principal: RequestPrincipal;
  /** `service:Action`, e.g. `sts:AssumeRole`. */
  action: string;
  /** The resource ARN, or `*` for actions without a resource. */
  resource: string;
  /** 12-digit account that owns the resource (`aws:ResourceAccount`). */
  resourceAccount?: string;
  /** Every condition key of the request: the global `aws:*` keys and the service-specific ones. */
  context: ContextKeys;
}

/** The policies that apply to one request, by kind (see "Policy evaluation logic"). */
export interface ApplicablePolicies {
  /** Identity-based policies of the principal: inline and attached managed policies of the user or role. */
  identity: SourcedPolicy[];
  /** The permissions boundary of the user or role; `undefined` when none is set. */
  boundary?: SourcedPolicy;
  /** Session policies passed to AssumeRole; `undefined` when the session has none (then they do not limit). */
  session?: SourcedPolicy[];
  /** Resource-based policy (a role trust policy, a repository policy); `undefined` when the resource has none. */
  resource?: SourcedPolicy;
  /**
   * When true the resource policy must itself allow the principal, even in the same account, as role trust
   * policies require: an identity-policy Allow alone is never enough.
   */
  resourcePolicyRequired?: boolean;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface MatchedStatement {
  /** `SourcedPolicy.id` of the policy the statement is in. */
  policyId: string;
  kind: 'identity' | 'boundary' | 'session' | 'resource';
  /** 0-based index of the statement in the policy. */
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** 1-based line/column of the statement in `SourcedPolicy.text`, when the text is known. */
  start?: { line: number; column: number };
  end?: { line: number; column: number };
}

export interface AuthorizationResult {
  decision: Decision;
  /** Statements that matched the request (all of them, allows and denies) in the order found. */
  matched: MatchedStatement[];
  /** Which policy kinds lacked an Allow, for messages such as "no identity-based policy allows ...". */
  missingAllow: Array<'identity' | 'boundary' | 'session' | 'resource'>;
}
