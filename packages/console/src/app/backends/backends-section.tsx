/** The Backends section's pages, loaded as one chunk the first time one of them is opened (see lazy-pages.ts). */
export { DeploymentPage } from './deployment-page.tsx';
export { StackPage } from './stack-page.tsx';
export { StacksPage } from './stacks-page.tsx';
