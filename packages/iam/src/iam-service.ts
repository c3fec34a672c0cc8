import type { Kysely } from 'kysely';
import { GantryError, SecretBox } from '@gantry/core';
import type { Store } from '@gantry/store';
import { getAccount, insertAccount, listAccounts, type Account, type CreateAccountArgs } from './accounts.ts';
import { lookupEvents, type AuditEvent, type LookupEventsArgs } from './audit-events.ts';
import { Authorizer } from './authorizer.ts';
import { CredentialResolver } from './credentials.ts';
import type { IamContext } from './iam-context.ts';
import { iamMigrations, type IamTables } from './iam-tables.ts';
import { attachPolicy } from './policies.ts';
import { RegionAccess } from './region-access.ts';
import { createRole, findRoleByArn, type Role } from './roles.ts';
import { createAccessKey, createUser } from './users.ts';

export const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
/** The role AWS Organizations creates in member accounts, trusted by the management account. */
export const ORGANIZATION_ACCESS_ROLE = 'OrganizationAccountAccessRole';
/** The management account's administrator user, whose keys the generated profiles use. */
export const ADMIN_USER = 'gantry-admin';

export interface IamOptions {
  store: Store;
  box: SecretBox;
  /** Clock, replaceable in tests of expiry. @default () => new Date() */
  now?: () => Date;
}

/**
 * IAM and STS: accounts, users, roles, policies, sessions, and the authorisation of every request.
 * Every other service is a client of this one.
 */
/** The change signal of every IAM write that can change an authorisation decision. */
const IAM_CHANGES = 'iam';

export class Iam {
  readonly ctx: IamContext;
  readonly authorizer: Authorizer;
  readonly credentials: CredentialResolver;
  /** Which regions each account may be used in (every default region, its enabled opt-in regions). */
  readonly regions: RegionAccess;
  private accountListeners: Array<() => void | Promise<void>> = [];

  constructor(private readonly options: IamOptions) {
    this.ctx = {
      db: options.store.db as Kysely<IamTables>,
      box: options.box,
      now: options.now ?? (() => new Date()),
      generation: 0,
      // Every process sharing the store drops its cached credentials and policies (this one at once).
      changed: () => options.store.signals.publish(IAM_CHANGES),
    };
    options.store.signals.subscribe(IAM_CHANGES, () => void this.ctx.generation++);
    this.authorizer = new Authorizer(this.ctx);
    this.credentials = new CredentialResolver(this.ctx);
    this.regions = new RegionAccess(this.ctx);
  }

  static readonly migrations = iamMigrations;

  /** The management account, created on first start with an administrator user. */
  async managementAccount(): Promise<Account | undefined> {
    return (await listAccounts(this.ctx)).find((a) => a.isManagement);
  }

  /**
   * Creates the management account and its administrator on first start. Returns the administrator's
   * new access key then; undefined when the organisation already exists.
   */
  async initialize(args: Omit<CreateAccountArgs, 'name' | 'isManagement'> & { name?: string } = {}): Promise<{ account: Account; accessKeyId: string; secretAccessKey: string } | undefined> {
    if (await this.managementAccount()) return undefined;
    const account = await insertAccount(this.ctx, { ...args, name: args.name ?? 'management', isManagement: true });
    await createUser(this.ctx, account.id, { name: ADMIN_USER });
    await attachPolicy(this.ctx, account.id, `arn:aws:iam::${account.id}:user/${ADMIN_USER}`, ADMINISTRATOR_ACCESS);
    const key = await createAccessKey(this.ctx, account.id, ADMIN_USER);
    return { account, accessKeyId: key.id, secretAccessKey: key.secret };
  }

  /**
   * Creates a member account the way AWS Organizations does: with an `OrganizationAccountAccessRole` that
   * trusts the management account and holds AdministratorAccess.
   */
  async createAccount(args: CreateAccountArgs): Promise<Account> {
    const management = await this.managementAccount();
    if (!management) throw new GantryError('ServiceUnavailable', 'The organisation is not initialised yet: start the server once first.');
    const account = await insertAccount(this.ctx, { ...args, isManagement: false });
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${management.id}:root` }, Action: 'sts:AssumeRole' }],
    });
    const role = await createRole(this.ctx, account.id, { name: ORGANIZATION_ACCESS_ROLE, trustPolicy: trust, description: 'Administrator access for the management account' });
    await attachPolicy(this.ctx, account.id, role.arn, ADMINISTRATOR_ACCESS);
    for (const listener of this.accountListeners) await listener();
    return account;
  }

  /** Calls `listener` after each new account (the server rewrites the AWS profile files then). */
  onAccountCreated(listener: () => void | Promise<void>): void {
    this.accountListeners.push(listener);
  }

  /**
   * The administrator's access key for the generated profiles: its first active key, or a new one when
   * every key was deleted.
   */
  async adminCredentials(): Promise<{ accessKeyId: string; secretAccessKey: string }> {
    const management = await this.managementAccount();
    if (!management) throw new GantryError('ServiceUnavailable', 'The organisation is not initialised yet.');
    const row = await this.ctx.db.selectFrom('access_keys').select(['id', 'sealed_secret'])
      .where('account_id', '=', management.id).where('user_name', '=', ADMIN_USER).where('status', '=', 'Active')
      .orderBy('created_at').executeTakeFirst();
    if (row) return { accessKeyId: row.id, secretAccessKey: this.ctx.box.open(row.sealed_secret) };
    const key = await createAccessKey(this.ctx, management.id, ADMIN_USER);
    return { accessKeyId: key.id, secretAccessKey: key.secret };
  }

  listAccounts(): Promise<Account[]> {
    return listAccounts(this.ctx);
  }

  getAccount(id: string): Promise<Account | undefined> {
    return getAccount(this.ctx, id);
  }

  /**
   * The audit trail of one account, newest first (CloudTrail's LookupEvents): every AssumeRole of its roles
   * and by its principals, allowed or refused, with who called, from where, and what was issued.
   */
  lookupEvents(args: LookupEventsArgs): Promise<{ events: AuditEvent[]; nextToken?: string }> {
    return lookupEvents(this.ctx, args);
  }

  /** The role an ARN names, for services that hand roles to others (workflow connections, app service roles). */
  findRoleByArn(arn: string): Promise<Role | undefined> {
    return findRoleByArn(this.ctx, arn);
  }
}
