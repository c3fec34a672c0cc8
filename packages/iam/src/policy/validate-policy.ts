/**
 * Write-time validation of IAM JSON policy documents, as IAM applies it in CreatePolicy,
 * CreatePolicyVersion, PutRolePolicy/PutUserPolicy, CreateRole (AssumeRolePolicyDocument),
 * UpdateAssumeRolePolicy and STS AssumeRole (session `Policy`).
 *
 * Every rejection is a `GantryError` with code `MalformedPolicyDocument` (400). The message starts with
 * the sentence IAM uses for that problem where we know it, then says where the problem is: the statement
 * (`Statement[i]`, its Sid) and a 1-based line and column in the submitted text. Size limits are the
 * exception: they use IAM's `LimitExceeded` and STS's `PackedPolicyTooLarge`.
 *
 * The JSON is read by a small parser of our own rather than `JSON.parse`, so that syntax errors carry a
 * line and column, statements can be located in the text, and duplicate keys (which `JSON.parse` would
 * silently resolve to the last one) are rejected instead of changing what a statement means.
 */
import { GantryError, isAccountId } from '@gantry/core';
import type { PolicyDocument } from './policy-types.ts';

/** Which kind of policy is being written; the element rules differ between them. */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'boundary' | 'session';

export interface ParsePolicyOptions {
  /**
   * Maximum size in characters, counted without insignificant whitespace (IAM does not count white space).
   * Over it: `LimitExceeded` ("Cannot exceed quota for PolicySize: N"), or `PackedPolicyTooLarge` for
   * `kind: 'session'`. Omit for no size check (AWS managed policies are not subject to the quotas).
   */
  maxLength?: number;
}

/** IAM and STS policy size quotas, in characters without white space. */
export const POLICY_SIZE_LIMITS = {
  /** Customer managed policy (CreatePolicy / CreatePolicyVersion); also used for permissions boundaries. */
  managed: 6144,
  /** All inline policies of one role, together (PutRolePolicy). */
  roleInline: 10240,
  /** All inline policies of one user, together (PutUserPolicy). */
  userInline: 2048,
  /** All inline policies of one group, together (PutGroupPolicy). */
  groupInline: 5120,
  /** Role trust policy (CreateRole / UpdateAssumeRolePolicy), default quota. */
  trust: 2048,
  /** Inline session policy passed to AssumeRole and friends. */
  session: 2048,
} as const;

/** A 1-based position in the policy text. */
interface TextPosition {
  line: number;
  column: number;
}

// ---------------------------------------------------------------------------------------------------------
// Public entry point
// ---------------------------------------------------------------------------------------------------------

/**
 * Parses `text` as a policy document of the given kind and checks it the way IAM does on write.
 * Returns the parsed document unchanged (single values stay single values); throws `GantryError` otherwise.
 */
export function parsePolicyDocument(text: string, kind: PolicyKind, options: ParsePolicyOptions = {}): PolicyDocument {
  if (typeof text !== 'string') {
    throw malformed('Syntax errors in policy. The policy document must be a JSON string.');
  }

  if (options.maxLength !== undefined) {
    const size = policySize(text);
    if (size > options.maxLength) {
      if (kind === 'session') {
        const percent = Math.ceil((size / options.maxLength) * 100);
        throw new GantryError(
          'PackedPolicyTooLarge',
          `Packed policy consumes ${percent}% of allotted space, please use smaller policy for session ` +
            `(${size} characters without white space; the limit is ${options.maxLength}).`,
          { details: { size, limit: options.maxLength } },
        );
      }
      throw new GantryError(
        'LimitExceeded',
        `Cannot exceed quota for PolicySize: ${options.maxLength} ` +
          `(this policy has ${size} characters without white space).`,
        { details: { size, limit: options.maxLength } },
      );
    }
  }

  const parsed = parseJson(text);
  new PolicyChecker(kind, parsed.positions).checkDocument(parsed.value);
  return parsed.value as unknown as PolicyDocument;
}

/**
 * The size IAM counts against its quotas: the number of characters once white space outside string
 * literals is removed. Works on malformed JSON too (it only needs to know where strings are).
 */
export function policySize(text: string): number {
  let size = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      size++;
      if (ch === '\\' && i + 1 < text.length) {
        size++;
        i++;
      } else if (ch === '"') {
        inString = false;
      }
    } else if (ch === '"') {
      inString = true;
      size++;
    } else if (!isJsonWhitespace(ch)) {
      size++;
    }
  }
  return size;
}

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

interface ErrorLocation {
  /** 0-based statement index, or -1 when `Statement` is a single object. */
  statementIndex?: number;
  sid?: string;
  position?: TextPosition;
  /** The element the problem is in, e.g. `Action`, `Condition.StringEquals`. */
  element?: string;
}

function malformed(message: string, location: ErrorLocation = {}): GantryError {
  const details: Record<string, unknown> = {};
  if (location.statementIndex !== undefined) details.statementIndex = location.statementIndex;
  if (location.sid !== undefined) details.sid = location.sid;
  if (location.element !== undefined) details.element = location.element;
  if (location.position) {
    details.line = location.position.line;
    details.column = location.position.column;
  }
  return new GantryError('MalformedPolicyDocument', message + describeLocation(location), {
    details: Object.keys(details).length > 0 ? details : undefined,
  });
}

function describeLocation(location: ErrorLocation): string {
  const parts: string[] = [];
  if (location.statementIndex !== undefined) {
    parts.push(location.statementIndex < 0 ? 'Statement' : `Statement[${location.statementIndex}]`);
  }
  if (location.sid !== undefined && location.sid !== '') parts.push(`Sid "${location.sid}"`);
  if (location.element !== undefined) parts.push(`element ${location.element}`);
  if (location.position) parts.push(`line ${location.position.line}, column ${location.position.column}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

// ---------------------------------------------------------------------------------------------------------
// JSON reader with positions
// ---------------------------------------------------------------------------------------------------------

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

interface ParsedJson {
  value: JsonValue;
  /** Where each object and array starts in the text. */
  positions: Map<object, TextPosition>;
}

const isJsonWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';

function parseJson(source: string): ParsedJson {
  // A leading byte-order mark is not part of the document.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const positions = new Map<object, TextPosition>();
  let i = 0;
  // Policies nest a handful of levels; a cap keeps hostile input from exhausting the stack.
  const MAX_DEPTH = 32;
  let depth = 0;

  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text[k] === '\n') lineStarts.push(k + 1);
  const positionAt = (offset: number): TextPosition => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };

  const syntaxError = (what: string, offset: number): GantryError => {
    const position = positionAt(offset);
    return new GantryError(
      'MalformedPolicyDocument',
      `Syntax errors in policy. ${what} at line ${position.line}, column ${position.column}.`,
      { details: { line: position.line, column: position.column } },
    );
  };

  const describeChar = (offset: number): string =>
    offset >= text.length ? 'Unexpected end of input' : `Unexpected character ${JSON.stringify(text[offset])}`;

  const skipWhitespace = (): void => {
    while (i < text.length && isJsonWhitespace(text[i]!)) i++;
  };

  const parseValue = (): JsonValue => {
    skipWhitespace();
    if (i >= text.length) throw syntaxError('Unexpected end of input', i);
    const ch = text[i]!;
    if (ch === '{' || ch === '[') {
      if (++depth > MAX_DEPTH) throw syntaxError(`Nesting deeper than ${MAX_DEPTH} levels`, i);
      const nested = ch === '{' ? parseObject() : parseArray();
      depth--;
      return nested;
    }
    if (ch === '"') return parseString();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return parseNumber();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    throw syntaxError(describeChar(i), i);
  };

  const parseObject = (): JsonObject => {
    const start = i;
    const object: JsonObject = Object.create(null) as JsonObject;
    positions.set(object, positionAt(start));
    i++; // {
    skipWhitespace();
    if (text[i] === '}') {
      i++;
      return toPlainObject(object, positions);
    }
    for (;;) {
      skipWhitespace();
      if (text[i] !== '"') throw syntaxError(`${describeChar(i)}, expected a quoted property name`, i);
      const keyOffset = i;
      const key = parseString();
      if (Object.prototype.hasOwnProperty.call(object, key)) {
        throw syntaxError(`Duplicate key ${JSON.stringify(key)}`, keyOffset);
      }
      skipWhitespace();
      if (text[i] !== ':') throw syntaxError(`${describeChar(i)}, expected ':'`, i);
      i++;
      object[key] = parseValue();
      skipWhitespace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return toPlainObject(object, positions);
      }
      throw syntaxError(`${describeChar(i)}, expected ',' or '}'`, i);
    }
  };

  const parseArray = (): JsonValue[] => {
    const array: JsonValue[] = [];
    positions.set(array, positionAt(i));
    i++; // [
    skipWhitespace();
    if (text[i] === ']') {
      i++;
      return array;
    }
    for (;;) {
      array.push(parseValue());
      skipWhitespace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return array;
      }
      throw syntaxError(`${describeChar(i)}, expected ',' or ']'`, i);
    }
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) throw syntaxError('Unterminated string', start);
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === '\\') {
        const esc = text[i + 1];
        switch (esc) {
          case '"':
          case '\\':
          case '/':
            out += esc;
            i += 2;
            break;
          case 'b':
            out += '\b';
            i += 2;
            break;
          case 'f':
            out += '\f';
            i += 2;
            break;
          case 'n':
            out += '\n';
            i += 2;
            break;
          case 'r':
            out += '\r';
            i += 2;
            break;
          case 't':
            out += '\t';
            i += 2;
            break;
          case 'u': {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw syntaxError('Invalid \\u escape in string', i);
            out += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            break;
          }
          default:
            throw syntaxError('Invalid escape in string', i);
        }
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) throw syntaxError('Control character in string', i);
      out += ch;
      i++;
    }
  };

  const parseNumber = (): number => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) throw syntaxError(describeChar(i), i);
    i += match[0].length;
    return Number(match[0]);
  };

  const value = parseValue();
  skipWhitespace();
  if (i < text.length) throw syntaxError(`${describeChar(i)} after the end of the document`, i);
  return { value, positions };
}

/** Objects are built without a prototype (so keys like `__proto__` are plain data); hand back a normal one. */
function toPlainObject(object: JsonObject, positions: Map<object, TextPosition>): JsonObject {
  const plain: JsonObject = {};
  for (const key of Object.keys(object)) {
    Object.defineProperty(plain, key, { value: object[key], enumerable: true, writable: true, configurable: true });
  }
  const position = positions.get(object);
  positions.delete(object);
  if (position) positions.set(plain, position);
  return plain;
}

// ---------------------------------------------------------------------------------------------------------
// Policy grammar
// ---------------------------------------------------------------------------------------------------------

const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

/** Condition operators without `IfExists` and set prefixes, lower-cased for lookup. */
const BASE_CONDITION_OPERATORS = new Set(
  [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
    'Bool',
    'BinaryEquals',
    'IpAddress',
    'NotIpAddress',
    'ArnEquals',
    'ArnLike',
    'ArnNotEquals',
    'ArnNotLike',
    'Null',
  ].map((op) => op.toLowerCase()),
);

/** True when `name` is a condition operator IAM accepts (case-insensitive), with optional set prefix and `IfExists`. */
function isConditionOperator(name: string): boolean {
  let op = name.toLowerCase();
  if (op.startsWith('foranyvalue:')) op = op.slice('foranyvalue:'.length);
  else if (op.startsWith('forallvalues:')) op = op.slice('forallvalues:'.length);
  if (op.endsWith('ifexists')) {
    op = op.slice(0, -'ifexists'.length);
    if (op === 'null') return false; // IfExists is not allowed on Null
  }
  return BASE_CONDITION_OPERATORS.has(op);
}

const VENDOR_MESSAGE = 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
/** Service prefixes: letters, digits and hyphens (prefixes are case-insensitive, so either case). */
const VENDOR_PATTERN = /^[A-Za-z0-9-]+$/;
/** Action names: letters, digits and the `*` / `?` wildcards (plus `-`, `_` and `.` seen in a few services). */
const ACTION_NAME_PATTERN = /^[A-Za-z0-9*?_.-]+$/;
/** `Principal.AWS` ARNs: an IAM or STS ARN in a given account; no wildcards. */
const PRINCIPAL_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:(?:iam|sts)::\d{12}:[^*?\s]+$/;
/** Actions a role trust policy may name. */
const TRUST_ACTION_PATTERN = /^sts:[A-Za-z*?]+$/i;

class PolicyChecker {
  constructor(
    private readonly kind: PolicyKind,
    private readonly positions: Map<object, TextPosition>,
  ) {}

  checkDocument(value: JsonValue): void {
    if (!isObject(value)) {
      throw malformed('Syntax errors in policy. The policy document must be a JSON object.', {
        position: this.positionOf(value) ?? { line: 1, column: 1 },
      });
    }
    const documentPosition = this.positionOf(value);
    for (const key of Object.keys(value)) {
      if (!TOP_LEVEL_KEYS.has(key)) {
        throw malformed(`Syntax errors in policy. Unknown top-level element ${JSON.stringify(key)}; only Version, Id and Statement are allowed.`, {
          position: documentPosition,
        });
      }
    }

    if ('Version' in value) {
      const version = value.Version;
      if (typeof version !== 'string' || !VERSIONS.has(version)) {
        throw malformed(
          `The policy failed legacy parsing. Version ${JSON.stringify(version)} is not supported; use "2012-10-17" or "2008-10-17".`,
          { position: documentPosition, element: 'Version' },
        );
      }
    }
    if ('Id' in value && typeof value.Id !== 'string') {
      throw malformed('Syntax errors in policy. Id must be a string.', { position: documentPosition, element: 'Id' });
    }

    if (!('Statement' in value)) {
      throw malformed('Missing required field Statement.', { position: documentPosition });
    }
    const statementValue = value.Statement;
    let statements: Array<{ statement: JsonValue; index: number }>;
    if (Array.isArray(statementValue)) {
      if (statementValue.length === 0) {
        throw malformed('Syntax errors in policy. Statement must contain at least one statement.', {
          position: this.positionOf(statementValue),
          element: 'Statement',
        });
      }
      statements = statementValue.map((statement, index) => ({ statement, index }));
    } else if (isObject(statementValue)) {
      statements = [{ statement: statementValue, index: -1 }];
    } else {
      throw malformed('Syntax errors in policy. Statement must be an object or an array of objects.', {
        position: documentPosition,
        element: 'Statement',
      });
    }

    const seenSids = new Map<string, number>();
    for (const { statement, index } of statements) {
      const sid = this.checkStatement(statement, index);
      if (sid !== undefined && sid !== '') {
        if (seenSids.has(sid)) {
          throw malformed('Statement IDs (SID) in a single policy must be unique.', {
            statementIndex: index,
            sid,
            position: this.positionOf(statement),
          });
        }
        seenSids.set(sid, index);
      }
    }
  }

  /** Checks one statement; returns its Sid. */
  private checkStatement(statement: JsonValue, index: number): string | undefined {
    const at = (extra: Partial<ErrorLocation> = {}): ErrorLocation => ({
      statementIndex: index,
      position: this.positionOf(statement),
      ...extra,
    });
    if (!isObject(statement)) {
      throw malformed('Syntax errors in policy. Each statement must be a JSON object.', at());
    }

    let sid: string | undefined;
    if ('Sid' in statement) {
      if (typeof statement.Sid !== 'string') {
        throw malformed('Syntax errors in policy. Sid must be a string.', at({ element: 'Sid' }));
      }
      sid = statement.Sid;
    }
    const where = (element?: string): ErrorLocation => at({ sid, element });

    for (const key of Object.keys(statement)) {
      if (!STATEMENT_KEYS.has(key)) {
        throw malformed(`Syntax errors in policy. Unknown statement element ${JSON.stringify(key)}.`, where());
      }
    }

    if (sid !== undefined && this.requiresAlphanumericSid() && !/^[A-Za-z0-9]*$/.test(sid)) {
      throw malformed(
        `Statement IDs (SID) must be alpha-numeric. ${JSON.stringify(sid)} contains other characters; use only A-Z, a-z and 0-9.`,
        where('Sid'),
      );
    }

    // Effect
    if (!('Effect' in statement)) throw malformed('Missing required field Effect.', where());
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') {
      throw malformed(`Invalid effect: ${JSON.stringify(effect)}. Effect must be "Allow" or "Deny".`, where('Effect'));
    }

    // Action / NotAction
    const hasAction = 'Action' in statement;
    const hasNotAction = 'NotAction' in statement;
    if (hasAction && hasNotAction) {
      throw malformed('Syntax errors in policy. A statement cannot have both Action and NotAction.', where());
    }
    if (!hasAction && !hasNotAction) throw malformed('Policy statement must contain actions.', where());
    const actionElement = hasAction ? 'Action' : 'NotAction';
    const actions = this.stringList(statement[actionElement]!, where(actionElement));
    if (actions.length === 0) throw malformed('Policy statement must contain actions.', where(actionElement));
    for (const action of actions) this.checkAction(action, where(actionElement));
    if (this.kind === 'trust' && hasAction) {
      for (const action of actions) {
        if (!TRUST_ACTION_PATTERN.test(action)) {
          throw malformed(
            `AssumeRole policy may only specify STS AssumeRole actions. ${JSON.stringify(action)} is not an sts: action.`,
            where('Action'),
          );
        }
      }
    }

    // Resource / NotResource
    const hasResource = 'Resource' in statement;
    const hasNotResource = 'NotResource' in statement;
    if (this.kind === 'trust') {
      if (hasResource) throw malformed('Has prohibited field Resource.', where('Resource'));
      if (hasNotResource) throw malformed('Has prohibited field NotResource.', where('NotResource'));
    } else {
      if (hasResource && hasNotResource) {
        throw malformed('Syntax errors in policy. A statement cannot have both Resource and NotResource.', where());
      }
      if (!hasResource && !hasNotResource && this.requiresResource()) {
        throw malformed('Policy statement must contain resources.', where());
      }
      if (hasResource || hasNotResource) {
        const resourceElement = hasResource ? 'Resource' : 'NotResource';
        const resources = this.stringList(statement[resourceElement]!, where(resourceElement));
        if (resources.length === 0) throw malformed('Policy statement must contain resources.', where(resourceElement));
        for (const resource of resources) this.checkResource(resource, where(resourceElement));
      }
    }

    // Principal / NotPrincipal
    const hasPrincipal = 'Principal' in statement;
    const hasNotPrincipal = 'NotPrincipal' in statement;
    if (this.kind === 'identity' || this.kind === 'boundary' || this.kind === 'session') {
      if (hasPrincipal || hasNotPrincipal) {
        throw malformed('Policy document should not specify a principal.', where(hasPrincipal ? 'Principal' : 'NotPrincipal'));
      }
    } else {
      if (this.kind === 'trust' && hasNotPrincipal) {
        throw malformed('Has prohibited field NotPrincipal.', where('NotPrincipal'));
      }
      if (hasPrincipal && hasNotPrincipal) {
        throw malformed('Syntax errors in policy. A statement cannot have both Principal and NotPrincipal.', where());
      }
      if (!hasPrincipal && !hasNotPrincipal) throw malformed('Missing required field Principal.', where());
      const principalElement = hasPrincipal ? 'Principal' : 'NotPrincipal';
      this.checkPrincipal(statement[principalElement]!, where(principalElement));
    }

    // Condition
    if ('Condition' in statement) this.checkCondition(statement.Condition!, where('Condition'));

    return sid;
  }

  private checkAction(action: string, location: ErrorLocation): void {
    if (action === '*') return;
    const colon = action.indexOf(':');
    if (colon <= 0) throw malformed(`${VENDOR_MESSAGE} Action ${JSON.stringify(action)} has no service prefix.`, location);
    const vendor = action.slice(0, colon);
    const name = action.slice(colon + 1);
    if (!VENDOR_PATTERN.test(vendor)) {
      throw malformed(
        `Vendor ${vendor} is not valid. A service prefix may contain only letters, digits and hyphens (action ${JSON.stringify(action)}).`,
        location,
      );
    }
    if (!ACTION_NAME_PATTERN.test(name)) {
      throw malformed(`Syntax errors in policy. Action ${JSON.stringify(action)} is not a valid action name.`, location);
    }
  }

  private checkResource(resource: string, location: ErrorLocation): void {
    if (resource === '*') return;
    const parts = resource.split(':');
    if (parts.length < 6 || parts[0] !== 'arn' || parts[1] === '') {
      throw malformed(`Resource ${resource} must be in ARN format or "*".`, location);
    }
    const service = parts[2]!;
    if (service === '' || /[*?]/.test(service)) {
      throw malformed(`Resource vendor must be fully qualified and cannot contain regexes (resource ${resource}).`, location);
    }
  }

  private checkPrincipal(principal: JsonValue, location: ErrorLocation): void {
    if (principal === '*') return;
    if (!isObject(principal)) {
      throw malformed(`Invalid principal in policy: ${JSON.stringify(principal)}`, location);
    }
    const types = Object.keys(principal);
    if (types.length === 0) throw malformed('Invalid principal in policy: {}', location);
    for (const type of types) {
      const raw = principal[type]!;
      if (!PRINCIPAL_TYPES.has(type)) {
        throw malformed(`Invalid principal in policy: ${JSON.stringify(type)}:${JSON.stringify(raw)}`, location);
      }
      const values = this.stringList(raw, location);
      if (values.length === 0) throw malformed(`Invalid principal in policy: ${JSON.stringify(type)}:[]`, location);
      for (const value of values) {
        if (!isValidPrincipalValue(type, value)) {
          throw malformed(`Invalid principal in policy: ${JSON.stringify(type)}:${JSON.stringify(value)}`, location);
        }
      }
    }
  }

  private checkCondition(condition: JsonValue, location: ErrorLocation): void {
    if (!isObject(condition)) {
      throw malformed('Syntax errors in policy. Condition must be an object of operator to {key: value}.', location);
    }
    for (const operator of Object.keys(condition)) {
      const block = condition[operator]!;
      const opLocation = { ...location, element: `Condition.${operator}` };
      if (!isConditionOperator(operator)) {
        throw malformed(`Unsupported condition operator ${operator}. Invalid Condition type : ${operator}.`, opLocation);
      }
      if (!isObject(block)) {
        throw malformed(`Syntax errors in policy. Condition operator ${operator} must map condition keys to values.`, opLocation);
      }
      const keys = Object.keys(block);
      if (keys.length === 0) {
        throw malformed(`Syntax errors in policy. Condition operator ${operator} has no condition keys.`, opLocation);
      }
      for (const key of keys) {
        const colon = key.indexOf(':');
        if (colon <= 0 || colon === key.length - 1) {
          throw malformed(`${VENDOR_MESSAGE} Condition key ${JSON.stringify(key)} has no service prefix.`, opLocation);
        }
        const value = block[key]!;
        const values = Array.isArray(value) ? value : [value];
        if (Array.isArray(value) && value.length === 0) {
          throw malformed(`Syntax errors in policy. Condition key ${key} has an empty list of values.`, opLocation);
        }
        for (const item of values) {
          if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
            throw malformed(
              `Syntax errors in policy. Condition values must be strings, numbers or booleans (key ${key}).`,
              opLocation,
            );
          }
        }
      }
    }
  }

  /** A string or an array of strings. */
  private stringList(value: JsonValue, location: ErrorLocation): string[] {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
    throw malformed(`Syntax errors in policy. ${location.element ?? 'This element'} must be a string or an array of strings.`, location);
  }

  private requiresResource(): boolean {
    return this.kind === 'identity' || this.kind === 'boundary' || this.kind === 'session';
  }

  private requiresAlphanumericSid(): boolean {
    return this.kind === 'identity' || this.kind === 'boundary' || this.kind === 'session';
  }

  private positionOf(value: JsonValue | undefined): TextPosition | undefined {
    return value !== null && typeof value === 'object' ? this.positions.get(value) : undefined;
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isValidPrincipalValue(type: string, value: string): boolean {
  if (value === '' || /\s/.test(value)) return false;
  switch (type) {
    case 'AWS':
      return value === '*' || isAccountId(value) || PRINCIPAL_ARN_PATTERN.test(value);
    case 'Service':
      // e.g. lambda.amazonaws.com, codecatalyst-runner.amazonaws.com
      return value === '*' || /^[a-z0-9][a-z0-9.-]*$/.test(value);
    case 'Federated':
    case 'CanonicalUser':
      return true;
    default:
      return false;
  }
}
