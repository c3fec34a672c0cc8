import { restJson } from './console-client.ts';
import { queryCall, text } from './query-protocol.ts';

/**
 * IAM over the Query protocol (2010-05-08), as `@aws-sdk/client-iam` speaks it, and the account's audit trail
 * (CloudTrail's LookupEvents shapes, REST-JSON at `/_gantry/audit-events`). Policy documents arrive
 * URL-encoded, as IAM returns them, and are decoded here.
 */
const VERSION = '2010-05-08';
const call = (action: string, params: Record<string, string | undefined> = {}) => queryCall('iam', VERSION, action, params);

/** The direct child elements named `name` (the `<member>`s of a list). */
const children = (root: Element | undefined, name: string): Element[] => (root ? Array.from(root.children).filter((c) => c.localName === name) : []);
const list = (root: Element, name: string): Element[] => children(root.getElementsByTagName(name)[0], 'member');
const decode = (document: string | undefined) => {
  if (!document) return '';
  try {
    return decodeURIComponent(document);
  } catch {
    return document;
  }
};
/** A JSON document as people read it: pretty-printed when it parses. */
export const pretty = (document: string) => {
  try {
    return JSON.stringify(JSON.parse(document), null, 2);
  } catch {
    return document;
  }
};

export interface User { userName: string; userId: string; arn: string; path: string; createDate: string }
export interface Role { roleName: string; roleId: string; arn: string; path: string; createDate: string; description?: string; trustPolicy: string; maxSessionDuration?: string }
export interface AccessKey { accessKeyId: string; status: string; createDate: string; userName: string }
export interface ManagedPolicy { policyName: string; arn: string; path: string; attachmentCount: number; defaultVersionId: string; description?: string; updateDate?: string }
export interface AttachedPolicy { policyName: string; policyArn: string }
export interface Page<T> { items: T[]; marker?: string }

const user = (e: Element): User => ({ userName: text(e, 'UserName')!, userId: text(e, 'UserId') ?? '', arn: text(e, 'Arn') ?? '', path: text(e, 'Path') ?? '/', createDate: text(e, 'CreateDate') ?? '' });
const role = (e: Element): Role => ({
  roleName: text(e, 'RoleName')!, roleId: text(e, 'RoleId') ?? '', arn: text(e, 'Arn') ?? '', path: text(e, 'Path') ?? '/', createDate: text(e, 'CreateDate') ?? '',
  description: text(e, 'Description'), trustPolicy: decode(text(e, 'AssumeRolePolicyDocument')), maxSessionDuration: text(e, 'MaxSessionDuration'),
});
const accessKey = (e: Element): AccessKey => ({ accessKeyId: text(e, 'AccessKeyId')!, status: text(e, 'Status') ?? '', createDate: text(e, 'CreateDate') ?? '', userName: text(e, 'UserName') ?? '' });
const policy = (e: Element): ManagedPolicy => ({
  policyName: text(e, 'PolicyName')!, arn: text(e, 'Arn')!, path: text(e, 'Path') ?? '/', attachmentCount: Number(text(e, 'AttachmentCount') ?? 0),
  defaultVersionId: text(e, 'DefaultVersionId') ?? 'v1', description: text(e, 'Description'), updateDate: text(e, 'UpdateDate'),
});
const attached = (e: Element): AttachedPolicy => ({ policyName: text(e, 'PolicyName')!, policyArn: text(e, 'PolicyArn')! });
const marker = (root: Element) => (text(root, 'IsTruncated') === 'true' ? text(root, 'Marker') : undefined);

export const iam = {
  async listUsers(options: { marker?: string; maxItems?: number } = {}): Promise<Page<User>> {
    const root = await call('ListUsers', { Marker: options.marker, MaxItems: String(options.maxItems ?? 50) });
    return { items: list(root, 'Users').map(user), marker: marker(root) };
  },
  getUser: async (userName: string) => user((await call('GetUser', { UserName: userName })).getElementsByTagName('User')[0]!),
  createUser: async (userName: string) => user((await call('CreateUser', { UserName: userName })).getElementsByTagName('User')[0]!),
  deleteUser: async (userName: string) => void (await call('DeleteUser', { UserName: userName })),
  async listAccessKeys(userName: string): Promise<AccessKey[]> {
    return list(await call('ListAccessKeys', { UserName: userName }), 'AccessKeyMetadata').map(accessKey);
  },
  /** The secret is in this answer only: IAM never returns it again. */
  async createAccessKey(userName: string): Promise<AccessKey & { secretAccessKey: string }> {
    const e = (await call('CreateAccessKey', { UserName: userName })).getElementsByTagName('AccessKey')[0]!;
    return { ...accessKey(e), secretAccessKey: text(e, 'SecretAccessKey')! };
  },
  deleteAccessKey: async (userName: string, accessKeyId: string) => void (await call('DeleteAccessKey', { UserName: userName, AccessKeyId: accessKeyId })),
  /** Whether the user has a console password (GetLoginProfile answers NoSuchEntity when not). */
  async hasLoginProfile(userName: string): Promise<boolean> {
    try {
      await call('GetLoginProfile', { UserName: userName });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'NoSuchEntity') return false;
      throw error;
    }
  },
  createLoginProfile: async (userName: string, password: string, reset: boolean) =>
    void (await call('CreateLoginProfile', { UserName: userName, Password: password, PasswordResetRequired: String(reset) })),
  updateLoginProfile: async (userName: string, password: string) => void (await call('UpdateLoginProfile', { UserName: userName, Password: password })),
  deleteLoginProfile: async (userName: string) => void (await call('DeleteLoginProfile', { UserName: userName })),

  async listRoles(options: { marker?: string; maxItems?: number } = {}): Promise<Page<Role>> {
    const root = await call('ListRoles', { Marker: options.marker, MaxItems: String(options.maxItems ?? 50) });
    return { items: list(root, 'Roles').map(role), marker: marker(root) };
  },
  getRole: async (roleName: string) => role((await call('GetRole', { RoleName: roleName })).getElementsByTagName('Role')[0]!),
  createRole: async (input: { roleName: string; trustPolicy: string; description?: string }) =>
    role((await call('CreateRole', { RoleName: input.roleName, AssumeRolePolicyDocument: input.trustPolicy, Description: input.description || undefined })).getElementsByTagName('Role')[0]!),
  deleteRole: async (roleName: string) => void (await call('DeleteRole', { RoleName: roleName })),
  updateTrustPolicy: async (roleName: string, document: string) => void (await call('UpdateAssumeRolePolicy', { RoleName: roleName, PolicyDocument: document })),
  getRolePolicy: async (roleName: string, policyName: string) => decode(text(await call('GetRolePolicy', { RoleName: roleName, PolicyName: policyName }), 'PolicyDocument')),
  putRolePolicy: async (roleName: string, policyName: string, document: string) => void (await call('PutRolePolicy', { RoleName: roleName, PolicyName: policyName, PolicyDocument: document })),
  deleteRolePolicy: async (roleName: string, policyName: string) => void (await call('DeleteRolePolicy', { RoleName: roleName, PolicyName: policyName })),
  listAttachedRolePolicies: async (roleName: string) => list(await call('ListAttachedRolePolicies', { RoleName: roleName }), 'AttachedPolicies').map(attached),
  attachRolePolicy: async (roleName: string, policyArn: string) => void (await call('AttachRolePolicy', { RoleName: roleName, PolicyArn: policyArn })),
  detachRolePolicy: async (roleName: string, policyArn: string) => void (await call('DetachRolePolicy', { RoleName: roleName, PolicyArn: policyArn })),
  attachUserPolicy: async (userName: string, policyArn: string) => void (await call('AttachUserPolicy', { UserName: userName, PolicyArn: policyArn })),
  detachUserPolicy: async (userName: string, policyArn: string) => void (await call('DetachUserPolicy', { UserName: userName, PolicyArn: policyArn })),

  async listPolicies(options: { scope?: 'All' | 'AWS' | 'Local'; onlyAttached?: boolean; marker?: string; maxItems?: number } = {}): Promise<Page<ManagedPolicy>> {
    const root = await call('ListPolicies', {
      Scope: options.scope ?? 'All', OnlyAttached: options.onlyAttached ? 'true' : undefined, Marker: options.marker, MaxItems: String(options.maxItems ?? 50),
    });
    return { items: list(root, 'Policies').map(policy), marker: marker(root) };
  },
  async getPolicyDocument(arn: string): Promise<{ policy: ManagedPolicy; document: string }> {
    const p = policy((await call('GetPolicy', { PolicyArn: arn })).getElementsByTagName('Policy')[0]!);
    const version = await call('GetPolicyVersion', { PolicyArn: arn, VersionId: p.defaultVersionId });
    return { policy: p, document: decode(text(version, 'Document')) };
  },
};

/** Where IAM's validation put a problem: the `line N, column M` its MalformedPolicyDocument message ends with. */
export function policyErrorPosition(error: unknown): { line: number; column: number } | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  if (code !== 'MalformedPolicyDocument') return undefined;
  const match = /line (\d+), column (\d+)/.exec((error as Error).message);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
}

export interface AuditEvent {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  EventTime: string;
  EventSource: string;
  Username?: string;
  Resources: Array<{ ResourceType: string; ResourceName: string }>;
  /** The whole record, as a JSON string. */
  CloudTrailEvent: string;
}

/** The account's audit trail, newest first (`cloudtrail:LookupEvents`). */
export async function lookupEvents(filter: { eventName?: string; roleArn?: string; startTime?: string; endTime?: string; nextToken?: string; maxResults?: number }): Promise<{ events: AuditEvent[]; nextToken?: string }> {
  const r = await restJson<{ Events: AuditEvent[]; NextToken?: string }>('cloudtrail', 'GET', '/_gantry/audit-events', { query: { ...filter, maxResults: filter.maxResults ?? 25 } });
  return { events: r.Events ?? [], nextToken: r.NextToken };
}
