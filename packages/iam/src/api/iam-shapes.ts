import type { AccessKey, User } from '../users.ts';
import type { ManagedPolicy } from '../policies.ts';
import type { Role } from '../roles.ts';
import { tagList } from '../tags.ts';

/**
 * IAM response shapes, field names and order as the IAM API model defines them. Policy documents are
 * URL-encoded in IAM responses, as AWS sends them.
 */
export const encodeDocument = (json: string): string => encodeURIComponent(json);

const boundary = (arn: string | null) => (arn ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } : undefined);
const tags = (t: Record<string, string>) => (Object.keys(t).length ? tagList(t) : undefined);

export const userShape = (u: User) => ({
  Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: u.createdAt,
  PermissionsBoundary: boundary(u.boundaryArn), Tags: tags(u.tags),
});

export const roleShape = (r: Role) => ({
  Path: r.path, RoleName: r.name, RoleId: r.id, Arn: r.arn, CreateDate: r.createdAt,
  AssumeRolePolicyDocument: encodeDocument(r.trustPolicy), Description: r.description ?? undefined,
  MaxSessionDuration: r.maxSessionDuration, PermissionsBoundary: boundary(r.boundaryArn), Tags: tags(r.tags),
});

export const accessKeyShape = (k: AccessKey) => ({ UserName: k.userName, AccessKeyId: k.id, Status: k.status, CreateDate: k.createdAt });

export const policyShape = (p: ManagedPolicy, counts: { attachments: number; boundaries: number }) => ({
  PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: p.path, DefaultVersionId: p.defaultVersionId,
  AttachmentCount: counts.attachments, PermissionsBoundaryUsageCount: counts.boundaries, IsAttachable: true,
  Description: p.description ?? undefined, CreateDate: p.createDate, UpdateDate: p.updateDate,
});
