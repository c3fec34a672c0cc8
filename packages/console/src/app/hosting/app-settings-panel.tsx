import { useState } from 'preact/hooks';
import { amplify, type App, type Platform } from '../api/amplify.ts';
import { Button, ErrorMessage, Field } from '../components/ui.tsx';
import { EnvVarsEditor, toRows, toVars } from './env-vars-editor.tsx';

/** Name, platform and environment variables, saved together with UpdateApp. */
export function AppSettingsPanel({ app, onSaved }: { app: App; onSaved(app: App): void }) {
  const [name, setName] = useState(app.name);
  const [platform, setPlatform] = useState<Platform>(app.platform);
  const [env, setEnv] = useState(toRows(app.environmentVariables));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      onSaved(await amplify.updateApp(app.appId, { name: name.trim(), platform, environmentVariables: toVars(env) }));
      setSaved(true);
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">App settings</h2>
      <form class="form" onSubmit={submit}>
        <Field id="app-name" label="Name">
          <input id="app-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="app-platform" label="Platform">
          <select id="app-platform" value={platform} onChange={(e) => setPlatform((e.target as HTMLSelectElement).value as Platform)}>
            <option value="WEB">WEB (static)</option>
            <option value="WEB_COMPUTE">WEB_COMPUTE (server-rendered)</option>
            {platform === 'WEB_DYNAMIC' && <option value="WEB_DYNAMIC">WEB_DYNAMIC</option>}
          </select>
        </Field>
        <EnvVarsEditor rows={env} onChange={setEnv} />
        <ErrorMessage error={error} />
        {saved && <p class="success" role="status">Saved. The next build uses these settings.</p>}
        <Button type="submit" busy={busy}>Save settings</Button>
      </form>
    </section>
  );
}
