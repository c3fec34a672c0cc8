import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * `model_introspection` of amplify_outputs.json, derived from the data schema's SDL by Amplify's own generator.
 *
 * Clients may leave it out of the manifest they deploy (`ampx` does): loading the generator costs a CLI process
 * ~0.4 s on every run, while the server loads it once and keeps results per schema. It runs in a worker thread:
 * loading it is ~0.4 s of synchronous module evaluation that would otherwise stall every request meanwhile.
 */
export class ModelGenerator {
  private worker?: Worker;
  private readonly pending = new Map<number, { resolve(value: Record<string, unknown>): void; reject(error: Error): void }>();
  private readonly results = new Map<string, Promise<Record<string, unknown>>>();
  private nextId = 0;

  /** Loads the generator ahead of the first deploy that needs it (a push is a good hint one is coming). */
  preload(): void {
    this.start();
  }

  introspectionOf(sdl: string): Promise<Record<string, unknown>> {
    const key = createHash('sha256').update(sdl).digest('hex');
    let result = this.results.get(key);
    if (result === undefined) {
      result = this.generate(sdl);
      result.catch(() => this.results.delete(key));
      if (this.results.size >= KEPT_SCHEMAS) this.results.delete(this.results.keys().next().value!);
      this.results.set(key, result);
    }
    return result;
  }

  /** Stops the worker (what is asked of it afterwards starts another). */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private generate(sdl: string): Promise<Record<string, unknown>> {
    const worker = this.start();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, sdl });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const modelsEntry = createRequire(import.meta.url).resolve('@aws-amplify/graphql-generator/lib/models.js');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modelsEntry } });
    // Owned by the server, which stops it; it must not keep a process alive by itself.
    worker.unref();
    worker.on('message', (reply: { id: number; json?: string; error?: string }) => {
      const entry = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error !== undefined) entry?.reject(new Error(reply.error));
      else entry?.resolve(JSON.parse(reply.json!) as Record<string, unknown>);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, entry] of this.pending) {
        this.pending.delete(id);
        entry.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the model generator stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

const KEPT_SCHEMAS = 32;

// Plain JavaScript evaluated in the worker (worker threads do not inherit the TypeScript loader). The models
// entry alone: the package index also loads the statement and type generators.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { generateModels } = require(workerData.modelsEntry);
parentPort.on('message', async ({ id, sdl }) => {
  try {
    const generated = await generateModels({ schema: sdl, target: 'introspection' });
    parentPort.postMessage({ id, json: generated['model-introspection.json'] ?? '{}' });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;
