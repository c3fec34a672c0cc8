import { useEffect, useRef, useState } from 'preact/hooks';
import { codecatalyst, runFinished } from '../api/codecatalyst.ts';
import { Button, EmptyState, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { wfPaths } from './paths.ts';

const PAGE = 25;
/** ListWorkflowRuns answers at most this many (newest first). */
const API_LIMIT = 500;

/**
 * A project's (or one workflow's) runs, newest first, a page at a time; refreshing while a run on screen is
 * still going. ListWorkflowRuns has no continuation token, so "Show older" asks for a longer list, up to the
 * API's limit of 500.
 */
export function RunsPanel({ space, project, workflowName }: { space: string; project: string; workflowName?: string }) {
  // How many runs are on screen: read by every (re)load, so showing older ones keeps the list in place meanwhile.
  const wanted = useRef(PAGE);
  const [count, setCount] = useState(PAGE);
  const runs = useLoad(() => codecatalyst.listRuns(space, project, { workflowName, maxResults: wanted.current }), [space, project, workflowName]);
  const active = runs.data?.some((r) => !runFinished(r.status));
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void runs.reload(), 2500);
    return () => clearInterval(timer);
  }, [active, runs.reload]);
  const more = runs.data?.length === count && count < API_LIMIT;
  return (
    <section aria-label="Runs">
      {runs.loading && !runs.data && <Spinner label="Loading runs" />}
      <ErrorMessage error={runs.error} />
      {runs.data?.length === 0 && (
        <EmptyState title="No runs yet">
          <p>A push to a branch a workflow's trigger names starts a run; so does <em>Run</em> on a workflow's page.</p>
        </EmptyState>
      )}
      {runs.data && runs.data.length > 0 && (
        <table class="table" aria-label="Run list">
          <thead><tr><th>Run</th><th>Status</th><th>Workflow</th><th>Trigger</th><th>Commit</th><th>Started</th></tr></thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.id}>
                <td><a href={wfPaths.run(space, project, r.id)} class="mono">{r.id.slice(0, 12)}</a></td>
                <td><StatusBadge status={r.status} /></td>
                <td>{r.workflowName}</td>
                <td>{r.trigger}</td>
                <td class="mono small">{r.commitId.slice(0, 10)} · {r.branchName}</td>
                <td class="small"><Time value={r.startTime} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && <div class="pager"><Button variant="secondary" busy={runs.loading} onClick={() => {
        wanted.current = count + PAGE;
        setCount(wanted.current);
        void runs.reload();
      }}>Show older runs</Button></div>}
    </section>
  );
}
