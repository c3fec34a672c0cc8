import { useLocation } from 'preact-iso';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { codecatalyst, type GraphAction, type WorkflowIssue, type WorkflowSummary } from '../api/codecatalyst.ts';
import { Button, ErrorMessage, Field, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { param } from '../hosting/paths.ts';
import { wfPaths } from './paths.ts';
import { RunsPanel } from './runs-panel.tsx';
import { WorkflowGraph } from './workflow-graph.tsx';
import { CodeEditor, type CodeEditorHandle, type EditorIssue } from '../components/code-editor.tsx';

const STARTER = `Name: Build
SchemaVersion: "1.0"
Triggers:
  - Type: PUSH
    Branches:
      - main
Actions:
  Build:
    Identifier: aws/build@v1
    Configuration:
      Steps:
        - Run: echo "Hello from Gantry"
`;

/** A new workflow: the editor with a starter file, committed into the repository the URL names. */
export function NewWorkflowPage({ space, project }: { space?: string; project?: string }) {
  const { query } = useLocation();
  return <WorkflowEditorPage space={param(space)} project={param(project)} repository={query.repository} />;
}

/** An existing workflow, on the repository and branch the URL names (`?repository=&branch=`). */
export function WorkflowPage({ space, project, name }: { space?: string; project?: string; name?: string }) {
  const { query } = useLocation();
  return <WorkflowEditorPage key={`${name}|${query.repository}|${query.branch}`} space={param(space)} project={param(project)} name={param(name)} repository={query.repository} branch={query.branch} />;
}

/**
 * A workflow's graph of actions beside its YAML. Validate asks the server (POST /v1/workflows/validate) and
 * shows every issue at its line; Commit writes the file to the repository's branch (UpdateWorkflow, a commit
 * like a push, so the workflow's push trigger starts a run) and then points at the run it started.
 */
function WorkflowEditorPage({ space, project, name, repository: wantedRepository, branch: wantedBranch }: {
  space: string; project: string; name?: string; repository?: string; branch?: string;
}) {
  const { route } = useLocation();
  const repositories = useLoad(() => codecatalyst.listRepositories(space, project), [space, project]);
  const existing = useLoad<WorkflowSummary | undefined>(
    async () => (name ? codecatalyst.getWorkflow(space, project, name, { repository: wantedRepository, branch: wantedBranch }) : undefined),
    [space, project, name, wantedRepository, wantedBranch],
  );
  const [text, setText] = useState<string | undefined>(name ? undefined : STARTER);
  const [issues, setIssues] = useState<WorkflowIssue[]>([]);
  const [graph, setGraph] = useState<GraphAction[] | undefined>();
  const [validated, setValidated] = useState<'valid' | 'invalid' | undefined>();
  const [repository, setRepository] = useState(wantedRepository ?? '');
  const [branch, setBranch] = useState(wantedBranch ?? 'main');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState<'validate' | 'commit' | 'run' | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [committed, setCommitted] = useState<{ commitId: string; branch: string; name: string; runId?: string; waiting: boolean } | undefined>();
  const editor = useRef<CodeEditorHandle | undefined>(undefined);
  // What this page saved: a new workflow becomes an existing one once committed (its Name, its file).
  const [saved, setSaved] = useState<{ name: string; path: string; repository: string; branch: string } | undefined>();

  // An existing workflow's file, its status and (when ACTIVE) its graph; an INVALID one shows its errors in place.
  useEffect(() => {
    const w = existing.data;
    if (!w) return;
    setText(w.content ?? '');
    setGraph(w.graph);
    setIssues([...w.errors, ...w.warnings]);
    setRepository(w.repository);
    setBranch(w.branch);
  }, [existing.data]);
  useEffect(() => {
    if (!repository && repositories.data?.length) setRepository(repositories.data[0]!.name);
  }, [repositories.data]);

  const editorIssues = useMemo<EditorIssue[]>(() => issues.map((i) => ({
    line: i.line, column: i.column, message: i.path ? `${i.path}: ${i.message}` : i.message, severity: i.severity === 'warning' ? 'warning' : 'error',
  })), [issues]);
  const errors = issues.filter((i) => i.severity !== 'warning');
  const warnings = issues.filter((i) => i.severity === 'warning');
  const path = saved?.path ?? existing.data?.path;
  const current = saved?.name ?? name;

  const validate = async () => {
    const check = await codecatalyst.validateWorkflow(text ?? '', path);
    setIssues([...check.errors.map((e) => ({ ...e, severity: 'error' as const })), ...check.warnings.map((w) => ({ ...w, severity: 'warning' as const }))]);
    setValidated(check.valid ? 'valid' : 'invalid');
    if (check.valid) setGraph(check.graph);
    return check;
  };
  const run = async (what: 'validate' | 'commit', action: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await action();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(undefined);
    }
  };
  const commit = () => run('commit', async () => {
    const check = await validate();
    if (!check.valid || !check.name) return;
    if (!repository) throw new Error('Choose the repository to commit the workflow to.');
    const result = await codecatalyst.commitWorkflow(space, project, check.name, {
      repository, branch: branch.trim() || 'main', content: text ?? '', ...(path ? { path } : {}),
      message: message.trim() || `${current ? 'Update' : 'Add'} workflow ${check.name}`,
    });
    setCommitted({ commitId: result.commitId, branch: result.branch, name: check.name, waiting: true });
    setSaved({ name: check.name, path: result.path, repository: result.repository, branch: result.branch });
    setMessage('');
  });

  // After a commit: look for the run its push started (if the triggers match), for a while.
  useEffect(() => {
    if (!committed?.waiting) return;
    let tries = 0;
    const timer = setInterval(async () => {
      tries += 1;
      const runs = await codecatalyst.listRuns(space, project, { workflowName: committed.name, maxResults: 10 }).catch(() => []);
      const started = runs.find((r) => r.commitId === committed.commitId);
      if (started || tries >= 20) setCommitted((c) => c && { ...c, runId: started?.id, waiting: false });
    }, 1000);
    return () => clearInterval(timer);
  }, [committed?.commitId, committed?.waiting]);

  const startRun = async () => {
    setBusy('run');
    setError(undefined);
    try {
      const started = await codecatalyst.startRun(space, project, { workflowName: current!, repository, branch });
      route(wfPaths.run(space, project, started.id));
    } catch (thrown) {
      setError(thrown as Error);
      setBusy(undefined);
    }
  };

  const w = existing.data;
  return (
    <main class="page wide">
      <p><a href={wfPaths.projectTab(space, project, 'workflows')}>← {project} workflows</a></p>
      <div class="page-head">
        <div>
          <h1>{current ?? 'New workflow'} {w && !saved && <StatusBadge status={w.status} />}</h1>
          {w && <p class="muted">{w.repository} · {w.branch} · <span class="mono">{w.path}</span> · commit <span class="mono">{w.commitId.slice(0, 10)}</span> · updated <Time value={w.updatedAt} /></p>}
        </div>
        {(w?.status === 'ACTIVE' || saved) && <Button variant="secondary" busy={busy === 'run'} onClick={startRun}>Run</Button>}
      </div>
      {existing.loading && !existing.data && name && <Spinner label="Loading workflow" />}
      <ErrorMessage error={existing.error} />
      {text !== undefined && (
        <div class="workflow-split">
          <section class="card" aria-label="Graph">
            <h2 class="section-title">Actions</h2>
            {graph ? <WorkflowGraph actions={graph} /> : <p class="muted">Validate the file to draw its actions.</p>}
            {validated === 'invalid' && graph && <p class="muted small">The graph is of the last valid version.</p>}
          </section>
          <section class="card" aria-label="YAML">
            <h2 class="section-title">{path ?? '.codecatalyst/workflows/<Name>.yaml'}</h2>
            <CodeEditor text={text} language="yaml" label="Workflow YAML" issues={editorIssues} onChange={(t) => { setText(t); setValidated(undefined); }} onReady={(h) => (editor.current = h)} />
            <div class="issues" aria-live="polite">
              {validated === 'valid' && errors.length === 0 && <p class="success" role="status">The workflow is valid{warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}.</p>}
              {issues.length > 0 && (
                <ul class="issue-list" aria-label="Problems">
                  {issues.map((i) => (
                    <li key={`${i.line}:${i.column}:${i.message}`} class={i.severity === 'warning' ? 'warning' : 'error'} data-line={i.line}>
                      <button type="button" class="link" onClick={() => editor.current?.goTo(i.line, i.column)}>Line {i.line}, column {i.column}</button>
                      {': '}{i.path && <code>{i.path}</code>} {i.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <form class="commit-form" onSubmit={(e) => { e.preventDefault(); void commit(); }} aria-label="Commit">
              <Field id="wf-repository" label="Repository">
                <select id="wf-repository" value={repository} disabled={!!w || !!saved} onChange={(e) => setRepository((e.target as HTMLSelectElement).value)}>
                  {!repository && <option value="">Choose…</option>}
                  {(repositories.data ?? (repository ? [{ name: repository }] : [])).map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
                </select>
              </Field>
              <Field id="wf-branch" label="Branch">
                <input id="wf-branch" value={branch} required disabled={!!w || !!saved} onInput={(e) => setBranch((e.target as HTMLInputElement).value)} />
              </Field>
              <Field id="wf-message" label="Commit message">
                <input id="wf-message" value={message} placeholder={`${current ? 'Update' : 'Add'} workflow`} onInput={(e) => setMessage((e.target as HTMLInputElement).value)} />
              </Field>
              <div class="actions">
                <Button type="button" variant="secondary" busy={busy === 'validate'} onClick={() => run('validate', async () => void (await validate()))}>Validate</Button>
                <Button type="submit" busy={busy === 'commit'}>Commit</Button>
              </div>
            </form>
            <ErrorMessage error={error ?? repositories.error} />
            {committed && (
              <p class="notice" role="status" data-testid="commit-result">
                Committed <span class="mono">{committed.commitId.slice(0, 10)}</span> to {committed.branch}.{' '}
                {committed.waiting && <><Spinner label="Looking for the run" /> Looking for the run this push started…</>}
                {!committed.waiting && committed.runId && <a href={wfPaths.run(space, project, committed.runId)}>Open the run it started</a>}
                {saved && !name && <> · <a href={wfPaths.workflow(space, project, saved.name, { repository: saved.repository, branch: saved.branch })}>Workflow page</a></>}
                {!committed.waiting && !committed.runId && 'No run started: the workflow\'s triggers do not match this push (press Run to start one).'}
              </p>
            )}
          </section>
        </div>
      )}
      {current && (
        <>
          <h2>Runs of {current}</h2>
          <RunsPanel key={current} space={space} project={project} workflowName={current} />
        </>
      )}
    </main>
  );
}
