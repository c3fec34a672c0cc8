import type { IncomingMessage } from 'node:http';
import { S3Error } from './s3-errors.ts';

/** Which bucket and key a request is for (neither: the service itself, as for ListBuckets). */
export interface S3Address {
  bucket?: string;
  key?: string;
}

export interface S3Addressing {
  /**
   * Path prefix of path-style requests: `<server>/s3/<bucket>/<key>`, what the SDK sends with
   * `endpoint: '<server>/s3'` and `forcePathStyle: true`. @default '/s3'
   */
  pathPrefix: string;
  /**
   * Host of virtual-hosted-style requests: `<bucket>.<host>` (`endpoint: 'http://s3.localhost:<port>'`),
   * and of path-style requests without the prefix when the Host is this name itself. @default 's3.localhost'
   */
  host: string;
}

const hostName = (req: IncomingMessage): string => (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');

/** Whether a request is an S3 request under this addressing. */
export function isS3Request(req: IncomingMessage, pathname: string, addressing: S3Addressing): boolean {
  const host = hostName(req);
  if (host === addressing.host || host.endsWith(`.${addressing.host}`)) return true;
  return pathname === addressing.pathPrefix || pathname.startsWith(`${addressing.pathPrefix}/`);
}

/** The bucket and key of an S3 request, from its raw (still percent-encoded) path and its Host. */
export function s3AddressOf(req: IncomingMessage, addressing: S3Addressing): S3Address {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const host = hostName(req);
  if (host.endsWith(`.${addressing.host}`)) {
    const bucket = host.slice(0, -addressing.host.length - 1);
    return rawPath === '/' || rawPath === '' ? { bucket } : { bucket, key: decode(rawPath.slice(1)) };
  }
  // Path-style under the prefix, or (Host being the S3 host itself) from the root.
  const underPrefix = rawPath === addressing.pathPrefix || rawPath.startsWith(`${addressing.pathPrefix}/`);
  const rest = underPrefix ? rawPath.slice(addressing.pathPrefix.length) : rawPath;
  // '' or '/': the service; '/<bucket>' or '/<bucket>/': a bucket; '/<bucket>/<key>': an object.
  const path = rest.startsWith('/') ? rest.slice(1) : rest;
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: decode(path) };
  const bucket = decode(path.slice(0, slash));
  const key = path.slice(slash + 1);
  return key === '' ? { bucket } : { bucket, key: decode(key) };
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error('InvalidArgument', `The request path '${raw.slice(0, 200)}' is not validly percent-encoded.`);
  }
}
