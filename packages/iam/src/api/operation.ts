import type { ContextKeys } from '../policy/policy-types.ts';
import type { Principal } from '../principal.ts';

/** What an API operation knows about the call it serves. */
export interface CallContext {
  principal: Principal;
  /** Region the request was signed for (the SigV4 credential scope). */
  region: string;
  /** Condition keys of the request itself: `aws:SourceIp`, `aws:SecureTransport`, `aws:RequestedRegion`… */
  requestContext: ContextKeys;
  requestId: string;
}

/**
 * One API operation of a service: the IAM action and resource it is authorised as, and what it does.
 * The edge authorises `action` on `resource` before `run` is called, so no service code runs for a caller
 * that may not call it.
 */
export interface Operation<P = any, R = unknown> {
  /** `service:Action`. */
  action: string;
  /** The resource ARN the call acts on, and its owner. @default `*` in the caller's account */
  resource?(params: P, call: CallContext): { arn: string; account?: string };
  /** Skip the IAM check: the operation authorises itself (AssumeRole) or is always allowed (GetCallerIdentity). */
  selfAuthorized?: boolean;
  run(params: P, call: CallContext): Promise<R>;
}

export type OperationTable = Record<string, Operation>;

/** The account a call acts in: the caller's. Service principals act in no account. */
export function callerAccount(call: CallContext): string {
  if (call.principal.kind === 'service') throw new Error('service principals have no account');
  return call.principal.account;
}
