/** The console's own URLs for the Workflows section (names are single, percent-encoded segments). */
const seg = encodeURIComponent;
const space = (s: string) => `/console/workflows/spaces/${seg(s)}`;
const project = (s: string, p: string) => `${space(s)}/projects/${seg(p)}`;
const withQuery = (path: string, query: Record<string, string | undefined>) => {
  const set = Object.entries(query).filter((e): e is [string, string] => !!e[1]);
  return set.length ? `${path}?${new URLSearchParams(set)}` : path;
};

export type ProjectTab = 'workflows' | 'runs' | 'repositories';

export const wfPaths = {
  spaces: '/console/workflows',
  space,
  spaceTab: (s: string, tab: 'projects' | 'connections') => `${space(s)}/${tab}`,
  project: (s: string, p: string) => project(s, p),
  projectTab: (s: string, p: string, tab: ProjectTab) => `${project(s, p)}/${tab}`,
  workflow: (s: string, p: string, name: string, where: { repository?: string; branch?: string } = {}) => withQuery(`${project(s, p)}/workflows/${seg(name)}`, where),
  newWorkflow: (s: string, p: string, repository?: string) => withQuery(`${project(s, p)}/new-workflow`, { repository }),
  run: (s: string, p: string, runId: string) => `${project(s, p)}/runs/${seg(runId)}`,
};
