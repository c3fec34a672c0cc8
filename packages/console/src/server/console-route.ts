import type { IncomingMessage, ServerResponse } from 'node:http';
import { GantryError, toGantryError } from '@gantry/core';
import { secureTransport, type Route } from '@gantry/edge';
import { SESSION_TOKEN_DURATION } from '@gantry/iam';
import type { Kysely } from 'kysely';
import { AppBundler } from './app-bundle.ts';
import type { ConsoleContext, ConsoleRouteOptions } from './console-context.ts';
import { consolePages } from './console-pages.ts';
import { DATA_PROXY_PATH, dataProxy } from './data-proxy.ts';
import type { ConsoleTables } from './console-tables.ts';
import { sendJson } from './http-json.ts';
import { requireConsoleRequest } from './request-guard.ts';
import { SessionStore } from './session-store.ts';
import { signInHandlers } from './sign-in-handlers.ts';
import { SignInThrottle } from './sign-in-throttle.ts';
import { signingProxy } from './signing-proxy.ts';
import { switchRoleHandlers } from './switch-role-handlers.ts';

export type { ConsoleRouteOptions } from './console-context.ts';

/**
 * The console's part of the URL space: the page (`/`, `/console/…`), its assets, sign-in and sign-out
 * (`/_console/session`), switch role (`/_console/session/role`) and the signing proxy (`POST /_console/call`).
 * Served only on the server's own host names: branch-site hosts are left to the sites. Every state-changing
 * request passes the request-forgery guard first.
 */
export function consoleRoute(options: ConsoleRouteOptions): Route {
  const ctx: ConsoleContext = {
    options,
    sessions: new SessionStore(options.store.db as Kysely<ConsoleTables>, options.box),
    throttle: new SignInThrottle({ limit: options.signInAttempts }),
    durationSeconds: options.sessionDurationSeconds ?? SESSION_TOKEN_DURATION.default,
  };
  const pages = consolePages(new AppBundler({ rebuildOnChange: options.rebuildOnChange ?? process.env.GANTRY_CONSOLE_DEV === '1' }));
  const session = signInHandlers(ctx);
  const roles = switchRoleHandlers(ctx);
  const data = dataProxy(ctx);
  const endpoints: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    'GET /_console/session': session.whoAmI,
    'POST /_console/session': session.signIn,
    'DELETE /_console/session': session.signOut,
    'POST /_console/session/role': roles.switchRole,
    'DELETE /_console/session/role': roles.leaveRole,
    'POST /_console/call': signingProxy(ctx),
  };
  const siteHost = (host: string | undefined) => {
    const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
    return name.endsWith(`.${options.siteDomain().replace(/:\d+$/, '').toLowerCase()}`);
  };

  return {
    name: 'console',
    matches: (req, url) => {
      if (siteHost(req.headers.host)) return false;
      const path = url.pathname;
      if (path === '/') return (req.method === 'GET' || req.method === 'HEAD') && !url.searchParams.has('Action');
      return path === '/console' || path.startsWith('/console/') || path.startsWith('/_console/');
    },
    async handle(req, res, url) {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      try {
        if (path === '/' || path === '/console' || path.startsWith('/console/')) {
          if (method !== 'GET' && method !== 'HEAD') throw new GantryError('MethodNotAllowed', `${method} is not allowed on console pages.`);
          return await pages.page(req, res);
        }
        const asset = /^\/_console\/assets\/([a-z]+\.[a-z]+|chunk-[A-Z0-9]+\.js)$/.exec(path);
        if (asset && (method === 'GET' || method === 'HEAD')) return await pages.asset(req, res, asset[1]!);
        const endpoint = endpoints[`${method} ${path}`];
        if (endpoint) {
          // Everything but reading who is signed in changes state: the forgery guard comes first.
          if (method !== 'GET') requireConsoleRequest(req, secureTransport(req));
          return await endpoint(req, res);
        }
        const dataApi = method === 'POST' ? DATA_PROXY_PATH.exec(path) : null;
        if (dataApi) {
          requireConsoleRequest(req, secureTransport(req));
          return await data(req, res, dataApi[1]!);
        }
        throw new GantryError('NotFound', `No console endpoint at ${method} ${path}.`);
      } catch (thrown) {
        const error = toGantryError(thrown);
        if (error.status >= 500) console.error(`console: ${method} ${path} failed:`, thrown);
        if (res.headersSent) return void res.destroy();
        sendJson(res, error.status, { code: error.code, message: error.message, ...(error.details ?? {}) });
      }
    },
  };
}
