import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './s3-errors.ts';

/** What a read's conditional headers are compared with. */
export interface Validators {
  /** The ETag with its quotes. */
  etag: string;
  lastModified: number;
}

/** `If-Match`/`If-None-Match` lists: `*`, or quoted (or bare, as some clients send) ETags. */
function listMatches(header: string, etag: string): boolean {
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag || `"${tag}"` === etag;
  });
}

/** HTTP dates have whole seconds; an object modified within the second of the date has not changed since. */
function modifiedSince(header: string, lastModified: number): boolean | undefined {
  const since = Date.parse(header);
  if (Number.isNaN(since)) return undefined;
  return Math.floor(lastModified / 1000) * 1000 > since;
}

/**
 * Evaluates a GET or HEAD's preconditions as S3 does (RFC 9110 §13.2.2): If-Match, else If-Unmodified-Since,
 * failing with PreconditionFailed (412); then If-None-Match, else If-Modified-Since. Returns 'not-modified'
 * when the reader's copy is current (304).
 */
export function evaluateReadConditions(headers: IncomingHttpHeaders, object: Validators, headerPrefix = ''): 'proceed' | 'not-modified' {
  const h = (name: string) => {
    const value = headers[`${headerPrefix}${name}`];
    return typeof value === 'string' ? value : undefined;
  };
  const ifMatch = h('if-match');
  if (ifMatch !== undefined) {
    if (!listMatches(ifMatch, object.etag)) throw preconditionFailed('If-Match');
  } else {
    const ifUnmodifiedSince = h('if-unmodified-since');
    if (ifUnmodifiedSince !== undefined && modifiedSince(ifUnmodifiedSince, object.lastModified) === true) throw preconditionFailed('If-Unmodified-Since');
  }
  const ifNoneMatch = h('if-none-match');
  if (ifNoneMatch !== undefined) return listMatches(ifNoneMatch, object.etag) ? 'not-modified' : 'proceed';
  const ifModifiedSince = h('if-modified-since');
  if (ifModifiedSince !== undefined && modifiedSince(ifModifiedSince, object.lastModified) === false) return 'not-modified';
  return 'proceed';
}

const preconditionFailed = (condition: string) =>
  new S3Error('PreconditionFailed', `At least one of the pre-conditions you specified did not hold: ${condition}.`, { details: { Condition: condition } });
