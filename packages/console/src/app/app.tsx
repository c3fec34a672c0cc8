import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useErrorBoundary } from 'preact/hooks';
import { Spinner } from './components/ui.tsx';
import { TopBar } from './components/top-bar.tsx';
import { AppPage } from './hosting/app-page.tsx';
import * as Backends from './backends/lazy-pages.ts';
import { AppsPage } from './hosting/apps-page.tsx';
import { BranchPage } from './hosting/branch-page.tsx';
import { CreateAppPage } from './hosting/create-app-page.tsx';
import { JobPage } from './hosting/job-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { AuditPage } from './iam/audit-page.tsx';
import { PoliciesPage } from './iam/policies-page.tsx';
import { RolePage } from './iam/role-page.tsx';
import { CreateRolePage, RolesPage } from './iam/roles-page.tsx';
import { UserPage } from './iam/user-page.tsx';
import { UsersPage } from './iam/users-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { ProjectPage } from './workflows/project-page.tsx';
import { RunPage } from './workflows/run-page.tsx';
import { SpacePage } from './workflows/space-page.tsx';
import { SpacesPage } from './workflows/spaces-page.tsx';
import { NewWorkflowPage, WorkflowPage } from './workflows/workflow-page.tsx';
import { loadSession, region, session } from './state/session.ts';

/**
 * The console: the sign-in page until a session exists, then the sections. Every section lives under
 * `/console/…` so the server's API paths (`/apps`, `/webhooks`, …) never collide with the page's.
 */
export function App() {
  useEffect(() => void loadSession(), []);
  return (
    <LocationProvider>
      <Shell />
    </LocationProvider>
  );
}

function Shell() {
  const { path, route } = useLocation();
  // A page that throws while rendering shows what broke instead of a blank screen.
  const [failure, reset] = useErrorBoundary();
  const state = session.value;
  const onSignIn = path === '/console/sign-in';
  useEffect(() => {
    if (state === null && !onSignIn) route('/console/sign-in', true);
    if (state && (onSignIn || path === '/' || path === '/console' || path === '/console/')) route('/console/hosting/apps', true);
  }, [state, onSignIn, path]);
  if (failure) {
    return (
      <main class="page">
        <h1>This page failed</h1>
        <p class="error" role="alert">{String((failure as Error).message ?? failure)}</p>
        <button type="button" class="button secondary" onClick={() => { reset(); route('/console/hosting/apps'); }}>Back to apps</button>
      </main>
    );
  }
  if (state === undefined) return <div class="boot"><Spinner label="Checking your session" /></div>;
  if (state === null) return <SignInPage />;
  return (
    <div class="layout">
      <TopBar />
      {/* Pages start afresh when the identity or region changes: nothing another identity loaded stays on screen. */}
      <div class="content" key={`${state.arn}|${region.value}`}>
        <Router>
          <Route path="/console/hosting/apps" component={AppsPage} />
          <Route path="/console/hosting/apps/new" component={CreateAppPage} />
          <Route path="/console/hosting/apps/:appId" component={AppPage} />
          <Route path="/console/hosting/apps/:appId/branches/:branchName" component={BranchPage} />
          <Route path="/console/hosting/apps/:appId/branches/:branchName/jobs/:jobId" component={JobPage} />
          <Route path="/console/hosting/apps/:appId/:tab" component={AppPage} />
          <Route path="/console/workflows" component={SpacesPage} />
          <Route path="/console/workflows/spaces/:space" component={SpacePage} />
          <Route path="/console/workflows/spaces/:space/:tab" component={SpacePage} />
          <Route path="/console/workflows/spaces/:space/projects/:project" component={ProjectPage} />
          <Route path="/console/workflows/spaces/:space/projects/:project/new-workflow" component={NewWorkflowPage} />
          <Route path="/console/workflows/spaces/:space/projects/:project/workflows/:name" component={WorkflowPage} />
          <Route path="/console/workflows/spaces/:space/projects/:project/runs/:runId" component={RunPage} />
          <Route path="/console/workflows/spaces/:space/projects/:project/:tab" component={ProjectPage} />
          <Route path="/console/iam" component={UsersPage} />
          <Route path="/console/iam/users" component={UsersPage} />
          <Route path="/console/iam/users/:name" component={UserPage} />
          <Route path="/console/iam/roles" component={RolesPage} />
          <Route path="/console/iam/roles/new" component={CreateRolePage} />
          <Route path="/console/iam/roles/:name" component={RolePage} />
          <Route path="/console/iam/policies" component={PoliciesPage} />
          <Route path="/console/iam/audit" component={AuditPage} />
          <Route path="/console/backends" component={Backends.StacksPage} />
          <Route path="/console/backends/stacks/:stackName" component={Backends.StackPage} />
          <Route path="/console/backends/stacks/:stackName/deployments/:deploymentId" component={Backends.DeploymentPage} />
          <Route path="/console/backends/stacks/:stackName/data/:model" component={Backends.StackPage} />
          <Route path="/console/backends/stacks/:stackName/:tab" component={Backends.StackPage} />
          <Route default component={NotFoundPage} />
        </Router>
      </div>
    </div>
  );
}
