import { createHash } from 'node:crypto';

/**
 * `model_introspection` of amplify_outputs.json, derived from the data schema's SDL by Amplify's own generator.
 *
 * Clients may leave it out of the manifest they deploy (`ampx` does): loading the generator costs a CLI process
 * ~0.4 s on every run, while the server loads it once and keeps results per schema.
 */
type GenerateModels = (options: { schema: string; target: 'introspection' }) => Promise<Record<string, string>>;

let generator: Promise<GenerateModels> | undefined;
const results = new Map<string, Promise<Record<string, unknown>>>();
const KEPT_SCHEMAS = 32;

/** Loads the generator ahead of the first deploy that needs it (a push is a good hint one is coming). */
export function preloadModelGenerator(): void {
  void loadGenerator().catch(() => {});
}

export function modelIntrospectionOf(sdl: string): Promise<Record<string, unknown>> {
  const key = createHash('sha256').update(sdl).digest('hex');
  let result = results.get(key);
  if (result === undefined) {
    result = derive(sdl);
    result.catch(() => results.delete(key));
    if (results.size >= KEPT_SCHEMAS) results.delete(results.keys().next().value!);
    results.set(key, result);
  }
  return result;
}

async function derive(sdl: string): Promise<Record<string, unknown>> {
  const generateModels = await loadGenerator();
  const generated = await generateModels({ schema: sdl, target: 'introspection' });
  return JSON.parse(generated['model-introspection.json'] ?? '{}') as Record<string, unknown>;
}

function loadGenerator(): Promise<GenerateModels> {
  // The models entry alone: the package index also loads the statement and type generators.
  generator ??= import('@aws-amplify/graphql-generator/lib/models.js').then((m) => m.generateModels as unknown as GenerateModels);
  return generator;
}
