import { useEffect, useMemo, useState } from 'preact/hooks';
import { actionFinished, codecatalyst, runFinished, type GraphAction, type Run, type RunAction } from '../api/codecatalyst.ts';
import { Button, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { param } from '../hosting/paths.ts';
import { ActionLog } from './action-log.tsx';
import { wfPaths } from './paths.ts';
import { WorkflowGraph } from './workflow-graph.tsx';

/**
 * One run: the workflow's graph coloured by each action's status (refreshed while the run is active), and the
 * chosen action's details: its log (followed while it runs), output variables, approvals; stop, retry, approve.
 */
export function RunPage({ space: rawSpace, project: rawProject, runId: rawRunId }: { space?: string; project?: string; runId?: string }) {
  const space = param(rawSpace);
  const project = param(rawProject);
  const runId = param(rawRunId);
  const loaded = useLoad(() => codecatalyst.getRun(space, project, runId), [space, project, runId]);
  const [run, setRun] = useState<Run | undefined>();
  useEffect(() => void (loaded.data && setRun(loaded.data)), [loaded.data]);
  const finished = run ? runFinished(run.status) : false;
  useEffect(() => {
    if (!run || finished) return;
    const timer = setInterval(() => void loaded.reload(), 1500);
    return () => clearInterval(timer);
  }, [!!run, finished, loaded.reload]);
  // The workflow's graph as its branch has it now; actions it no longer has are drawn without edges.
  const workflow = useLoad(async () => (run ? codecatalyst.getWorkflow(space, project, run.workflowName, { repository: run.repository, branch: run.branchName }).catch(() => undefined) : undefined),
    [space, project, run?.workflowName, run?.repository, run?.branchName]);
  const graph = useMemo<GraphAction[]>(() => {
    if (!run) return [];
    const known = new Map((workflow.data?.graph ?? []).map((a) => [a.name, a]));
    const names = new Set(run.actions.map((a) => a.name));
    return run.actions.map((a) => {
      const g = known.get(a.name);
      return g ? { ...g, dependsOn: g.dependsOn.filter((d) => names.has(d)) } : { name: a.name, identifier: '', kind: 'build', dependsOn: [], groupPath: [] };
    });
  }, [run, workflow.data]);
  const [selected, setSelected] = useState<string | undefined>();
  const focus = selected ?? pickAction(run);
  const [acting, setActing] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const act = async (what: string, call: () => Promise<Run>) => {
    setActing(what);
    setError(undefined);
    try {
      setRun(await call());
      await loaded.reload();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setActing(undefined);
    }
  };
  const action = run?.actions.find((a) => a.name === focus);
  const kind = graph.find((g) => g.name === focus)?.kind;
  return (
    <main class="page wide">
      <p><a href={wfPaths.projectTab(space, project, 'runs')}>← {project} runs</a></p>
      {loaded.loading && !run && <Spinner label="Loading run" />}
      <ErrorMessage error={run ? undefined : loaded.error} />
      {run && (
        <>
          <div class="page-head">
            <div>
              <h1>Run <span class="mono">{run.id.slice(0, 12)}</span> <StatusBadge status={run.status} /></h1>
              <p class="muted">
                <a href={wfPaths.workflow(space, project, run.workflowName, { repository: run.repository, branch: run.branchName })}>{run.workflowName}</a>
                {' '}· {run.trigger} · {run.repository} · {run.branchName} · commit <span class="mono">{run.commitId.slice(0, 10)}</span> · started <Time value={run.startTime} />
                {run.endTime && <> · ended <Time value={run.endTime} /></>}
              </p>
              {run.statusReason && <p class="error">{run.statusReason}</p>}
            </div>
            <div class="actions">
              {!finished && <Button variant="danger" busy={acting === 'stop'} onClick={() => act('stop', () => codecatalyst.stopRun(space, project, run.id))}>Stop run</Button>}
              {(run.status === 'FAILED' || run.status === 'STOPPED') && <Button variant="secondary" busy={acting === 'retry'} onClick={() => act('retry', () => codecatalyst.retryRun(space, project, run.id))}>Retry failed actions</Button>}
            </div>
          </div>
          <ErrorMessage error={error ?? (loaded.error && run ? loaded.error : undefined)} />
          <section class="card" aria-label="Run graph">
            <WorkflowGraph actions={graph} statuses={Object.fromEntries(run.actions.map((a) => [a.name, a.status]))} selected={focus} onSelect={setSelected} />
          </section>
          {action && (
            <section class="action-detail" aria-label={`Action ${action.name}`}>
              <div class="page-head">
                <h2>{action.name} <StatusBadge status={action.status} /></h2>
                {action.status === 'WAITING_FOR_APPROVAL' && (
                  <Button busy={acting === 'approve'} onClick={() => act('approve', () => codecatalyst.approve(space, project, run.id, action.name))}>Approve</Button>
                )}
              </div>
              <ActionFacts action={action} />
              {kind !== 'approval' && action.status !== 'WAITING' && action.status !== 'SKIPPED' && (
                <ActionLog key={`${action.name}#${action.attempt}`} space={space} project={project} runId={run.id} action={action.name} attempt={action.attempt} />
              )}
              {action.status === 'WAITING' && <p class="muted">Waiting for the actions it depends on.</p>}
            </section>
          )}
        </>
      )}
    </main>
  );
}

/** The action worth looking at first: one that runs or waits for approval, else one that failed, else the last. */
function pickAction(run: Run | undefined): string | undefined {
  if (!run) return undefined;
  const a = run.actions;
  return (a.find((x) => x.status === 'IN_PROGRESS' || x.status === 'WAITING_FOR_APPROVAL') ?? a.find((x) => x.status === 'FAILED') ?? [...a].reverse().find((x) => actionFinished(x.status)) ?? a[0])?.name;
}

function ActionFacts({ action }: { action: RunAction }) {
  const variables = Object.entries(action.outputVariables ?? {});
  return (
    <div class="facts">
      <dl>
        <dt>Attempt</dt><dd>{action.attempt}</dd>
        <dt>Started</dt><dd><Time value={action.startTime} /></dd>
        <dt>Ended</dt><dd><Time value={action.endTime} /></dd>
        {action.exitCode !== undefined && <><dt>Exit code</dt><dd>{action.exitCode}</dd></>}
        {action.roleArn && <><dt>Role</dt><dd class="mono small">{action.roleArn}</dd></>}
        {action.approvals.length > 0 && <><dt>Approved by</dt><dd>{action.approvals.map((a) => <div key={a} class="mono small">{a}</div>)}</dd></>}
      </dl>
      {action.failureReason && <p class="error">{action.failureReason}</p>}
      {variables.length > 0 && (
        <table class="table" aria-label="Output variables">
          <thead><tr><th>Output variable</th><th>Value</th></tr></thead>
          <tbody>{variables.map(([k, v]) => <tr key={k}><td class="mono">{k}</td><td class="mono">{v}</td></tr>)}</tbody>
        </table>
      )}
    </div>
  );
}
