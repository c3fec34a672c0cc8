/**
 * The `Condition` element (reference_policies_elements_condition_operators, reference_policies_multi-value-
 * conditions). A block is compiled once into key tests; every test must pass (operators AND, keys AND).
 *
 * - Values of one key OR together; for a negated operator (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`,
 *   ...) the request value must match none of them.
 * - Missing key: false, except negated operators (true), `...IfExists` (true), `ForAllValues:` (true) and
 *   `ForAnyValue:` (false). `Null` tests presence itself.
 * - A multi-valued request key (string[]) needs `ForAnyValue:`/`ForAllValues:`; without one the test is false.
 * - An unknown operator makes the whole block false: the statement cannot apply.
 */
import type { ConditionBlock } from './policy-types.ts';
import type { RequestContext } from './request-context.ts';
import { compileGlob } from './glob.ts';
import { parseTemplate, resolveGlobParts, resolveText, type Template } from './policy-variables.ts';
import { parseBool, parseDate, parseNumber } from './condition-values.ts';
import { parseIpAddress, parseIpRange, rangeContains } from './ip-range.ts';
import { compileArnPattern, type ArnPattern } from './arn-pattern.ts';

/** True when the block allows the request; compiled from a `Condition` element. */
export type ConditionMatcher = (context: RequestContext) => boolean;

/**
 * The positive test of one policy value against one request value. `undefined` means the two cannot be
 * compared (a malformed number, date or address): then neither the operator nor its negation holds.
 */
type ValueTest = (requestValue: string, context: RequestContext) => boolean | undefined;

interface OperatorFamily {
  negated: boolean;
  /** Policy variables are substituted only for string, ARN and Bool operators; others read them literally. */
  variables: boolean;
  compile(value: Template): ValueTest;
}

type SetOperator = 'any' | 'all' | undefined;

interface KeyTest {
  key: string;
  lowerKey: string;
  setOperator: SetOperator;
  ifExists: boolean;
  negated: boolean;
  tests: ValueTest[];
}

// ---- operator families -------------------------------------------------------------------------------

function equalsTest(value: Template, fold: (s: string) => string): ValueTest {
  if (value.static) {
    const expected = fold(resolveText(value)!);
    return (request) => fold(request) === expected;
  }
  return (request, context) => {
    const expected = resolveText(value, context);
    // A variable without a value never equals anything, so a negated operator holds (variables reference).
    return expected !== undefined && fold(request) === fold(expected);
  };
}

const asIs = (s: string): string => s;
const lower = (s: string): string => s.toLowerCase();

function likeTest(value: Template): ValueTest {
  if (value.static) {
    const glob = compileGlob(resolveGlobParts(value)!, false);
    return (request) => glob.matches(request);
  }
  return (request, context) => {
    const parts = resolveGlobParts(value, context);
    return parts !== undefined && compileGlob(parts, false).matches(request);
  };
}

function arnTest(value: Template): ValueTest {
  const matchWith = (pattern: ArnPattern | undefined, request: string) => pattern !== undefined && pattern.matches(request);
  if (value.static) {
    const pattern = compileArnPattern(resolveGlobParts(value)!);
    return (request) => matchWith(pattern, request);
  }
  return (request, context) => {
    const parts = resolveGlobParts(value, context);
    return parts !== undefined && matchWith(compileArnPattern(parts), request);
  };
}

function comparison(parse: (text: string) => number | undefined, holds: (request: number, policy: number) => boolean) {
  return (value: Template): ValueTest => {
    const policy = parse(resolveText(value)!);
    return (request) => {
      const actual = parse(request);
      return policy === undefined || actual === undefined ? undefined : holds(actual, policy);
    };
  };
}

function boolTest(value: Template): ValueTest {
  const fixed = value.static ? parseBool(resolveText(value)!) : undefined;
  return (request, context) => {
    const expected = value.static ? fixed : parseBool(resolveText(value, context) ?? '');
    const actual = parseBool(request);
    return expected === undefined || actual === undefined ? undefined : expected === actual;
  };
}

/** "compares the value of the specified key byte for byte against a base-64 encoded representation". */
function binaryTest(value: Template): ValueTest {
  const expected = Buffer.from(resolveText(value)!, 'base64');
  return (request) => Buffer.from(request, 'base64').equals(expected);
}

function ipTest(value: Template): ValueTest {
  const range = parseIpRange(resolveText(value)!.trim());
  return (request) => {
    const address = parseIpAddress(request.trim());
    return range === undefined || address === undefined ? undefined : rangeContains(range, address);
  };
}

const eq = (a: number, b: number) => a === b;
const lt = (a: number, b: number) => a < b;
const le = (a: number, b: number) => a <= b;
const gt = (a: number, b: number) => a > b;
const ge = (a: number, b: number) => a >= b;

const positive = (compile: OperatorFamily['compile'], variables: boolean): OperatorFamily => ({ negated: false, variables, compile });
const negative = (compile: OperatorFamily['compile'], variables: boolean): OperatorFamily => ({ negated: true, variables, compile });

/** Base operators by lower-cased name. `Null` is handled apart: it tests presence, not values. */
const OPERATORS: Record<string, OperatorFamily> = {
  stringequals: positive((v) => equalsTest(v, asIs), true),
  stringnotequals: negative((v) => equalsTest(v, asIs), true),
  stringequalsignorecase: positive((v) => equalsTest(v, lower), true),
  stringnotequalsignorecase: negative((v) => equalsTest(v, lower), true),
  stringlike: positive(likeTest, true),
  stringnotlike: negative(likeTest, true),
  numericequals: positive(comparison(parseNumber, eq), false),
  numericnotequals: negative(comparison(parseNumber, eq), false),
  numericlessthan: positive(comparison(parseNumber, lt), false),
  numericlessthanequals: positive(comparison(parseNumber, le), false),
  numericgreaterthan: positive(comparison(parseNumber, gt), false),
  numericgreaterthanequals: positive(comparison(parseNumber, ge), false),
  dateequals: positive(comparison(parseDate, eq), false),
  datenotequals: negative(comparison(parseDate, eq), false),
  datelessthan: positive(comparison(parseDate, lt), false),
  datelessthanequals: positive(comparison(parseDate, le), false),
  dategreaterthan: positive(comparison(parseDate, gt), false),
  dategreaterthanequals: positive(comparison(parseDate, ge), false),
  bool: positive(boolTest, true),
  binaryequals: positive(binaryTest, false),
  ipaddress: positive(ipTest, false),
  notipaddress: negative(ipTest, false),
  // "The ArnEquals and ArnLike condition operators behave identically."
  arnequals: positive(arnTest, true),
  arnlike: positive(arnTest, true),
  arnnotequals: negative(arnTest, true),
  arnnotlike: negative(arnTest, true),
};

// ---- operator names ----------------------------------------------------------------------------------

interface ParsedOperator {
  base: string;
  setOperator: SetOperator;
  ifExists: boolean;
}

const OPERATOR_NAME = /^(?:(forallvalues|foranyvalue):)?(.+?)(ifexists)?$/;

function parseOperator(name: string): ParsedOperator | undefined {
  const m = OPERATOR_NAME.exec(name.toLowerCase());
  if (!m) return undefined;
  const parsed: ParsedOperator = {
    base: m[2],
    setOperator: m[1] === undefined ? undefined : m[1] === 'forallvalues' ? 'all' : 'any',
    ifExists: m[3] !== undefined,
  };
  // "You can add IfExists to the end of any condition operator name except the Null condition."
  if (parsed.base === 'null') return parsed.ifExists || parsed.setOperator ? undefined : parsed;
  return Object.hasOwn(OPERATORS, parsed.base) ? parsed : undefined;
}

/** Whether IAM knows the operator (with its `ForAnyValue:`/`ForAllValues:` prefix and `IfExists` suffix). */
export const isKnownConditionOperator = (name: string): boolean => parseOperator(name) !== undefined;

// ---- compilation -------------------------------------------------------------------------------------

const NEVER: ConditionMatcher = () => false;

/** Compiles a `Condition` element; undefined when the statement has none. */
export function compileCondition(block: ConditionBlock | undefined, variablesEnabled: boolean): ConditionMatcher | undefined {
  if (block === undefined) return undefined;
  if (!isObject(block)) return NEVER;
  const keyTests: KeyTest[] = [];
  const presenceTests: Array<(context: RequestContext) => boolean> = [];
  for (const [operatorName, keys] of Object.entries(block)) {
    const operator = parseOperator(operatorName);
    if (operator === undefined || !isObject(keys)) return NEVER;
    for (const [key, rawValues] of Object.entries(keys)) {
      const values = (Array.isArray(rawValues) ? rawValues : [rawValues]).map(String);
      const lowerKey = key.toLowerCase();
      if (operator.base === 'null') {
        presenceTests.push(nullTest(key, lowerKey, values));
        continue;
      }
      const family = OPERATORS[operator.base];
      keyTests.push({
        key,
        lowerKey,
        setOperator: operator.setOperator,
        ifExists: operator.ifExists,
        negated: family.negated,
        tests: values.map((value) => family.compile(parseTemplate(value, variablesEnabled && family.variables))),
      });
    }
  }
  return (context) => {
    for (const test of presenceTests) if (!test(context)) return false;
    for (const test of keyTests) if (!keyHolds(test, context)) return false;
    return true;
  };
}

/** `"Null": {"k": "true"}` holds when k is absent, `"false"` when present; values OR like any other. */
function nullTest(key: string, lowerKey: string, values: string[]): (context: RequestContext) => boolean {
  const wanted = values.map(parseBool);
  return (context) => {
    const absent = context.get(key, lowerKey) === undefined;
    return wanted.some((expectAbsent) => expectAbsent === absent);
  };
}

function keyHolds(test: KeyTest, context: RequestContext): boolean {
  const value = context.get(test.key, test.lowerKey);
  if (value === undefined) {
    if (test.ifExists || test.setOperator === 'all') return true;
    if (test.setOperator === 'any') return false;
    return test.negated;
  }
  if (typeof value === 'string') {
    // "If the key values in the request resolve to an empty data set (for example, an empty string), a
    // condition operator modified by ForAllValues returns true, and ... ForAnyValue returns false."
    if (value === '' && test.setOperator !== undefined) return test.setOperator === 'all';
    return valueHolds(test, value, context);
  }
  if (test.setOperator === undefined) return false;
  if (test.setOperator === 'all') {
    for (const item of value) if (!valueHolds(test, item, context)) return false;
    return true;
  }
  for (const item of value) if (valueHolds(test, item, context)) return true;
  return false;
}

/** One request value against the policy values: any match (positive), or a clean non-match of all (negated). */
function valueHolds(test: KeyTest, requestValue: string, context: RequestContext): boolean {
  if (test.negated) {
    for (const valueTest of test.tests) if (valueTest(requestValue, context) !== false) return false;
    return true;
  }
  for (const valueTest of test.tests) if (valueTest(requestValue, context) === true) return true;
  return false;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
