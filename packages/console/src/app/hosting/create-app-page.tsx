import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { amplify, type Platform } from '../api/amplify.ts';
import { listRepositories } from '../api/source.ts';
import { Button, ErrorMessage, Field, Spinner } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { EnvVarsEditor, toVars, type EnvRow } from './env-vars-editor.tsx';
import { paths } from './paths.ts';

/** Create an app from one of the account's repositories (or any clone URL another account shared). */
export function CreateAppPage() {
  const { route } = useLocation();
  const repos = useLoad(() => listRepositories(), []);
  const [name, setName] = useState('');
  const [repository, setRepository] = useState('');
  const [platform, setPlatform] = useState<Platform>('WEB');
  const [env, setEnv] = useState<EnvRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const pick = (cloneUrl: string) => {
    setRepository(cloneUrl);
    const repo = repos.data?.find((r) => r.cloneUrl === cloneUrl);
    if (repo && !name) setName(repo.name);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const app = await amplify.createApp({ name: name.trim(), repository: repository.trim() || undefined, platform, environmentVariables: toVars(env) });
      route(paths.app(app.appId));
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="page narrow">
      <p><a href={paths.apps}>← Apps</a></p>
      <h1>Create app</h1>
      <form onSubmit={submit} class="form">
        <Field id="repository" label="Repository" hint="The clone URL builds check out. Pick one of this account's repositories or paste another's.">
          {repos.loading && <Spinner label="Loading repositories" />}
          {repos.data && repos.data.length > 0 && (
            <select id="repository-pick" aria-label="Your repositories" value={repository} onChange={(e) => pick((e.target as HTMLSelectElement).value)}>
              <option value="">Choose a repository…</option>
              {repos.data.map((r) => <option key={r.arn} value={r.cloneUrl}>{`${r.space}/${r.project}/${r.name}`}</option>)}
            </select>
          )}
          <input id="repository" name="repository" value={repository} onInput={(e) => setRepository((e.target as HTMLInputElement).value)} placeholder="http://127.0.0.1:4750/git/default/default/my-site" spellcheck={false} />
        </Field>
        <ErrorMessage error={repos.error} />
        <Field id="name" label="App name">
          <input id="name" name="name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="platform" label="Platform" hint="WEB publishes the build's artifacts as a static site; WEB_COMPUTE runs server-rendered apps.">
          <select id="platform" value={platform} onChange={(e) => setPlatform((e.target as HTMLSelectElement).value as Platform)}>
            <option value="WEB">WEB (static)</option>
            <option value="WEB_COMPUTE">WEB_COMPUTE (server-rendered)</option>
          </select>
        </Field>
        <EnvVarsEditor rows={env} onChange={setEnv} />
        <ErrorMessage error={error} />
        <div class="actions">
          <Button type="submit" busy={busy}>Create app</Button>
          <a class="button secondary" href={paths.apps}>Cancel</a>
        </div>
      </form>
    </main>
  );
}
