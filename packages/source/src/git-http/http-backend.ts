import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { gitEnvironment } from '../git-command.ts';

/** The CGI meta-variables of one request to git http-backend. */
export interface HttpBackendRequest {
  /** `<dataDir>/git`: http-backend serves only repositories under it. */
  projectRoot: string;
  /** `/<space>/<project>/<name>.git/info/refs` and the like, relative to the project root. */
  pathInfo: string;
  queryString: string;
  method: string;
  contentType: string;
  /** The authenticated principal's ARN: receive-pack is refused to anonymous users, and reflogs name it. */
  remoteUser: string;
  remoteAddr: string;
  /** The client's `Git-Protocol` header (e.g. `version=2`), which selects protocol v2 for fetches. */
  gitProtocol?: string;
}

/**
 * Starts `git http-backend` for one request, with an environment built from scratch (see gitEnvironment).
 * It runs in its own process group so a timeout or a vanished client can stop it together with the
 * upload-pack / receive-pack / index-pack processes it starts.
 *
 * - GIT_HTTP_EXPORT_ALL: every repository under the root is served; IAM decided access before this runs.
 * - http.receivepack=true: pushes are allowed (http-backend's default already allows them when REMOTE_USER
 *   is set; this makes it explicit).
 * - The body arrives already inflated and is read to EOF, so neither CONTENT_LENGTH nor
 *   HTTP_CONTENT_ENCODING is passed.
 */
export function spawnHttpBackend(gitBinary: string, request: HttpBackendRequest): ChildProcessWithoutNullStreams {
  const env = gitEnvironment({
    GIT_PROJECT_ROOT: request.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: request.method,
    PATH_INFO: request.pathInfo,
    QUERY_STRING: request.queryString,
    CONTENT_TYPE: request.contentType,
    REMOTE_USER: request.remoteUser,
    REMOTE_ADDR: request.remoteAddr,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    ...(request.gitProtocol ? { GIT_PROTOCOL: request.gitProtocol } : {}),
  });
  return spawn(gitBinary, ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
}

/**
 * Stops http-backend and everything it started; the group is signalled even when http-backend itself has
 * exited, since a receive-pack or index-pack it started may still run.
 */
export function killProcessGroup(child: ChildProcessWithoutNullStreams): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
