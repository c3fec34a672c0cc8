import { backends, type StackSummary } from '../api/backends.ts';
import { Pager } from '../components/pager.tsx';
import { EmptyState, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useTokenPages } from '../components/use-pages.ts';
import { paths as hostingPaths } from '../hosting/paths.ts';
import { region } from '../state/session.ts';
import { backendPaths } from './paths.ts';

/** The account's backend stacks in the current region (ListStacks), by hosting app and branch, then sandboxes. */
export function StacksPage() {
  const paged = useTokenPages((token) => backends.listStacks(token), [region.value]);
  const { page } = paged;
  const stacks = page.data?.items ?? [];
  const branches = stacks.filter((s) => s.backendId.type === 'branch');
  const sandboxes = stacks.filter((s) => s.backendId.type === 'sandbox');
  const apps = [...new Set(branches.map((s) => s.backendId.namespace))].sort();
  return (
    <main class="page">
      <div class="page-head">
        <h1>Backends <small class="muted">{region.value}</small></h1>
      </div>
      {page.loading && !page.data && <Spinner label="Loading backends" />}
      <ErrorMessage error={page.error} />
      {page.data && stacks.length === 0 && paged.index === 0 && (
        <EmptyState title="No backends in this region yet">
          <p>A backend (data, auth) is deployed from an app's <code>amplify/</code> folder, as a stack per branch or per sandbox.</p>
          <p>For your own sandbox, run this in the app's folder with credentials of this account and region:</p>
          <pre class="curl"><code>npx ampx sandbox</code></pre>
          <p>For a branch, deploy it from a hosting build or a workflow step:</p>
          <pre class="curl"><code>npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID</code></pre>
        </EmptyState>
      )}
      {apps.map((appId) => (
        <section key={appId} aria-label={`Branches of app ${appId}`}>
          <h2 class="section-title">App <a href={hostingPaths.app(appId)}>{appId}</a></h2>
          <StackTable stacks={branches.filter((s) => s.backendId.namespace === appId)} label="Branch" />
        </section>
      ))}
      {sandboxes.length > 0 && (
        <section aria-label="Sandboxes">
          <h2 class="section-title">Sandboxes</h2>
          <StackTable stacks={sandboxes} label="Sandbox" />
        </section>
      )}
      <Pager paged={paged} />
    </main>
  );
}

function StackTable({ stacks, label }: { stacks: StackSummary[]; label: string }) {
  return (
    <table class="table">
      <thead><tr><th>{label}</th><th>Stack</th><th>Status</th><th>Updated</th></tr></thead>
      <tbody>
        {stacks.map((s) => (
          <tr key={s.stackName}>
            <td>{label === 'Sandbox' ? `${s.backendId.namespace} · ${s.backendId.name}` : s.backendId.name}</td>
            <td><a href={backendPaths.stack(s.stackName)} class="mono small">{s.stackName}</a></td>
            <td><StatusBadge status={s.status} /></td>
            <td><Time value={s.updatedAt} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
