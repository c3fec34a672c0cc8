import { GantryError, isAccountId, randomAccountId } from '@gantry/core';
import { isUniqueViolation } from '@gantry/store';
import { enabledOptInRegions, setOptInStatus } from './account-regions.ts';
import { nowIso, type IamContext } from './iam-context.ts';
import { DEFAULT_REGION, isKnownRegion, isOptInRegion, unknownRegionHint } from './regions.ts';

/**
 * An isolated account: its own IAM entities, hosting apps, backends. Like an AWS account it may be used in
 * every default region and in the opt-in regions it has enabled.
 */
export interface Account {
  /** 12 digits. */
  id: string;
  name: string;
  /** The region its AWS profile uses (`region =` in the generated aws-config). @default 'us-west-2' */
  defaultRegion: string;
  /** The opt-in regions enabled for it, sorted. Default regions are always usable and never listed. */
  optInRegions: string[];
  /**
   * The default region followed by the enabled opt-in regions: where the account is meant to be used.
   * `regions[0]` is always the default region, which is what earlier callers of this field relied on.
   */
  regions: string[];
  /** The management account of the organisation; member accounts are reached through a role from it. */
  isManagement: boolean;
  createdAt: Date;
}

export interface CreateAccountArgs {
  name: string;
  /** @default a random 12-digit id */
  id?: string;
  /** Region of the account's AWS profile; an opt-in region is enabled along with it. @default 'us-west-2' */
  defaultRegion?: string;
  /**
   * The earlier form: the first is the default region (unless `defaultRegion` is given) and the opt-in regions
   * among them are enabled. Default regions in the list change nothing, they are usable anyway.
   * @example ['eu-west-1', 'af-south-1']
   */
  regions?: string[];
  isManagement?: boolean;
}

const ACCOUNT_NAME = /^[A-Za-z0-9][\w.-]{0,49}$/;

type AccountRow = { id: string; name: string; default_region: string; is_management: number; created_at: string };
const toAccount = (row: AccountRow, optIn: string[]): Account => ({
  id: row.id,
  name: row.name,
  defaultRegion: row.default_region,
  optInRegions: optIn,
  regions: [row.default_region, ...optIn.filter((r) => r !== row.default_region)],
  isManagement: row.is_management === 1,
  createdAt: new Date(row.created_at),
});

export async function insertAccount(ctx: IamContext, args: CreateAccountArgs): Promise<Account> {
  if (!ACCOUNT_NAME.test(args.name))
    throw new GantryError('InvalidInput', `Account name '${args.name}' is not valid: use 1 to 50 letters, digits, '.', '_' or '-', starting with a letter or digit (it also names the account's AWS profile).`);
  const id = args.id ?? randomAccountId();
  if (!isAccountId(id)) throw new GantryError('InvalidInput', `Account id '${id}' is not valid: an account id is exactly 12 digits.`);
  const named = [...(args.defaultRegion === undefined ? [] : [args.defaultRegion]), ...(args.regions ?? [])];
  for (const region of named) if (!isKnownRegion(region)) throw new GantryError('InvalidInput', `Region ${unknownRegionHint(region)}`);
  const defaultRegion = named[0] ?? DEFAULT_REGION;
  try {
    await ctx.db.insertInto('accounts').values({
      id, name: args.name, name_key: args.name.toLowerCase(), default_region: defaultRegion,
      is_management: args.isManagement ? 1 : 0, created_at: nowIso(ctx),
    }).execute();
  } catch (error) {
    if (isUniqueViolation(error)) {
      const clash = (await getAccount(ctx, id)) ? `id ${id}` : `name '${args.name}'`;
      throw new GantryError('EntityAlreadyExists', `An account with ${clash} already exists.`);
    }
    throw error;
  }
  // An account whose profile points at an opt-in region would be unusable without it.
  for (const region of new Set(named.filter(isOptInRegion))) await setOptInStatus(ctx, id, region, 'ENABLED');
  ctx.changed();
  return (await getAccount(ctx, id))!;
}

export async function getAccount(ctx: IamContext, id: string): Promise<Account | undefined> {
  const row = await ctx.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAccount(row, (await enabledOptInRegions(ctx, [id])).get(id) ?? []);
}

export async function listAccounts(ctx: IamContext): Promise<Account[]> {
  const rows = await ctx.db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute();
  const optIn = await enabledOptInRegions(ctx);
  return rows.map((row) => toAccount(row, optIn.get(row.id) ?? []));
}
