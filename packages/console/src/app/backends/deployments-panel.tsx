import { useEffect } from 'preact/hooks';
import { backends, deploymentRunning } from '../api/backends.ts';
import { Pager } from '../components/pager.tsx';
import { EmptyState, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useTokenPages } from '../components/use-pages.ts';
import { backendPaths } from './paths.ts';

/** The stack's deployments, newest first (ListDeployments), refreshing while one of them runs. */
export function DeploymentsPanel({ stackName }: { stackName: string }) {
  const paged = useTokenPages((token) => backends.listDeployments(stackName, token), [stackName]);
  const { page } = paged;
  const running = page.data?.items.some((d) => deploymentRunning(d.status));
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void page.reload(), 2000);
    return () => clearInterval(timer);
  }, [running, page.reload]);
  return (
    <section aria-labelledby="deployments-heading">
      <h2 id="deployments-heading">Deployments</h2>
      {page.loading && !page.data && <Spinner label="Loading deployments" />}
      <ErrorMessage error={page.error} />
      {page.data?.items.length === 0 && paged.index === 0 && (
        <EmptyState title="No deployments">
          <p>Each <code>ampx pipeline-deploy</code> or sandbox change is a deployment with a plan and events.</p>
        </EmptyState>
      )}
      {page.data && page.data.items.length > 0 && (
        <table class="table" aria-label="Deployments">
          <thead><tr><th>Deployment</th><th>Kind</th><th>Status</th><th>By</th><th>Started</th></tr></thead>
          <tbody>
            {page.data.items.map((d) => (
              <tr key={d.deploymentId}>
                <td><a href={backendPaths.deployment(stackName, d.deploymentId)} class="mono">{d.deploymentId}</a></td>
                <td>{d.kind}</td>
                <td><StatusBadge status={d.status} /></td>
                <td class="small" title={d.principalArn}>{d.principalArn.split(/[:/]/).pop()}</td>
                <td><Time value={d.startedAt ?? d.createdAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager paged={paged} previous="Newer" next="Older" />
    </section>
  );
}
