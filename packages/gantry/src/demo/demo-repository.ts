import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { pullPolicyFor } from '@gantry/source';
import type { Credentials, DemoSession } from './demo-session.ts';

const exec = promisify(execFile);

export interface DemoRepository { name: string; cloneUrl: string }

const projectPath = (space: string, project: string) => `/v1/spaces/${encodeURIComponent(space)}/projects/${encodeURIComponent(project)}`;

/** Step 3, first half: the space (owned by the management account), its project and the source repository. */
export async function ensureRepository(session: DemoSession, space: string, project: string, name: string): Promise<DemoRepository & { created: boolean }> {
  await session.call('codecatalyst', 'POST', '/v1/spaces', { body: { name: space } });
  await session.call('codecatalyst', 'POST', `/v1/spaces/${encodeURIComponent(space)}/projects`, { body: { name: project } });
  const { items } = await session.call<{ items: DemoRepository[] }>('codecatalyst', 'GET', `${projectPath(space, project)}/sourceRepositories`);
  const existing = items.find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (existing) return { name: existing.name, cloneUrl: existing.cloneUrl, created: false };
  const { repository } = await session.call<{ repository: DemoRepository }>('codecatalyst', 'POST', `${projectPath(space, project)}/sourceRepositories`, { body: { name } });
  return { name: repository.name, cloneUrl: repository.cloneUrl, created: true };
}

/**
 * Step 3, the grant: the repository belongs to the management account, so the staging and production accounts'
 * hosting apps may connect to it (and their builds check it out) only once its repository policy grants them
 * `codecommit:GitPull`. Written only when it differs, so a rerun changes nothing.
 */
export async function shareRepository(session: DemoSession, space: string, project: string, name: string, accounts: string[]): Promise<boolean> {
  const path = `/_gantry/repos/${[space, project, name].map(encodeURIComponent).join('/')}/policy`;
  const current = await session.call<{ repository: { arn: string }; policy: string | null }>('codecommit', 'GET', path);
  const policy = pullPolicyFor(current.repository, accounts);
  if (current.policy === policy) return false;
  await session.call('codecommit', 'PUT', path, { body: { policy } });
  return true;
}

export interface SyncResult {
  /** Whether a commit was pushed (the files differed from the branch head). */
  pushed: boolean;
  /** Whether the branch was left alone because the app is the one the demo pushed last (later commits are someone's work). */
  unchangedSinceLastPush: boolean;
  /** The branch head after the sync. */
  head: string;
  /** Paths that changed, as `git status --porcelain` lists them. */
  changed: string[];
}

/**
 * Step 3, second half: makes `main` hold exactly the app's files (the `.codecatalyst/` folder excepted, which
 * the workflows API commits), pushing a commit only when something differs. When the app is the same as the
 * last time the demo pushed it (its digest is kept in `stateFile`), the branch is left as it is: commits pushed
 * since then are the user's changes, not drift to undo. Git runs asynchronously, since the server may live in
 * this very process.
 */
export async function syncBranch(cloneUrl: string, credentials: Credentials, appDir: string, message: string, stateFile: string): Promise<SyncResult> {
  const digest = directoryDigest(appDir);
  const last = readState(stateFile);
  const work = mkdtempSync(join(tmpdir(), 'gantry-demo-push-'));
  const basic = Buffer.from(`${credentials.accessKeyId}:${credentials.secretAccessKey}`).toString('base64');
  const git = async (...args: string[]) => (await exec('git', [
    '-c', `http.extraHeader=Authorization: Basic ${basic}`, '-c', 'user.name=Gantry demo', '-c', 'user.email=demo@gantry.local',
    '-c', 'init.defaultBranch=main', '-c', 'advice.detachedHead=false', ...args,
  ], {
    cwd: work, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH, HOME: work, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' },
  })).stdout;
  try {
    await git('init', '--quiet');
    await git('remote', 'add', 'origin', cloneUrl);
    const remoteHead = (await git('ls-remote', 'origin', 'refs/heads/main')).split(/\s/)[0] || undefined;
    if (remoteHead && last?.digest === digest && last.cloneUrlPath === pathOf(cloneUrl)) {
      return { pushed: false, unchangedSinceLastPush: true, head: remoteHead, changed: [] };
    }
    if (remoteHead) {
      await git('fetch', '--quiet', 'origin', 'main');
      await git('checkout', '--quiet', '-B', 'main', 'FETCH_HEAD');
    } else {
      await git('checkout', '--quiet', '-B', 'main');
    }
    for (const entry of readdirSync(work)) if (entry !== '.git' && entry !== '.codecatalyst') rmSync(join(work, entry), { recursive: true, force: true });
    cpSync(appDir, work, { recursive: true });
    await git('add', '--all');
    const changed = (await git('status', '--porcelain')).split('\n').filter(Boolean);
    if (changed.length === 0 && remoteHead) {
      writeState(stateFile, { digest, cloneUrlPath: pathOf(cloneUrl) });
      return { pushed: false, unchangedSinceLastPush: false, head: remoteHead, changed };
    }
    await git('commit', '--quiet', '--allow-empty', '-m', message);
    await git('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    writeState(stateFile, { digest, cloneUrlPath: pathOf(cloneUrl) });
    return { pushed: true, unchangedSinceLastPush: false, head: (await git('rev-parse', 'HEAD')).trim(), changed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface PushState { digest: string; cloneUrlPath: string }

function readState(file: string): PushState | undefined {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PushState) : undefined;
  } catch {
    return undefined;
  }
}

function writeState(file: string, state: PushState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state)}\n`);
}

const pathOf = (url: string): string => new URL(url).pathname;

/** A digest of every file's path and bytes under `root`. */
function directoryDigest(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(root);
  return hash.digest('hex');
}
