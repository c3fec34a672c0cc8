import { useLocation } from 'preact-iso';
import { codecatalyst } from '../api/codecatalyst.ts';
import { CreateForm } from '../components/create-form.tsx';
import { EmptyState, ErrorMessage, Spinner } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { param } from '../hosting/paths.ts';
import { ConnectionsPanel } from './connections-panel.tsx';
import { wfPaths } from './paths.ts';

/** One space: its projects (list, create) and its account connections, one tab each. */
export function SpacePage({ space: rawSpace, tab: rawTab }: { space?: string; tab?: string }) {
  const space = param(rawSpace);
  const tab = rawTab === 'connections' ? 'connections' : 'projects';
  const { route } = useLocation();
  const projects = useLoad(() => codecatalyst.listProjects(space), [space]);
  return (
    <main class="page">
      <p><a href={wfPaths.spaces}>← Spaces</a></p>
      <div class="page-head"><h1>{space} <small class="muted">space</small></h1></div>
      <nav class="tabs" aria-label="Space sections">
        {(['projects', 'connections'] as const).map((id) => (
          <a key={id} href={wfPaths.spaceTab(space, id)} class={`tab${tab === id ? ' active' : ''}`} aria-current={tab === id ? 'page' : undefined}>
            {id === 'projects' ? 'Projects' : 'Account connections'}
          </a>
        ))}
      </nav>
      {tab === 'projects' && (
        <section aria-label="Projects">
          {projects.loading && !projects.data && <Spinner label="Loading projects" />}
          <ErrorMessage error={projects.error} />
          {projects.data?.length === 0 && (
            <EmptyState title="No projects in this space">
              <p>A project groups the repositories of one app and runs their workflows. Create one below.</p>
            </EmptyState>
          )}
          {projects.data && projects.data.length > 0 && (
            <ul class="cards" aria-label="Project list">
              {projects.data.map((p) => (
                <li class="card" key={p.name}><a class="card-title" href={wfPaths.project(space, p.name)}>{p.name}</a></li>
              ))}
            </ul>
          )}
          {projects.data && (
            <CreateForm id="project-name" label="New project name" button="Create project"
              onCreate={async (name) => route(wfPaths.projectTab(space, (await codecatalyst.createProject(space, name)).name, 'repositories'))} />
          )}
        </section>
      )}
      {tab === 'connections' && <ConnectionsPanel space={space} />}
    </main>
  );
}
