import { useLocation } from 'preact-iso';
import { codecatalyst } from '../api/codecatalyst.ts';
import { CreateForm } from '../components/create-form.tsx';
import { EmptyState, ErrorMessage, Spinner } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { AccountConnectionRequests } from './connections-panel.tsx';
import { wfPaths } from './paths.ts';

/** The account's spaces (ListSpaces), creating one, and the connection requests other spaces sent this account. */
export function SpacesPage() {
  const { route } = useLocation();
  const spaces = useLoad(() => codecatalyst.listSpaces(), []);
  return (
    <main class="page">
      <div class="page-head">
        <div>
          <h1>Workflows</h1>
          <p class="muted">A space holds projects; a project holds repositories whose <code>.codecatalyst/workflows/*.yaml</code> files are its workflows.</p>
        </div>
      </div>
      <h2>Spaces</h2>
      {spaces.loading && !spaces.data && <Spinner label="Loading spaces" />}
      <ErrorMessage error={spaces.error} />
      {spaces.data?.length === 0 && (
        <EmptyState title="No spaces yet">
          <p>Create a space below, then a project in it and a repository for your app's source.</p>
        </EmptyState>
      )}
      {spaces.data && spaces.data.length > 0 && (
        <ul class="cards" aria-label="Spaces">
          {spaces.data.map((s) => (
            <li class="card" key={s.name}>
              <a class="card-title" href={wfPaths.space(s.name)}>{s.name}</a>
              <div class="muted small">Account {s.account}</div>
            </li>
          ))}
        </ul>
      )}
      {spaces.data && (
        <CreateForm id="space-name" label="New space name" button="Create space"
          hint="Letters, digits, '-', '_' and '.'; unique on this server."
          onCreate={async (name) => route(wfPaths.space((await codecatalyst.createSpace(name)).name))} />
      )}
      <AccountConnectionRequests />
    </main>
  );
}
