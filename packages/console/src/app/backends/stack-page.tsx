import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { backends, type Stack } from '../api/backends.ts';
import { Button, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { param } from '../hosting/paths.ts';
import { DataPanel } from './data-panel.tsx';
import { DeploymentsPanel } from './deployments-panel.tsx';
import { OutputsPanel } from './outputs-panel.tsx';
import { backendPaths, type StackTab } from './paths.ts';

const TABS: [StackTab, string][] = [['resources', 'Resources'], ['outputs', 'Outputs'], ['deployments', 'Deployments'], ['data', 'Data']];

/** One backend stack: its resources, outputs, deployment history and data, one tab each (each tab has its own URL). */
export function StackPage({ stackName: rawName, tab: rawTab, model }: { stackName?: string; tab?: string; model?: string }) {
  const stackName = param(rawName);
  const tab: StackTab = model !== undefined ? 'data' : TABS.some(([id]) => id === rawTab) ? (rawTab as StackTab) : 'resources';
  const stack = useLoad(() => backends.describeStack(stackName), [stackName]);
  return (
    <main class="page">
      <p><a href={backendPaths.stacks}>← Backends</a></p>
      {stack.loading && !stack.data && <Spinner label="Loading stack" />}
      <ErrorMessage error={stack.error} />
      {stack.data && (
        <>
          <StackHead stack={stack.data} />
          <nav class="tabs" aria-label="Stack sections">
            {TABS.map(([id, label]) => (
              <a key={id} href={backendPaths.stackTab(stackName, id)} class={`tab${tab === id ? ' active' : ''}`} aria-current={tab === id ? 'page' : undefined}>{label}</a>
            ))}
          </nav>
          {tab === 'resources' && <ResourcesPanel stack={stack.data} />}
          {tab === 'outputs' && <OutputsPanel stack={stack.data} />}
          {tab === 'deployments' && <DeploymentsPanel stackName={stackName} />}
          {tab === 'data' && <DataPanel stack={stack.data} modelName={model === undefined ? undefined : param(model)} />}
        </>
      )}
    </main>
  );
}

function StackHead({ stack }: { stack: Stack }) {
  const { route } = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const { backendId } = stack;
  const remove = async () => {
    if (!confirm(`Delete stack ${stack.stackName}? Its data API with every item, and its user pool with every user, are deleted for good.`)) return;
    setBusy(true);
    setError(undefined);
    try {
      const deployment = await backends.deleteStack(stack.stackName);
      route(backendPaths.deployment(stack.stackName, deployment.deploymentId));
    } catch (thrown) {
      setError(thrown as Error);
      setBusy(false);
    }
  };
  return (
    <>
      <div class="page-head">
        <div>
          <h1 class="mono" style={{ wordBreak: 'break-all' }}>{stack.stackName}</h1>
          <p class="muted">
            {backendId.type === 'branch' ? `Branch ${backendId.name} of app ${backendId.namespace}` : `Sandbox ${backendId.name} of ${backendId.namespace}`}
            {' · '}<StatusBadge status={stack.status} />{' · updated '}<Time value={stack.updatedAt} />
          </p>
          {stack.statusReason && <p class="muted small">{stack.statusReason}</p>}
        </div>
        <Button variant="danger" busy={busy} onClick={remove}>Delete stack</Button>
      </div>
      <ErrorMessage error={error} />
    </>
  );
}

function ResourcesPanel({ stack }: { stack: Stack }) {
  if (stack.resources.length === 0) return <p class="muted">This stack has no resources: its last deployment left none, or it has not deployed yet.</p>;
  return (
    <table class="table" aria-label="Resources">
      <thead><tr><th>Logical ID</th><th>Type</th><th>Physical ID</th></tr></thead>
      <tbody>
        {stack.resources.map((r) => (
          <tr key={r.logicalId}><td>{r.logicalId}</td><td class="mono small">{r.type}</td><td class="mono small">{r.physicalId}</td></tr>
        ))}
      </tbody>
    </table>
  );
}
