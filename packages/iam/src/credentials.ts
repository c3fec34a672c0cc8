import { GantryError, secretMatchesHash } from '@gantry/core';
import type { IamContext } from './iam-context.ts';
import type { Principal, SessionPrincipal } from './principal.ts';
import { loadUserSession } from './user-sessions.ts';

/** What authenticating a request needs to know about an access key id. */
export interface ResolvedCredentials {
  principal: Principal;
  secretAccessKey: string;
  /** Temporary credentials only: hash of the session token that must accompany the key. */
  sessionTokenHash?: string;
  expiresAt?: Date;
}

/**
 * Resolves access key ids to their principal and secret. Every request does this, so results are cached per
 * IAM generation: any IAM write bumps the generation and the next lookup reloads.
 */
export class CredentialResolver {
  private cache = new Map<string, { generation: number; value: ResolvedCredentials | undefined }>();
  private static readonly MAX_ENTRIES = 10_000;

  constructor(private readonly ctx: IamContext) {}

  async resolve(accessKeyId: string): Promise<ResolvedCredentials | undefined> {
    const hit = this.cache.get(accessKeyId);
    if (hit && hit.generation === this.ctx.generation) return hit.value;
    const generation = this.ctx.generation;
    // Temporary keys are role sessions (AssumeRole) or user sessions (GetSessionToken); both start with ASIA.
    const value = accessKeyId.startsWith('ASIA')
      ? (await this.loadSession(accessKeyId)) ?? (await loadUserSession(this.ctx, accessKeyId))
      : await this.loadUserKey(accessKeyId);
    if (this.cache.size >= CredentialResolver.MAX_ENTRIES) this.cache.clear();
    this.cache.set(accessKeyId, { generation, value });
    return value;
  }

  /**
   * Checks the session token of temporary credentials and their expiry, with the errors STS and IAM return:
   * a wrong token is an invalid client token, a past expiry an expired token.
   */
  static checkSessionToken(resolved: ResolvedCredentials, sessionToken: string | undefined, now: Date): void {
    if (!resolved.sessionTokenHash) return;
    if (!sessionToken || !secretMatchesHash(sessionToken, resolved.sessionTokenHash))
      throw new GantryError('InvalidClientTokenId', 'The security token included in the request is invalid.');
    if (resolved.expiresAt && resolved.expiresAt.getTime() <= now.getTime())
      throw new GantryError('ExpiredToken', 'The security token included in the request is expired');
  }

  private async loadUserKey(id: string): Promise<ResolvedCredentials | undefined> {
    const row = await this.ctx.db.selectFrom('access_keys')
      .innerJoin('users', (j) => j.onRef('users.account_id', '=', 'access_keys.account_id').onRef('users.name', '=', 'access_keys.user_name'))
      .select(['access_keys.sealed_secret', 'access_keys.status', 'users.account_id', 'users.name', 'users.id', 'users.arn', 'users.tags', 'users.boundary_arn'])
      .where('access_keys.id', '=', id).executeTakeFirst();
    if (!row || row.status !== 'Active') return undefined;
    return {
      secretAccessKey: this.ctx.box.open(row.sealed_secret),
      principal: {
        kind: 'user', account: row.account_id, arn: row.arn, userId: row.id, userName: row.name,
        tags: JSON.parse(row.tags), boundaryArn: row.boundary_arn,
      },
    };
  }

  private async loadSession(id: string): Promise<ResolvedCredentials | undefined> {
    const row = await this.ctx.db.selectFrom('sessions').selectAll().where('access_key_id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const role = await this.ctx.db.selectFrom('roles').select(['name', 'tags', 'boundary_arn']).where('arn', '=', row.role_arn).executeTakeFirst();
    // A deleted role invalidates its sessions at once.
    if (!role) return undefined;
    const principal: SessionPrincipal = {
      kind: 'session', account: row.account_id, arn: `arn:aws:sts::${row.account_id}:assumed-role/${role.name}/${row.session_name}`,
      roleArn: row.role_arn, roleId: row.role_id, roleName: role.name, sessionName: row.session_name,
      tags: { ...JSON.parse(role.tags), ...JSON.parse(row.tags) }, boundaryArn: role.boundary_arn,
      sessionPolicy: row.session_policy, sessionPolicyArns: JSON.parse(row.session_policy_arns), sourceIdentity: row.source_identity,
      chained: row.chained === 1, issuedAt: new Date(row.created_at), expiresAt: new Date(row.expires_at),
    };
    if (row.web_identity) principal.webIdentity = JSON.parse(row.web_identity);
    return { principal, secretAccessKey: this.ctx.box.open(row.sealed_secret), sessionTokenHash: row.token_hash, expiresAt: principal.expiresAt };
  }
}
