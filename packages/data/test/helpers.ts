import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataApi, type DataApi, type DataApiOptions } from '../src/index.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const capturesDir = resolve(repoRoot, '../shared/reference/captures');
export const capturesPresent = existsSync(join(capturesDir, 'todo-schema.graphql'));
export const skipCaptures = capturesPresent ? false : `reference captures not found in ${capturesDir}`;

export function readCapture<T = unknown>(name: string, parse: 'json' | 'text' = 'json'): T {
  const text = readFileSync(join(capturesDir, name), 'utf8');
  return (parse === 'json' ? JSON.parse(text) : text) as T;
}

export const API_KEY = 'da2-testkey';
export const FUTURE = '2099-01-01T00:00:00Z';

export interface TestApi {
  api: DataApi;
  rootDir: string;
  cleanup(): Promise<void>;
}

export function makeApi(options: Partial<DataApiOptions> = {}): TestApi {
  const rootDir = mkdtempSync(join(tmpdir(), 'gantry-data-'));
  const api = createDataApi({ rootDir, ...options });
  return {
    api,
    rootDir,
    async cleanup() {
      await api.close();
      rmSync(rootDir, { recursive: true, force: true });
    },
  };
}

export type Body = { data?: any; errors?: Array<{ errorType?: string; message: string; path?: unknown; locations?: unknown; data?: unknown }> };

/** Executes with the test key; returns the body (asserting HTTP 200). */
export async function gql(api: DataApi, apiId: string, query: string, variables: Record<string, unknown> = {}, key = API_KEY): Promise<Body> {
  const res = await api.execute(apiId, { query, variables, headers: { 'x-api-key': key } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Body;
}

/** Executes and asserts there are no errors; returns `data`. */
export async function ok(api: DataApi, apiId: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const body = await gql(api, apiId, query, variables);
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

export const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
