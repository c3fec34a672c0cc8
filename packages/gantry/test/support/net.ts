import { request, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';

/** A free port whose successor is free too (HTTPS listens on port + 1). */
export async function freePortPair(): Promise<number> {
  for (;;) {
    const p = await new Promise<number>((done) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => done(port));
      });
    });
    const nextFree = await new Promise<boolean>((done) => {
      const s = createServer().once('error', () => done(false)).listen(p + 1, '127.0.0.1', () => s.close(() => done(true)));
    });
    if (nextFree) return p;
  }
}

/**
 * GET `url` through the server on 127.0.0.1:`port`, keeping the URL's host in the Host header: a branch site's name
 * (`main.<appId>.localhost`) need not resolve on the machine running the test.
 */
export function getThroughServer(url: string, port: number | string): Promise<{ status: number; type: string; body: string; headers: IncomingHttpHeaders }> {
  const target = new URL(url);
  return new Promise((done, fail) => {
    request({ host: '127.0.0.1', port, path: target.pathname + target.search, headers: { host: target.host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => done({ status: res.statusCode!, type: String(res.headers['content-type']), body, headers: res.headers }));
    }).on('error', fail).end();
  });
}
