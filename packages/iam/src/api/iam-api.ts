import { GantryError, parseArn } from '@gantry/core';
import type { Iam } from '../iam-service.ts';
import {
  attachPolicy, attachmentCount, createPolicy, createPolicyVersion, deleteInlinePolicy, deletePolicy, detachPolicy,
  getInlinePolicy, getPolicyVersion, listAttachedPolicies, listPolicies, policyArn, putInlinePolicy, requirePolicy,
} from '../policies.ts';
import { createRole, deleteRole, listRoles, requireRole, roleArn, setRoleBoundary, updateTrustPolicy } from '../roles.ts';
import { toTags, type TagInput } from '../tags.ts';
import { createAccessKey, createUser, deleteAccessKey, deleteUser, listAccessKeys, requireUser, setUserBoundary, userArn } from '../users.ts';
import { createLoginProfile, deleteLoginProfile, getLoginProfile, updateLoginProfile, type LoginProfile } from '../login-profiles.ts';
import { requireParam } from '../validation.ts';
import { accessKeyShape, encodeDocument, policyShape, roleShape, userShape } from './iam-shapes.ts';
import { callerAccount, type CallContext, type Operation, type OperationTable } from './operation.ts';
import { simulateCustomPolicy, simulatePrincipalPolicy } from './policy-simulator.ts';

type Params = Record<string, any>;

const int = (value: unknown): number | undefined => (value === undefined ? undefined : Number(value));
const bool = (value: unknown): boolean => value === true || value === 'true';

/** The user named in the call, or the calling user itself when the name is omitted (as IAM does). */
function userNameOf(p: Params, call: CallContext): string {
  if (p.UserName) return p.UserName;
  if (call.principal.kind === 'user') return call.principal.userName;
  throw new GantryError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

const roleResource = (p: Params, call: CallContext) => ({ arn: roleArn(callerAccount(call), '/', requireParam('RoleName', p.RoleName)) });
const userResource = (p: Params, call: CallContext) => ({ arn: userArn(callerAccount(call), '/', userNameOf(p, call)) });
const policyResource = (p: Params) => ({ arn: requireParam('PolicyArn', p.PolicyArn) });

/** Resolves the stored ARN (with its path) for role operations. */
async function role(iam: Iam, call: CallContext, p: Params) {
  return requireRole(iam.ctx, callerAccount(call), requireParam('RoleName', p.RoleName));
}

async function policyCounts(iam: Iam, account: string, arn: string) {
  const [attachments, boundaries] = await Promise.all([attachmentCount(iam.ctx, account, arn), attachmentCount(iam.ctx, account, arn, 'boundary')]);
  return { attachments, boundaries };
}

/** Boundaries must be managed policies the account can see. */
async function checkBoundary(iam: Iam, account: string, arn: string | undefined): Promise<string | undefined> {
  if (arn === undefined || arn === '') return undefined;
  await requirePolicy(iam.ctx, account, arn);
  return arn;
}

const loginProfileShape = (l: LoginProfile) => ({ UserName: l.userName, CreateDate: l.createDate, PasswordResetRequired: l.passwordResetRequired });

export function iamOperations(iam: Iam): OperationTable {
  const ctx = iam.ctx;
  const op = <P = Params>(o: Operation<P>): Operation<P> => o;
  return {
    // ── users and access keys ─────────────────────────────────────────────────────────────────────────────
    CreateUser: op({
      action: 'iam:CreateUser',
      resource: (p: Params, call) => ({ arn: userArn(callerAccount(call), p.Path ?? '/', requireParam('UserName', p.UserName)) }),
      async run(p: Params, call) {
        const account = callerAccount(call);
        const boundaryArn = await checkBoundary(iam, account, p.PermissionsBoundary);
        const user = await createUser(ctx, account, { name: p.UserName, path: p.Path, tags: toTags(p.Tags as TagInput[]), boundaryArn });
        return { User: userShape(user) };
      },
    }),
    GetUser: op({
      action: 'iam:GetUser',
      resource: userResource,
      async run(p: Params, call) {
        return { User: userShape(await requireUser(ctx, callerAccount(call), userNameOf(p, call))) };
      },
    }),
    DeleteUser: op({
      action: 'iam:DeleteUser',
      resource: userResource,
      async run(p: Params, call) {
        await deleteUser(ctx, callerAccount(call), requireParam('UserName', p.UserName));
        return {};
      },
    }),
    // ── console passwords (login profiles) ────────────────────────────────────────────────────────────────
    CreateLoginProfile: op({
      action: 'iam:CreateLoginProfile',
      resource: userResource,
      async run(p: Params, call) {
        const profile = await createLoginProfile(ctx, callerAccount(call), { userName: userNameOf(p, call), password: p.Password, passwordResetRequired: bool(p.PasswordResetRequired) });
        return { LoginProfile: loginProfileShape(profile) };
      },
    }),
    GetLoginProfile: op({
      action: 'iam:GetLoginProfile',
      resource: userResource,
      run: async (p: Params, call) => ({ LoginProfile: loginProfileShape(await getLoginProfile(ctx, callerAccount(call), userNameOf(p, call))) }),
    }),
    UpdateLoginProfile: op({
      action: 'iam:UpdateLoginProfile',
      resource: userResource,
      async run(p: Params, call) {
        await updateLoginProfile(ctx, callerAccount(call), {
          userName: requireParam('UserName', p.UserName), password: p.Password,
          passwordResetRequired: p.PasswordResetRequired === undefined ? undefined : bool(p.PasswordResetRequired),
        });
        return {};
      },
    }),
    DeleteLoginProfile: op({
      action: 'iam:DeleteLoginProfile',
      resource: userResource,
      async run(p: Params, call) {
        await deleteLoginProfile(ctx, callerAccount(call), userNameOf(p, call));
        return {};
      },
    }),
    CreateAccessKey: op({
      action: 'iam:CreateAccessKey',
      resource: userResource,
      async run(p: Params, call) {
        const key = await createAccessKey(ctx, callerAccount(call), userNameOf(p, call));
        return { AccessKey: { ...accessKeyShape(key), SecretAccessKey: key.secret } };
      },
    }),
    ListAccessKeys: op({
      action: 'iam:ListAccessKeys',
      resource: userResource,
      async run(p: Params, call) {
        const keys = await listAccessKeys(ctx, callerAccount(call), userNameOf(p, call));
        return { AccessKeyMetadata: keys.map(accessKeyShape), IsTruncated: false };
      },
    }),
    DeleteAccessKey: op({
      action: 'iam:DeleteAccessKey',
      resource: userResource,
      async run(p: Params, call) {
        await deleteAccessKey(ctx, callerAccount(call), userNameOf(p, call), requireParam('AccessKeyId', p.AccessKeyId));
        return {};
      },
    }),
    PutUserPolicy: op({
      action: 'iam:PutUserPolicy',
      resource: userResource,
      async run(p: Params, call) {
        const user = await requireUser(ctx, callerAccount(call), requireParam('UserName', p.UserName));
        await putInlinePolicy(ctx, user.arn, 'user', requireParam('PolicyName', p.PolicyName), requireParam('PolicyDocument', p.PolicyDocument));
        return {};
      },
    }),
    GetUserPolicy: op({
      action: 'iam:GetUserPolicy',
      resource: userResource,
      async run(p: Params, call) {
        const user = await requireUser(ctx, callerAccount(call), requireParam('UserName', p.UserName));
        const document = await getInlinePolicy(ctx, user.arn, 'user', requireParam('PolicyName', p.PolicyName));
        return { UserName: user.name, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(document) };
      },
    }),
    DeleteUserPolicy: op({
      action: 'iam:DeleteUserPolicy',
      resource: userResource,
      async run(p: Params, call) {
        const user = await requireUser(ctx, callerAccount(call), requireParam('UserName', p.UserName));
        await deleteInlinePolicy(ctx, user.arn, 'user', requireParam('PolicyName', p.PolicyName));
        return {};
      },
    }),
    AttachUserPolicy: op({
      action: 'iam:AttachUserPolicy',
      resource: userResource,
      async run(p: Params, call) {
        const user = await requireUser(ctx, callerAccount(call), requireParam('UserName', p.UserName));
        await attachPolicy(ctx, user.account, user.arn, requireParam('PolicyArn', p.PolicyArn));
        return {};
      },
    }),
    DetachUserPolicy: op({
      action: 'iam:DetachUserPolicy',
      resource: userResource,
      async run(p: Params, call) {
        const user = await requireUser(ctx, callerAccount(call), requireParam('UserName', p.UserName));
        await detachPolicy(ctx, user.account, user.arn, requireParam('PolicyArn', p.PolicyArn));
        return {};
      },
    }),
    PutUserPermissionsBoundary: op({
      action: 'iam:PutUserPermissionsBoundary',
      resource: userResource,
      async run(p: Params, call) {
        const account = callerAccount(call);
        await setUserBoundary(ctx, account, requireParam('UserName', p.UserName), (await checkBoundary(iam, account, requireParam('PermissionsBoundary', p.PermissionsBoundary)))!);
        return {};
      },
    }),

    // ── roles ─────────────────────────────────────────────────────────────────────────────────────────────
    CreateRole: op({
      action: 'iam:CreateRole',
      resource: (p: Params, call) => ({ arn: roleArn(callerAccount(call), p.Path ?? '/', requireParam('RoleName', p.RoleName)) }),
      async run(p: Params, call) {
        const account = callerAccount(call);
        const created = await createRole(ctx, account, {
          name: p.RoleName, trustPolicy: requireParam('AssumeRolePolicyDocument', p.AssumeRolePolicyDocument), path: p.Path,
          description: p.Description, maxSessionDuration: int(p.MaxSessionDuration), tags: toTags(p.Tags as TagInput[]),
          boundaryArn: await checkBoundary(iam, account, p.PermissionsBoundary),
        });
        return { Role: roleShape(created) };
      },
    }),
    GetRole: op({
      action: 'iam:GetRole',
      resource: roleResource,
      async run(p: Params, call) {
        return { Role: roleShape(await role(iam, call, p)) };
      },
    }),
    DeleteRole: op({
      action: 'iam:DeleteRole',
      resource: roleResource,
      async run(p: Params, call) {
        await deleteRole(ctx, callerAccount(call), requireParam('RoleName', p.RoleName));
        return {};
      },
    }),
    UpdateAssumeRolePolicy: op({
      action: 'iam:UpdateAssumeRolePolicy',
      resource: roleResource,
      async run(p: Params, call) {
        await updateTrustPolicy(ctx, callerAccount(call), requireParam('RoleName', p.RoleName), requireParam('PolicyDocument', p.PolicyDocument));
        return {};
      },
    }),
    PutRolePermissionsBoundary: op({
      action: 'iam:PutRolePermissionsBoundary',
      resource: roleResource,
      async run(p: Params, call) {
        const account = callerAccount(call);
        await setRoleBoundary(ctx, account, requireParam('RoleName', p.RoleName), (await checkBoundary(iam, account, requireParam('PermissionsBoundary', p.PermissionsBoundary)))!);
        return {};
      },
    }),
    DeleteRolePermissionsBoundary: op({
      action: 'iam:DeleteRolePermissionsBoundary',
      resource: roleResource,
      async run(p: Params, call) {
        await setRoleBoundary(ctx, callerAccount(call), requireParam('RoleName', p.RoleName), null);
        return {};
      },
    }),
    ListRoles: op({
      action: 'iam:ListRoles',
      async run(p: Params, call) {
        const page = await listRoles(ctx, callerAccount(call), { pathPrefix: p.PathPrefix, marker: p.Marker, maxItems: int(p.MaxItems) });
        return { Roles: page.items.map(roleShape), IsTruncated: page.marker !== undefined, Marker: page.marker };
      },
    }),
    AttachRolePolicy: op({
      action: 'iam:AttachRolePolicy',
      resource: roleResource,
      async run(p: Params, call) {
        const r = await role(iam, call, p);
        await attachPolicy(ctx, r.account, r.arn, requireParam('PolicyArn', p.PolicyArn));
        return {};
      },
    }),
    DetachRolePolicy: op({
      action: 'iam:DetachRolePolicy',
      resource: roleResource,
      async run(p: Params, call) {
        const r = await role(iam, call, p);
        await detachPolicy(ctx, r.account, r.arn, requireParam('PolicyArn', p.PolicyArn));
        return {};
      },
    }),
    ListAttachedRolePolicies: op({
      action: 'iam:ListAttachedRolePolicies',
      resource: roleResource,
      async run(p: Params, call) {
        const r = await role(iam, call, p);
        const attached = await listAttachedPolicies(ctx, r.arn);
        return { AttachedPolicies: attached.map((a) => ({ PolicyName: a.name, PolicyArn: a.arn })), IsTruncated: false };
      },
    }),
    PutRolePolicy: op({
      action: 'iam:PutRolePolicy',
      resource: roleResource,
      async run(p: Params, call) {
        const r = await role(iam, call, p);
        await putInlinePolicy(ctx, r.arn, 'role', requireParam('PolicyName', p.PolicyName), requireParam('PolicyDocument', p.PolicyDocument));
        return {};
      },
    }),
    GetRolePolicy: op({
      action: 'iam:GetRolePolicy',
      resource: roleResource,
      async run(p: Params, call) {
        const r = await role(iam, call, p);
        const document = await getInlinePolicy(ctx, r.arn, 'role', requireParam('PolicyName', p.PolicyName));
        return { RoleName: r.name, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(document) };
      },
    }),
    DeleteRolePolicy: op({
      action: 'iam:DeleteRolePolicy',
      resource: roleResource,
      async run(p: Params, call) {
        const r = await role(iam, call, p);
        await deleteInlinePolicy(ctx, r.arn, 'role', requireParam('PolicyName', p.PolicyName));
        return {};
      },
    }),

    // ── managed policies ──────────────────────────────────────────────────────────────────────────────────
    CreatePolicy: op({
      action: 'iam:CreatePolicy',
      resource: (p: Params, call) => ({ arn: policyArn(callerAccount(call), p.Path ?? '/', requireParam('PolicyName', p.PolicyName)) }),
      async run(p: Params, call) {
        const account = callerAccount(call);
        const created = await createPolicy(ctx, account, { name: p.PolicyName, document: requireParam('PolicyDocument', p.PolicyDocument), path: p.Path, description: p.Description });
        return { Policy: policyShape(created, { attachments: 0, boundaries: 0 }) };
      },
    }),
    GetPolicy: op({
      action: 'iam:GetPolicy',
      resource: policyResource,
      async run(p: Params, call) {
        const account = callerAccount(call);
        const policy = await requirePolicy(ctx, account, p.PolicyArn);
        return { Policy: policyShape(policy, await policyCounts(iam, account, policy.arn)) };
      },
    }),
    GetPolicyVersion: op({
      action: 'iam:GetPolicyVersion',
      resource: policyResource,
      async run(p: Params, call) {
        const version = await getPolicyVersion(ctx, callerAccount(call), p.PolicyArn, requireParam('VersionId', p.VersionId));
        return { PolicyVersion: { Document: encodeDocument(version.document), VersionId: version.versionId, IsDefaultVersion: version.isDefault, CreateDate: version.createDate } };
      },
    }),
    CreatePolicyVersion: op({
      action: 'iam:CreatePolicyVersion',
      resource: policyResource,
      async run(p: Params, call) {
        const version = await createPolicyVersion(ctx, callerAccount(call), p.PolicyArn, requireParam('PolicyDocument', p.PolicyDocument), bool(p.SetAsDefault));
        return { PolicyVersion: { VersionId: version.versionId, IsDefaultVersion: version.isDefault, CreateDate: version.createDate } };
      },
    }),
    DeletePolicy: op({
      action: 'iam:DeletePolicy',
      resource: policyResource,
      async run(p: Params, call) {
        await deletePolicy(ctx, callerAccount(call), p.PolicyArn);
        return {};
      },
    }),
    ListPolicies: op({
      action: 'iam:ListPolicies',
      async run(p: Params, call) {
        const scope = p.Scope ?? 'All';
        if (!['All', 'AWS', 'Local'].includes(scope))
          throw new GantryError('ValidationError', `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`);
        const page = await listPolicies(ctx, callerAccount(call), { scope, onlyAttached: bool(p.OnlyAttached), pathPrefix: p.PathPrefix, marker: p.Marker, maxItems: int(p.MaxItems) });
        return {
          Policies: page.items.map((item) => policyShape(item, { attachments: item.attachmentCount, boundaries: 0 })),
          IsTruncated: page.marker !== undefined,
          Marker: page.marker,
        };
      },
    }),

    // ── policy simulator ──────────────────────────────────────────────────────────────────────────────────
    SimulateCustomPolicy: op({
      action: 'iam:SimulateCustomPolicy',
      run: (p: Params, call) => simulateCustomPolicy(iam, p, call),
    }),
    SimulatePrincipalPolicy: op({
      action: 'iam:SimulatePrincipalPolicy',
      resource: (p: Params) => ({ arn: requireParam('PolicySourceArn', p.PolicySourceArn), account: parseArn(p.PolicySourceArn)?.account }),
      run: (p: Params, call) => simulatePrincipalPolicy(iam, p, call),
    }),
  };
}
