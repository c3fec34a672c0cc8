import { useEffect, useState } from 'preact/hooks';
import { amplify, type App } from '../api/amplify.ts';
import { ErrorMessage, Spinner } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { AppSettingsPanel } from './app-settings-panel.tsx';
import { BranchesPanel } from './branches-panel.tsx';
import { param, paths } from './paths.ts';
import { WebhooksPanel } from './webhooks-panel.tsx';

const TABS = [['branches', 'Branches'], ['webhooks', 'Webhooks'], ['settings', 'Settings']] as const;
type Tab = (typeof TABS)[number][0];

/** One app: its branches, webhooks and settings, one tab each (each tab has its own URL). */
export function AppPage({ appId: rawAppId, tab: rawTab }: { appId?: string; tab?: string }) {
  const appId = param(rawAppId);
  const tab: Tab = TABS.some(([id]) => id === rawTab) ? (rawTab as Tab) : 'branches';
  const loaded = useLoad(() => amplify.getApp(appId), [appId]);
  const [app, setApp] = useState<App | undefined>();
  useEffect(() => setApp(loaded.data), [loaded.data]);
  const branches = useLoad(async () => {
    const all = [];
    let nextToken: string | undefined;
    do {
      const page = await amplify.listBranches(appId, nextToken);
      all.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }, [appId]);
  return (
    <main class="page">
      <p><a href={paths.apps}>← Apps</a></p>
      {loaded.loading && !app && <Spinner label="Loading app" />}
      <ErrorMessage error={loaded.error} />
      {app && (
        <>
          <div class="page-head">
            <div>
              <h1>{app.name}</h1>
              <p class="muted">{app.appId} · {app.platform} · {app.repository ?? 'no repository'}</p>
            </div>
          </div>
          <nav class="tabs" aria-label="App sections">
            {TABS.map(([id, label]) => (
              <a key={id} href={paths.appTab(app.appId, id)} class={`tab${tab === id ? ' active' : ''}`} aria-current={tab === id ? 'page' : undefined}>{label}</a>
            ))}
          </nav>
          {tab === 'branches' && <BranchesPanel app={app} branches={branches} />}
          {tab === 'webhooks' && (branches.data ? <WebhooksPanel app={app} branches={branches.data} /> : <Spinner label="Loading branches" />)}
          {tab === 'settings' && <AppSettingsPanel key={app.appId} app={app} onSaved={setApp} />}
        </>
      )}
    </main>
  );
}
