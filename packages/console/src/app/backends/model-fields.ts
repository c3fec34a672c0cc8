/**
 * A data API's models as `amplify_outputs.json` describes them (`data.model_introspection`), and the GraphQL
 * the Data tab sends for them: the same `list<Plural>`, `create<Model>`, `update<Model>` and `delete<Model>`
 * operations `aws-amplify`'s `generateClient()` uses, with values read from form text and checked per field.
 */

type FieldType = string | { enum: string } | { model: string } | { nonModel: string };

interface IntrospectedField {
  name: string;
  type: FieldType;
  isArray: boolean;
  isRequired: boolean;
  isReadOnly?: boolean;
  association?: unknown;
}

interface IntrospectedModel {
  name: string;
  pluralName: string;
  fields: Record<string, IntrospectedField>;
  primaryKeyInfo?: { primaryKeyFieldName: string; sortKeyFieldNames: string[] };
}

export interface ModelIntrospection {
  models: Record<string, IntrospectedModel>;
  enums?: Record<string, { name: string; values: string[] }>;
}

/** One field the Data tab shows: a scalar or an enum (relations and custom types are left to the app). */
export interface ModelField {
  name: string;
  /** The GraphQL scalar (`String`, `Int`, `AWSDateTime`…) or the enum's name. */
  type: string;
  enumValues?: string[];
  isArray: boolean;
  isRequired: boolean;
  /** Set by the API (createdAt, updatedAt): shown, never edited. */
  readOnly: boolean;
}

export interface Model {
  name: string;
  pluralName: string;
  fields: ModelField[];
  /** The primary key's fields: the partition key, then the sort keys. */
  key: string[];
}

export function modelsOf(introspection: ModelIntrospection | undefined): Model[] {
  if (!introspection?.models) return [];
  const enums = introspection.enums ?? {};
  return Object.values(introspection.models).map((m) => {
    const fields: ModelField[] = [];
    for (const f of Object.values(m.fields)) {
      if (typeof f.type === 'string') fields.push({ name: f.name, type: f.type, isArray: f.isArray, isRequired: f.isRequired, readOnly: !!f.isReadOnly });
      else if ('enum' in f.type) fields.push({ name: f.name, type: f.type.enum, enumValues: enums[f.type.enum]?.values ?? [], isArray: f.isArray, isRequired: f.isRequired, readOnly: !!f.isReadOnly });
    }
    const key = m.primaryKeyInfo ? [m.primaryKeyInfo.primaryKeyFieldName, ...m.primaryKeyInfo.sortKeyFieldNames] : ['id'];
    return { name: m.name, pluralName: m.pluralName, fields, key };
  }).sort((a, b) => a.name.localeCompare(b.name));
}

/** The fields a form edits: not the API's own, and not the key of an item that exists (keys do not change). */
export const editableFields = (model: Model, existing: boolean): ModelField[] =>
  model.fields.filter((f) => !f.readOnly && !(existing && model.key.includes(f.name)) && !(f.name === 'id' && model.key[0] === 'id' && !existing));

const selection = (model: Model) => model.fields.map((f) => f.name).join(' ');

export const listQuery = (model: Model) =>
  `query List${model.pluralName}($filter: Model${model.name}FilterInput, $limit: Int, $nextToken: String) { list${model.pluralName}(filter: $filter, limit: $limit, nextToken: $nextToken) { items { ${selection(model)} } nextToken } }`;
export const createMutation = (model: Model) =>
  `mutation Create${model.name}($input: Create${model.name}Input!) { create${model.name}(input: $input) { ${selection(model)} } }`;
export const updateMutation = (model: Model) =>
  `mutation Update${model.name}($input: Update${model.name}Input!) { update${model.name}(input: $input) { ${selection(model)} } }`;
export const deleteMutation = (model: Model) =>
  `mutation Delete${model.name}($input: Delete${model.name}Input!) { delete${model.name}(input: $input) { ${model.key.join(' ')} } }`;

export type Item = Record<string, unknown>;

export const keyOf = (model: Model, item: Item): Item => Object.fromEntries(model.key.map((k) => [k, item[k]]));
export const keyText = (model: Model, item: Item): string => model.key.map((k) => String(item[k] ?? '')).join(' / ');

/** A stored value as form text: JSON for lists and AWSJSON objects, the plain value otherwise. */
export function textOf(field: ModelField, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field.isArray || (typeof value === 'object')) return JSON.stringify(value);
  return String(value);
}

const DATE = /^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** One value of a field from text: the value to send, or what is wrong with the text. */
function scalarOf(field: ModelField, text: string): { value: unknown } | { error: string } {
  switch (field.type) {
    case 'Int':
    case 'AWSTimestamp':
      return /^-?\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text)) ? { value: Number(text) } : { error: `${field.name} must be a whole number, e.g. 42.` };
    case 'Float':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? { value: Number(text) } : { error: `${field.name} must be a number, e.g. 4.2.` };
    case 'Boolean':
      return text === 'true' || text === 'false' ? { value: text === 'true' } : { error: `${field.name} must be true or false.` };
    case 'AWSDate':
      return DATE.test(text) ? { value: text } : { error: `${field.name} must be a date as YYYY-MM-DD, e.g. 2026-12-31.` };
    case 'AWSTime':
      return TIME.test(text) ? { value: text } : { error: `${field.name} must be a time as hh:mm:ss, e.g. 09:30:00.` };
    case 'AWSDateTime':
      return DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)) ? { value: text } : { error: `${field.name} must be a date and time with a zone, e.g. 2026-12-31T09:30:00Z.` };
    case 'AWSEmail':
      return EMAIL.test(text) ? { value: text } : { error: `${field.name} must be an email address, e.g. ana@example.com.` };
    case 'AWSJSON':
      try {
        JSON.parse(text);
        return { value: text };
      } catch {
        return { error: `${field.name} must be JSON, e.g. {"a": 1}.` };
      }
    default:
      if (field.enumValues && !field.enumValues.includes(text)) return { error: `${field.name} must be one of ${field.enumValues.join(', ')}.` };
      return { value: text };
  }
}

/**
 * Reads a form's texts into a mutation input, checking each field. An empty text is null (or left out on
 * create); a required field must not be empty. Lists are JSON arrays of the field's values.
 */
export function inputFrom(fields: ModelField[], texts: Record<string, string>, creating: boolean): { input: Item; errors: Record<string, string> } {
  const input: Item = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const text = texts[field.name] ?? '';
    if (text.trim() === '') {
      if (field.isRequired) errors[field.name] = `${field.name} is required.`;
      else if (!creating) input[field.name] = null;
      continue;
    }
    if (field.isArray) {
      let list: unknown;
      try {
        list = JSON.parse(text);
      } catch {
        list = undefined;
      }
      if (!Array.isArray(list)) {
        errors[field.name] = `${field.name} is a list: write a JSON array, e.g. ["a", "b"].`;
        continue;
      }
      const values = list.map((v) => scalarOf(field, typeof v === 'string' ? v : JSON.stringify(v)));
      const bad = values.find((v): v is { error: string } => 'error' in v);
      if (bad) errors[field.name] = bad.error;
      else input[field.name] = values.map((v) => (v as { value: unknown }).value);
      continue;
    }
    const one = scalarOf(field, field.type === 'String' || field.type === 'ID' ? text : text.trim());
    if ('error' in one) errors[field.name] = one.error;
    else input[field.name] = one.value;
  }
  return { input, errors };
}

/** Operators the filter offers, by how a field compares. */
export function filterOperators(field: ModelField | undefined): string[] {
  if (!field) return ['eq'];
  if (field.type === 'Boolean') return ['eq', 'ne'];
  if (field.enumValues) return ['eq', 'ne'];
  if (['Int', 'Float', 'AWSTimestamp'].includes(field.type)) return ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
  return ['eq', 'ne', 'contains', 'notContains', 'beginsWith', 'gt', 'lt'];
}

/** The list filter for one condition, or what is wrong with its value. */
export function filterFrom(field: ModelField, operator: string, text: string): { filter: Item } | { error: string } {
  if (['contains', 'notContains', 'beginsWith'].includes(operator)) return { filter: { [field.name]: { [operator]: text } } };
  const one = scalarOf({ ...field, isArray: false }, text);
  return 'error' in one ? one : { filter: { [field.name]: { [operator]: one.value } } };
}
