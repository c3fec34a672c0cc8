import { useState } from 'preact/hooks';
import { amplify, type App } from '../api/amplify.ts';
import { Button, EmptyState, ErrorMessage, Spinner, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { region } from '../state/session.ts';
import { paths } from './paths.ts';

/** The account's hosting apps in the current region, a page at a time. */
export function AppsPage() {
  const [pages, setPages] = useState<App[][]>([]);
  const [nextToken, setNextToken] = useState<string | undefined>();
  const [more, setMore] = useState<{ busy: boolean; error?: Error }>({ busy: false });
  const first = useLoad(async () => {
    const page = await amplify.listApps();
    setPages([]);
    setNextToken(page.nextToken);
    return page.items;
  }, [region.value]);
  const apps = [...(first.data ?? []), ...pages.flat()];
  const loadMore = async () => {
    setMore({ busy: true });
    try {
      const page = await amplify.listApps(nextToken);
      setPages((p) => [...p, page.items]);
      setNextToken(page.nextToken);
      setMore({ busy: false });
    } catch (error) {
      setMore({ busy: false, error: error as Error });
    }
  };
  return (
    <main class="page">
      <div class="page-head">
        <h1>Hosting apps <small class="muted">{region.value}</small></h1>
        <a class="button primary" href={paths.newApp}>Create app</a>
      </div>
      {first.loading && !first.data && <Spinner label="Loading apps" />}
      <ErrorMessage error={first.error} />
      {first.data && apps.length === 0 && (
        <EmptyState title="No apps in this region yet">
          <p>An app builds a repository's branches and serves each one as a live site.</p>
          <p><a class="button primary" href={paths.newApp}>Create an app from a repository</a></p>
          <p class="muted">No repository yet? Create one with <code>npx gantry repos create my-site</code> and push to it, then come back.</p>
        </EmptyState>
      )}
      {apps.length > 0 && (
        <ul class="cards" aria-label="Apps">
          {apps.map((app) => (
            <li class="card app-card" key={app.appId}>
              <a href={paths.app(app.appId)} class="card-title">{app.name}</a>
              <div class="muted">{app.appId} · {app.platform}</div>
              <div class="muted small">{app.repository ?? 'No repository'}</div>
              <div class="muted small">Updated <Time value={app.updateTime} /></div>
            </li>
          ))}
        </ul>
      )}
      <ErrorMessage error={more.error} />
      {nextToken && <Button variant="secondary" busy={more.busy} onClick={loadMore}>Load more</Button>}
    </main>
  );
}
