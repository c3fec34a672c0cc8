/**
 * AppSync's scalar types (https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html), validated the
 * way AppSync validates them: a value that does not match the format is rejected when the request is
 * coerced, before any resolver runs.
 */
import { isIP } from 'node:net';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const TZ = '(Z|[+-]\\d{2}(:\\d{2}(:\\d{2})?)?)';
const DATE = '-?\\d{4,}-\\d{2}-\\d{2}';
const TIME = '\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?';
const DATE_RE = new RegExp(`^${DATE}${TZ}?$`);
const TIME_RE = new RegExp(`^${TIME}${TZ}?$`);
const DATETIME_RE = new RegExp(`^${DATE}T${TIME}${TZ}$`);
const EMAIL_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const PHONE_RE = /^\+?[0-9][0-9 ().-]{1,30}$/;

function dateParts(value: string): boolean {
  const m = /^-?(\d{4,})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function timeParts(value: string): boolean {
  const m = /(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return false;
  return Number(m[1]) <= 23 && Number(m[2]) <= 59 && (m[3] === undefined || Number(m[3]) <= 59);
}

function stringScalar(name: string, description: string, valid: (value: string) => boolean): GraphQLScalarType {
  const check = (value: unknown): string => {
    if (typeof value !== 'string' || !valid(value)) {
      throw new GraphQLError(`Invalid ${name} value: ${JSON.stringify(value)}. ${description}`);
    }
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => (typeof value === 'string' ? value : String(value)),
    parseValue: check,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string literal.`, { nodes: ast });
      return check(ast.value);
    },
  });
}

export const AWSDate = stringScalar('AWSDate', 'Expected an ISO 8601 date, YYYY-MM-DD with an optional time zone offset.', (v) => DATE_RE.test(v) && dateParts(v));
export const AWSTime = stringScalar('AWSTime', 'Expected an ISO 8601 time, hh:mm[:ss[.sss]] with an optional time zone offset.', (v) => TIME_RE.test(v) && timeParts(v));
export const AWSDateTime = stringScalar(
  'AWSDateTime',
  'Expected an ISO 8601 date-time with a time zone offset, YYYY-MM-DDThh:mm:ss.sssZ.',
  (v) => DATETIME_RE.test(v) && dateParts(v) && timeParts(v.slice(v.indexOf('T') + 1)),
);
export const AWSEmail = stringScalar('AWSEmail', 'Expected an email address such as name@example.com.', (v) => v.length <= 320 && EMAIL_RE.test(v));
export const AWSURL = stringScalar('AWSURL', 'Expected a URL with a scheme, such as https://example.com/path.', (v) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(v) && URL.canParse(v));
export const AWSPhone = stringScalar('AWSPhone', 'Expected a phone number: digits, optionally a leading +country code, spaces, dashes and parentheses.', (v) => PHONE_RE.test(v) && /\d.*\d/.test(v));
export const AWSIPAddress = stringScalar('AWSIPAddress', 'Expected an IPv4 or IPv6 address, optionally with a /prefix.', (v) => {
  const [address, prefix, extra] = v.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
});

/** Seconds since the epoch, as an integer (AppSync allows values beyond 32 bits). */
export const AWSTimestamp = new GraphQLScalarType({
  name: 'AWSTimestamp',
  description: 'The number of seconds since 1970-01-01T00:00Z, an integer.',
  serialize: (value) => Number(value),
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new GraphQLError(`Invalid AWSTimestamp value: ${JSON.stringify(value)}. Expected an integer number of seconds.`);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT) throw new GraphQLError('AWSTimestamp must be an integer literal.', { nodes: ast });
    return Number(ast.value);
  },
});

/**
 * A JSON document sent as a string. Stored parsed (as AppSync stores it as a DynamoDB map or list) and
 * returned as a JSON string again.
 */
export const AWSJSON = new GraphQLScalarType({
  name: 'AWSJSON',
  description: 'A JSON value, sent and returned as a string.',
  serialize: (value) => JSON.stringify(value),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError(`Invalid AWSJSON value: expected a string containing JSON, got ${typeof value}.`);
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      throw new GraphQLError(`Invalid AWSJSON value: ${(error as Error).message}`);
    }
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('AWSJSON must be a string literal containing JSON.', { nodes: ast });
    try {
      return JSON.parse(ast.value) as unknown;
    } catch (error) {
      throw new GraphQLError(`Invalid AWSJSON value: ${(error as Error).message}`, { nodes: ast });
    }
  },
});

export const AWS_SCALAR_TYPES: Record<string, GraphQLScalarType> = { AWSDate, AWSTime, AWSDateTime, AWSTimestamp, AWSEmail, AWSJSON, AWSURL, AWSPhone, AWSIPAddress };
