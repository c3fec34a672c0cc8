/** The console's own URLs for the Backends section (names are single, percent-encoded segments). */
const seg = encodeURIComponent;
const stack = (stackName: string) => `/console/backends/stacks/${seg(stackName)}`;

export type StackTab = 'resources' | 'outputs' | 'deployments' | 'data';

export const backendPaths = {
  stacks: '/console/backends',
  stack,
  stackTab: (stackName: string, tab: StackTab) => `${stack(stackName)}/${tab}`,
  model: (stackName: string, model: string) => `${stack(stackName)}/data/${seg(model)}`,
  deployment: (stackName: string, deploymentId: string) => `${stack(stackName)}/deployments/${seg(deploymentId)}`,
};
