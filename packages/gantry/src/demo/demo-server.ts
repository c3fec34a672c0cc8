import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GantryError } from '@gantry/core';

export interface AdminKeys { accessKeyId: string; secretAccessKey: string }

/** The Gantry server the demo talks to: one it started in this process, or one already running. */
export interface DemoServer {
  url: string;
  httpsUrl: string;
  dataDir: string;
  /** The management account administrator's keys, from the data dir's generated credentials file. */
  admin: AdminKeys;
  /** Whether this process started it (and so must stop it). */
  startedHere: boolean;
  close(): Promise<void>;
}

/**
 * Uses the server answering `GET /health` on the port if there is one (it must be using the same data dir,
 * whose credentials file holds its administrator's keys); else starts one in this process. Port 0 always
 * starts one, on free ports.
 */
export async function connectOrStartServer(options: { dataDir: string; port: number }): Promise<DemoServer> {
  const dataDir = resolve(options.dataDir);
  if (options.port !== 0) {
    const url = `http://127.0.0.1:${options.port}`;
    if (await answersHealth(url)) {
      const admin = readAdminKeys(dataDir);
      if (!admin || !configNamesEndpoint(dataDir, url)) {
        throw new GantryError('Conflict', `A server already answers on ${url}, but not with the data dir ${dataDir} (its profile files do not point there): stop that server, or pass --data-dir with the data dir it uses, or --port with a free port.`);
      }
      return { url, httpsUrl: `https://127.0.0.1:${options.port + 1}`, dataDir, admin, startedHere: false, close: async () => {} };
    }
  }
  const { startServer } = await import('../server/start-server.ts');
  const server = await startServer({ dataDir, port: options.port });
  const admin = await server.iam.adminCredentials();
  return {
    url: server.url, httpsUrl: server.httpsUrl, dataDir: server.dataDir, startedHere: true,
    admin: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    close: () => server.close(),
  };
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** The `[default]` keys of `<dataDir>/credentials`, as the server writes them. */
function readAdminKeys(dataDir: string): AdminKeys | undefined {
  const file = join(dataDir, 'credentials');
  if (!existsSync(file)) return undefined;
  const section = readFileSync(file, 'utf8').split(/^\[/m).find((s) => s.startsWith('default]'));
  const value = (key: string) => new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm').exec(section ?? '')?.[1];
  const accessKeyId = value('aws_access_key_id');
  const secretAccessKey = value('aws_secret_access_key');
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

/** Whether the data dir's profiles were written by the server at `url` (so the keys are that server's). */
function configNamesEndpoint(dataDir: string, url: string): boolean {
  const file = join(dataDir, 'aws-config');
  return existsSync(file) && readFileSync(file, 'utf8').includes(`endpoint_url = ${url}\n`);
}
