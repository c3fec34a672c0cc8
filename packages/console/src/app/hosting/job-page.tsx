import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { amplify, isFinished, siteUrl, type Step } from '../api/amplify.ts';
import { Button, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { LiveLog } from './live-log.tsx';
import { param, paths } from './paths.ts';

/** One job: its status and steps, each step's live log, stop while it runs, redeploy (a RETRY job) once done. */
export function JobPage({ appId: rawAppId, branchName: rawBranch, jobId: rawJob }: { appId?: string; branchName?: string; jobId?: string }) {
  const appId = param(rawAppId);
  const branchName = param(rawBranch);
  const jobId = param(rawJob);
  const { route } = useLocation();
  const app = useLoad(() => amplify.getApp(appId), [appId]);
  const job = useLoad(() => amplify.getJob(appId, branchName, jobId), [appId, branchName, jobId]);
  const [acting, setActing] = useState<'stop' | 'retry' | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const status = job.data?.summary.status;
  const finished = status ? isFinished(status) : false;
  useEffect(() => {
    if (!status || finished) return;
    const timer = setInterval(() => void job.reload(), 1500);
    return () => clearInterval(timer);
  }, [status, finished, job.reload]);
  // The first log URL each step got: later ones only differ in their signature.
  const [logUrls, setLogUrls] = useState<Record<string, string>>({});
  useEffect(() => {
    const fresh = (job.data?.steps ?? []).filter((s): s is Step & { logUrl: string } => !!s.logUrl && !logUrls[s.stepName]);
    if (fresh.length) setLogUrls((urls) => ({ ...urls, ...Object.fromEntries(fresh.map((s) => [s.stepName, s.logUrl])) }));
  }, [job.data]);
  const act = async (what: 'stop' | 'retry') => {
    setActing(what);
    setError(undefined);
    try {
      if (what === 'stop') {
        await amplify.stopJob(appId, branchName, jobId);
        await job.reload();
      } else {
        const retry = await amplify.startJob(appId, branchName, { jobType: 'RETRY', jobId });
        route(paths.job(appId, branchName, retry.jobId));
      }
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setActing(undefined);
    }
  };
  const summary = job.data?.summary;
  return (
    <main class="page">
      <p><a href={paths.branch(appId, branchName)}>← {branchName}</a></p>
      {job.loading && !job.data && <Spinner label="Loading job" />}
      <ErrorMessage error={job.data ? undefined : job.error} />
      {summary && (
        <>
          <div class="page-head">
            <div>
              <h1>Job #{summary.jobId} <StatusBadge status={summary.status} /></h1>
              <p class="muted">
                {summary.jobType} · commit <span class="mono">{summary.commitId?.slice(0, 12)}</span> {summary.commitMessage && `· ${summary.commitMessage}`} · started <Time value={summary.startTime} />
                {summary.endTime !== undefined && <> · ended <Time value={summary.endTime} /></>}
              </p>
              {app.data && summary.status === 'SUCCEED' && <p><a class="site-link" href={siteUrl(app.data, branchName)} target="_blank" rel="noopener">Open live site ↗</a></p>}
            </div>
            <div class="actions">
              {!finished && <Button variant="danger" busy={acting === 'stop'} onClick={() => act('stop')}>Stop job</Button>}
              {finished && <Button variant="secondary" busy={acting === 'retry'} onClick={() => act('retry')}>Redeploy this version</Button>}
            </div>
          </div>
          <ErrorMessage error={error} />
          <ol class="steps" aria-label="Steps">
            {job.data!.steps.map((step) => (
              <li key={step.stepName} class="step">
                <div class="step-head">
                  <strong>{step.stepName}</strong> <StatusBadge status={step.status} />
                  {step.statusReason && <span class="muted small">{step.statusReason}</span>}
                </div>
                {logUrls[step.stepName] ? (
                  <LiveLog stepName={step.stepName} logUrl={logUrls[step.stepName]!} follow={!isFinished(step.status)} />
                ) : (
                  !isFinished(step.status) && <p class="muted small">Waiting for this step to start…</p>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </main>
  );
}
