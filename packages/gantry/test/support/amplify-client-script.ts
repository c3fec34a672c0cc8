// Runs the unmodified aws-amplify library against a Gantry data API, configured only with the generated
// amplify_outputs.json. A separate process, because Node reads the local CA (NODE_EXTRA_CA_CERTS) at start.
// Prints one JSON line with what it saw.
import { readFileSync } from 'node:fs';
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import WebSocket from 'ws';

// Node 20 has no global WebSocket; the library uses the standard one when present.
(globalThis as any).WebSocket ??= WebSocket;

const outputs = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
Amplify.configure(outputs);
// The one line an app adds on Gantry (README): with an identity pool in the outputs, aws-amplify fetches guest
// credentials even in API-key mode, from AWS unless told the pools' endpoint, which outputs cannot carry.
if (outputs.auth) {
  const config = Amplify.getConfig();
  const endpoint = new URL(outputs.data.url).origin;
  Amplify.configure({ ...config, Auth: { Cognito: { ...config.Auth!.Cognito, userPoolEndpoint: endpoint, identityPoolEndpoint: endpoint } } } as ResourcesConfig);
}
const client: any = generateClient();
const other: any = generateClient();
const result: Record<string, unknown> = {};
const check = <T>(r: { data: T; errors?: unknown }): T => {
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data;
};

const step = (name: string) => process.stderr.write(`step: ${name}\n`);
step('create');
const created = check(await client.models.Todo.create({ content: 'first' })) as any;
result.created = { content: created.content, hasId: typeof created.id === 'string', hasCreatedAt: typeof created.createdAt === 'string' };
result.got = (check(await client.models.Todo.get({ id: created.id })) as any).content;
result.updated = (check(await client.models.Todo.update({ id: created.id, content: 'changed' })) as any).content;
check(await client.models.Todo.delete({ id: created.id }));
result.afterDelete = check(await client.models.Todo.get({ id: created.id }));

step('bulk create');
for (let i = 0; i < 250; i++) {
  check(await client.models.Todo.create({ content: `item-${String(i).padStart(3, '0')}` }));
  if (i % 50 === 0) step(`created ${i}`);
}
step('list');
let seen = 0;
let pages = 0;
let nextToken: string | null | undefined;
do {
  const page = await client.models.Todo.list({ limit: 100, nextToken });
  seen += check(page as any as { data: unknown[] }).length;
  nextToken = page.nextToken;
  step(`page ${pages}: ${seen} seen, nextToken ${String(nextToken).slice(0, 20)}`);
  pages++;
} while (nextToken);
result.listed = { seen, pages };
const filtered = check(await client.models.Todo.list({ filter: { content: { beginsWith: 'item-01' } }, limit: 1000 })) as any[];
result.filtered = filtered.map((t) => t.content).sort();

step('observeQuery');
// observeQuery: another client's create appears in the live snapshot without a reload.
result.observed = await new Promise((done, fail) => {
  const timer = setTimeout(() => fail(new Error('observeQuery did not see the other client\'s create within 15 s')), 15_000);
  let created = false;
  const sub = client.models.Todo.observeQuery({ filter: { content: { beginsWith: 'live-' } } }).subscribe({
    next: ({ items, isSynced }: { items: any[]; isSynced: boolean }) => {
      if (isSynced && !created) {
        created = true;
        // Give the subscription its start_ack before the other client writes.
        setTimeout(() => other.models.Todo.create({ content: 'live-from-other-client' }).then(check).catch(fail), 500);
      }
      const hit = items.find((t) => t.content === 'live-from-other-client');
      if (hit) {
        clearTimeout(timer);
        sub.unsubscribe();
        done(hit.content);
      }
    },
    error: (error: unknown) => fail(error instanceof Error ? error : new Error(JSON.stringify(error))),
  });
});
console.log(JSON.stringify(result));
process.exit(0);
