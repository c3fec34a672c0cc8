import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Credentials } from './source-harness.ts';

export interface GitRun { code: number | null; stdout: string; stderr: string }

/** A scratch directory with a HOME of its own, so no user or system git config takes part. */
export class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), 'gantry-git-'));
  readonly home = join(this.root, 'home');

  constructor() {
    mkdirSync(this.home);
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Environment of every git process in the tests: nothing inherited but PATH. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH!,
      HOME: this.home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(this.home, '.gitconfig'),
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Test Author', GIT_AUTHOR_EMAIL: 'author@example.com',
      GIT_COMMITTER_NAME: 'Test Author', GIT_COMMITTER_EMAIL: 'author@example.com',
      LC_ALL: 'C',
      ...extra,
    };
  }

  /**
   * Runs the real git CLI asynchronously: the server under test lives in this process, so a synchronous
   * spawn would deadlock it.
   */
  git(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<GitRun> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', ['-c', 'init.defaultBranch=main', ...args], { cwd: options.cwd ?? this.root, env: this.env(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Like git(), but throws with git's output unless it succeeded. */
  async ok(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
    const run = await this.git(args, options);
    if (run.code !== 0) throw new Error(`git ${args.join(' ')} failed (${run.code}):\n${run.stderr}${run.stdout}`);
    return run.stdout.trim();
  }

  write(relative: string, content: string | Buffer): void {
    const file = this.path(relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }

  /** Commits everything in `dir` and returns the new commit id. */
  async commit(dir: string, message: string): Promise<string> {
    await this.ok(['add', '-A'], { cwd: this.path(dir) });
    await this.ok(['commit', '-q', '-m', message], { cwd: this.path(dir) });
    return this.ok(['rev-parse', 'HEAD'], { cwd: this.path(dir) });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The clone URL with the credentials in it, percent-encoded (secrets contain `/` and `+`). */
export function withCredentials(cloneUrl: string, credentials: Credentials): string {
  const url = new URL(cloneUrl);
  url.username = encodeURIComponent(credentials.accessKeyId);
  url.password = encodeURIComponent(credentials.sessionToken ? `${credentials.secretAccessKey}:${credentials.sessionToken}` : credentials.secretAccessKey);
  return url.toString();
}
