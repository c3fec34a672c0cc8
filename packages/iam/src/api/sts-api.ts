import { principalUserId } from '../principal.ts';
import type { Iam } from '../iam-service.ts';
import { assumeRole, getSessionToken } from '../sts.ts';
import { requireStsRegion } from '../sts-region.ts';
import type { OperationTable } from './operation.ts';

type Params = Record<string, any>;

export function stsOperations(iam: Iam): OperationTable {
  return {
    AssumeRole: {
      action: 'sts:AssumeRole',
      // The trust policy and the caller's policies are evaluated inside, with the request's condition keys.
      selfAuthorized: true,
      async run(p: Params, call) {
        const result = await assumeRole(iam.ctx, iam.authorizer, call.principal, {
          roleArn: p.RoleArn, roleSessionName: p.RoleSessionName, durationSeconds: p.DurationSeconds === undefined ? undefined : Number(p.DurationSeconds),
          externalId: p.ExternalId, policy: p.Policy, policyArns: (p.PolicyArns ?? []).map((x: { arn?: string }) => x.arn),
          tags: p.Tags, transitiveTagKeys: p.TransitiveTagKeys, sourceIdentity: p.SourceIdentity,
          region: call.region, context: call.requestContext,
        });
        return {
          Credentials: {
            AccessKeyId: result.credentials.accessKeyId, SecretAccessKey: result.credentials.secretAccessKey,
            SessionToken: result.credentials.sessionToken, Expiration: result.credentials.expiration,
          },
          AssumedRoleUser: { AssumedRoleId: result.assumedRoleUser.assumedRoleId, Arn: result.assumedRoleUser.arn },
          PackedPolicySize: result.packedPolicySize,
          SourceIdentity: result.sourceIdentity,
        };
      },
    },
    GetSessionToken: {
      action: 'sts:GetSessionToken',
      // An authentication operation: no policy grants or denies it (see getSessionToken for who may call it).
      selfAuthorized: true,
      async run(p: Params, call) {
        const { credentials } = await getSessionToken(iam.ctx, call.principal, {
          durationSeconds: p.DurationSeconds === undefined ? undefined : Number(p.DurationSeconds), region: call.region,
        });
        return {
          Credentials: {
            AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey,
            SessionToken: credentials.sessionToken, Expiration: credentials.expiration,
          },
        };
      },
    },
    GetCallerIdentity: {
      action: 'sts:GetCallerIdentity',
      // Always allowed for an authenticated caller, even under an explicit deny (as AWS does).
      selfAuthorized: true,
      async run(_p: Params, call) {
        const p = call.principal;
        if (p.kind === 'service') return { UserId: p.service, Account: '', Arn: p.service };
        // The caller's own account is the one STS answers for here.
        await requireStsRegion(iam.ctx, p.account, call.region);
        return { UserId: principalUserId(p), Account: p.account, Arn: p.arn };
      },
    },
  };
}
