import type { ByteRange } from './blob-store.ts';
import { S3Error } from './s3-errors.ts';

/**
 * The byte range a `Range` header asks of an object of `size` bytes: `bytes=a-b`, `bytes=a-` or the suffix
 * `bytes=-n`, the end clipped to the object. Undefined when there is no header or it is not one S3 honours
 * (another unit, several ranges, a malformed one): the whole object is returned then, as HTTP allows. A range
 * that starts past the end is InvalidRange (416).
 */
export function requestedRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) throw unsatisfiable(header, size);
  return { start, end };
}

const unsatisfiable = (header: string, size: number) =>
  new S3Error('InvalidRange', `The requested range is not satisfiable: ${header} of an object of ${size} bytes.`, { details: { ActualObjectSize: String(size), RangeRequested: header } });
