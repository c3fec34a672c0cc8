import { randomUUID } from 'node:crypto';
import { GantryError, isAccountId, parseArn } from '@gantry/core';
import { assumeRole, type Iam, type Principal } from '@gantry/iam';
import { isUniqueViolation } from '@gantry/store';
import type { ConnectionDb, ConnectionTables } from './connection-tables.ts';

/** The service principal workflow actions assume connection roles as (the one CodeCatalyst's runner uses). */
export const WORKFLOW_SERVICE_PRINCIPAL = 'codecatalyst-runner.amazonaws.com';

/** CodeCatalyst's connection ARNs carry the region the service runs in, whatever the account's regions. */
const CONNECTION_REGION = 'us-west-2';

export type ConnectionStatus = 'PENDING' | 'ACTIVE' | 'REJECTED';

export interface AccountConnection {
  connectionId: string;
  arn: string;
  space: string;
  name: string;
  accountId: string;
  status: ConnectionStatus;
  requestedBy: string;
  requestedAt: Date;
  decidedBy?: string;
  decidedAt?: Date;
  /** Role ARNs added to the connection. */
  roles: string[];
}

/** `aws:SourceArn` of a workflow action: its space and project, as a trust policy can pin them. */
export const projectSourceArn = (space: string, project: string): string => `arn:aws:codecatalyst:::space/${space}/project/${project}`;
export const connectionArn = (accountId: string, connectionId: string): string => `arn:aws:codecatalyst:${CONNECTION_REGION}:${accountId}:/connections/${connectionId}`;

export const principalArn = (p: Principal): string => (p.kind === 'service' ? p.service : p.arn);

const NAME = /^[A-Za-z0-9_-]{3,63}$/;

type Row = ConnectionTables['account_connections'];

/**
 * Account connections: a space asks to use an account (`request`), a principal of that account consents
 * (`accept`, IAM action `codecatalyst:AcceptConnection` on the connection) and adds roles
 * (`associateRole`, `codecatalyst:AssociateIamRoleToConnection` plus `iam:PassRole` on the role). Workflow actions
 * then get credentials of those roles, assumed by the workflow service principal, so the role's trust policy
 * has the last word (`credentialsFor`).
 */
export class AccountConnections {
  constructor(private readonly db: ConnectionDb, private readonly iam: Iam, private readonly now: () => number = Date.now) {}

  /** Asks `accountId` to let the space use it. The connection is PENDING until that account accepts it. */
  async request(args: { space: string; name: string; accountId: string; requestedBy: string }): Promise<AccountConnection> {
    if (!NAME.test(args.name)) throw new GantryError('ValidationError', `Connection name '${args.name}' is not valid: use 3 to 63 letters, digits, '-' or '_' (workflows refer to it as Environment.Connections[].Name).`);
    if (!isAccountId(args.accountId)) throw new GantryError('ValidationError', `accountId '${args.accountId}' is not a 12-digit account id.`);
    if (!(await this.iam.getAccount(args.accountId))) throw new GantryError('NotFound', `There is no account ${args.accountId}: create it first (gantry accounts create).`);
    const row: Row = {
      connection_id: randomUUID(), space: args.space, name: args.name, name_key: args.name.toLowerCase(), account_id: args.accountId,
      status: 'PENDING', requested_by: args.requestedBy, requested_at: this.now(), decided_by: null, decided_at: null,
    };
    try {
      await this.db.insertInto('account_connections').values(row).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = (await this.list({ space: args.space })).find((c) => c.name.toLowerCase() === row.name_key || c.accountId === args.accountId)!;
      throw new GantryError('Conflict', `Space ${args.space} already has connection ${existing.name} to account ${existing.accountId} (${existing.status}); a space has one connection per account and unique names.`);
    }
    return this.shape(row, []);
  }

  /** The connected account's consent. The caller must be a principal of that account allowed to accept. */
  async accept(connectionId: string, caller: Principal, context: Record<string, unknown> = {}): Promise<AccountConnection> {
    return this.decide(connectionId, caller, 'codecatalyst:AcceptConnection', 'ACTIVE', context);
  }

  async reject(connectionId: string, caller: Principal, context: Record<string, unknown> = {}): Promise<AccountConnection> {
    return this.decide(connectionId, caller, 'codecatalyst:RejectConnection', 'REJECTED', context);
  }

  /** Adds a role of the connected account to an ACTIVE connection, by a principal of that account. */
  async associateRole(connectionId: string, roleArn: string, caller: Principal, context: Record<string, unknown> = {}): Promise<AccountConnection> {
    const row = await this.require(connectionId);
    const arn = parseArn(roleArn);
    const roleName = arn?.service === 'iam' && arn.resource.startsWith('role/') ? arn.resource.split('/').pop()! : undefined;
    if (!arn || !roleName) throw new GantryError('ValidationError', `roleArn '${roleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).`);
    if (arn.account !== row.account_id) throw new GantryError('ValidationError', `Role ${roleArn} belongs to account ${arn.account}, but connection ${row.name} connects account ${row.account_id}: add a role of that account.`);
    await this.requireCaller(row, caller, 'codecatalyst:AssociateIamRoleToConnection', context);
    await this.iam.authorizer.require({ principal: caller, action: 'iam:PassRole', resource: roleArn, resourceAccount: row.account_id, context: context as never });
    if (row.status !== 'ACTIVE') throw new GantryError('Conflict', `Connection ${row.name} is ${row.status}: accept it before adding roles.`);
    const role = await this.iam.findRoleByArn(roleArn);
    if (!role) throw new GantryError('NotFound', `Account ${row.account_id} has no role ${roleArn}: create it first.`);
    try {
      await this.db.insertInto('connection_roles').values({
        connection_id: connectionId, role_arn: roleArn, role_name_key: role.name.toLowerCase(), added_by: principalArn(caller), added_at: this.now(),
      }).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return (await this.get(connectionId))!;
  }

  async get(connectionId: string): Promise<AccountConnection | undefined> {
    const row = await this.db.selectFrom('account_connections').selectAll().where('connection_id', '=', connectionId).executeTakeFirst();
    return row && this.shape(row, await this.rolesOf([row.connection_id]));
  }

  /** Connections of a space, or to an account, oldest first. */
  async list(filter: { space?: string; accountId?: string }): Promise<AccountConnection[]> {
    let query = this.db.selectFrom('account_connections').selectAll().orderBy('requested_at').orderBy('connection_id');
    if (filter.space !== undefined) query = query.where('space', '=', filter.space);
    if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId);
    const rows = await query.execute();
    const roles = await this.rolesOf(rows.map((r) => r.connection_id));
    return rows.map((r) => this.shape(r, roles));
  }

  /**
   * Short-lived credentials of `role` (a role name or ARN) through the space's connection `connection` (its name or
   * the connected account id), assumed by the workflow service principal with `aws:SourceArn` (the project) and
   * `aws:SourceAccount` (the connected account) in the request context.
   */
  async credentialsFor(args: { space: string; project: string; connection: string; role: string; sessionName: string; region?: string }) {
    const connections = await this.list({ space: args.space });
    const connection = connections.find((c) => c.name.toLowerCase() === args.connection.toLowerCase() || c.accountId === args.connection);
    if (!connection) {
      const known = connections.map((c) => c.name).join(', ') || 'none';
      throw new GantryError('NotFound', `Space ${args.space} has no account connection '${args.connection}' (its connections: ${known}); add it with 'gantry connections create'.`);
    }
    if (connection.status !== 'ACTIVE') throw new GantryError('AccessDenied', `Connection ${connection.name} to account ${connection.accountId} is ${connection.status}: a principal of that account must accept it first.`);
    const wanted = args.role.toLowerCase();
    const roleArn = connection.roles.find((arn) => arn.toLowerCase() === wanted || arn.split('/').pop()!.toLowerCase() === wanted);
    if (!roleArn) throw new GantryError('AccessDenied', `Role '${args.role}' has not been added to connection ${connection.name} (its roles: ${connection.roles.map((r) => r.split('/').pop()).join(', ') || 'none'}).`);
    const account = await this.iam.getAccount(connection.accountId);
    const region = args.region ?? account?.defaultRegion ?? 'us-east-1';
    const assumed = await assumeRole(this.iam.ctx, this.iam.authorizer, { kind: 'service', service: WORKFLOW_SERVICE_PRINCIPAL }, {
      roleArn, roleSessionName: args.sessionName, region,
      context: { 'aws:SourceArn': projectSourceArn(args.space, args.project), 'aws:SourceAccount': connection.accountId },
    });
    return { ...assumed.credentials, region, roleArn, connection };
  }

  private async decide(connectionId: string, caller: Principal, action: string, to: ConnectionStatus, context: Record<string, unknown>): Promise<AccountConnection> {
    const row = await this.require(connectionId);
    await this.requireCaller(row, caller, action, context);
    if (row.status === to) return (await this.get(connectionId))!;
    if (row.status !== 'PENDING') throw new GantryError('Conflict', `Connection ${row.name} is already ${row.status}.`);
    await this.db.updateTable('account_connections').set({ status: to, decided_by: principalArn(caller), decided_at: this.now() })
      .where('connection_id', '=', connectionId).where('status', '=', 'PENDING').execute();
    return (await this.get(connectionId))!;
  }

  /** Only principals of the connected account decide about its connections, and only with the permission. */
  private async requireCaller(row: Row, caller: Principal, action: string, context: Record<string, unknown>): Promise<void> {
    if (caller.kind === 'service' || caller.account !== row.account_id) {
      throw new GantryError('AccessDenied', `Only a principal of account ${row.account_id} can do ${action} on connection ${row.name}: use that account's credentials (e.g. AWS_PROFILE for that account).`);
    }
    await this.iam.authorizer.require({ principal: caller, action, resource: connectionArn(row.account_id, row.connection_id), resourceAccount: row.account_id, context: context as never });
  }

  private async require(connectionId: string): Promise<Row> {
    const row = await this.db.selectFrom('account_connections').selectAll().where('connection_id', '=', connectionId).executeTakeFirst();
    if (!row) throw new GantryError('NotFound', `No account connection ${connectionId}.`);
    return row;
  }

  private async rolesOf(ids: string[]): Promise<Map<string, string[]>> {
    const byId = new Map<string, string[]>();
    if (ids.length === 0) return byId;
    const rows = await this.db.selectFrom('connection_roles').select(['connection_id', 'role_arn']).where('connection_id', 'in', ids).orderBy('added_at').execute();
    for (const r of rows) byId.set(r.connection_id, [...(byId.get(r.connection_id) ?? []), r.role_arn]);
    return byId;
  }

  private shape(row: Row, roles: Map<string, string[]> | string[]): AccountConnection {
    return {
      connectionId: row.connection_id, arn: connectionArn(row.account_id, row.connection_id), space: row.space, name: row.name,
      accountId: row.account_id, status: row.status as ConnectionStatus, requestedBy: row.requested_by, requestedAt: new Date(Number(row.requested_at)),
      ...(row.decided_by ? { decidedBy: row.decided_by, decidedAt: new Date(Number(row.decided_at)) } : {}),
      roles: Array.isArray(roles) ? roles : roles.get(row.connection_id) ?? [],
    };
  }
}
