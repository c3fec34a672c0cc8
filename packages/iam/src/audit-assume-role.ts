import { isAccountId, parseArn, type GantryError } from '@gantry/core';
import { recordEvent } from './audit-events.ts';
import { callerAccountOf, userIdentityOf, usernameOf } from './audit-record.ts';
import type { IamContext } from './iam-context.ts';
import type { Principal } from './principal.ts';
import type { AssumedRole, AssumeRoleArgs } from './sts.ts';

export const STS_EVENT_SOURCE = 'sts.amazonaws.com';

/**
 * Records an AssumeRole call, allowed or refused, in the trail of the role's account and, when the caller
 * belongs to another account, in the caller's too. The session token is never recorded.
 */
export async function recordAssumeRole(ctx: IamContext, caller: Principal, args: AssumeRoleArgs, outcome: { result: AssumedRole } | { error: GantryError }): Promise<void> {
  const arnAccount = parseArn(typeof args.roleArn === 'string' ? args.roleArn : '')?.account;
  const roleAccount = arnAccount && isAccountId(arnAccount) ? arnAccount : undefined;
  const context = args.context ?? {};
  const sourceArn = context['aws:SourceArn'];
  const sourceAccount = context['aws:SourceAccount'];
  // CloudTrail names the service itself as the source address and agent of a call a service made.
  const sourceIp = caller.kind === 'service' ? caller.service : context['aws:SourceIp'];
  const userAgent = caller.kind === 'service' ? caller.service : context['aws:UserAgent'];
  const result = 'result' in outcome ? outcome.result : undefined;
  await recordEvent(ctx, {
    userIdentity: userIdentityOf(caller),
    eventSource: STS_EVENT_SOURCE,
    eventName: 'AssumeRole',
    awsRegion: args.region ?? 'us-east-1',
    ...(sourceIp !== undefined ? { sourceIPAddress: String(sourceIp) } : {}),
    ...(userAgent !== undefined ? { userAgent: String(userAgent) } : {}),
    ...('error' in outcome ? { errorCode: outcome.error.code, errorMessage: outcome.error.message } : {}),
    requestParameters: {
      roleArn: args.roleArn,
      roleSessionName: args.roleSessionName,
      ...(args.durationSeconds !== undefined ? { durationSeconds: args.durationSeconds } : {}),
      ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
      ...(args.sourceIdentity !== undefined ? { sourceIdentity: args.sourceIdentity } : {}),
      ...(args.policy !== undefined ? { policy: args.policy } : {}),
      ...(args.policyArns?.length ? { policyArns: args.policyArns.map((arn) => ({ arn })) } : {}),
      ...(args.tags?.length ? { tags: args.tags.map((t) => ({ key: t.Key, value: t.Value })) } : {}),
      ...(args.transitiveTagKeys?.length ? { transitiveTagKeys: args.transitiveTagKeys } : {}),
    },
    responseElements: result ? {
      credentials: { accessKeyId: result.credentials.accessKeyId, expiration: result.credentials.expiration.toISOString() },
      assumedRoleUser: { assumedRoleId: result.assumedRoleUser.assumedRoleId, arn: result.assumedRoleUser.arn },
      ...(result.packedPolicySize !== undefined ? { packedPolicySize: result.packedPolicySize } : {}),
      ...(result.sourceIdentity !== undefined ? { sourceIdentity: result.sourceIdentity } : {}),
    } : null,
    ...(sourceArn !== undefined || sourceAccount !== undefined
      ? { additionalEventData: { ...(sourceArn !== undefined ? { sourceArn } : {}), ...(sourceAccount !== undefined ? { sourceAccount } : {}) } }
      : {}),
    readOnly: true,
    resources: roleAccount ? [{ accountId: roleAccount, type: 'AWS::IAM::Role', ARN: args.roleArn }] : [],
  }, [roleAccount, callerAccountOf(caller)], { username: usernameOf(caller) });
}
