// Custom queries and mutations in the executable schema: their arguments (scalars, enums, lists, input types),
// return types (scalars, custom types, models), and what the data API refuses to serve, named. Invoking their
// functions is covered end to end with the functions service (packages/gantry/test/functions.test.ts).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { API_KEY, FUTURE, makeApi } from './helpers.ts';

const SDL = `type Note @model @auth(rules: [{allow: public, provider: apiKey}])
{
  text: String
}

enum Mood {
  HAPPY
  SAD
}

type Reply @aws_api_key
{
  text: String
  mood: Mood
}

input ReplyOptionsInput
{
  shout: Boolean
  tags: [String]
}

type Query {
  sayHello(name: String, mood: Mood, tags: [String!]): String @function(name: "FnSayHello") @auth(rules: [{allow: public, provider: apiKey}])
  latestNote: Note @function(name: "FnLatestNote") @auth(rules: [{allow: public, provider: apiKey}])
}

type Mutation {
  reply(text: String!, options: ReplyOptionsInput): Reply @function(name: "FnReply") @function(name: "FnAudit") @auth(rules: [{allow: private}])
}
`;

const t = makeApi();
after(() => t.cleanup());
const deploy = (apiId: string, sdl: string) => t.api.deploy(apiId, { sdl, apiKeys: [{ id: API_KEY, expiresAt: FUTURE }] });
const typeOf = async (apiId: string, name: string) => {
  const { body } = await t.api.execute(apiId, {
    query: `query ($name: String!) { __type(name: $name) { fields { name type { name kind ofType { name } } args { name type { name kind ofType { name kind ofType { name } } } } } } }`,
    variables: { name },
    headers: { 'x-api-key': API_KEY },
  });
  return (body.data as any).__type;
};

describe('custom operations in the schema', () => {
  it('adds each custom query and mutation with its arguments and return type beside the model fields', async () => {
    await deploy('custom1', SDL);
    const query = await typeOf('custom1', 'Query');
    const sayHello = query.fields.find((f: any) => f.name === 'sayHello');
    assert.equal(sayHello.type.name, 'String');
    assert.deepEqual(sayHello.args.map((a: any) => [a.name, a.type.name ?? a.type.kind]), [['name', 'String'], ['mood', 'Mood'], ['tags', 'LIST']]);
    assert.equal(sayHello.args[2].type.ofType.kind, 'NON_NULL');
    assert.equal(query.fields.find((f: any) => f.name === 'latestNote').type.name, 'Note');
    assert.ok(query.fields.some((f: any) => f.name === 'listNotes'), 'the model fields stay');
    const mutation = await typeOf('custom1', 'Mutation');
    const reply = mutation.fields.find((f: any) => f.name === 'reply');
    assert.equal(reply.type.name, 'Reply');
    assert.deepEqual(reply.args.map((a: any) => [a.name, a.type.kind, a.type.name ?? a.type.ofType.name]), [['text', 'NON_NULL', 'String'], ['options', 'INPUT_OBJECT', 'ReplyOptionsInput']]);
  });

  it('validates documents against the arguments: a wrong enum value is a validation error', async () => {
    const { body } = await t.api.execute('custom1', { query: '{ sayHello(name: "Ada", mood: ANGRY) }', headers: { 'x-api-key': API_KEY } });
    assert.equal(body.errors?.[0]?.errorType, 'ValidationError');
  });

  it('refuses the operation to a caller its rules do not name, before any function is involved', async () => {
    const { body } = await t.api.execute('custom1', { query: 'mutation { reply(text: "hi") { text } }', headers: { 'x-api-key': API_KEY } });
    assert.deepEqual(body.errors?.map((e) => [e.errorType, e.message]), [['Unauthorized', 'Not Authorized to access reply on type Mutation']]);
  });

  it('answers a permitted call with an error when the API has no function service to run it', async () => {
    const { body } = await t.api.execute('custom1', { query: '{ sayHello(name: "Ada") }', headers: { 'x-api-key': API_KEY } });
    assert.equal(body.data && (body.data as any).sayHello, null);
    assert.equal(body.errors?.[0]?.errorType, 'Lambda:Unhandled');
    assert.match(body.errors![0]!.message, /no function service/);
  });

  it('refuses custom operations without a function handler, and custom subscriptions, by name', async () => {
    const noHandler = SDL.replace('type Query {', 'type Query {\n  echo(text: String): String @aws_api_key');
    await assert.rejects(deploy('custom2', noHandler), /custom query echo has no a\.handler\.function\(\.\.\.\) handler/);
    const subscription = `${SDL}\ntype Subscription {\n  onReply: Reply @aws_subscribe(mutations: ["reply"])\n}\n`;
    await assert.rejects(deploy('custom3', subscription), /custom subscriptions \(onReply\) are not served/);
  });

  it('refuses a custom operation named like a generated model field', async () => {
    const clash = SDL.replace('latestNote: Note', 'getNote: Note');
    await assert.rejects(deploy('custom4', clash), /Query\.getNote is also a field the models generate/);
  });
});
