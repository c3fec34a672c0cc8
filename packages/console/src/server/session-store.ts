import { randomBytes } from 'node:crypto';
import { hashSecret, type SecretBox } from '@gantry/core';
import type { Kysely } from 'kysely';
import type { ConsoleTables } from './console-tables.ts';

/** The credentials a console session signs API calls with (always temporary STS credentials). */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** A role the signed-in user switched to: calls are signed with its credentials until it expires or is left. */
export interface SwitchedRole {
  credentials: SessionCredentials;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  arn: string;
  account: string;
  expiresAt: Date;
}

export interface ConsoleSession {
  /** The signed-in user's own (GetSessionToken-style) credentials. */
  credentials: SessionCredentials;
  account: string;
  principalArn: string;
  region: string;
  signInMethod: 'access-key' | 'password';
  expiresAt: Date;
  role?: SwitchedRole;
}

/**
 * Console sessions in the store, so they survive a restart and every server replica sees them. The cookie id
 * is 32 random bytes; lookups go by its hash.
 */
export class SessionStore {
  constructor(private readonly db: Kysely<ConsoleTables>, private readonly box: SecretBox, private readonly now: () => Date = () => new Date()) {}

  /** Stores a session and returns the cookie id that names it. */
  async create(session: ConsoleSession): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.db.insertInto('console_sessions').values({
      id_hash: hashSecret(id), sealed_credentials: this.box.seal(JSON.stringify(session.credentials)),
      account_id: session.account, principal_arn: session.principalArn, region: session.region,
      sign_in_method: session.signInMethod, expires_at: session.expiresAt.toISOString(), created_at: this.now().toISOString(),
      sealed_role_credentials: null, role_session_arn: null, role_account_id: null, role_expires_at: null,
    }).execute();
    return id;
  }

  /** The live session a cookie id names; an expired one is deleted and reads as none. */
  async find(id: string): Promise<ConsoleSession | undefined> {
    const row = await this.db.selectFrom('console_sessions').selectAll().where('id_hash', '=', hashSecret(id)).executeTakeFirst();
    if (!row) return undefined;
    const expiresAt = new Date(row.expires_at);
    if (expiresAt.getTime() <= this.now().getTime()) {
      await this.delete(id);
      return undefined;
    }
    const role: SwitchedRole | undefined = row.sealed_role_credentials && row.role_session_arn && row.role_account_id && row.role_expires_at ? {
      credentials: JSON.parse(this.box.open(row.sealed_role_credentials)) as SessionCredentials,
      arn: row.role_session_arn, account: row.role_account_id, expiresAt: new Date(row.role_expires_at),
    } : undefined;
    return {
      credentials: JSON.parse(this.box.open(row.sealed_credentials)) as SessionCredentials,
      account: row.account_id, principalArn: row.principal_arn, region: row.region,
      signInMethod: row.sign_in_method as ConsoleSession['signInMethod'], expiresAt,
      // A role session that expired is simply gone: calls go back to the user's own credentials.
      ...(role && role.expiresAt.getTime() > this.now().getTime() ? { role } : {}),
    };
  }

  /** Switches the session to a role (or back to the user, with `undefined`). */
  async setRole(id: string, role: SwitchedRole | undefined): Promise<void> {
    await this.db.updateTable('console_sessions').set({
      sealed_role_credentials: role ? this.box.seal(JSON.stringify(role.credentials)) : null,
      role_session_arn: role?.arn ?? null, role_account_id: role?.account ?? null, role_expires_at: role?.expiresAt.toISOString() ?? null,
    }).where('id_hash', '=', hashSecret(id)).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('id_hash', '=', hashSecret(id)).execute();
  }

  /** Deletes expired sessions (they already read as none). */
  async prune(): Promise<number> {
    const result = await this.db.deleteFrom('console_sessions').where('expires_at', '<=', this.now().toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
