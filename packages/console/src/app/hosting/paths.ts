/** The console's own URLs for hosting pages (names are single, percent-encoded segments). */
const seg = encodeURIComponent;
export const paths = {
  apps: '/console/hosting/apps',
  newApp: '/console/hosting/apps/new',
  app: (appId: string) => `/console/hosting/apps/${seg(appId)}`,
  appTab: (appId: string, tab: 'branches' | 'webhooks' | 'settings') => `/console/hosting/apps/${seg(appId)}/${tab}`,
  branch: (appId: string, branchName: string) => `/console/hosting/apps/${seg(appId)}/branches/${seg(branchName)}`,
  job: (appId: string, branchName: string, jobId: string) => `/console/hosting/apps/${seg(appId)}/branches/${seg(branchName)}/jobs/${seg(jobId)}`,
};

/** Route parameters arrive as they were in the path: decode them once, here. */
export const param = (value: string | undefined): string => {
  try {
    return decodeURIComponent(value ?? '');
  } catch {
    return value ?? '';
  }
};
