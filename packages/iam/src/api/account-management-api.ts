import { isAccountId } from '@gantry/core';
import { regionOptStatus, regionOptStatuses, REGION_OPT_STATUSES, setOptInStatus, type RegionOptStatus } from '../account-regions.ts';
import { accessDenied } from '../authorizer.ts';
import type { Iam } from '../iam-service.ts';
import { isDefaultRegion, isKnownRegion, unknownRegionHint } from '../regions.ts';
import { accessDeniedException, validationException } from './account-errors.ts';
import { callerAccount, type CallContext, type Operation } from './operation.ts';

type Params = Record<string, unknown>;

/**
 * The region operations of AWS Account Management (account 2021-02-01), served where AWS serves them: `POST
 * /enableRegion` and so on at the root of the endpoint, signed for `account`, so `@aws-sdk/client-account` and
 * `aws account …` work with the generated profiles' `endpoint_url`. A REST-JSON service owns one path prefix,
 * hence one service per operation.
 */
export function accountManagementRestServices(iam: Iam) {
  const operations = accountManagementOperations(iam);
  return (Object.keys(operations) as Array<keyof typeof operations>).map((name) => {
    const path = `/${name[0]!.toLowerCase()}${name.slice(1)}`;
    return { name: 'account', signingName: 'account', prefix: path, endpoints: [{ method: 'POST', path, operation: operations[name] }] };
  });
}

export function accountManagementOperations(iam: Iam): Record<'EnableRegion' | 'DisableRegion' | 'GetRegionOptStatus' | 'ListRegions', Operation> {
  const optIn = (status: 'ENABLED' | 'DISABLED'): Operation => {
    const action = status === 'ENABLED' ? 'account:EnableRegion' : 'account:DisableRegion';
    return {
      action,
      // Authorised inside, once the target account is known and with account:TargetRegion in the context.
      selfAuthorized: true,
      async run(p: Params, call) {
        const regionName = requireRegionName(p.RegionName);
        const target = await resolveTarget(iam, call, p.AccountId);
        await authorize(iam, call, action, target, regionName);
        if (isDefaultRegion(regionName))
          throw validationException(`${regionName} is enabled by default in every account and cannot be ${status === 'ENABLED' ? 'enabled' : 'disabled'}: only opt-in regions such as af-south-1 can.`, 'invalidRegionOptTarget', 'RegionName');
        await setOptInStatus(iam.ctx, target.accountId, regionName, status);
        return {};
      },
    };
  };
  return {
    EnableRegion: optIn('ENABLED'),
    DisableRegion: optIn('DISABLED'),
    GetRegionOptStatus: {
      action: 'account:GetRegionOptStatus',
      selfAuthorized: true,
      async run(p: Params, call) {
        const regionName = requireRegionName(p.RegionName);
        const target = await resolveTarget(iam, call, p.AccountId);
        await authorize(iam, call, 'account:GetRegionOptStatus', target, regionName);
        return { RegionName: regionName, RegionOptStatus: await regionOptStatus(iam.ctx, target.accountId, regionName) };
      },
    },
    ListRegions: {
      action: 'account:ListRegions',
      selfAuthorized: true,
      async run(p: Params, call) {
        const statuses = optStatusFilter(p.RegionOptStatusContains);
        const maxResults = pageSize(p.MaxResults);
        // An empty token is a first page (the model allows length 0).
        const after = p.NextToken === undefined || p.NextToken === '' ? undefined : decodeToken(p.NextToken);
        const target = await resolveTarget(iam, call, p.AccountId);
        await authorize(iam, call, 'account:ListRegions', target);
        const all = (await regionOptStatuses(iam.ctx, target.accountId)).filter((r) => !statuses || statuses.has(r.status));
        const rest = after === undefined ? all : all.filter((r) => r.regionName > after);
        const page = maxResults === undefined ? rest : rest.slice(0, maxResults);
        return {
          Regions: page.map((r) => ({ RegionName: r.regionName, RegionOptStatus: r.status })),
          ...(page.length < rest.length ? { NextToken: encodeToken(page[page.length - 1]!.regionName) } : {}),
        };
      },
    },
  };
}

/** The account a call acts on and the resource it is authorised as (Account Management's two resource types). */
interface Target {
  accountId: string;
  resource: string;
  resourceAccount: string;
}

/**
 * Without AccountId a call acts on the caller's own account. Naming another account is for principals of the
 * management account, and only for a member of its organisation, as on AWS; the resource is then the member
 * as seen from the management account (`arn:aws:account::MANAGEMENT:account/o-ORG/MEMBER`), so the management
 * account's own policies decide.
 */
async function resolveTarget(iam: Iam, call: CallContext, accountIdParam: unknown): Promise<Target> {
  const caller = callerAccount(call);
  if (accountIdParam !== undefined && (typeof accountIdParam !== 'string' || !isAccountId(accountIdParam)))
    throw validationException(`1 validation error detected: Value '${String(accountIdParam)}' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$`, 'fieldValidationFailed', 'AccountId');
  if (accountIdParam === undefined || accountIdParam === caller) return { accountId: caller, resource: `arn:aws:account::${caller}:account`, resourceAccount: caller };
  const management = await iam.managementAccount();
  if (!management || management.id !== caller)
    throw accessDeniedException(`User: ${principalArn(call)} is not authorized to act on account ${accountIdParam}: only the management account's principals may name another account's AccountId. Call without AccountId to manage your own account.`);
  if (!(await iam.getAccount(accountIdParam)))
    throw accessDeniedException(`Account ${accountIdParam} is not a member of this organisation ('gantry accounts list' lists its accounts).`);
  return { accountId: accountIdParam, resource: `arn:aws:account::${management.id}:account/o-${management.id}/${accountIdParam}`, resourceAccount: management.id };
}

/** The IAM check, with `account:TargetRegion` for the operations that name a region. */
async function authorize(iam: Iam, call: CallContext, action: string, target: Target, regionName?: string): Promise<void> {
  const request = {
    principal: call.principal, action, resource: target.resource, resourceAccount: target.resourceAccount,
    context: { ...call.requestContext, ...(regionName ? { 'account:TargetRegion': regionName } : {}) },
  };
  const result = await iam.authorizer.check(request);
  if (result.decision !== 'Allow') throw accessDeniedException(accessDenied(request, result).message);
}

const principalArn = (call: CallContext): string => (call.principal.kind === 'service' ? call.principal.service : call.principal.arn);

function requireRegionName(value: unknown): string {
  if (value === undefined || value === null)
    throw validationException("1 validation error detected: Value null at 'regionName' failed to satisfy constraint: Member must not be null", 'fieldValidationFailed', 'RegionName');
  if (typeof value !== 'string' || value.length < 1 || value.length > 50)
    throw validationException(`1 validation error detected: Value '${String(value)}' at 'regionName' failed to satisfy constraint: Member must be a string of length between 1 and 50`, 'fieldValidationFailed', 'RegionName');
  if (!isKnownRegion(value)) throw validationException(`Invalid RegionName: ${unknownRegionHint(value)}`, 'fieldValidationFailed', 'RegionName');
  return value;
}

function optStatusFilter(value: unknown): Set<RegionOptStatus> | undefined {
  if (value === undefined) return undefined;
  const valid = Array.isArray(value) && value.every((v) => typeof v === 'string' && (REGION_OPT_STATUSES as readonly string[]).includes(v));
  if (!valid)
    throw validationException(`1 validation error detected: Value '${JSON.stringify(value)}' at 'regionOptStatusContains' failed to satisfy constraint: Member must be a list of ${REGION_OPT_STATUSES.join(', ')}`, 'fieldValidationFailed', 'RegionOptStatusContains');
  // An empty filter filters nothing, as the CLI sends none when the option is absent.
  return value.length ? new Set(value as RegionOptStatus[]) : undefined;
}

function pageSize(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 50)
    throw validationException(`1 validation error detected: Value '${String(value)}' at 'maxResults' failed to satisfy constraint: Member must be an integer between 1 and 50`, 'fieldValidationFailed', 'MaxResults');
  return value;
}

/** NextToken is opaque to clients: the name of the last region returned, so a page never repeats or skips one. */
const encodeToken = (lastRegion: string): string => Buffer.from(JSON.stringify({ after: lastRegion })).toString('base64url');

function decodeToken(value: unknown): string {
  const invalid = () => validationException("Invalid NextToken: pass the NextToken of the previous ListRegions answer unchanged, or omit it to start from the first region.", 'fieldValidationFailed', 'NextToken');
  if (typeof value !== 'string' || value.length > 1000) throw invalid();
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    const after = (decoded as { after?: unknown } | null)?.after;
    if (typeof after === 'string' && isKnownRegion(after)) return after;
  } catch {
    // falls through to the same answer as any other foreign token
  }
  throw invalid();
}
