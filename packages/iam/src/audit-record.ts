import type { Principal } from './principal.ts';

/**
 * Who made a call, as CloudTrail's `userIdentity` describes it: an IAM user, a role session (with the role
 * that issued it), or an AWS service acting on its own behalf.
 */
export type UserIdentity =
  | { type: 'IAMUser'; principalId: string; arn: string; accountId: string; userName: string }
  | {
    type: 'AssumedRole'; principalId: string; arn: string; accountId: string;
    sessionContext: {
      sessionIssuer: { type: 'Role'; principalId: string; arn: string; accountId: string; userName: string };
      attributes: { creationDate: string; mfaAuthenticated: 'false' };
      sourceIdentity?: string;
    };
  }
  | { type: 'AWSService'; invokedBy: string };

/** One event in the shape of a CloudTrail record (`eventVersion` 1.08), what `CloudTrailEvent` holds as JSON. */
export interface CloudTrailRecord {
  eventVersion: '1.08';
  userIdentity: UserIdentity;
  /** ISO-8601 to the second, as CloudTrail writes it. @example '2025-01-31T09:00:00Z' */
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  /** Facts about the call that are neither parameters nor results, e.g. the `aws:SourceArn` a service acted for. */
  additionalEventData?: Record<string, unknown>;
  eventID: string;
  readOnly: boolean;
  resources: Array<{ accountId: string; type: string; ARN: string }>;
  eventType: 'AwsApiCall';
  managementEvent: true;
  /** The account this copy of the event was delivered to. */
  recipientAccountId: string;
  /** The same for every copy of one call delivered to several accounts (a cross-account AssumeRole). */
  sharedEventID?: string;
  eventCategory: 'Management';
}

export const secondsIso = (time: Date): string => time.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function userIdentityOf(p: Principal): UserIdentity {
  if (p.kind === 'service') return { type: 'AWSService', invokedBy: p.service };
  if (p.kind === 'user') return { type: 'IAMUser', principalId: p.userId, arn: p.arn, accountId: p.account, userName: p.userName };
  return {
    type: 'AssumedRole', principalId: `${p.roleId}:${p.sessionName}`, arn: p.arn, accountId: p.account,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: p.roleId, arn: p.roleArn, accountId: p.account, userName: p.roleName },
      attributes: { creationDate: secondsIso(p.issuedAt), mfaAuthenticated: 'false' },
      ...(p.sourceIdentity ? { sourceIdentity: p.sourceIdentity } : {}),
    },
  };
}

/** LookupEvents' `Username`: the user's name, the role session's name, or the service principal. */
export function usernameOf(p: Principal): string {
  if (p.kind === 'service') return p.service;
  return p.kind === 'user' ? p.userName : p.sessionName;
}

/** The caller's own account; service principals have none. */
export const callerAccountOf = (p: Principal): string | undefined => (p.kind === 'service' ? undefined : p.account);
