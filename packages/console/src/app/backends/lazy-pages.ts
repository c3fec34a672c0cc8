import { lazy } from 'preact-iso';

/**
 * The Backends section's pages for the router. The section (its pages and the data tab's forms) is split off
 * the first-load bundle: it is fetched when one of its URLs is first opened.
 */
const section = () => import('./backends-section.tsx');

export const StacksPage = lazy(() => section().then((m) => m.StacksPage));
export const StackPage = lazy(() => section().then((m) => m.StackPage));
export const DeploymentPage = lazy(() => section().then((m) => m.DeploymentPage));
