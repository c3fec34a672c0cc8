/** What the realtime layer gets from this package: subscription validation, filters and payload rendering. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caller, PreparedSubscription } from '../src/index.ts';
import { API_KEY, FUTURE, makeApi, ok, readCapture, skipCaptures, type TestApi } from './helpers.ts';

const KEY_CALLER: Caller = { type: 'API_KEY' };

describe('subscription support for the realtime layer', { skip: skipCaptures }, () => {
  let t: TestApi;
  let starts: Array<{ query: string; variables: Record<string, unknown> }>;
  before(async () => {
    t = makeApi();
    await t.api.deploy('sub', {
      sdl: readCapture<string>('todo-schema.graphql', 'text'),
      modelIntrospection: readCapture('todo-model-introspection.json'),
      apiKeys: [{ id: API_KEY, expiresAt: FUTURE }],
    });
    const capture = readCapture<{ log: Array<{ kind: string; msg?: { type: string; payload?: { data: string } } }> }>('captured-subscription-protocol.json');
    starts = capture.log.filter((e) => e.kind === 'ws-in' && e.msg?.type === 'start').map((e) => JSON.parse(e.msg!.payload!.data));
  });
  after(() => t.cleanup());

  it('prepares the captured onCreate/onUpdate/onDelete documents and renders events for them', async () => {
    assert.ok(starts.length >= 3);
    const prepared = await Promise.all(starts.map((s) => t.api.prepareSubscription('sub', s, KEY_CALLER)));
    const subs = prepared as PreparedSubscription[];
    assert.deepEqual(
      subs.map((s) => [s.fieldName, s.model, s.operation]).sort(),
      [
        ['onCreateTodo', 'Todo', 'create'],
        ['onDeleteTodo', 'Todo', 'delete'],
        ['onUpdateTodo', 'Todo', 'update'],
      ],
    );
    const events: any[] = [];
    t.api.events.on('mutation', (e) => void events.push(e));
    await ok(t.api, 'sub', 'mutation { createTodo(input: { content: "live" }) { id } }');
    const onCreate = subs.find((s) => s.fieldName === 'onCreateTodo')!;
    assert.ok(onCreate.matches(events[0].item));
    const payload = await onCreate.render(events[0].item);
    assert.deepEqual(Object.keys((payload.data as any).onCreateTodo).sort(), ['__typename', 'content', 'createdAt', 'id', 'updatedAt']);
    assert.equal((payload.data as any).onCreateTodo.content, 'live');
  });

  it('applies the subscription filter and reports bad documents in AppSync shape', async () => {
    const sub = (await t.api.prepareSubscription('sub', {
      query: 'subscription ($filter: ModelSubscriptionTodoFilterInput) { onUpdateTodo(filter: $filter) { id } }',
      variables: { filter: { content: { in: ['a', 'b'] } } },
    }, KEY_CALLER)) as PreparedSubscription;
    assert.deepEqual(sub.filter, { content: { in: ['a', 'b'] } });
    assert.equal(sub.matches({ content: 'a' }), true);
    assert.equal(sub.matches({ content: 'c' }), false);
    const bad = await t.api.prepareSubscription('sub', { query: 'subscription { onCreateTodo { nope } }' }, KEY_CALLER);
    assert.ok('errors' in bad && bad.errors[0]!.message.includes('nope'));
    const notSub = await t.api.prepareSubscription('sub', { query: '{ listTodos { items { id } } }' }, KEY_CALLER);
    assert.ok('errors' in notSub);
    assert.deepEqual(await t.api.authenticate('sub', { 'x-api-key': API_KEY }), KEY_CALLER);
    assert.equal((await t.api.authenticate('sub', { 'x-api-key': 'da2-wrong' }) as { errorType?: string }).errorType, 'UnauthorizedException');
    assert.equal((await t.api.authenticate('nope', { 'x-api-key': API_KEY }) as { errorType?: string }).errorType, 'UnauthorizedException');
  });
});
