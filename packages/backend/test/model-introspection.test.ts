import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ModelGenerator } from '../src/model-introspection.ts';

const captures = join(dirname(fileURLToPath(import.meta.url)), '../../../../shared/reference/captures');
const sdlFile = join(captures, 'todo-schema.graphql');
const introspectionFile = join(captures, 'todo-model-introspection.json');
const models = new ModelGenerator();
after(() => models.stop());

test('the server derives from the template\'s SDL exactly the model introspection Amplify generated for it', { skip: existsSync(sdlFile) ? false : `no captures at ${captures}` }, async () => {
  const sdl = readFileSync(sdlFile, 'utf8').trimEnd();
  assert.deepEqual(await models.introspectionOf(sdl), JSON.parse(readFileSync(introspectionFile, 'utf8')));
  assert.equal(await models.introspectionOf(sdl), await models.introspectionOf(sdl), 'one result per schema is kept');
});

test('a schema the generator refuses rejects, and is not kept', async () => {
  await assert.rejects(models.introspectionOf('type Todo @model { content: Strin }'), /Strin/);
  await assert.rejects(models.introspectionOf('type Todo @model { content: Strin }'), /Strin/);
});

test('after stop, the next request starts the generator again', async () => {
  models.preload();
  await models.stop();
  const introspection = await models.introspectionOf('type Note @model { text: String }') as { models: Record<string, unknown> };
  assert.deepEqual(Object.keys(introspection.models), ['Note']);
});
