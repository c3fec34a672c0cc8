import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { modelIntrospectionOf } from '../src/model-introspection.ts';

const captures = join(dirname(fileURLToPath(import.meta.url)), '../../../../shared/reference/captures');
const sdlFile = join(captures, 'todo-schema.graphql');
const introspectionFile = join(captures, 'todo-model-introspection.json');

test('the server derives from the template\'s SDL exactly the model introspection Amplify generated for it', { skip: existsSync(sdlFile) ? false : `no captures at ${captures}` }, async () => {
  const sdl = readFileSync(sdlFile, 'utf8').trimEnd();
  assert.deepEqual(await modelIntrospectionOf(sdl), JSON.parse(readFileSync(introspectionFile, 'utf8')));
  assert.equal(await modelIntrospectionOf(sdl), await modelIntrospectionOf(sdl), 'one result per schema is kept');
});

test('a schema the generator refuses rejects, and is not kept', async () => {
  await assert.rejects(modelIntrospectionOf('type Todo @model { content: Strin }'), /Strin/);
  await assert.rejects(modelIntrospectionOf('type Todo @model { content: Strin }'), /Strin/);
});
