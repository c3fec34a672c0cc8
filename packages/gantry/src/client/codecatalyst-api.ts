import { signedJson } from './gantry-client.ts';

/**
 * Paths and calls of Gantry's CodeCatalyst-style API (REST-JSON under `/v1`, signing name `codecatalyst`).
 * Names go into paths percent-encoded, since the server decodes every path label.
 */
export const spacePath = (space: string): string => `/v1/spaces/${encodeURIComponent(space)}`;
export const projectPath = (space: string, project: string): string => `${spacePath(space)}/projects/${encodeURIComponent(project)}`;
export const runPath = (space: string, project: string, runId: string): string => `${projectPath(space, project)}/workflowRuns/${encodeURIComponent(runId)}`;

/** `?a=1&b=2` of the parameters that are set, or `''` when none is. */
export function queryString(parameters: Record<string, string | number | undefined>): string {
  const set = Object.entries(parameters).filter(([, value]) => value !== undefined && value !== '');
  return set.length ? `?${new URLSearchParams(set.map(([key, value]) => [key, String(value)]))}` : '';
}

/** One signed call, with credentials of the profile `AWS_PROFILE` names. */
export function codecatalyst<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return signedJson<T>(method, path, { service: 'codecatalyst', ...(body === undefined ? {} : { body }) });
}
