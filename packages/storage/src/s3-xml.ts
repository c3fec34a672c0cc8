import type { ServerResponse } from 'node:http';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { S3Error } from './s3-errors.ts';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_' });
/** Elements that may repeat in the request documents S3 reads; each parses as a list even when it appears once. */
const LISTS = new Set(['Object', 'Part']);
// Values stay strings (keys like '007', ETags), untrimmed (keys may begin or end with spaces), entities decoded.
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, htmlEntities: true, isArray: (name) => LISTS.has(name) });

/** A response document: `<Root xmlns="…">…</Root>` with S3's namespace; undefined fields are left out. */
export function s3Document(root: string, body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { '@_xmlns': S3_NAMESPACE, ...body } })}`;
}

/** S3's error document. It has no namespace. */
export function s3ErrorDocument(fields: Record<string, string | undefined>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ Error: fields })}`;
}

/** The content of a request document's root element, which must be `root`; an empty body is undefined. */
export function parseS3Document(body: Buffer, root: string): Record<string, any> | undefined {
  if (body.length === 0) return undefined;
  let parsed: Record<string, any>;
  try {
    parsed = parser.parse(body.toString('utf8'), true);
  } catch (error) {
    throw new S3Error('MalformedXML', `The XML you provided was not well-formed or did not validate against our published schema: ${(error as Error).message}`);
  }
  const content = parsed[root];
  if (content === undefined) throw new S3Error('MalformedXML', `The XML you provided was not well-formed or did not validate against our published schema: expected a <${root}> document.`);
  return typeof content === 'object' && content !== null ? content : {};
}

/** S3's timestamps in XML: ISO-8601 with milliseconds. */
export const xmlTime = (epochMs: number): string => new Date(epochMs).toISOString();

export function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
}
