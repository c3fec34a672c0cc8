import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useErrorBoundary } from 'preact/hooks';
import { Spinner } from './components/ui.tsx';
import { TopBar } from './components/top-bar.tsx';
import { AppPage } from './hosting/app-page.tsx';
import { AppsPage } from './hosting/apps-page.tsx';
import { BranchPage } from './hosting/branch-page.tsx';
import { CreateAppPage } from './hosting/create-app-page.tsx';
import { JobPage } from './hosting/job-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
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
          <Route default component={NotFoundPage} />
        </Router>
      </div>
    </div>
  );
}
