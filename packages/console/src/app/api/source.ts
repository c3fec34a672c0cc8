import { restJson } from './console-client.ts';

export interface Repository {
  name: string;
  space: string;
  project: string;
  account: string;
  arn: string;
  cloneUrl: string;
  createdAt: string;
}

/** Gantry's repository API (`GET /_gantry/repos`, signed as `codecommit`): the account's repositories and their clone URLs. */
export async function listRepositories(): Promise<Repository[]> {
  const result = await restJson<{ repositories: Repository[] }>('codecommit', 'GET', '/_gantry/repos');
  return result.repositories ?? [];
}
