/** Tags as IAM keeps them on users, roles and sessions. */
export type Tags = Record<string, string>;

/** The authenticated caller of a request, as resolved from its credentials. */
export type Principal = UserPrincipal | SessionPrincipal | ServicePrincipal;

export interface UserPrincipal {
  kind: 'user';
  account: string;
  arn: string;
  userId: string;
  userName: string;
  tags: Tags;
  boundaryArn: string | null;
  /**
   * Set when the request was signed with the user's temporary credentials (GetSessionToken, console sign-in)
   * rather than a long-term access key. They carry the user's own permissions; STS refuses to issue session
   * tokens from them.
   */
  temporary?: { issuedAt: Date; expiresAt: Date };
}

export interface SessionPrincipal {
  kind: 'session';
  account: string;
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (the role's path is dropped, as in AWS). */
  arn: string;
  roleArn: string;
  roleId: string;
  roleName: string;
  sessionName: string;
  /** Role tags overlaid with session tags (session tags win). */
  tags: Tags;
  boundaryArn: string | null;
  /** Inline session policy JSON passed to AssumeRole, if any. */
  sessionPolicy: string | null;
  sessionPolicyArns: string[];
  sourceIdentity: string | null;
  /** The session was obtained by a role session (role chaining: capped at one hour). */
  chained: boolean;
  issuedAt: Date;
  expiresAt: Date;
  /** Sessions an identity pool issued: `cognito-identity.amazonaws.com:sub` and the other keys of the identity. */
  webIdentity?: Record<string, string | string[]>;
}

/** An AWS-style service acting on its own behalf, e.g. the workflow runner assuming a role. */
export interface ServicePrincipal {
  kind: 'service';
  /** e.g. `codecatalyst-runner.amazonaws.com` */
  service: string;
}

/** `aws:userid` as AWS reports it. */
export function principalUserId(p: Principal): string {
  if (p.kind === 'user') return p.userId;
  if (p.kind === 'session') return `${p.roleId}:${p.sessionName}`;
  return p.service;
}
