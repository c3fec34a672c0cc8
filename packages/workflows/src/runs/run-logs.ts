import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/**
 * Stored action logs: one file per action attempt, `<root>/<runId>/<action>.<attempt>.log`, appended as the
 * text arrives (already masked). A reader can replay a log and follow it while the action runs: appends made in
 * this process wake followers at once, and the file is also polled so a follower sees text written by an engine
 * in another process.
 */
export class RunLogs {
  private readonly appended = new EventEmitter().setMaxListeners(0);

  constructor(private readonly root: string) {}

  /** Action names are `[A-Za-z0-9_-]` and run ids are UUIDs, so both are safe as file names. */
  file(runId: string, action: string, attempt: number): string {
    return join(this.root, runId, `${action}.${attempt}.log`);
  }

  append(runId: string, action: string, attempt: number, text: string): void {
    const file = this.file(runId, action, attempt);
    try {
      appendFileSync(file, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(join(this.root, runId), { recursive: true });
      appendFileSync(file, text);
    }
    this.appended.emit(file);
  }

  /** The whole stored log; '' when nothing was written (yet). */
  async read(runId: string, action: string, attempt: number): Promise<string> {
    return readFile(this.file(runId, action, attempt), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
  }

  /**
   * Sends what is stored, then what is appended, to `onText` until `ended()` says the attempt is over (the text
   * written before that is still sent) or `signal` aborts.
   */
  async follow(runId: string, action: string, attempt: number, onText: (text: string) => void, ended: () => Promise<boolean>, signal?: AbortSignal, pollMs = 200): Promise<void> {
    const file = this.file(runId, action, attempt);
    const decoder = new StringDecoder('utf8');
    let offset = 0;
    const pump = async (): Promise<void> => {
      const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!handle) return;
      try {
        const buffer = Buffer.alloc(64 * 1024);
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          const text = decoder.write(buffer.subarray(0, bytesRead));
          if (text) onText(text);
        }
      } finally {
        await handle.close();
      }
    };
    while (!signal?.aborted) {
      // Read the end state before the file: text written before the action ended is then always sent.
      const done = await ended();
      await pump();
      if (done) break;
      await this.nextAppend(file, pollMs, signal);
    }
    const rest = decoder.end();
    if (rest && !signal?.aborted) onText(rest);
  }

  /** Deletes every log of a run. */
  async deleteRun(runId: string): Promise<void> {
    await rm(join(this.root, runId), { recursive: true, force: true });
  }

  private nextAppend(file: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off(file, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.appended.on(file, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
