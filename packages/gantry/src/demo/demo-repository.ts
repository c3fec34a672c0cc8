import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

export interface SyncResult {
  /** Whether a commit was pushed (the files differed from the branch head). */
  pushed: boolean;
  /** The branch head after the sync. */
  head: string;
  /** Paths that changed, as `git status --porcelain` lists them. */
  changed: string[];
}

/**
 * Step 3, second half: makes `main` hold exactly the app's files (the `.codecatalyst/` folder excepted, which
 * the workflows API commits), pushing a commit only when something differs. Git runs asynchronously, since the
 * server may live in this very process.
 */
export async function syncBranch(cloneUrl: string, credentials: Credentials, appDir: string, message: string): Promise<SyncResult> {
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
    if (changed.length === 0 && remoteHead) return { pushed: false, head: remoteHead, changed };
    await git('commit', '--quiet', '--allow-empty', '-m', message);
    await git('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    return { pushed: true, head: (await git('rev-parse', 'HEAD')).trim(), changed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
