/**
 * The head of a CGI response (RFC 3875 §6): header lines, then an empty line, then the body. The status
 * comes in a `Status: 404 Not Found` header (200 when absent); git http-backend ends lines with CRLF.
 */
export interface CgiHead {
  status: number;
  headers: Array<[string, string]>;
}

const MAX_HEAD = 64 * 1024;

export class CgiHeadParser {
  private buffer: Buffer = Buffer.alloc(0);

  /** Feeds stdout bytes; once the head is complete returns it with the body bytes that followed it. */
  push(chunk: Buffer): { head: CgiHead; rest: Buffer } | undefined {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = findHeadEnd(this.buffer);
    if (!end) {
      if (this.buffer.length > MAX_HEAD) throw new Error(`the CGI response head is larger than ${MAX_HEAD} bytes`);
      return undefined;
    }
    const head = parseHead(this.buffer.toString('latin1', 0, end.headLength));
    return { head, rest: this.buffer.subarray(end.bodyStart) };
  }
}

function findHeadEnd(buffer: Buffer): { headLength: number; bodyStart: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headLength: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headLength: lf, bodyStart: lf + 2 };
  return undefined;
}

function parseHead(text: string): CgiHead {
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const code = Number(/^(\d{3})/.exec(value)?.[1]);
      if (code >= 100 && code <= 599) status = code;
    } else if (/^[A-Za-z0-9-]+$/.test(name)) headers.push([name, value]);
  }
  return { status, headers };
}
