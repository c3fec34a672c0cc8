import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { scratchPostgres } from '@gantry/store/test-support';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';

export interface Credentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  admin: Credentials;
  managementAccount: string;
  iam(credentials: Credentials, region?: string): IAMClient;
  sts(credentials: Credentials, region?: string): STSClient;
  stop(): Promise<void>;
}

/**
 * Starts a real Gantry server on free ports with a fresh data directory, for one test file. With
 * `GANTRY_TEST_STORE=postgres` its store is a fresh PostgreSQL database instead of the embedded SQLite file
 * (the same tests, run against the scale-out store).
 */
export async function startTestServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-test-'));
  const database = process.env.GANTRY_TEST_STORE === 'postgres' ? await scratchPostgres() : undefined;
  if (database) process.env.GANTRY_DATABASE_URL = database.url;
  const server = await startServer({ dataDir, port: 0 });
  const credentials = readFileSync(join(dataDir, 'credentials'), 'utf8');
  const admin = {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(credentials)![1]!,
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentials)![1]!,
  };
  const management = (await server.iam.managementAccount())!;
  // No retries: a test must see the first answer, not a retried one.
  const common = (credentials: Credentials, region: string) => ({ endpoint: server.url, region, credentials, maxAttempts: 1 });
  return {
    server,
    url: server.url,
    dataDir,
    admin,
    managementAccount: management.id,
    iam: (c, region = 'us-east-1') => new IAMClient(common(c, region)),
    sts: (c, region = 'us-west-2') => new STSClient(common(c, region)),
    async stop() {
      await server.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
