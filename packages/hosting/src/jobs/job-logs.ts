import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync, createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { JobRow, StepName } from './jobs.ts';

/** How long a log URL handed out by GetJob stays valid (like the presigned URLs Amplify returns). */
const URL_LIFETIME_SECONDS = 24 * 3600;

/**
 * Build logs: one file per job step under `<root>`, appended while the job runs. GetJob hands out signed,
 * expiring URLs to them (bearer URLs, like Amplify's presigned log URLs); `?follow=1` streams the log live
 * until the job finishes.
 */
export class JobLogs {
  constructor(
    private readonly root: string,
    private readonly signingKey: Buffer,
    private readonly publicUrl: () => string,
  ) {}

  file(job: Pick<JobRow, 'app_id' | 'branch_name' | 'job_id'>, step: string): string {
    return join(this.root, job.app_id, encodeURIComponent(job.branch_name), String(job.job_id), `${step}.log`);
  }

  append(job: JobRow, step: StepName, text: string): void {
    const file = this.file(job, step);
    mkdirSync(join(file, '..'), { recursive: true });
    appendFileSync(file, text);
  }

  exists(job: JobRow, step: string): boolean {
    return existsSync(this.file(job, step));
  }

  url(job: JobRow, step: string, now = Date.now()): string {
    const path = this.path(job, step);
    const expires = Math.floor(now / 1000) + URL_LIFETIME_SECONDS;
    return `${this.publicUrl().replace(/\/+$/, '')}${path}?expires=${expires}&signature=${this.sign(path, expires)}`;
  }

  /** Checks a log URL's signature and expiry. */
  verify(path: string, expires: string | null, signature: string | null, now = Date.now()): boolean {
    if (!expires || !signature || !/^\d+$/.test(expires) || Number(expires) * 1000 < now) return false;
    const expected = Buffer.from(this.sign(path, Number(expires)));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** `/_gantry/logs/<appId>/<branch>/<jobId>/<step>`: the path a log URL names. */
  path(job: Pick<JobRow, 'app_id' | 'branch_name' | 'job_id'>, step: string): string {
    return `/_gantry/logs/${job.app_id}/${encodeURIComponent(job.branch_name)}/${job.job_id}/${step}`;
  }

  /**
   * Sends the log; with `follow`, keeps the response open and sends what is appended until `finished()`
   * says the job is over.
   */
  async send(res: ServerResponse, file: string, follow: boolean, finished: () => Promise<boolean>): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    let offset = 0;
    const pump = async () => {
      if (!existsSync(file)) return;
      const size = statSync(file).size;
      if (size <= offset) return;
      await new Promise<void>((done, fail) => {
        const stream = createReadStream(file, { start: offset, end: size - 1 });
        stream.on('data', (chunk) => res.write(chunk));
        stream.on('end', () => done());
        stream.on('error', fail);
      });
      offset = size;
    };
    await pump();
    while (follow && !res.destroyed) {
      const done = await finished();
      await pump();
      if (done) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    res.end();
  }

  private sign(path: string, expires: number): string {
    return createHmac('sha256', this.signingKey).update(`${path}\n${expires}`).digest('base64url');
  }
}
