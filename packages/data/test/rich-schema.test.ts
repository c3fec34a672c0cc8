/**
 * A hand-written schema using every feature of the SDL dialect: enums, custom types, AWS scalars, @default,
 * custom (composite) identifiers, secondary indexes with single and composite sort keys, hasMany/belongsTo/
 * hasOne, and operation-restricted auth. 320 items exercise every filter operator and pagination.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matchesFilter } from '../src/index.ts';
import { RICH_INTROSPECTION, RICH_SDL } from './fixtures.ts';
import { API_KEY, FUTURE, gql, ISO_DATETIME, makeApi, ok, UUID, type TestApi } from './helpers.ts';

const POST_FIELDS = 'id title body status rating score published tags meta publishedOn location { lat long label } authorEmail website views category createdAt updatedAt';
const STATUSES = ['draft', 'published', 'archived'] as const;

function postInput(i: number): Record<string, unknown> {
  const input: Record<string, unknown> = {
    title: `Post ${String(i).padStart(3, '0')}`,
    status: STATUSES[i % 3],
    rating: i % 10,
    score: (i % 7) / 2,
    published: i % 2 === 0,
    tags: i % 4 === 0 ? ['news', 'tech'] : ['misc'],
    category: i % 5 === 0 ? 'featured' : 'regular',
  };
  if (i % 3 !== 0) input.body = i % 6 === 1 ? `hello body ${i}` : `other ${i}`;
  return input;
}

describe('rich schema', () => {
  let t: TestApi;
  const apiId = 'rich';
  let posts: Array<Record<string, any>> = [];

  before(async () => {
    t = makeApi({ typenameOnModels: false });
    await t.api.deploy(apiId, { sdl: RICH_SDL, modelIntrospection: RICH_INTROSPECTION, apiKeys: [{ id: API_KEY, expiresAt: FUTURE }] });
    for (let start = 0; start < 320; start += 40) {
      const vars: Record<string, unknown> = {};
      const decls: string[] = [];
      const fields: string[] = [];
      for (let i = start; i < start + 40; i++) {
        vars[`i${i}`] = postInput(i);
        decls.push(`$i${i}: CreatePostInput!`);
        fields.push(`p${i}: createPost(input: $i${i}) { ${POST_FIELDS} }`);
      }
      const data = await ok(t.api, apiId, `mutation (${decls.join(', ')}) { ${fields.join('\n')} }`, vars);
      for (let i = start; i < start + 40; i++) posts.push(data[`p${i}`]);
    }
  });

  after(() => t.cleanup());

  it('generates the transformer\'s types and fields', async () => {
    const data = await ok(
      t.api,
      apiId,
      `{ q: __type(name: "Query") { fields { name args { name type { name kind ofType { name } } } } }
         m: __type(name: "Mutation") { fields { name } }
         s: __type(name: "Subscription") { fields { name args { name type { name } } } }
         c: __type(name: "ModelPostConditionInput") { inputFields { name type { name } } }
         ci: __type(name: "CreatePostInput") { inputFields { name type { name kind ofType { name } } } }
         ui: __type(name: "UpdateCustomerInput") { inputFields { name type { kind ofType { name } } } }
         e: __type(name: "ModelPostStatusInput") { inputFields { name } }
         k: __type(name: "ModelEventPrimaryCompositeKeyConditionInput") { inputFields { name type { name kind ofType { name } } } }
         ki: __type(name: "ModelEventByKindDaySlotCompositeKeyInput") { inputFields { name type { name } } } }`,
    );
    const q = Object.fromEntries(data.q.fields.map((f: any) => [f.name, Object.fromEntries(f.args.map((a: any) => [a.name, a.type.name ?? `${a.type.ofType.name}!`]))]));
    assert.deepEqual(Object.keys(q).sort(), [
      'eventsByKind', 'eventsByTitle', 'getComment', 'getCustomer', 'getEvent', 'getFeature', 'getNotice', 'getPost',
      'listComments', 'listCustomers', 'listEvents', 'listFeatures', 'listNotices', 'listPostByCategoryAndRating', 'listPosts',
    ]);
    assert.deepEqual(q.getPost, { id: 'ID!' });
    assert.deepEqual(q.listPosts, { filter: 'ModelPostFilterInput', limit: 'Int', nextToken: 'String' });
    assert.deepEqual(q.getCustomer, { customerId: 'ID!', region: 'String!' });
    assert.deepEqual(q.listCustomers, { customerId: 'ID', region: 'ModelStringKeyConditionInput', filter: 'ModelCustomerFilterInput', limit: 'Int', nextToken: 'String', sortDirection: 'ModelSortDirection' });
    assert.deepEqual(q.getEvent, { venue: 'String!', day: 'AWSDate!', slot: 'Int!' });
    assert.equal(q.listEvents.daySlot, 'ModelEventPrimaryCompositeKeyConditionInput');
    assert.deepEqual(q.listPostByCategoryAndRating, { category: 'String!', rating: 'ModelIntKeyConditionInput', sortDirection: 'ModelSortDirection', filter: 'ModelPostFilterInput', limit: 'Int', nextToken: 'String' });
    assert.deepEqual(q.eventsByKind, { kind: 'PostStatus!', daySlot: 'ModelEventByKindDaySlotCompositeKeyConditionInput', sortDirection: 'ModelSortDirection', filter: 'ModelEventFilterInput', limit: 'Int', nextToken: 'String' });
    assert.deepEqual(q.eventsByTitle, { title: 'String!', sortDirection: 'ModelSortDirection', filter: 'ModelEventFilterInput', limit: 'Int', nextToken: 'String' });
    assert.equal(data.m.fields.length, 18);
    assert.deepEqual(data.s.fields.find((f: any) => f.name === 'onCreatePost').args, [{ name: 'filter', type: { name: 'ModelSubscriptionPostFilterInput' } }]);
    const conditionFields = data.c.inputFields.map((f: any) => f.name);
    assert.ok(!conditionFields.includes('id'), 'the key is not part of the condition input');
    assert.ok(conditionFields.includes('createdAt') && conditionFields.includes('not'));
    assert.ok(!conditionFields.includes('location') && !conditionFields.includes('comments'));
    assert.equal(data.c.inputFields.find((f: any) => f.name === 'status').type.name, 'ModelPostStatusInput');
    assert.equal(data.c.inputFields.find((f: any) => f.name === 'rating').type.name, 'ModelIntInput');
    const ci = Object.fromEntries(data.ci.inputFields.map((f: any) => [f.name, f.type.name ?? `${f.type.ofType.name}${f.type.kind === 'NON_NULL' ? '!' : '[]'}`]));
    assert.equal(ci.id, 'ID');
    assert.equal(ci.title, 'String!');
    assert.equal(ci.location, 'LocationInput');
    assert.equal(ci.createdAt, undefined);
    assert.equal(ci.comments, undefined);
    const ui = Object.fromEntries(data.ui.inputFields.map((f: any) => [f.name, f.type.kind]));
    assert.deepEqual(ui, { customerId: 'NON_NULL', region: 'NON_NULL', name: 'SCALAR', tier: 'SCALAR' });
    assert.deepEqual(data.e.inputFields.map((f: any) => f.name), ['eq', 'ne']);
    assert.deepEqual(data.k.inputFields.map((f: any) => f.name), ['eq', 'le', 'lt', 'ge', 'gt', 'between', 'beginsWith']);
    assert.deepEqual(data.ki.inputFields, [{ name: 'day', type: { name: 'AWSDate' } }, { name: 'slot', type: { name: 'Int' } }]);
  });

  it('creates with server-filled id, timestamps and @default, and round-trips every field type', async () => {
    const input = {
      title: 'Full',
      body: 'b',
      status: 'published',
      rating: 3,
      score: 1.5,
      published: true,
      tags: ['x', 'y'],
      meta: JSON.stringify({ nested: { a: [1, 2] } }),
      publishedOn: '2024-02-29',
      location: { lat: 1.25, long: -3.5, label: 'here' },
      authorEmail: 'me@example.com',
      website: 'https://example.com/a?b=c',
      category: 'regular',
    };
    const { createPost } = await ok(t.api, apiId, `mutation ($input: CreatePostInput!) { createPost(input: $input) { ${POST_FIELDS} __typename } }`, { input });
    assert.match(createPost.id, UUID);
    assert.match(createPost.createdAt, ISO_DATETIME);
    assert.equal(createPost.views, 0);
    assert.equal(createPost.__typename, 'Post', 'selected explicitly');
    for (const [k, v] of Object.entries(input)) assert.deepEqual(createPost[k], k === 'meta' ? JSON.stringify(JSON.parse(v as string)) : v, k);
    const { getPost } = await ok(t.api, apiId, `query ($id: ID!) { getPost(id: $id) { ${POST_FIELDS} } }`, { id: createPost.id });
    const { __typename: _t, ...withoutTypename } = createPost;
    assert.deepEqual(getPost, withoutTypename);
    // A client-chosen id is kept; a second create with it fails the condition.
    const chosen = await ok(t.api, apiId, 'mutation { createPost(input: { id: "my-id", title: "Mine" }) { id } }');
    assert.equal(chosen.createPost.id, 'my-id');
    const again = await gql(t.api, apiId, 'mutation { createPost(input: { id: "my-id", title: "Mine" }) { id } }');
    assert.deepEqual(again.data, { createPost: null });
    assert.equal(again.errors![0]!.errorType, 'DynamoDB:ConditionalCheckFailedException');
    assert.match(again.errors![0]!.message, /^The conditional request failed/);
    assert.deepEqual(again.errors![0]!.path, ['createPost']);
    assert.equal(again.errors![0]!.data, null);
  });

  it('validates AWS scalars and enums in input', async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['AWSEmail', { title: 'x', authorEmail: 'not-an-email' }],
      ['AWSURL', { title: 'x', website: 'no scheme' }],
      ['AWSDate', { title: 'x', publishedOn: '2024-13-01' }],
      ['AWSJSON', { title: 'x', meta: '{not json' }],
      ['PostStatus', { title: 'x', status: 'deleted' }],
      ['String!', { body: 'missing title' }],
    ];
    for (const [what, input] of bad) {
      const body = await gql(t.api, apiId, 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id } }', { input });
      assert.equal(body.data, null, what);
      assert.ok(body.errors?.length, what);
      assert.match(body.errors![0]!.message, /\$input/, what);
    }
    const eventBad: Array<[string, Record<string, unknown>]> = [
      ['AWSIPAddress', { ip: '300.1.1.1' }],
      ['AWSPhone', { phone: 'call me' }],
      ['AWSTime', { at: '25:00' }],
      ['AWSDateTime', { startsAt: '2024-01-01T10:00:00' }],
      ['AWSTimestamp', { stamp: 1.5 }],
    ];
    for (const [what, extra] of eventBad) {
      const body = await gql(t.api, apiId, 'mutation ($input: CreateEventInput!) { createEvent(input: $input) { venue } }', { input: { venue: 'v', day: '2024-01-01', slot: 1, ...extra } });
      assert.equal(body.data, null, what);
      assert.match(body.errors![0]!.message, new RegExp(what), what);
    }
    const good = await ok(t.api, apiId, 'mutation ($input: CreateEventInput!) { createEvent(input: $input) { ip phone at startsAt stamp } }', {
      input: { venue: 'scalars', day: '2024-01-01', slot: 1, ip: '2001:db8::1/64', phone: '+1 (555) 123-4567', at: '10:30:00Z', startsAt: '2024-01-01T10:00:00+02:00', stamp: 1700000000 },
    });
    assert.deepEqual(good.createEvent, { ip: '2001:db8::1/64', phone: '+1 (555) 123-4567', at: '10:30:00Z', startsAt: '2024-01-01T10:00:00+02:00', stamp: 1700000000 });
  });

  /** Lists every page with `limit`, checking the union against the JS oracle. */
  async function listAll(filter: Record<string, unknown> | undefined, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const data: any = await ok(t.api, apiId, 'query ($filter: ModelPostFilterInput, $limit: Int, $nextToken: String) { listPosts(filter: $filter, limit: $limit, nextToken: $nextToken) { items { id } nextToken } }', { filter, limit, nextToken });
      pages++;
      assert.ok(data.listPosts.items.length <= limit);
      for (const item of data.listPosts.items) ids.push(item.id);
      nextToken = data.listPosts.nextToken;
      assert.ok(pages < 1000);
    } while (nextToken);
    return { ids, pages };
  }

  it('filters 320 items with every operator, across pages', async () => {
    // The oracle: every stored post (other tests add some), filtered in JS.
    const everything = await ok(t.api, apiId, `{ listPosts(limit: 5000) { items { ${POST_FIELDS.replace(' meta', '').replace(' location { lat long label }', '')} } } }`);
    const all: Array<Record<string, any>> = everything.listPosts.items;
    const filters: Array<Record<string, unknown>> = [
      { rating: { eq: 3 } },
      { rating: { ne: 3 } },
      { rating: { gt: 7 } },
      { rating: { ge: 7 } },
      { score: { lt: 1 } },
      { score: { le: 1 } },
      { rating: { between: [2, 4] } },
      { title: { between: ['Post 100', 'Post 199'] } },
      { body: { contains: 'hello' } },
      { body: { notContains: 'hello' } },
      { tags: { contains: 'news' } },
      { tags: { notContains: 'news' } },
      { title: { beginsWith: 'Post 01' } },
      { body: { attributeExists: true } },
      { body: { attributeExists: false } },
      { body: { attributeType: 'string' } },
      { rating: { attributeType: 'number' } },
      { title: { size: { le: 8 } } },
      { status: { eq: 'archived' } },
      { status: { ne: 'draft' } },
      { published: { eq: false } },
      { id: { eq: posts[17]!.id } },
      { and: [{ rating: { gt: 2 } }, { published: { eq: true } }] },
      { or: [{ rating: { eq: 0 } }, { status: { eq: 'published' } }] },
      { not: { category: { eq: 'regular' } } },
      { rating: { gt: 2, lt: 5 }, published: { eq: true } },
      { createdAt: { le: posts[100]!.createdAt } },
    ];
    for (const filter of filters) {
      const expected = all.filter((p) => matchesFilter(Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null)), filter)).map((p) => p.id);
      assert.ok(expected.length > 0, `${JSON.stringify(filter)} should select some items`);
      const { ids } = await listAll(filter, 37);
      assert.deepEqual(ids, expected, JSON.stringify(filter));
    }
  });

  it('pages 320 items: default limit 100, limit capped at 1000, opaque stable tokens', async () => {
    const first = await ok(t.api, apiId, '{ listPosts { items { id } nextToken } }');
    assert.equal(first.listPosts.items.length, 100);
    assert.equal(typeof first.listPosts.nextToken, 'string');
    const { ids, pages } = await listAll(undefined, 50);
    assert.ok(ids.length >= 320);
    assert.equal(new Set(ids).size, ids.length, 'no item twice');
    assert.equal(pages, Math.ceil(ids.length / 50));
    const big = await ok(t.api, apiId, '{ listPosts(limit: 5000) { items { id } nextToken } }');
    assert.equal(big.listPosts.items.length, ids.length);
    assert.equal(big.listPosts.nextToken, null);
    const zero = await gql(t.api, apiId, '{ listPosts(limit: 0) { items { id } } }');
    assert.equal(zero.errors![0]!.errorType, 'DynamoDB:DynamoDbException');
    // A token from one query is refused by another.
    const other = await gql(t.api, apiId, 'query ($t: String) { listComments(nextToken: $t) { items { id } } }', { t: first.listPosts.nextToken });
    assert.match(other.errors![0]!.message, /nextToken/);
  });

  it('lists 1000 items quickly', async () => {
    const f = makeApi();
    try {
      await f.api.deploy('big', { sdl: RICH_SDL, modelIntrospection: RICH_INTROSPECTION, apiKeys: [{ id: API_KEY, expiresAt: FUTURE }] });
      for (let start = 0; start < 1000; start += 100) {
        const fields = Array.from({ length: 100 }, (_, j) => `c${start + j}: createComment(input: { content: "c${start + j}" }) { id }`);
        await ok(f.api, 'big', `mutation { ${fields.join(' ')} }`);
      }
      const data = await ok(f.api, 'big', '{ listComments(limit: 1000) { items { id content createdAt updatedAt } nextToken } }');
      assert.equal(data.listComments.items.length, 1000);
      assert.equal(data.listComments.nextToken, null);
      const filtered = await ok(f.api, 'big', '{ listComments(filter: { content: { beginsWith: "c99" } }, limit: 1000) { items { content } } }');
      assert.equal(filtered.listComments.items.length, 11);
    } finally {
      await f.cleanup();
    }
  });

  it('updates: sets fields, removes the ones set to null, refreshes updatedAt; conditions', async () => {
    const target = posts[10]!;
    const upd = await ok(t.api, apiId, 'mutation ($input: UpdatePostInput!) { updatePost(input: $input) { id title body rating createdAt updatedAt } }', {
      input: { id: target.id, rating: 42, body: null },
    });
    assert.equal(upd.updatePost.rating, 42);
    assert.equal(upd.updatePost.body, null);
    assert.equal(upd.updatePost.title, target.title);
    assert.equal(upd.updatePost.createdAt, target.createdAt);
    assert.ok(upd.updatePost.updatedAt >= target.updatedAt);
    const removed = await ok(t.api, apiId, 'query ($id: ID!) { listPosts(filter: { id: { eq: $id }, body: { attributeExists: false } }) { items { id } } }', { id: target.id });
    assert.equal(removed.listPosts.items.length, 1, 'null removes the attribute');

    const failed = await gql(t.api, apiId, 'mutation ($input: UpdatePostInput!) { updatePost(input: $input, condition: { rating: { eq: 1 } }) { id } }', { input: { id: target.id, title: 'nope' } });
    assert.deepEqual(failed.data, { updatePost: null });
    assert.equal(failed.errors![0]!.errorType, 'DynamoDB:ConditionalCheckFailedException');
    const passed = await ok(t.api, apiId, 'mutation ($input: UpdatePostInput!) { updatePost(input: $input, condition: { and: [{ rating: { eq: 42 } }, { not: { status: { eq: archived } } }] }) { title } }', {
      input: { id: target.id, title: 'Renamed' },
    });
    assert.equal(passed.updatePost.title, 'Renamed');

    const missing = await gql(t.api, apiId, 'mutation { updatePost(input: { id: "does-not-exist", title: "x" }) { id } }');
    assert.equal(missing.errors![0]!.errorType, 'DynamoDB:ConditionalCheckFailedException');
    const requiredNull = await gql(t.api, apiId, 'mutation ($id: ID!) { updatePost(input: { id: $id, title: null }) { id } }', { id: target.id });
    assert.equal(requiredNull.errors![0]!.errorType, 'ValidationError');
    assert.match(requiredNull.errors![0]!.message, /Post\.title is required/);

    const createCond = await gql(t.api, apiId, 'mutation { createPost(input: { title: "c" }, condition: { title: { attributeExists: true } }) { id } }');
    assert.equal(createCond.errors![0]!.errorType, 'DynamoDB:ConditionalCheckFailedException');
    const createCondOk = await ok(t.api, apiId, 'mutation { createPost(input: { title: "c" }, condition: { title: { attributeExists: false } }) { title } }');
    assert.equal(createCondOk.createPost.title, 'c');
  });

  it('deletes with and without conditions', async () => {
    const target = posts[11]!;
    const refused = await gql(t.api, apiId, 'mutation ($id: ID!) { deletePost(input: { id: $id }, condition: { published: { eq: true } }) { id } }', { id: target.id });
    assert.equal(refused.errors![0]!.errorType, 'DynamoDB:ConditionalCheckFailedException');
    const deleted = await ok(t.api, apiId, 'mutation ($id: ID!) { deletePost(input: { id: $id }, condition: { published: { eq: false } }) { id title } }', { id: target.id });
    assert.deepEqual(deleted.deletePost, { id: target.id, title: target.title });
    const again = await gql(t.api, apiId, 'mutation ($id: ID!) { deletePost(input: { id: $id }) { id } }', { id: target.id });
    assert.equal(again.errors![0]!.errorType, 'DynamoDB:ConditionalCheckFailedException');
    posts = posts.filter((p) => p.id !== target.id);
  });

  it('queries the secondary index by partition, sort-key condition and direction', async () => {
    const q = 'query ($c: String!, $r: ModelIntKeyConditionInput, $d: ModelSortDirection, $f: ModelPostFilterInput, $l: Int, $n: String) { listPostByCategoryAndRating(category: $c, rating: $r, sortDirection: $d, filter: $f, limit: $l, nextToken: $n) { items { id rating category } nextToken } }';
    const featured = posts.filter((p) => p.category === 'featured');
    const all: any[] = [];
    let n: string | null = null;
    do {
      const data: any = await ok(t.api, apiId, q, { c: 'featured', l: 7, n });
      all.push(...data.listPostByCategoryAndRating.items);
      n = data.listPostByCategoryAndRating.nextToken;
    } while (n);
    assert.equal(all.length, featured.length);
    assert.ok(all.every((p) => p.category === 'featured'));
    const ratings = all.map((p) => p.rating);
    assert.deepEqual(ratings, [...ratings].sort((a, b) => a - b));
    const desc = await ok(t.api, apiId, q, { c: 'featured', d: 'DESC', r: { between: [0, 5] }, l: 1000 });
    const descRatings = desc.listPostByCategoryAndRating.items.map((p: any) => p.rating);
    assert.ok(descRatings.length > 0 && descRatings.every((r: number) => r >= 0 && r <= 5));
    assert.deepEqual(descRatings, [...descRatings].sort((a: number, b: number) => b - a));
    const gt = await ok(t.api, apiId, q, { c: 'regular', r: { gt: 8 }, f: { published: { eq: true } }, l: 1000 });
    assert.deepEqual(
      gt.listPostByCategoryAndRating.items.map((p: any) => p.id).sort(),
      posts.filter((p) => p.category === 'regular' && p.rating > 8 && p.published && p.id !== posts[10]!.id).map((p) => p.id).sort(),
    );
  });

  it('custom identifiers: composite primary key get/list/update/delete', async () => {
    const regions = ['eu', 'us', 'ap'];
    for (const customerId of ['c1', 'c2']) {
      for (const [i, region] of regions.entries()) {
        await ok(t.api, apiId, 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customerId } }', { input: { customerId, region, name: `${customerId}-${region}`, tier: i } });
      }
    }
    const dup = await gql(t.api, apiId, 'mutation { createCustomer(input: { customerId: "c1", region: "eu" }) { customerId } }');
    assert.equal(dup.errors![0]!.errorType, 'DynamoDB:ConditionalCheckFailedException');
    const got = await ok(t.api, apiId, '{ getCustomer(customerId: "c1", region: "us") { customerId region name tier } }');
    assert.deepEqual(got.getCustomer, { customerId: 'c1', region: 'us', name: 'c1-us', tier: 1 });
    const partition = await ok(t.api, apiId, '{ listCustomers(customerId: "c1") { items { region } } }');
    assert.deepEqual(partition.listCustomers.items.map((c: any) => c.region), ['ap', 'eu', 'us']);
    const desc = await ok(t.api, apiId, '{ listCustomers(customerId: "c1", sortDirection: DESC, region: { ge: "eu" }) { items { region } } }');
    assert.deepEqual(desc.listCustomers.items.map((c: any) => c.region), ['us', 'eu']);
    const begins = await ok(t.api, apiId, '{ listCustomers(customerId: "c2", region: { beginsWith: "a" }) { items { name } } }');
    assert.deepEqual(begins.listCustomers.items, [{ name: 'c2-ap' }]);
    const scan = await ok(t.api, apiId, '{ listCustomers(filter: { tier: { eq: 2 } }) { items { customerId region } } }');
    assert.equal(scan.listCustomers.items.length, 2);
    const skWithoutPk = await gql(t.api, apiId, '{ listCustomers(region: { eq: "eu" }) { items { name } } }');
    assert.equal(skWithoutPk.errors![0]!.errorType, 'InvalidArgumentsError');
    const upd = await ok(t.api, apiId, 'mutation { updateCustomer(input: { customerId: "c1", region: "eu", name: "renamed" }) { name tier } }');
    assert.deepEqual(upd.updateCustomer, { name: 'renamed', tier: 0 });
    const del = await ok(t.api, apiId, 'mutation { deleteCustomer(input: { customerId: "c1", region: "eu" }) { name } }');
    assert.equal(del.deleteCustomer.name, 'renamed');
    assert.equal((await ok(t.api, apiId, '{ getCustomer(customerId: "c1", region: "eu") { name } }')).getCustomer, null);
  });

  it('composite sort keys on the primary key and on an index with an enum partition key', async () => {
    const rows = [
      ['hall', '2024-05-01', 1, 'draft'],
      ['hall', '2024-05-01', 2, 'published'],
      ['hall', '2024-05-02', 1, 'published'],
      ['hall', '2024-06-01', 3, 'published'],
      ['yard', '2024-05-01', 1, 'published'],
    ] as const;
    for (const [venue, day, slot, kind] of rows) {
      await ok(t.api, apiId, 'mutation ($input: CreateEventInput!) { createEvent(input: $input) { venue } }', { input: { venue, day, slot, kind, title: `${venue}-${day}-${slot}` } });
    }
    const get = await ok(t.api, apiId, '{ getEvent(venue: "hall", day: "2024-05-01", slot: 2) { title kind } }');
    assert.deepEqual(get.getEvent, { title: 'hall-2024-05-01-2', kind: 'published' });
    const may = await ok(t.api, apiId, '{ listEvents(venue: "hall", daySlot: { beginsWith: { day: "2024-05-01" } }) { items { title } } }');
    assert.deepEqual(may.listEvents.items.map((e: any) => e.title), ['hall-2024-05-01-1', 'hall-2024-05-01-2']);
    const after = await ok(t.api, apiId, '{ listEvents(venue: "hall", daySlot: { gt: { day: "2024-05-01" } }) { items { title } } }');
    assert.deepEqual(after.listEvents.items.map((e: any) => e.title), ['hall-2024-05-01-1', 'hall-2024-05-01-2', 'hall-2024-05-02-1', 'hall-2024-06-01-3']);
    const exact = await ok(t.api, apiId, '{ listEvents(venue: "hall", daySlot: { eq: { day: "2024-05-02", slot: 1 } }) { items { title } } }');
    assert.deepEqual(exact.listEvents.items.map((e: any) => e.title), ['hall-2024-05-02-1']);
    const between = await ok(t.api, apiId, '{ listEvents(venue: "hall", sortDirection: DESC, daySlot: { between: [{ day: "2024-05-01", slot: 2 }, { day: "2024-06-01", slot: 9 }] }) { items { title } } }');
    assert.deepEqual(between.listEvents.items.map((e: any) => e.title), ['hall-2024-06-01-3', 'hall-2024-05-02-1', 'hall-2024-05-01-2']);
    const byKind = await ok(t.api, apiId, '{ eventsByKind(kind: published, daySlot: { ge: { day: "2024-05-01", slot: 2 } }) { items { title } } }');
    assert.deepEqual(byKind.eventsByKind.items.map((e: any) => e.title), ['hall-2024-05-01-2', 'hall-2024-05-02-1', 'hall-2024-06-01-3']);
    const byTitle = await ok(t.api, apiId, '{ eventsByTitle(title: "yard-2024-05-01-1") { items { venue } } }');
    assert.deepEqual(byTitle.eventsByTitle.items, [{ venue: 'yard' }]);
  });

  it('resolves hasMany, belongsTo and hasOne, and the client\'s lazy-load filter', async () => {
    const post = posts[0]!;
    const other = posts[1]!;
    for (let i = 0; i < 5; i++) await ok(t.api, apiId, 'mutation ($input: CreateCommentInput!) { createComment(input: $input) { id } }', { input: { content: `k${i}`, postId: post.id } });
    await ok(t.api, apiId, 'mutation ($input: CreateCommentInput!) { createComment(input: $input) { id } }', { input: { content: 'elsewhere', postId: other.id } });
    await ok(t.api, apiId, 'mutation ($input: CreateFeatureInput!) { createFeature(input: $input) { id } }', { input: { headline: 'big', postId: post.id } });
    const data = await ok(
      t.api,
      apiId,
      `query ($id: ID!) { getPost(id: $id) { id
         comments(limit: 2) { items { content post { id title } } nextToken }
         all: comments(sortDirection: DESC, filter: { content: { ne: "k0" } }) { items { content } nextToken }
         feature { headline post { id } } } }`,
      { id: post.id },
    );
    const p = data.getPost;
    assert.deepEqual(p.comments.items.map((c: any) => c.content), ['k0', 'k1']);
    assert.deepEqual(p.comments.items[0].post, { id: post.id, title: post.title });
    assert.equal(typeof p.comments.nextToken, 'string');
    const next = await ok(t.api, apiId, 'query ($id: ID!, $n: String) { getPost(id: $id) { comments(limit: 10, nextToken: $n) { items { content } nextToken } } }', { id: post.id, n: p.comments.nextToken });
    assert.deepEqual(next.getPost.comments.items.map((c: any) => c.content), ['k2', 'k3', 'k4']);
    assert.deepEqual(p.all.items.map((c: any) => c.content), ['k4', 'k3', 'k2', 'k1']);
    assert.deepEqual(p.feature, { headline: 'big', post: { id: post.id } });
    // What the client's lazy loader sends for post.comments(): list with filter { and: [{ postId: { eq } }] }.
    const lazy = await ok(t.api, apiId, 'query ($filter: ModelCommentFilterInput) { listComments(filter: $filter) { items { content } nextToken __typename } }', { filter: { and: [{ postId: { eq: post.id } }] } });
    assert.equal(lazy.listComments.items.length, 5);
    const orphan = await ok(t.api, apiId, 'mutation { createComment(input: { content: "orphan" }) { post { id } } }');
    assert.equal(orphan.createComment.post, null);
    const noFeature = await ok(t.api, apiId, 'query ($id: ID!) { getPost(id: $id) { feature { id } comments { items { id } } } }', { id: posts[2]!.id });
    assert.deepEqual(noFeature.getPost, { feature: null, comments: { items: [] } });
  });

  it('honours @auth operations: a read-only model refuses mutations', async () => {
    const list = await ok(t.api, apiId, '{ listNotices { items { id } } }');
    assert.deepEqual(list.listNotices.items, []);
    const create = await gql(t.api, apiId, 'mutation { createNotice(input: { text: "x" }) { id } }');
    assert.deepEqual(create.data, { createNotice: null });
    assert.equal(create.errors![0]!.errorType, 'Unauthorized');
    assert.equal(create.errors![0]!.message, 'Not Authorized to access createNotice on type Mutation');
  });

  it('selects with aliases, fragments and operationName', async () => {
    const body = await gql(
      t.api,
      apiId,
      `query A { a: getPost(id: "my-id") { ...F } }
       query B { b: getPost(id: "my-id") { ...F } }
       fragment F on Post { id title }`,
    );
    assert.match(body.errors![0]!.message, /Must provide operation name/);
    const res = await t.api.execute(apiId, { query: 'query A { a: getPost(id: "my-id") { ...F } } query B { b: getPost(id: "my-id") { ...F } } fragment F on Post { id title }', operationName: 'B', headers: { 'x-api-key': API_KEY } });
    assert.deepEqual(res.body, { data: { b: { id: 'my-id', title: 'Mine' } } });
  });
});
