import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError } from '@gantry/core';
import type { AppBundler, Asset } from './app-bundle.ts';
import { htmlShell, securityHeaders, THEME_SCRIPT } from './html-shell.ts';

/** The console's page (one HTML shell for every `/console/…` URL) and its assets. */
export function consolePages(bundler: AppBundler) {
  return {
    async page(req: IncomingMessage, res: ServerResponse) {
      // A fresh nonce per page: a style element injected by anything but the page's own code is refused.
      const nonce = randomBytes(16).toString('base64');
      const html = Buffer.from(htmlShell(await bundler.get(), nonce));
      res.writeHead(200, { ...securityHeaders(nonce), 'content-type': 'text/html; charset=utf-8', 'content-length': html.length, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : html);
    },

    async asset(req: IncomingMessage, res: ServerResponse, name: string) {
      if (name === 'theme.js') return sendAsset(req, res, { body: Buffer.from(THEME_SCRIPT), contentType: 'text/javascript; charset=utf-8' });
      const bundle = await bundler.get();
      const asset = name === 'app.js' ? bundle.js : name === 'app.css' ? bundle.css : bundle.chunks.get(name);
      if (!asset) throw new GantryError('NotFound', `No console asset ${name}.`);
      sendAsset(req, res, asset);
    },
  };
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Pick<Asset, 'body' | 'contentType'> & Partial<Asset>): void {
  const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzip! : asset.body;
  res.writeHead(200, {
    'content-type': asset.contentType, 'content-length': body.length, 'x-content-type-options': 'nosniff', vary: 'accept-encoding',
    // Hashed URLs never change content; the theme script is tiny and unversioned.
    'cache-control': asset.hash ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
