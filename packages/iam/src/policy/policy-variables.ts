/**
 * Policy variables (reference_policies_variables): `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`,
 * and the escapes `${*}`, `${?}`, `${$}` for a literal `*`, `?`, `$`.
 *
 * - Only documents with `"Version": "2012-10-17"` substitute; older or missing versions read `${...}` as text.
 * - A substituted value is literal: a `*` in a user name is not a wildcard (hence the `literal` parts).
 * - A variable whose key is missing (and has no default) makes the whole value "effectively null": the
 *   caller decides what that means (a Resource never matches; a positive condition is false).
 */
import type { GlobPart } from './glob.ts';
import type { RequestContext } from './request-context.ts';

export const VARIABLES_VERSION = '2012-10-17';

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'variable'; key: string; lowerKey: string; fallback: string | undefined };

/** A policy string split into text, escapes and variables; `static` when nothing depends on the request. */
export interface Template {
  parts: TemplatePart[];
  static: boolean;
}

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };
/** `name` or `name, 'default'` (the documented form has a comma and a space; spacing is not significant). */
const VARIABLE_BODY = /^\s*([^\s,'][^,']*?)\s*(?:,\s*'([^']*)'\s*)?$/;

export function parseTemplate(value: string, variablesEnabled: boolean): Template {
  if (!variablesEnabled || !value.includes('${')) return { parts: [{ kind: 'text', text: value }], static: true };
  const parts: TemplatePart[] = [];
  let isStatic = true;
  let textStart = 0;
  let at = value.indexOf('${');
  while (at >= 0) {
    const close = closingBrace(value, at + 2);
    if (close < 0) break;
    const body = value.slice(at + 2, close);
    const escape = ESCAPES[body];
    const variable = escape === undefined ? VARIABLE_BODY.exec(body) : null;
    if (escape !== undefined || variable) {
      if (at > textStart) parts.push({ kind: 'text', text: value.slice(textStart, at) });
      if (escape !== undefined) parts.push({ kind: 'literal', text: escape });
      else {
        const key = variable![1];
        parts.push({ kind: 'variable', key, lowerKey: key.toLowerCase(), fallback: variable![2] });
        isStatic = false;
      }
      textStart = close + 1;
    }
    at = value.indexOf('${', escape !== undefined || variable ? close + 1 : at + 2);
  }
  if (textStart < value.length) parts.push({ kind: 'text', text: value.slice(textStart) });
  return { parts, static: isStatic };
}

/** Index of the `}` ending a variable that starts at `from`, skipping a quoted default; -1 if none. */
function closingBrace(value: string, from: number): number {
  let quoted = false;
  for (let i = from; i < value.length; i++) {
    const ch = value[i];
    if (ch === "'") quoted = !quoted;
    else if (ch === '}' && !quoted) return i;
  }
  return -1;
}

/**
 * The value of a variable's key. Multi-valued keys cannot be substituted into a single string, so they
 * count as missing, as does an absent key; then the `, 'default'` applies.
 */
function variableValue(
  part: Extract<TemplatePart, { kind: 'variable' }>,
  context: RequestContext | undefined,
): string | undefined {
  const value = context?.get(part.key, part.lowerKey);
  return typeof value === 'string' ? value : part.fallback;
}

/**
 * The template as glob parts (substitutions literal), or undefined when a variable has no value.
 * Static templates need no context.
 */
export function resolveGlobParts(template: Template, context?: RequestContext): GlobPart[] | undefined {
  const out: GlobPart[] = [];
  for (const part of template.parts) {
    if (part.kind === 'text') out.push({ text: part.text, literal: false });
    else if (part.kind === 'literal') out.push({ text: part.text, literal: true });
    else {
      const value = variableValue(part, context);
      if (value === undefined) return undefined;
      out.push({ text: value, literal: true });
    }
  }
  return out;
}

/** The template as plain text (for exact comparisons), or undefined when a variable has no value. */
export function resolveText(template: Template, context?: RequestContext): string | undefined {
  let out = '';
  for (const part of template.parts) {
    if (part.kind !== 'variable') out += part.text;
    else {
      const value = variableValue(part, context);
      if (value === undefined) return undefined;
      out += value;
    }
  }
  return out;
}
