/**
 * Helpers for the compute tests: a small real Node.js HTTP server script (what a framework's compute entry point
 * is), written into a temp bundle; a front server that proxies to a pool; and a raw HTTP client.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The app: answers on PORT. Routes:
 * /env            pid, cwd and the variables it sees
 * /headers        the request headers as received (raw)
 * /cookies        two Set-Cookie headers
 * /stream         "first\n", then "second\n" once /release was requested
 * /release        lets /stream finish
 * /echo           the request body back (streamed), with its size in a trailer-free header afterwards
 * /slow           never answers
 * /crash          exits before answering
 * /crash-mid      sends headers and part of the body, then exits
 * /missing        404
 * /read?path=     tries to read a file: { ok, code, text }
 * /write?path=    tries to write a file: { ok, code }
 */
export const SERVER_SCRIPT = `
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
let release;
let released = new Promise((r) => (release = r));
const json = (res, status, body) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  switch (url.pathname) {
    case '/env': return json(res, 200, { pid: process.pid, cwd: process.cwd(), env: process.env, url: req.url });
    case '/headers': return json(res, 200, { raw: req.rawHeaders, headers: req.headers });
    case '/cookies':
      res.writeHead(200, [['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2; HttpOnly'], ['Content-Type', 'text/plain']].flat());
      return res.end('cookies');
    case '/stream':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\\n');
      return released.then(() => { res.end('second\\n'); released = new Promise((r) => (release = r)); });
    case '/release': release(); return json(res, 200, { released: true });
    case '/echo': {
      let size = 0;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.on('data', (c) => { size += c.length; res.write(c); });
      req.on('end', () => res.end());
      return;
    }
    case '/slow': return;
    case '/crash': return process.exit(3);
    case '/crash-mid': res.writeHead(200, { 'content-type': 'text/plain' }); res.write('partial'); return setTimeout(() => process.exit(4), 50);
    case '/missing': res.writeHead(404, { 'content-type': 'text/plain' }); return res.end('app 404');
    case '/read': try { return json(res, 200, { ok: true, text: readFileSync(url.searchParams.get('path'), 'utf8') }); } catch (e) { return json(res, 200, { ok: false, code: e.code }); }
    case '/write': try { writeFileSync(url.searchParams.get('path'), 'x'); return json(res, 200, { ok: true }); } catch (e) { return json(res, 200, { ok: false, code: e.code }); }
    default: return json(res, 200, { path: url.pathname, method: req.method });
  }
});
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** A script that starts but never listens (for start timeouts). */
export const SILENT_SCRIPT = `setInterval(() => {}, 1000);\n`;

export async function tempDir(prefix = 'gantry-compute-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Writes `compute/<name>/<file>` for each resource under `root`; returns the compute root. */
export async function writeComputeBundle(root: string, resources: Record<string, Record<string, string>>): Promise<string> {
  const computeRoot = join(root, 'compute');
  for (const [name, files] of Object.entries(resources)) {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(join(computeRoot, name, file, '..'), { recursive: true });
      await writeFile(join(computeRoot, name, file), content);
    }
  }
  return computeRoot;
}

export interface FrontServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1:0 that hands every request to `handle`. */
export async function startFront(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<FrontServer> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/** One request without connection reuse; headers are sent as given (array form keeps repeats). */
export function send(port: number, path: string, options: { method?: string; headers?: Record<string, string> | string[]; body?: string | Buffer | Buffer[] } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = options.body;
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}

/** Whether a process exists (not counting zombies' parents reaping: the pool waits for exit). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
