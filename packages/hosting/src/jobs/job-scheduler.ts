import { claimNextJob, failInterruptedJobs, type JobDb, type JobRow } from './jobs.ts';

export interface JobSchedulerOptions {
  db: JobDb;
  run(job: JobRow, signal: AbortSignal): Promise<void>;
  /** Jobs run at once by this process. @default 2 */
  concurrency?: number;
  /** How often running jobs are checked for a stop request in the database. @default 250 ms */
  cancelPollMs?: number;
  now(): number;
}

/**
 * Runs queued jobs with a bounded worker pool. The jobs table is the source of truth: `wake()` only prompts
 * a look for PENDING jobs, and a stop request is read from the job's row, so StopJob works whichever process
 * served it.
 */
export class JobScheduler {
  private running = new Map<string, { job: JobRow; controller: AbortController; done: Promise<void> }>();
  private scanning = false;
  private rescan = false;
  private stopped = false;
  private poller?: NodeJS.Timeout;

  constructor(private readonly options: JobSchedulerOptions) {}

  async start(): Promise<void> {
    await failInterruptedJobs(this.options.db, this.options.now());
    this.poller = setInterval(() => void this.checkStopRequests(), this.options.cancelPollMs ?? 250);
    this.poller.unref();
    this.wake();
  }

  /** Looks for work now (after a job was queued or one finished). */
  wake(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = true;
    void this.scan().finally(() => {
      this.scanning = false;
      if (this.rescan) {
        this.rescan = false;
        this.wake();
      }
    });
  }

  /** Stops taking jobs and cancels the running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    for (const entry of this.running.values()) entry.controller.abort();
    await Promise.allSettled([...this.running.values()].map((e) => e.done));
  }

  private async scan(): Promise<void> {
    const limit = this.options.concurrency ?? 2;
    while (!this.stopped && this.running.size < limit) {
      const job = await claimNextJob(this.options.db, this.options.now());
      if (!job) return;
      const key = `${job.app_id}\n${job.branch_name}\n${job.job_id}`;
      const controller = new AbortController();
      const done = this.options.run(job, controller.signal)
        .catch((error) => console.error(`job ${job.app_id}/${job.branch_name}/${job.job_id} crashed:`, error))
        .finally(() => {
          this.running.delete(key);
          this.wake();
        });
      this.running.set(key, { job, controller, done });
    }
  }

  private async checkStopRequests(): Promise<void> {
    if (this.running.size === 0) return;
    for (const entry of this.running.values()) {
      const row = await this.options.db.selectFrom('hosting_jobs').select('cancel_requested')
        .where('app_id', '=', entry.job.app_id).where('branch_name', '=', entry.job.branch_name).where('job_id', '=', entry.job.job_id).executeTakeFirst();
      if (row?.cancel_requested) entry.controller.abort();
    }
  }
}
