/**
 * Walks a parsed YAML document with positions: reads mappings, lists and scalars, checks keys, and collects
 * issues (`file:line:column`, YAML path, message). The workflow parser is written on top of it.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import { workflowValidationError } from './workflow-issues.ts';
import type { WorkflowIssue, WorkflowIssueCode } from './workflow-types.ts';

export type Found = YamlNode | null | undefined;

/** One `key: value` of a mapping. */
export interface Entry {
  key: string;
  keyNode: YamlNode;
  value: YamlNode | null;
  /** The YAML path of the value. */
  path: string;
}

/** One item of a list. */
export interface Item {
  node: YamlNode | null;
  path: string;
  index: number;
}

/** What to do with a key present with no value (`Key:`), where a list or mapping is expected. */
export type WhenNull = 'empty-with-warning' | 'error';

export function joinPath(path: string, key: string): string {
  const segment = /^[A-Za-z0-9_@-]+$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? segment : `${path}.${segment}`;
}

export function describeNode(node: Found): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return 'nothing';
    if (typeof value === 'string') return `the text "${value.length > 40 ? `${value.slice(0, 37)}...` : value}"`;
    if (typeof value === 'boolean') return `the boolean ${node.source ?? String(value)}`;
    if (typeof value === 'number' || typeof value === 'bigint') return `the number ${node.source ?? String(value)}`;
    return `${node.source ?? String(value)}`;
  }
  return 'an unexpected value';
}

export function isNullNode(node: Found): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function listOf(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

export class NodeReader {
  readonly issues: WorkflowIssue[] = [];

  constructor(
    readonly content: string,
    readonly file: string,
    private readonly lineCounter: LineCounter,
    private readonly doc: Document.Parsed,
  ) {}

  // --- issues ---------------------------------------------------------------------------------------------------

  issue(severity: WorkflowIssue['severity'], code: WorkflowIssueCode, at: Found | number, path: string, message: string): void {
    const offset = typeof at === 'number' ? at : (at?.range?.[0] ?? 0);
    const { line, col } = this.lineCounter.linePos(offset);
    this.issues.push({ severity, code, file: this.file, line, column: col, path, message });
  }

  error(code: WorkflowIssueCode, at: Found | number, path: string, message: string): void {
    this.issue('error', code, at, path, message);
  }

  warn(code: WorkflowIssueCode, at: Found | number, path: string, message: string): void {
    this.issue('warning', code, at, path, message);
  }

  sorted(severity: WorkflowIssue['severity']): WorkflowIssue[] {
    return this.issues.filter((i) => i.severity === severity).sort((a, b) => a.line - b.line || a.column - b.column);
  }

  throwIfErrors(): void {
    const errors = this.sorted('error');
    if (errors.length > 0) throw workflowValidationError(this.file, errors, this.content);
  }

  /** The offset of `needle` inside the source of `node`, for pointing at a part of a long value. */
  offsetOf(node: Found, needle: string): number | undefined {
    const range = node?.range;
    if (!range) return undefined;
    const index = this.content.slice(range[0], range[1]).indexOf(needle);
    return index < 0 ? range[0] : range[0] + index;
  }

  // --- reading --------------------------------------------------------------------------------------------------

  /** Follows aliases; `undefined` (reported) for an alias to nothing. */
  deref(node: Found, path: string): YamlNode | null | undefined {
    let current: Found = node;
    for (let hops = 0; current && isAlias(current); hops++) {
      const target = hops > 64 ? undefined : current.resolve(this.doc);
      if (!target) {
        this.error('invalid-value', current, path, `the alias *${current.source} refers to no anchor: define &${current.source} first, or quote the value if it is text`);
        return undefined;
      }
      current = target;
    }
    return current ?? null;
  }

  /**
   * The entries of a mapping (merge keys `<<` expanded). `undefined` after reporting a wrong type, and for a null
   * value when `whenNull` is `'error'`.
   */
  mapEntries(node: Found, path: string, what: string, at?: Found, whenNull: WhenNull = 'empty-with-warning'): Entry[] | undefined {
    const value = this.deref(node, path);
    if (value === undefined) return undefined;
    if (isNullNode(value)) {
      if (whenNull === 'error') {
        this.error('invalid-value', value ?? at, path, `${what} is empty: give ${what} or remove the key`);
        return undefined;
      }
      if (path !== '') this.warn('lenient', value ?? at, path, `${lastKey(path)} has no value and is read as an empty mapping; remove the key or give it entries`);
      return [];
    }
    if (!isMap(value)) {
      this.error('wrong-type', value, path, `expected ${what} (a mapping of "Key: value" lines), found ${describeNode(value)}`);
      return undefined;
    }
    const entries: Entry[] = [];
    for (const pair of value.items) {
      const keyNode = pair.key as YamlNode | null;
      if (isScalar(keyNode) && keyNode.value === '<<') {
        const source = this.deref(pair.value as Found, path);
        const sources = source && isSeq(source) ? source.items.map((i) => this.deref(i as Found, path)) : [source];
        for (const merged of sources) {
          if (!merged || !isMap(merged)) {
            this.error('wrong-type', merged ?? keyNode, path, `a "<<" merge key needs a mapping (or a list of mappings) to merge, found ${describeNode(merged)}`);
            continue;
          }
          for (const entry of this.mapEntries(merged, path, what) ?? []) {
            if (!entries.some((e) => e.key === entry.key)) entries.push(entry);
          }
        }
        continue;
      }
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        this.error('wrong-type', keyNode ?? value, path, `keys must be plain names, found ${describeNode(keyNode)} used as a key`);
        continue;
      }
      const key = typeof keyNode.value === 'string' ? keyNode.value : (keyNode.source ?? String(keyNode.value));
      const existing = entries.findIndex((e) => e.key === key);
      const entry = { key, keyNode, value: (pair.value as YamlNode | null) ?? null, path: joinPath(path, key) };
      if (existing >= 0) entries[existing] = entry; // an explicit key overrides a merged one
      else entries.push(entry);
    }
    return entries;
  }

  /**
   * Recognised entries by key. Unknown keys are errors (the workflow schema allows no others), with the closest
   * known key suggested; keys in `ignored` are accepted with their warning.
   */
  checkKeys(entries: readonly Entry[], known: readonly string[], what: string, ignored: Readonly<Record<string, string>> = {}): Map<string, Entry> {
    const found = new Map<string, Entry>();
    for (const entry of entries) {
      if (known.includes(entry.key)) {
        found.set(entry.key, entry);
        continue;
      }
      const warning = ignored[entry.key];
      if (warning !== undefined) {
        this.warn('ignored', entry.keyNode, entry.path, warning);
        continue;
      }
      const suggestion = nearMiss(entry.key, known);
      if (suggestion !== undefined) {
        const caseOnly = suggestion.toLowerCase() === entry.key.toLowerCase();
        this.error('unknown-key', entry.keyNode, entry.path, `unknown key "${entry.key}" in ${what}: did you mean "${suggestion}"?${caseOnly ? ' Keys are case-sensitive.' : ''}`);
      } else {
        this.error('unknown-key', entry.keyNode, entry.path, `unknown key "${entry.key}" in ${what}: expected ${listOf(known)}`);
      }
    }
    return found;
  }

  /** Reports each of `required` missing from `found`, at `at` (the mapping, or its key). */
  requireKeys(found: ReadonlyMap<string, Entry>, required: readonly string[], at: Found, path: string, what: string, example?: Record<string, string>): void {
    for (const key of required) {
      if (!found.has(key)) {
        const hint = example?.[key] ? `, e.g.\n      ${example[key]}` : '';
        this.error('missing-key', at, path === '' ? '' : path, `${what} needs "${key}"${hint}`);
      }
    }
  }

  /**
   * A text value. Plain scalars YAML typed as numbers, booleans or dates give back their text as written. An
   * empty value is an error naming `what`, unless `allowEmpty`.
   */
  text(node: Found, path: string, what: string, at?: Found, options: { allowEmpty?: boolean; nullHint?: string } = {}): string | undefined {
    const value = this.deref(node, path);
    if (value === undefined) return undefined;
    if (isNullNode(value)) {
      if (options.allowEmpty) return '';
      this.error('invalid-value', value ?? at, path, `${lastKey(path)} is empty: give ${what}${options.nullHint ?? this.commentHint(at ?? value)}`);
      return undefined;
    }
    if (isScalar(value)) return typeof value.value === 'string' ? value.value : (value.source ?? String(value.value));
    this.error('wrong-type', value, path, `expected ${what} (text), found ${describeNode(value)}`);
    return undefined;
  }

  /** The items of a list. `undefined` after reporting a wrong type (or a null, when `whenNull` is `'error'`). */
  listItems(node: Found, path: string, what: string, at: Found, whenNull: WhenNull, example?: string): Item[] | undefined {
    const value = this.deref(node, path);
    if (value === undefined) return undefined;
    const key = lastKey(path);
    const shape = example ? `, e.g.\n      ${key}:\n        - ${example}` : '';
    if (isNullNode(value)) {
      if (whenNull === 'error') {
        this.error('invalid-value', value ?? at, path, `${key} is empty: list ${what}${shape}`);
        return undefined;
      }
      this.warn('lenient', value ?? at, path, `${key} has no value and is read as an empty list; remove the key or write ${key}: []`);
      return [];
    }
    if (!isSeq(value)) {
      this.error('wrong-type', value, path, `expected a list of ${what}, found ${describeNode(value)}${shape}`);
      return undefined;
    }
    return value.items.map((item, index) => ({ node: (item as YamlNode | null) ?? null, path: `${path}[${index}]`, index }));
  }

  /** A list of text values. */
  textList(node: Found, path: string, what: string, at: Found, whenNull: WhenNull, example?: string): { value: string; node: YamlNode | null; path: string }[] | undefined {
    const items = this.listItems(node, path, what, at, whenNull, example);
    if (!items) return undefined;
    const out: { value: string; node: YamlNode | null; path: string }[] = [];
    for (const item of items) {
      const text = this.text(item.node, item.path, what, item.node ?? at);
      if (text !== undefined) out.push({ value: text, node: item.node, path: item.path });
    }
    return out;
  }

  /** A number (integer when `integer`), checked against a range. */
  number(node: Found, path: string, what: string, range: { min: number; max: number; integer?: boolean }, at?: Found): number | undefined {
    const value = this.deref(node, path);
    if (value === undefined) return undefined;
    const kind = range.integer ? 'a whole number' : 'a number';
    if (!isScalar(value) || value.value === null) {
      this.error(isNullNode(value) ? 'invalid-value' : 'wrong-type', value ?? at, path, `expected ${what} (${kind} from ${range.min} to ${range.max}), found ${describeNode(value)}`);
      return undefined;
    }
    const raw = value.value;
    const parsed = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
    if (Number.isNaN(parsed) || (range.integer && !Number.isInteger(parsed)) || parsed < range.min || parsed > range.max) {
      this.error('invalid-value', value, path, `expected ${what} (${kind} from ${range.min} to ${range.max}), found ${describeNode(value)}`);
      return undefined;
    }
    if (typeof raw === 'string') this.warn('lenient', value, path, `${lastKey(path)} is written as text ("${raw}"); it is read as the number ${parsed}: write it without quotes`);
    return parsed;
  }

  /** A boolean. */
  boolean(node: Found, path: string, what: string, at?: Found): boolean | undefined {
    const value = this.deref(node, path);
    if (value === undefined) return undefined;
    if (isScalar(value) && typeof value.value === 'boolean') return value.value;
    this.error('wrong-type', value ?? at, path, `expected ${what} (true or false), found ${describeNode(value)}`);
    return undefined;
  }

  /** Plain data of a node (for free-form configuration). */
  toData(node: Found): unknown {
    const value = node && isAlias(node) ? node.resolve(this.doc) : node;
    if (!value) return null;
    if (isMap(value) || isSeq(value) || isScalar(value)) return value.toJSON(this.doc);
    return null;
  }

  /** When a value is empty because `#` started a comment on its line, say so. */
  private commentHint(at: Found): string {
    const offset = at?.range?.[0];
    if (offset === undefined) return '';
    const { line } = this.lineCounter.linePos(offset);
    const source = this.content.split(/\r?\n/)[line - 1] ?? '';
    return /:\s+#/.test(source) ? ' (YAML reads everything after " #" as a comment: quote the value, e.g. "#####")' : '';
  }
}

export function lastKey(path: string): string {
  const withoutIndex = path.replace(/\[\d+\]$/, '');
  const dot = withoutIndex.lastIndexOf('.');
  return dot < 0 ? withoutIndex : withoutIndex.slice(dot + 1);
}

/** The closest of `known` when `name` looks like a typo of it (case, `-`/`_`, or one or two letters off). */
export function nearMiss(name: string, known: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const same = known.find((candidate) => squash(candidate) === squash(name));
  if (same !== undefined) return same;
  const limit = name.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(squash(name), squash(candidate));
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
