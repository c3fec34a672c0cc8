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
const results = new Map<string, Promise<Record<string, unknown>>>();
const KEPT_SCHEMAS = 32;

/** Loads the generator ahead of the first deploy that needs it (a push is a good hint one is coming). */
export function preloadModelGenerator(): void {
  generator();
}

export function modelIntrospectionOf(sdl: string): Promise<Record<string, unknown>> {
  const key = createHash('sha256').update(sdl).digest('hex');
  let result = results.get(key);
  if (result === undefined) {
    result = generator().generate(sdl);
    result.catch(() => results.delete(key));
    if (results.size >= KEPT_SCHEMAS) results.delete(results.keys().next().value!);
    results.set(key, result);
  }
  return result;
}

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

interface Generator {
  generate(sdl: string): Promise<Record<string, unknown>>;
}

let current: Generator | undefined;

function generator(): Generator {
  current ??= startGenerator();
  return current;
}

function startGenerator(): Generator {
  const modelsEntry = createRequire(import.meta.url).resolve('@aws-amplify/graphql-generator/lib/models.js');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modelsEntry } });
  const pending = new Map<number, { resolve(value: Record<string, unknown>): void; reject(error: Error): void }>();
  let nextId = 0;
  // The worker keeps the process alive only while it has work.
  worker.unref();
  const settle = (id: number) => {
    const entry = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    return entry;
  };
  worker.on('message', (reply: { id: number; json?: string; error?: string }) => {
    const entry = settle(reply.id);
    if (reply.error !== undefined) entry?.reject(new Error(reply.error));
    else entry?.resolve(JSON.parse(reply.json!) as Record<string, unknown>);
  });
  const fail = (error: Error) => {
    if (current === generator) current = undefined;
    for (const id of [...pending.keys()]) settle(id)?.reject(error);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the model generator stopped (exit code ${code})`)));
  const generator: Generator = {
    generate(sdl) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, sdl });
      });
    },
  };
  return generator;
}
