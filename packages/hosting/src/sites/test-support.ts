/**
 * Helpers shared by the sites tests: temp directories with real files, a real node:http server serving a
 * branch's live version, and a raw HTTP client (node:http, so paths reach the server unnormalised).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SiteStore, type CreateVersionOptions } from './site-store.ts';
import { serveSite, type ServeSiteOptions } from './serve-site.ts';
import type { CustomRule } from './rewrite-rules.ts';
import type { CustomHeaderRule } from './custom-headers.ts';

export async function tempDir(prefix = 'gantry-sites-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Writes `files` (site path → content) under `dir` and returns createVersion inputs for them. */
export async function writeArtifacts(dir: string, files: Record<string, string | Buffer>): Promise<Array<{ source: string; target: string }>> {
  const inputs: Array<{ source: string; target: string }> = [];
  for (const [target, content] of Object.entries(files)) {
    const source = join(dir, ...target.split('/'));
    await mkdir(dirname(source), { recursive: true });
    await writeFile(source, content);
    inputs.push({ source, target });
  }
  return inputs;
}

let buildCounter = 0;

/** Builds a version from in-memory files (through real files on disk). */
export async function buildVersion(store: SiteStore, scratch: string, files: Record<string, string | Buffer>, options?: CreateVersionOptions) {
  const dir = join(scratch, `build-${++buildCounter}`);
  const inputs = await writeArtifacts(dir, files);
  return store.createVersion(inputs, options);
}

export interface SiteServer {
  url: string;
  port: number;
  /** Rules and headers the server applies (mutable between requests). */
  config: { customRules?: CustomRule[]; customHeaders?: CustomHeaderRule[]; options?: ServeSiteOptions };
  close(): Promise<void>;
}

/** A real server on 127.0.0.1:0 serving the live version of `branchKey`. */
export async function startSiteServer(store: SiteStore, branchKey: string): Promise<SiteServer> {
  const config: SiteServer['config'] = {};
  const server: Server = createServer((req, res) => {
    store.live(branchKey).then(
      (live) => {
        if (!live) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('no site deployed');
          return;
        }
        serveSite(req, res, { ...live, customRules: config.customRules, customHeaders: config.customHeaders }, config.options);
      },
      (error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends a request with the path exactly as given. */
export function send(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
