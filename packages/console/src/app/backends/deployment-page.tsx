import { useEffect, useState } from 'preact/hooks';
import { backends, deploymentRunning, type Deployment, type StackEvent } from '../api/backends.ts';
import { EmptyState, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { param } from '../hosting/paths.ts';
import { backendPaths } from './paths.ts';

const POLL_MS = 1000;

/**
 * One deployment: its plan (a step per resource, with what changes and what it deletes) and its events, which
 * keep coming in while it runs (DescribeEvents from the last token, as a CLI follows them).
 */
export function DeploymentPage({ stackName: rawStack, deploymentId: rawId }: { stackName?: string; deploymentId?: string }) {
  const stackName = param(rawStack);
  const deploymentId = param(rawId);
  const [deployment, setDeployment] = useState<Deployment | undefined>();
  const [events, setEvents] = useState<StackEvent[]>([]);
  const [error, setError] = useState<Error | undefined>();
  const [followed, setFollowed] = useState(false);

  useEffect(() => {
    let live = true;
    let token: string | undefined;
    let described: Deployment | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setDeployment(undefined);
    setEvents([]);
    setError(undefined);
    setFollowed(false);
    const poll = async () => {
      try {
        const page = await backends.describeEvents(stackName, deploymentId, token);
        if (!live) return;
        token = page.nextToken;
        if (page.events.length) setEvents((seen) => [...seen, ...page.events]);
        const running = deploymentRunning(page.deploymentStatus);
        // The deployment itself (plan, error, times) is read again only when its status moved.
        if (described?.status !== page.deploymentStatus) {
          described = await backends.describeDeployment(stackName, deploymentId);
          if (!live) return;
          setDeployment(described);
        }
        setFollowed(running);
        if (running) timer = setTimeout(poll, POLL_MS);
      } catch (thrown) {
        if (live) setError(thrown as Error);
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [stackName, deploymentId]);

  return (
    <main class="page">
      <p><a href={backendPaths.stackTab(stackName, 'deployments')}>← {stackName}</a></p>
      <ErrorMessage error={error} />
      {!deployment && !error && <Spinner label="Loading deployment" />}
      {deployment && (
        <>
          <div class="page-head">
            <div>
              <h1>Deployment <span class="mono">{deployment.deploymentId}</span> <StatusBadge status={deployment.status} /></h1>
              <p class="muted">{deployment.kind} by <span title={deployment.principalArn}>{deployment.principalArn}</span> · started <Time value={deployment.startedAt ?? deployment.createdAt} /> · ended <Time value={deployment.endedAt} /></p>
            </div>
            {followed && <span class="following"><Spinner label="Following events" /> following</span>}
          </div>
          {deployment.error && <p class="error" role="alert">{deployment.error}</p>}
          <h2>Plan</h2>
          {!deployment.plan?.steps.length ? (
            <p class="muted">{deployment.kind === 'DELETE' ? 'Deletes every resource of the stack.' : 'No plan was recorded.'}</p>
          ) : (
            <ol class="steps" aria-label="Plan steps">
              {deployment.plan.steps.map((step) => (
                <li key={step.resource} class="card" data-step={step.resource}>
                  <div class="step-head"><strong>{step.resource}</strong> <span class="mono small muted">{step.type}</span> <span class={`badge plan-${step.action}`}>{step.action}</span></div>
                  {step.details.length > 0 && <ul>{step.details.map((d) => <li key={d}>{d}</li>)}</ul>}
                  {step.deletes.length > 0 && <ul class="error">{step.deletes.map((d) => <li key={d}>Deletes {d}</li>)}</ul>}
                </li>
              ))}
            </ol>
          )}
          <h2>Events</h2>
          {events.length === 0 ? (
            <EmptyState title="No events yet"><p>Events appear as the deployment moves through its resources.</p></EmptyState>
          ) : (
            <table class="table" aria-label="Events" aria-live="polite">
              <thead><tr><th>Time</th><th>Resource</th><th>Type</th><th>Status</th><th>Reason</th></tr></thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.seq} data-event={`${e.logicalResourceId} ${e.resourceStatus}`}>
                    <td><Time value={e.timestamp} /></td>
                    <td>{e.logicalResourceId}</td>
                    <td class="mono small">{e.resourceType}</td>
                    <td><StatusBadge status={e.resourceStatus} /></td>
                    <td class="small">{e.resourceStatusReason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </main>
  );
}
