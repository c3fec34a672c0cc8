import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Credentials } from './test-server.ts';

const exec = promisify(execFile);

/**
 * A working copy driven by the real git CLI, authenticating with HTTP basic (access key id : secret). Git runs
 * asynchronously: the server under test lives in the same process and must keep serving while git talks to it.
 */
export class WorkingCopy {
  readonly dir = mkdtempSync(join(tmpdir(), 'gantry-wc-'));
  private readonly auth: string;

  constructor(private readonly cloneUrl: string, credentials: Credentials) {
    this.auth = `Authorization: Basic ${Buffer.from(`${credentials.accessKeyId}:${credentials.secretAccessKey}`).toString('base64')}`;
  }

  async init(): Promise<this> {
    await this.git('init', '--quiet', '--initial-branch=main');
    await this.git('remote', 'add', 'origin', this.cloneUrl);
    return this;
  }

  async git(...args: string[]): Promise<string> {
    const { stdout } = await exec('git', ['-c', `http.extraHeader=${this.auth}`, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: this.dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: this.dir, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
    });
    return stdout;
  }

  write(files: Record<string, string>): this {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), text);
    }
    return this;
  }

  /** Commits everything and pushes `main`; returns the new commit id. */
  async commitAndPush(message: string, branch = 'main'): Promise<string> {
    await this.git('add', '-A');
    await this.git('commit', '--quiet', '-m', message);
    await this.git('push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
    return (await this.git('rev-parse', 'HEAD')).trim();
  }
}
