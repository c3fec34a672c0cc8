import type { GantryError } from '@gantry/core';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** AWS timestamps in Query responses: ISO-8601 UTC without milliseconds. */
export const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Serialises a result object the way the Query protocol shapes XML: object keys become elements in
 * order, arrays become `<member>` lists, dates ISO-8601, undefined fields are left out.
 */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    let out = '';
    for (const [key, child] of Object.entries(value)) if (child !== undefined && child !== null) out += `<${key}>${toXml(child)}</${key}>`;
    return out;
  }
  return escapeXml(String(value));
}

export function queryResponse(operation: string, namespace: string, result: unknown, requestId: string): string {
  const body = result && Object.keys(result as object).length ? `<${operation}Result>${toXml(result)}</${operation}Result>` : '';
  return `<${operation}Response xmlns="${namespace}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

export function queryError(error: GantryError, namespace: string, requestId: string): string {
  return `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.fault}</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
