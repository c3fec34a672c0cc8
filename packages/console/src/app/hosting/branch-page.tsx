import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { amplify, isFinished, siteUrl, type JobSummary } from '../api/amplify.ts';
import { Button, EmptyState, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { param, paths } from './paths.ts';

const PAGE_SIZE = 20;

/** A branch's jobs, newest first, a page at a time (ListJobs with nextToken); start a build from here. */
export function BranchPage({ appId: rawAppId, branchName: rawBranch }: { appId?: string; branchName?: string }) {
  const appId = param(rawAppId);
  const branchName = param(rawBranch);
  const { route } = useLocation();
  const app = useLoad(() => amplify.getApp(appId), [appId]);
  const branch = useLoad(() => amplify.getBranch(appId, branchName), [appId, branchName]);
  // The tokens of the pages seen so far: page n is fetched with tokens[n].
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [pageIndex, setPageIndex] = useState(0);
  const jobs = useLoad(() => amplify.listJobs(appId, branchName, tokens[pageIndex], PAGE_SIZE), [appId, branchName, pageIndex]);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  // While a job on screen runs, the list refreshes itself.
  const running = jobs.data?.items.some((j) => !isFinished(j.status));
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void jobs.reload(), 2000);
    return () => clearInterval(timer);
  }, [running, jobs.reload]);
  const next = () => {
    const token = jobs.data?.nextToken;
    if (!token) return;
    setTokens((t) => [...t.slice(0, pageIndex + 1), token]);
    setPageIndex(pageIndex + 1);
  };
  const start = async () => {
    setStarting(true);
    setError(undefined);
    try {
      const job: JobSummary = await amplify.startJob(appId, branchName, { jobType: 'RELEASE', jobReason: 'Started from the console' });
      route(paths.job(appId, branchName, job.jobId));
    } catch (thrown) {
      setError(thrown as Error);
      setStarting(false);
    }
  };
  return (
    <main class="page">
      <p><a href={paths.app(appId)}>← {app.data?.name ?? appId}</a></p>
      <div class="page-head">
        <div>
          <h1>{branchName}</h1>
          {app.data && <p><a class="site-link" href={siteUrl(app.data, branchName)} target="_blank" rel="noopener">Open live site ↗</a></p>}
          {branch.data && <p class="muted">Auto build {branch.data.enableAutoBuild ? 'on' : 'off'}{branch.data.stage !== 'NONE' && ` · ${branch.data.stage}`}</p>}
        </div>
        <Button busy={starting} onClick={start}>Run build</Button>
      </div>
      <ErrorMessage error={error ?? branch.error} />
      <h2>Jobs</h2>
      {jobs.loading && !jobs.data && <Spinner label="Loading jobs" />}
      <ErrorMessage error={jobs.error} />
      {jobs.data?.items.length === 0 && pageIndex === 0 && (
        <EmptyState title="No builds yet">
          <p>Push to the branch (with auto build on), call one of its webhooks, or press <em>Run build</em>.</p>
        </EmptyState>
      )}
      {jobs.data && jobs.data.items.length > 0 && (
        <table class="table">
          <thead><tr><th>Job</th><th>Status</th><th>Type</th><th>Commit</th><th>Started</th></tr></thead>
          <tbody>
            {jobs.data.items.map((job) => (
              <tr key={job.jobId}>
                <td><a href={paths.job(appId, branchName, job.jobId)}>#{job.jobId}</a></td>
                <td><StatusBadge status={job.status} /></td>
                <td>{job.jobType}</td>
                <td class="mono small" title={job.commitMessage}>{job.commitId?.slice(0, 10)}</td>
                <td><Time value={job.startTime} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        <Button variant="secondary" disabled={pageIndex === 0} onClick={() => setPageIndex(pageIndex - 1)}>Newer</Button>
        <span class="muted">Page {pageIndex + 1}</span>
        <Button variant="secondary" disabled={!jobs.data?.nextToken} onClick={next}>Older</Button>
      </div>
    </main>
  );
}
