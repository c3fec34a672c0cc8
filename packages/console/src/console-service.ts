import type { Route } from '@gantry/edge';
import type { Migration } from '@gantry/store';
import { consoleRoute, type ConsoleRouteOptions } from './server/console-route.ts';
import { consoleMigrations } from './server/console-tables.ts';

export type ConsoleOptions = ConsoleRouteOptions;

export interface ConsoleService {
  migrations: Migration[];
  /** For the edge, after the sites route (branch-site hosts stay the sites'). */
  routes: Route[];
}

/**
 * The web console: a browser app served by the server itself, signed in with STS credentials kept on the
 * server, calling the same public APIs as every other client through a signing proxy.
 */
export function createConsole(options: ConsoleOptions): ConsoleService {
  return { migrations: consoleMigrations, routes: [consoleRoute(options)] };
}
