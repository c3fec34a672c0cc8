import { GantryError } from '@gantry/core';
import type { JsonService } from '@gantry/edge';
import { callerAccount, type CallContext, type Iam, type Operation } from '@gantry/iam';
import { parameterArn, parseParameterName, parsePath } from './parameter-names.ts';
import { PARAMETER_TYPES, type ParameterRow, type ParameterScope, type ParameterStore, type ParameterType } from './parameter-store.ts';

type Params = Record<string, any>;
const scopeOf = (call: CallContext): ParameterScope => ({ account: callerAccount(call), region: call.region });
const seconds = (ms: number) => ms / 1000;
const notFound = (name: string) => new GantryError('ParameterNotFound', `Parameter ${name} not found in this account and region: create it with PutParameter (aws ssm put-parameter).`);

function whoIs(call: CallContext): string {
  const p = call.principal;
  return p.kind === 'service' ? p.service : p.arn;
}

function maxResults(value: unknown, max: number): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) throw new GantryError('ValidationException', `MaxResults must be an integer from 1 to ${max}; got ${JSON.stringify(value)}.`);
  return value as number;
}

const encodeToken = (name: string) => Buffer.from(name).toString('base64url');
function decodeToken(token: unknown): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || token === '') throw new GantryError('InvalidNextToken', 'NextToken is not one this API returned: start the listing again without it.');
  return Buffer.from(token, 'base64url').toString('utf8');
}

function namesOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 10) throw new GantryError('ValidationException', `Names must list 1 to 10 parameter names; got ${Array.isArray(value) ? value.length : JSON.stringify(value)}.`);
  return value.map((n) => String(n));
}

/**
 * Systems Manager Parameter Store's API (JSON 1.1, `AmazonSSM.*`), the part tools use for configuration and
 * secrets: PutParameter, GetParameter(s), GetParametersByPath, DescribeParameters, DeleteParameter(s). Each call
 * is authorised on the parameter's ARN; one that names several authorises each name.
 */
export function parametersJsonService(iam: Iam, store: ParameterStore): JsonService {
  const arnOf = (call: CallContext, name: string) => parameterArn(call.region, callerAccount(call), name);
  const shape = (row: ParameterRow, call: CallContext, decrypt: boolean, selector?: string) => ({
    Name: row.name, Type: row.type, Value: decrypt ? store.reveal(row) : row.value, Version: row.version,
    ...(selector && { Selector: selector }), LastModifiedDate: seconds(row.modified_at), ARN: arnOf(call, row.name), DataType: 'text',
  });
  const requireEach = async (call: CallContext, action: string, names: string[]) => {
    for (const name of names) {
      await iam.authorizer.require({ principal: call.principal, action, resource: arnOf(call, name), resourceAccount: callerAccount(call), context: call.requestContext });
    }
  };
  const onName = (action: string, field = 'Name'): Pick<Operation<Params>, 'action' | 'resource'> => ({
    action, resource: (p, call) => ({ arn: arnOf(call, parseParameterName(p[field], field, scopeOf(call)).name) }),
  });

  const PutParameter: Operation<Params> = {
    ...onName('ssm:PutParameter'),
    async run(p, call) {
      const { name, version } = parseParameterName(p.Name, 'Name', scopeOf(call));
      if (version !== undefined) throw new GantryError('ValidationException', `Name ${p.Name} names a version; PutParameter takes the name alone.`);
      if (typeof p.Value !== 'string' || p.Value.length === 0) throw new GantryError('ValidationException', `Value is required: a non-empty string (the parameter's value).`);
      if (p.Type !== undefined && !PARAMETER_TYPES.includes(p.Type)) throw new GantryError('ValidationException', `Type must be String, StringList or SecureString; got ${JSON.stringify(p.Type)}.`);
      if (p.Tier !== undefined && !['Standard', 'Advanced', 'Intelligent-Tiering'].includes(p.Tier)) throw new GantryError('ValidationException', `Tier must be Standard, Advanced or Intelligent-Tiering; got ${JSON.stringify(p.Tier)}.`);
      if (p.Description !== undefined && (typeof p.Description !== 'string' || p.Description.length > 1024)) throw new GantryError('ValidationException', 'Description must be a string of at most 1024 characters.');
      const result = await store.put(scopeOf(call), {
        name, value: p.Value, type: p.Type as ParameterType | undefined, description: p.Description, overwrite: p.Overwrite === true,
        tier: p.Tier === 'Advanced' ? 'Advanced' : p.Tier === 'Standard' ? 'Standard' : undefined, modifiedBy: whoIs(call),
      });
      return { Version: result.version, Tier: result.tier };
    },
  };
  const GetParameter: Operation<Params> = {
    ...onName('ssm:GetParameter'),
    async run(p, call) {
      const { name, version } = parseParameterName(p.Name, 'Name', scopeOf(call));
      const row = await store.get(scopeOf(call), name, version);
      if (!row) throw version === undefined ? notFound(name) : new GantryError('ParameterVersionNotFound', `Parameter ${name} has no version ${version}.`);
      return { Parameter: shape(row, call, p.WithDecryption === true, version === undefined ? undefined : `:${version}`) };
    },
  };
  const GetParameters: Operation<Params> = {
    action: 'ssm:GetParameters',
    selfAuthorized: true,
    async run(p, call) {
      const names = namesOf(p.Names);
      const parsed = names.map((n) => parseParameterName(n, 'Names', scopeOf(call)));
      await requireEach(call, 'ssm:GetParameters', parsed.map((n) => n.name));
      const Parameters: unknown[] = [];
      const InvalidParameters: string[] = [];
      for (const [i, { name, version }] of parsed.entries()) {
        const row = await store.get(scopeOf(call), name, version);
        if (row) Parameters.push(shape(row, call, p.WithDecryption === true, version === undefined ? undefined : `:${version}`));
        else InvalidParameters.push(names[i]!);
      }
      return { Parameters, InvalidParameters };
    },
  };
  const GetParametersByPath: Operation<Params> = {
    action: 'ssm:GetParametersByPath',
    resource: (p, call) => ({ arn: arnOf(call, parsePath(p.Path).replace(/\/$/, '') || '/') }),
    async run(p, call) {
      const path = parsePath(p.Path);
      const limit = maxResults(p.MaxResults, 10);
      const rows = await store.underPath(scopeOf(call), path, { recursive: p.Recursive === true, after: decodeToken(p.NextToken), limit: limit + 1 });
      const page = rows.slice(0, limit);
      return { Parameters: page.map((row) => shape(row, call, p.WithDecryption === true)), ...(rows.length > limit && { NextToken: encodeToken(page.at(-1)!.name) }) };
    },
  };
  const DescribeParameters: Operation<Params> = {
    action: 'ssm:DescribeParameters',
    async run(p, call) {
      if (p.Filters !== undefined || p.ParameterFilters !== undefined) throw new GantryError('ValidationException', 'Filters and ParameterFilters are not supported here: list everything (or use GetParametersByPath for a hierarchy).');
      const limit = maxResults(p.MaxResults, 50);
      const rows = await store.list(scopeOf(call), { after: decodeToken(p.NextToken), limit: limit + 1 });
      const page = rows.slice(0, limit);
      return {
        Parameters: page.map((row) => ({
          Name: row.name, ARN: arnOf(call, row.name), Type: row.type, Description: row.description || undefined, LastModifiedDate: seconds(row.modified_at),
          LastModifiedUser: row.modified_by, Version: row.version, Tier: row.tier, Policies: [], DataType: 'text',
        })),
        ...(rows.length > limit && { NextToken: encodeToken(page.at(-1)!.name) }),
      };
    },
  };
  const DeleteParameter: Operation<Params> = {
    ...onName('ssm:DeleteParameter'),
    async run(p, call) {
      const { name } = parseParameterName(p.Name, 'Name', scopeOf(call));
      if (!(await store.delete(scopeOf(call), name))) throw notFound(name);
      return {};
    },
  };
  const DeleteParameters: Operation<Params> = {
    action: 'ssm:DeleteParameters',
    selfAuthorized: true,
    async run(p, call) {
      const names = namesOf(p.Names);
      const parsed = names.map((n) => parseParameterName(n, 'Names', scopeOf(call)).name);
      await requireEach(call, 'ssm:DeleteParameters', parsed);
      const DeletedParameters: string[] = [];
      const InvalidParameters: string[] = [];
      for (const [i, name] of parsed.entries()) ((await store.delete(scopeOf(call), name)) ? DeletedParameters : InvalidParameters).push(names[i]!);
      return { DeletedParameters, InvalidParameters };
    },
  };

  return {
    targetPrefix: 'AmazonSSM', signingName: 'ssm', version: '1.1',
    operations: { PutParameter, GetParameter, GetParameters, GetParametersByPath, DescribeParameters, DeleteParameter, DeleteParameters },
  };
}
