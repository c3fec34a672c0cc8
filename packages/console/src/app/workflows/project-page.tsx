import { codecatalyst, type SourceRepository } from '../api/codecatalyst.ts';
import { CreateForm } from '../components/create-form.tsx';
import { CopyButton, EmptyState, ErrorMessage, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { param } from '../hosting/paths.ts';
import { wfPaths, type ProjectTab } from './paths.ts';
import { RunsPanel } from './runs-panel.tsx';

const TABS: Array<[ProjectTab, string]> = [['workflows', 'Workflows'], ['runs', 'Runs'], ['repositories', 'Repositories']];

/** One project: its workflows (with their ACTIVE/INVALID status), its runs and its source repositories. */
export function ProjectPage({ space: rawSpace, project: rawProject, tab: rawTab }: { space?: string; project?: string; tab?: string }) {
  const space = param(rawSpace);
  const project = param(rawProject);
  const tab: ProjectTab = TABS.some(([id]) => id === rawTab) ? (rawTab as ProjectTab) : 'workflows';
  const repositories = useLoad(() => codecatalyst.listRepositories(space, project), [space, project]);
  return (
    <main class="page">
      <p><a href={wfPaths.space(space)}>← {space}</a></p>
      <div class="page-head"><h1>{project} <small class="muted">project</small></h1></div>
      <nav class="tabs" aria-label="Project sections">
        {TABS.map(([id, label]) => (
          <a key={id} href={wfPaths.projectTab(space, project, id)} class={`tab${tab === id ? ' active' : ''}`} aria-current={tab === id ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      {tab === 'workflows' && <WorkflowsPanel space={space} project={project} repositories={repositories.data} />}
      {tab === 'runs' && <RunsPanel space={space} project={project} />}
      {tab === 'repositories' && (
        <section aria-label="Repositories">
          {repositories.loading && !repositories.data && <Spinner label="Loading repositories" />}
          <ErrorMessage error={repositories.error} />
          {repositories.data?.length === 0 && (
            <EmptyState title="No repositories yet">
              <p>Create a repository, push your app to its clone URL, then add a workflow to it.</p>
            </EmptyState>
          )}
          {repositories.data && repositories.data.length > 0 && (
            <ul class="repos" aria-label="Repository list">
              {repositories.data.map((r) => <RepositoryCard key={r.arn} space={space} project={project} repository={r} />)}
            </ul>
          )}
          {repositories.data && (
            <CreateForm id="repository-name" label="New repository name" button="Create repository"
              onCreate={async (name) => {
                await codecatalyst.createRepository(space, project, name);
                await repositories.reload();
              }} />
          )}
        </section>
      )}
    </main>
  );
}

function RepositoryCard({ space, project, repository: r }: { space: string; project: string; repository: SourceRepository }) {
  const clone = `git clone ${r.cloneUrl}`;
  return (
    <li class="card repo" data-repository={r.name}>
      <div class="webhook-head">
        <strong>{r.name}</strong>
        <span class="muted small">created <Time value={r.createdAt} /></span>
        <span class="spacer" />
        <CopyButton text={r.cloneUrl} label="Copy clone URL" />
        <a class="button secondary small" href={wfPaths.newWorkflow(space, project, r.name)}>New workflow</a>
      </div>
      <code class="curl" data-testid="clone-url">{r.cloneUrl}</code>
      <p class="muted small">Push with <code>{`git -c credential.helper='!npx gantry git-credential' push ${r.cloneUrl} main`}</code>, or <code>{clone}</code>.</p>
    </li>
  );
}

function WorkflowsPanel({ space, project, repositories }: { space: string; project: string; repositories?: SourceRepository[] }) {
  const workflows = useLoad(() => codecatalyst.listWorkflows(space, project), [space, project]);
  const canCreate = (repositories?.length ?? 0) > 0;
  return (
    <section aria-label="Workflows">
      <div class="page-head">
        <p class="muted">Workflows are the <code>.codecatalyst/workflows/*.yaml</code> files of the project's repositories, per branch.</p>
        {canCreate && <a class="button primary" href={wfPaths.newWorkflow(space, project, repositories![0]!.name)}>New workflow</a>}
      </div>
      {workflows.loading && !workflows.data && <Spinner label="Loading workflows" />}
      <ErrorMessage error={workflows.error} />
      {workflows.data?.length === 0 && (
        <EmptyState title="No workflows yet">
          {canCreate
            ? <p>Write one in the editor (<em>New workflow</em>), or push a file under <code>.codecatalyst/workflows/</code>.</p>
            : <p>Create a repository first (the <a href={wfPaths.projectTab(space, project, 'repositories')}>Repositories</a> tab): workflows live in its files.</p>}
        </EmptyState>
      )}
      {workflows.data && workflows.data.length > 0 && (
        <table class="table" aria-label="Workflow list">
          <thead><tr><th>Workflow</th><th>Status</th><th>Repository · branch</th><th>File</th><th>Updated</th></tr></thead>
          <tbody>
            {workflows.data.map((w) => (
              <tr key={`${w.repository}/${w.branch}/${w.path}`}>
                <td><a href={wfPaths.workflow(space, project, w.name, { repository: w.repository, branch: w.branch })}>{w.name}</a></td>
                <td>
                  <StatusBadge status={w.status} />
                  {w.errors.slice(0, 3).map((e) => <div key={`${e.line}:${e.column}:${e.message}`} class="error small">line {e.line}: {e.message}</div>)}
                  {w.errors.length > 3 && <div class="muted small">and {w.errors.length - 3} more</div>}
                </td>
                <td>{w.repository} · {w.branch}</td>
                <td class="mono small">{w.path}</td>
                <td class="small"><Time value={w.updatedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
