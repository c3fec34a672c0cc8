/**
 * The compute entrypoint written into a Next.js bundle (`compute/default/server.mjs`). It is ESM whatever the
 * app's package.json says (`.mjs`), and loads Next through the public custom-server API, `next({ dir, dev:
 * false })` and `getRequestHandler()`, which exists unchanged from Next.js 12 to 15, rather than
 * `next/dist/server/lib/start-server`, which is internal and changed shape between them.
 */

export interface EntrypointOptions {
  /** The app's folder, relative to the entrypoint's (POSIX, '' when the same). */
  appDir: string;
  /** The build output folder, relative to the app's (POSIX, `.next`). */
  distDir: string;
  /** Shown in the first comment line. */
  mode: 'standalone' | 'next-start';
  /**
   * Optimize images with Next's WebAssembly codecs (Next.js 12–14 without sharp), which Next refuses to use
   * when `output` is `standalone`: the entrypoint clears `output` (it only picks the build's output format).
   */
  squoosh?: boolean;
}

const SQUOOSH = `// sharp is not installed: Next's WebAssembly codecs optimize images, which it uses only outside standalone mode.
if (config.output === 'standalone') delete config.output;
`;

export function nextjsEntrypoint(options: EntrypointOptions): string {
  return `// Compute entrypoint of a Next.js app, written by Gantry's Next.js adapter (${options.mode} bundle).
// Serves pages, API routes, middleware, ISR and image optimization through Next's own request handler, on PORT
// (default 3000), bound to HOSTNAME (default 127.0.0.1).
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), ${JSON.stringify(options.appDir || '.')});
const distDir = join(appDir, ${JSON.stringify(options.distDir)});
process.env.NODE_ENV = 'production';
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
process.chdir(appDir);

// The configuration next build serialized: next.config.* (and what it imports) is not loaded again.
const { config } = JSON.parse(readFileSync(join(distDir, 'required-server-files.json'), 'utf8'));
if (!writable(distDir)) {
  // A read-only deployment: Next runs from a folder of links to the build's .next but for cache/ (optimized
  // images, fetch cache), which is writable; regenerated ISR pages, which it would write to .next/server, stay
  // in memory.
  const runDist = mkdtempSync(join(tmpdir(), 'next-dist-'));
  for (const entry of readdirSync(distDir)) if (entry !== 'cache') symlinkSync(join(distDir, entry), join(runDist, entry));
  if (existsSync(join(distDir, 'cache'))) cpSync(join(distDir, 'cache'), join(runDist, 'cache'), { recursive: true });
  else mkdirSync(join(runDist, 'cache'));
  config.distDir = relative(appDir, runDist);
  config.experimental = { ...config.experimental, isrFlushToDisk: false };
  process.once('exit', () => rmSync(runDist, { recursive: true, force: true }));
  console.log(\`> \${distDir} is read-only: caches go to \${runDist}, regenerated ISR pages stay in memory\`);
}
${options.squoosh ? SQUOOSH : ''}process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);

const require = createRequire(join(appDir, 'package.json'));
const nextModule = require('next');
const next = typeof nextModule === 'function' ? nextModule : nextModule.default;
const version = require('next/package.json').version;
const port = Number.parseInt(process.env.PORT ?? '', 10) || 3000;
const hostname = process.env.HOSTNAME || '127.0.0.1';

const app = next({ dir: appDir, dev: false, hostname, port, conf: config });
await app.prepare();
const handle = app.getRequestHandler();
const server = createServer((req, res) => {
  Promise.resolve(handle(req, res)).catch((error) => {
    console.error(error);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end('Internal Server Error');
    } else {
      res.destroy();
    }
  });
});
const keepAliveTimeout = Number.parseInt(process.env.KEEP_ALIVE_TIMEOUT ?? '', 10);
if (keepAliveTimeout >= 0) server.keepAliveTimeout = keepAliveTimeout;
server.on('error', (error) => {
  console.error(\`> Cannot listen on \${hostname}:\${port}: \${error.message}\`);
  process.exit(1);
});
server.listen(port, hostname, () => console.log(\`> Next.js \${version} ready on http://\${hostname}:\${port}\`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections?.();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}

function writable(dir) {
  const probe = join(dir, 'cache', \`.write-probe-\${process.pid}\`);
  try {
    mkdirSync(dirname(probe), { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
    return true;
  } catch {
    return false;
  }
}
`;
}
