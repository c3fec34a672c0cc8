import { GantryError } from '@gantry/core';
import { isValidName } from '../names.ts';

export type GitService = 'git-upload-pack' | 'git-receive-pack';

/** What a smart-HTTP request URL names. */
export interface GitTarget {
  space: string;
  project: string;
  repository: string;
  service: GitService;
  /** `advertisement`: `GET …/info/refs?service=…`; `rpc`: `POST …/git-upload-pack` or `…/git-receive-pack`. */
  kind: 'advertisement' | 'rpc';
}

const SERVICES = new Set<string>(['git-upload-pack', 'git-receive-pack']);

/**
 * Parses `/git/<space>/<project>/<name>[.git]/<endpoint>`, the clone URL plus what git appends to it.
 * Only the smart protocol's three endpoints exist: git's "dumb" HTTP protocol (plain file downloads of
 * `objects/…`) would bypass the per-service checks and is not served. Names must be valid names, so a path
 * can never leave the repository root (`..`, percent-encoding and empty segments all fail).
 */
export function parseGitTarget(url: URL): GitTarget {
  const segments = url.pathname.split('/').slice(2);
  const [space, project, rawName, ...rest] = segments;
  const endpoint = rest.join('/');
  const repository = rawName?.toLowerCase().endsWith('.git') ? rawName.slice(0, -4) : rawName;
  if (!isValidName(space) || !isValidName(project) || !isValidName(repository))
    throw new GantryError('NotFound', `No git repository at ${url.pathname}. Clone URLs look like <server>/git/<space>/<project>/<repository>.`);
  if (endpoint === 'info/refs') {
    const service = url.searchParams.get('service');
    if (service === null || !SERVICES.has(service))
      throw new GantryError('NotFound', 'Gantry speaks git\'s smart HTTP protocol only: use git 1.6.6 or later (info/refs needs ?service=git-upload-pack or git-receive-pack).');
    return { space, project, repository, service: service as GitService, kind: 'advertisement' };
  }
  if (SERVICES.has(endpoint)) return { space, project, repository, service: endpoint as GitService, kind: 'rpc' };
  throw new GantryError('NotFound', `No git endpoint at ${url.pathname}: Gantry serves git's smart HTTP protocol (info/refs, git-upload-pack, git-receive-pack) only.`);
}
