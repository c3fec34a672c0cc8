import { GantryError, isAccountId, randomAccountId } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import { nowIso, type IamContext } from './iam-context.ts';

/** An isolated account: its own IAM entities, hosting apps, backends, in the regions it is enabled for. */
export interface Account {
  /** 12 digits. */
  id: string;
  name: string;
  /** Regions the account may be used in. @default ['us-west-2'] */
  regions: string[];
  /** The management account of the organisation; member accounts are reached through a role from it. */
  isManagement: boolean;
  createdAt: Date;
}

export interface CreateAccountArgs {
  name: string;
  /** @default a random 12-digit id */
  id?: string;
  /** @default ['us-west-2'] */
  regions?: string[];
  isManagement?: boolean;
}

export const DEFAULT_REGION = 'us-west-2';
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ACCOUNT_NAME = /^[A-Za-z0-9][\w.-]{0,49}$/;

type AccountRow = { id: string; name: string; regions: string; is_management: number; created_at: string };
const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  name: row.name,
  regions: JSON.parse(row.regions),
  isManagement: row.is_management === 1,
  createdAt: new Date(row.created_at),
});

export async function insertAccount(ctx: IamContext, args: CreateAccountArgs): Promise<Account> {
  if (!ACCOUNT_NAME.test(args.name))
    throw new GantryError('InvalidInput', `Account name '${args.name}' is not valid: use 1 to 50 letters, digits, '.', '_' or '-', starting with a letter or digit (it also names the account's AWS profile).`);
  const id = args.id ?? randomAccountId();
  if (!isAccountId(id)) throw new GantryError('InvalidInput', `Account id '${id}' is not valid: an account id is exactly 12 digits.`);
  const regions = args.regions?.length ? [...new Set(args.regions)] : [DEFAULT_REGION];
  for (const region of regions)
    if (!REGION.test(region)) throw new GantryError('InvalidInput', `Region '${region}' is not a region name such as us-west-2 or eu-west-1.`);
  try {
    await ctx.db.insertInto('accounts').values({
      id, name: args.name, name_key: args.name.toLowerCase(), regions: JSON.stringify(regions),
      is_management: args.isManagement ? 1 : 0, created_at: nowIso(ctx),
    }).execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      const clash = (await getAccount(ctx, id)) ? `id ${id}` : `name '${args.name}'`;
      throw new GantryError('EntityAlreadyExists', `An account with ${clash} already exists.`);
    }
    throw error;
  }
  ctx.changed();
  return (await getAccount(ctx, id))!;
}

export async function getAccount(ctx: IamContext, id: string): Promise<Account | undefined> {
  const row = await ctx.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAccount(row);
}


export async function listAccounts(ctx: IamContext): Promise<Account[]> {
  const rows = await ctx.db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toAccount);
}
