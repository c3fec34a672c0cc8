/**
 * WAL checkpoints off the event loop.
 *
 * SQLite checkpoints a WAL database from inside the commit that takes the log past `wal_autocheckpoint`
 * pages (1000): it copies the log into the database file and fsyncs both. That takes from a few to tens of
 * milliseconds, and better-sqlite3 runs it on the thread serving requests, so every request in flight waits.
 * An item database takes about six log pages per create, so under load that stall came several times a
 * second and set the tail latency of the whole data API.
 *
 * Here an item database's own connection does not checkpoint by itself. A worker thread holding a second
 * connection to the same file runs PASSIVE checkpoints (they wait for no reader or writer) as writes add
 * up. A passive checkpoint cannot rewind the log while writes keep arriving, only the writer can once the
 * log is fully copied; so when the log still grows past `MAX_LOG_FRAMES` the owning connection checkpoints
 * the few frames the worker has not copied yet itself, and its next write starts the log over.
 *
 * Durability is unchanged: the same checkpoints with the same fsyncs run, on another thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Writes (statements) between two checkpoint requests; one create appends about six log frames. */
const WRITES_PER_CHECKPOINT = 50;
/** Past this many frames in the log (32 MiB at 4 KiB pages) the owning connection checkpoints too. */
const MAX_LOG_FRAMES = 8192;
/** SQLite's own default, restored when the worker cannot serve a database. */
const SQLITE_AUTOCHECKPOINT = 1000;

/** Runs a PRAGMA on the database's own connection and returns its rows. */
export type RunPragma = (pragma: string) => Promise<Array<Record<string, unknown>>>;

type WorkerReply =
  | { type: 'checkpointed'; file: string; log: number; checkpointed: number }
  | { type: 'failed'; file: string; message: string }
  | { type: 'closed'; file: string };

// Plain JavaScript evaluated in the worker: worker threads do not inherit the TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const connections = new Map();
parentPort.on('message', ({ type, file }) => {
  if (type === 'close') {
    const db = connections.get(file);
    connections.delete(file);
    try { db?.close(); } catch {}
    parentPort.postMessage({ type: 'closed', file });
    return;
  }
  try {
    let db = connections.get(file);
    if (!db) {
      db = new Database(file, { fileMustExist: true });
      connections.set(file, db);
    }
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpointed', file, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', file, message: String(error && error.message || error) });
  }
});
`;

/** The checkpoints of one database file. */
export class BackgroundCheckpoints {
  private writes = 0;
  private inFlight = false;
  private disabled = false;
  private closing?: { done: () => void };

  private constructor(
    readonly file: string,
    private readonly runPragma: RunPragma,
  ) {}

  /** Turns off the connection's own checkpoints and hands them to the worker. */
  static async attach(file: string, runPragma: RunPragma): Promise<BackgroundCheckpoints> {
    const checkpoints = new BackgroundCheckpoints(file, runPragma);
    const worker = checkpointWorker();
    if (!worker || byFile.has(file)) {
      checkpoints.disabled = true;
      return checkpoints;
    }
    byFile.set(file, checkpoints);
    await runPragma('wal_autocheckpoint = 0');
    return checkpoints;
  }

  /** Called after each write statement. */
  noteWrite(): void {
    if (this.disabled || this.closing) return;
    this.writes++;
    if (this.inFlight || this.writes < WRITES_PER_CHECKPOINT) return;
    this.writes = 0;
    this.inFlight = true;
    post({ type: 'checkpoint', file: this.file });
  }

  /** Lets go of the worker's connection, so the owner's close is the last one (it then removes the log). */
  async detach(): Promise<void> {
    if (this.disabled || this.closing) return;
    await new Promise<void>((done) => {
      this.closing = { done };
      post({ type: 'close', file: this.file });
    });
    byFile.delete(this.file);
  }

  /** @internal replies from the worker */
  async receive(reply: WorkerReply): Promise<void> {
    if (reply.type === 'closed') {
      this.closing?.done();
      return;
    }
    this.inFlight = false;
    if (this.closing) return;
    if (reply.type === 'failed') {
      console.error(`data: background checkpoint of ${this.file} failed, the connection checkpoints itself again: ${reply.message}`);
      await this.fallBack();
      return;
    }
    if (reply.log >= MAX_LOG_FRAMES) {
      try {
        await this.runPragma('wal_checkpoint(PASSIVE)');
      } catch (error) {
        console.error(`data: checkpoint of ${this.file} failed:`, error);
      }
    }
  }

  /** SQLite's own checkpoints again, for good. */
  async fallBack(): Promise<void> {
    if (this.disabled) return;
    this.disabled = true;
    byFile.delete(this.file);
    this.closing?.done();
    try {
      await this.runPragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    } catch (error) {
      console.error(`data: restoring checkpoints of ${this.file} failed:`, error);
    }
  }
}

const byFile = new Map<string, BackgroundCheckpoints>();
let worker: Worker | undefined;
let workerBroken = false;
let awaitedReplies = 0;

/** The one worker of the process, started on first use; undefined when it cannot run. */
function checkpointWorker(): Worker | undefined {
  if (worker || workerBroken) return worker;
  try {
    // The SQLite driver the store package uses, loaded by absolute path inside the worker.
    const driver = createRequire(createRequire(import.meta.url).resolve('@gantry/store')).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver } });
  } catch (error) {
    workerBroken = true;
    console.error('data: WAL checkpoints stay on the main thread; their worker did not start:', error);
    return undefined;
  }
  // Idle, the worker must not keep the process alive; a reply being awaited does.
  worker.unref();
  worker.on('message', (reply: WorkerReply) => {
    if (--awaitedReplies === 0) worker?.unref();
    void byFile.get(reply.file)?.receive(reply);
  });
  worker.on('error', (error) => {
    console.error('data: the WAL checkpoint worker failed; connections checkpoint themselves again:', error);
    stopWorker();
  });
  worker.on('exit', () => stopWorker());
  return worker;
}

function post(message: { type: 'checkpoint' | 'close'; file: string }): void {
  if (awaitedReplies++ === 0) worker!.ref();
  worker!.postMessage(message);
}

function stopWorker(): void {
  awaitedReplies = 0;
  workerBroken = true;
  worker = undefined;
  for (const checkpoints of [...byFile.values()]) void checkpoints.fallBack();
}
