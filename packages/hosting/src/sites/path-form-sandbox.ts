import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * What every answer of a site reached by path (`/_sites/<appId>/<branch>/…`) carries. That form shares the
 * server's origin with the web console, whose session cookie a site's script would otherwise ride: sandboxed
 * without `allow-same-origin`, the page runs its scripts in an opaque origin, so its requests carry
 * `Origin: null` and no cookie of the server's. The host form (`<branch>.<appId>.<domain>`) is a site's own
 * origin and is not sandboxed.
 */
export const PATH_FORM_POLICY = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads';

/**
 * Makes every answer on `res` carry {@link PATH_FORM_POLICY}, beside any policy the site sets itself (custom
 * headers, an app server's own answer): browsers enforce each policy header, so the site cannot lift the sandbox.
 */
export function sandboxPathForm(res: ServerResponse): void {
  // Not setHeader: once it is used, Node folds raw header arrays through it and repeated headers (Set-Cookie) are lost.
  // An answer without explicit headers reaches writeHead too (Node's implicit header calls it).
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const at = rest.findIndex((r) => r !== null && typeof r === 'object');
    if (at === -1) rest.push({ 'content-security-policy': PATH_FORM_POLICY });
    else rest[at] = withPolicy(rest[at] as OutgoingHttpHeaders | unknown[]);
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse['writeHead'];
}

function withPolicy(headers: OutgoingHttpHeaders | unknown[]): OutgoingHttpHeaders | unknown[] {
  if (Array.isArray(headers)) {
    // Raw [name, value, name, value…] or [[name, value]…]: one more pair is one more header.
    return Array.isArray(headers[0]) ? [...headers, ['content-security-policy', PATH_FORM_POLICY]] : [...headers, 'content-security-policy', PATH_FORM_POLICY];
  }
  const out: OutgoingHttpHeaders = {};
  const own: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-security-policy') own.push(...(Array.isArray(value) ? value : [String(value)]));
    else out[name] = value;
  }
  (out as Record<string, string[]>)['content-security-policy'] = [...own, PATH_FORM_POLICY];
  return out;
}
