// Runs the unmodified aws-amplify library as a signed-in user of a Gantry backend: configured with the
// deployed amplify_outputs.json plus the one setting outputs cannot carry (the user pool's endpoint), it signs in
// with SRP and uses the data client in its default user-pool mode. Prints one JSON line with what it saw.
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { fetchAuthSession, signIn } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import WebSocket from 'ws';

// Node 20 has no global WebSocket; the library uses the standard one when present.
(globalThis as any).WebSocket ??= WebSocket;

const input = JSON.parse(process.argv[2]!) as { outputs: any; endpoint: string; email: string; password: string };
Amplify.configure(input.outputs);
const config = Amplify.getConfig();
Amplify.configure({ ...config, Auth: { Cognito: { ...config.Auth!.Cognito, userPoolEndpoint: input.endpoint, identityPoolEndpoint: input.endpoint } } } as ResourcesConfig);

const step = (name: string) => process.stderr.write(`step: ${name}\n`);
const check = <T>(r: { data: T; errors?: unknown }): T => {
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data;
};
const result: Record<string, unknown> = {};

step('signIn');
result.signedIn = (await signIn({ username: input.email, password: input.password })).isSignedIn;
const session = await fetchAuthSession();
const access = session.tokens!.accessToken.payload;
result.owner = `${access.sub}::${access.username}`;

const client: any = generateClient();
step('create');
const created = check(await client.models.Note.create({ body: 'from carol' })) as any;
result.created = { owner: created.owner };
step('list');
result.listed = (check(await client.models.Note.list()) as any[]).map((n) => n.body);

step('observeQuery');
result.observed = await new Promise((done, fail) => {
  const timer = setTimeout(() => fail(new Error('observeQuery did not see the new note within 15 s')), 15_000);
  let created = false;
  const sub = client.models.Note.observeQuery({ filter: { body: { beginsWith: 'carol ' } } }).subscribe({
    next: ({ items, isSynced }: { items: any[]; isSynced: boolean }) => {
      if (isSynced && !created) {
        created = true;
        // Give the subscription its start_ack before writing.
        setTimeout(() => void client.models.Note.create({ body: 'carol live' }).catch(fail), 500);
      }
      const hit = items.find((n) => n.body === 'carol live');
      if (hit) {
        clearTimeout(timer);
        sub.unsubscribe();
        done(hit.body);
      }
    },
    error: (e: unknown) => fail(new Error(`observeQuery failed: ${JSON.stringify(e)}`)),
  });
});
console.log(JSON.stringify(result));
process.exit(0);
