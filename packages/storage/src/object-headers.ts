import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './s3-errors.ts';
import type { ObjectAttributes } from './storage-tables.ts';

/** What S3 stores for an object written without a Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
/** S3 limits the user-defined metadata of an object to 2 KB (names and values, as sent). */
const METADATA_LIMIT = 2048;

const single = (headers: IncomingHttpHeaders, name: string): string | null => {
  const value = headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : null;
};

/**
 * The attributes a write request gives its object: the representation headers S3 keeps and the user
 * metadata (`x-amz-meta-*`). `aws-chunked` describes the request's framing, not the object, so it is not kept
 * as a Content-Encoding.
 */
export function attributesFromRequest(headers: IncomingHttpHeaders): ObjectAttributes {
  const metadata: Record<string, string> = {};
  let metadataSize = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    metadata[name.slice('x-amz-meta-'.length)] = text;
    metadataSize += name.length - 'x-amz-meta-'.length + Buffer.byteLength(text);
  }
  if (metadataSize > METADATA_LIMIT) {
    throw new S3Error('InvalidArgument', `Your metadata headers exceed the maximum allowed metadata size: ${metadataSize} bytes of x-amz-meta-* names and values, where S3 allows ${METADATA_LIMIT}.`);
  }
  const encoding = single(headers, 'content-encoding')?.split(',').map((e) => e.trim()).filter((e) => e && e !== 'aws-chunked').join(', ') || null;
  return {
    content_type: single(headers, 'content-type') ?? DEFAULT_CONTENT_TYPE,
    cache_control: single(headers, 'cache-control'),
    content_disposition: single(headers, 'content-disposition'),
    content_encoding: encoding,
    content_language: single(headers, 'content-language'),
    expires: single(headers, 'expires'),
    metadata: JSON.stringify(metadata),
  };
}

/** `response-content-type` and the other query parameters a GET (often a presigned one) overrides headers with. */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** The response headers that describe an object: its representation headers and metadata, as they were written. */
export function attributeHeaders(attributes: ObjectAttributes, query?: URLSearchParams): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': attributes.content_type };
  if (attributes.cache_control !== null) headers['cache-control'] = attributes.cache_control;
  if (attributes.content_disposition !== null) headers['content-disposition'] = attributes.content_disposition;
  if (attributes.content_encoding !== null) headers['content-encoding'] = attributes.content_encoding;
  if (attributes.content_language !== null) headers['content-language'] = attributes.content_language;
  if (attributes.expires !== null) headers.expires = attributes.expires;
  for (const [name, value] of Object.entries(JSON.parse(attributes.metadata) as Record<string, string>)) headers[`x-amz-meta-${name}`] = value;
  for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query?.get(parameter);
    if (value !== null && value !== undefined) headers[header] = value;
  }
  return headers;
}
